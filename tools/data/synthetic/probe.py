"""Linear-probe difficulty of synthetic variants (face pixels vs face + scene pixels).

    python tools/data/synthetic/probe.py --variant all --json work_dirs/synthetic_probe.json

Renders each variant's clips in memory (no files), fits a logistic regression on
16x16 apex face crops (and on those plus 8x8 scene thumbnails) of the train
split and prints the test UAR next to the design caps (``meta.json``).
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--variant', nargs='+', default=['all'], help='names, or "all"')
    parser.add_argument('--num-clips', type=int, default=420)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--json', default=None, help='also write the rows here')
    args = parser.parse_args(argv)
    from ous_mm.datasets.synthetic import VARIANTS, variant_summary
    from ous_mm.datasets.synthetic.probe import linear_probe
    names = list(VARIANTS) if args.variant == ['all'] else args.variant
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        sys.exit(f'unknown variant(s) {unknown}; known: {", ".join(VARIANTS)}')
    rows = []
    print(f'{"variant":18s} {"face cap":>8s} {"probe":>6s} {"both cap":>8s} {"probe":>6s} '
          f'{"s":>5s}')
    for name in names:
        start = time.time()
        probe = linear_probe(name, args.num_clips, args.seed)
        row = dict(variant_summary(name, args.num_clips, args.seed),
                   probe_face_only=probe['face_only'], probe_face_scene=probe['face_scene'],
                   seconds=round(time.time() - start, 1))
        row.pop('changes')
        rows.append(row)
        print(f'{name:18s} {row["face_only"]:8.2f} {row["probe_face_only"]:6.2f} '
              f'{row["face_scene"]:8.2f} {row["probe_face_scene"]:6.2f} {row["seconds"]:5.1f}',
              flush=True)
    if args.json:
        os.makedirs(osp.dirname(osp.abspath(args.json)), exist_ok=True)
        with open(args.json, 'w') as f:
            json.dump(dict(num_clips=args.num_clips, seed=args.seed, rows=rows), f, indent=2)


if __name__ == '__main__':
    main()
