"""Generate synthetic scene-DFER variants (data/README.md, "Synthetic set").

    python tools/data/synthetic/generate.py --out data/synthetic --num-clips 420 --seed 0
    python tools/data/synthetic/generate.py --variant small_faces indep_like  # data/synthetic_NAME
    python tools/data/synthetic/generate.py --variant all --workers 2
    python tools/data/synthetic/generate.py --list-variants [--markdown]

Writes ``videos/*.mp4``, ``boxes/*.json`` (ground-truth face boxes for
``PrecomputedFaceBoxes``), ``train.jsonl``/``val.jsonl``/``test.jsonl`` in our
annotation format, and ``meta.json`` (spec, design caps). Re-running with the
same arguments is a no-op (``--force`` regenerates).
"""
import argparse
import os.path as osp
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--variant', nargs='+', default=['base'],
                        help='variant name(s) (--list-variants), or "all"')
    parser.add_argument('--list-variants', action='store_true',
                        help='print the variants with their axes and design caps, then exit')
    parser.add_argument('--markdown', action='store_true',
                        help='--list-variants as a Markdown table')
    parser.add_argument('--out', default=None,
                        help='output folder of a single variant (default data/synthetic for base, '
                        'data/synthetic_<name> otherwise)')
    parser.add_argument('--out-root', default='data',
                        help='parent folder of the default output folders')
    parser.add_argument('--num-clips', type=int, default=420, help='clips in all splits')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--size', type=int, default=None,
                        help="frame side in pixels (default: the variant's)")
    parser.add_argument('--num-frames', type=int, default=None,
                        help="frames per clip (default: the variant's)")
    parser.add_argument('--ambiguous-ratio', type=float, default=None,
                        help='share of the clips of each class in an ambiguity group with the '
                        "group's shared face (only the scene tells the class; default: the "
                        "variant's)")
    parser.add_argument('--split-ratios', type=float, nargs=3, default=(0.6, 0.2, 0.2),
                        metavar=('TRAIN', 'VAL', 'TEST'))
    parser.add_argument('--workers', type=int, default=2, help='processes')
    parser.add_argument('--force', action='store_true', help='regenerate even if cached')
    return parser.parse_args(argv)


def _axes(changes):
    from ous_mm.datasets.class_sets import DFEW_POLARITY_MAP
    changes = dict(changes)
    if 'polarity_map' in changes:  # only the classes that moved
        changes['polarity_map'] = {c: p for c, p in changes['polarity_map'].items()
                                   if DFEW_POLARITY_MAP[c] != p}

    def short(v):
        if isinstance(v, dict):
            return '/'.join(f'{k}:{"+".join(c) if isinstance(c, tuple) else c}'
                            for k, c in v.items())
        if isinstance(v, tuple):
            return '-'.join(str(x) for x in v)
        return str(v)
    return ', '.join(f'{k}={short(v)}' for k, v in changes.items()) or '(the v2 set)'


def print_variants(rows, markdown=False):
    if markdown:
        print('| variant | what differs from base | face-only cap | polarity plateau | '
              'face+scene cap | hard | holdout |')
        print('|---|---|---|---|---|---|---|')
        for r in rows:
            print(f'| `{r["name"]}` | {r["description"]} | {r["face_only"]:.2f} | '
                  f'{r["scene_only"]:.2f} | {r["face_scene"]:.2f} | {"yes" if r["hard"] else ""} | '
                  f'{"yes" if r["holdout"] else ""} |')
        return
    print(f'{"variant":18s} {"size":>4s} {"T":>3s} {"face":>6s} {"scene":>6s} {"both":>6s} '
          f'{"flags":13s} axes (caps: best test UAR from face / scene polarity / both)')
    for r in rows:
        flags = ' '.join(f for f, on in (('hard', r['hard']), ('holdout', r['holdout'])) if on)
        print(f'{r["name"]:18s} {r["size"]:4d} {r["num_frames"]:3d} {r["face_only"]:6.2f} '
              f'{r["scene_only"]:6.2f} {r["face_scene"]:6.2f} {flags:13s} {_axes(r["changes"])}')


def main(argv=None):
    args = parse_args(argv)
    from ous_mm.datasets.synthetic import (VARIANTS, default_out, generate_dataset,
                                           variant_summary)
    names = list(VARIANTS) if args.variant == ['all'] else args.variant
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        sys.exit(f'unknown variant(s) {unknown}; known: {", ".join(VARIANTS)}')
    if args.list_variants:
        print_variants([variant_summary(n, args.num_clips, args.seed) for n in
                        (names if args.variant != ['base'] else VARIANTS)], args.markdown)
        return
    if args.out and len(names) > 1:
        sys.exit('--out names the folder of ONE variant; use --out-root for several')
    for name in names:
        out = args.out or default_out(name, args.out_root)
        start = time.time()
        meta = generate_dataset(
            out, num_clips=args.num_clips, seed=args.seed, size=args.size,
            num_frames=args.num_frames, ambiguous_ratio=args.ambiguous_ratio,
            split_ratios=args.split_ratios, workers=args.workers, force=args.force, variant=name)
        took = time.time() - start
        fresh = osp.getmtime(osp.join(out, 'meta.json')) >= start
        for split, c in meta['splits'].items():
            print(f'{split:5s}: {c["clips"]:4d} clips, {c["ambiguous"]:4d} ambiguous, '
                  f'{osp.join(out, split + ".jsonl")}')
        caps = meta['caps']
        on = 'test' if 'test' in caps['face_only'] else 'all'
        print(f'{name}: {on} caps face-only {caps["face_only"][on]:.2f}, polarity plateau '
              f'{caps["scene_only"][on]:.2f}, face+scene {caps["face_scene"][on]:.2f} UAR; '
              + (f'done in {took:.1f}s ({args.num_clips / took:.1f} clips/s)' if fresh
                 else 'already generated (--force regenerates)') + f' -> {out}')


if __name__ == '__main__':
    main()
