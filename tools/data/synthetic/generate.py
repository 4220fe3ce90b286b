"""Generate the synthetic scene-DFER set (data/README.md, "Synthetic set").

    python tools/data/synthetic/generate.py --out data/synthetic --num-clips 420 --seed 0

Writes ``videos/*.mp4``, ``boxes/*.json`` (ground-truth face boxes for
``PrecomputedFaceBoxes``), ``train.jsonl``/``val.jsonl``/``test.jsonl`` in our
annotation format, and ``meta.json``. Re-running with the same arguments is a
no-op (``--force`` regenerates).
"""
import argparse
import os.path as osp
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default='data/synthetic', help='output folder')
    parser.add_argument('--num-clips', type=int, default=420, help='clips in all splits')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--size', type=int, default=112, help='frame side in pixels')
    parser.add_argument('--num-frames', type=int, default=16, help='frames per clip')
    parser.add_argument('--ambiguous-ratio', type=float, default=0.6,
                        help='share of Happy/Surprise/Fear/Neutral/Sad clips with an '
                        'ambiguous face (only the scene tells the class)')
    parser.add_argument('--split-ratios', type=float, nargs=3, default=(0.6, 0.2, 0.2),
                        metavar=('TRAIN', 'VAL', 'TEST'))
    parser.add_argument('--workers', type=int, default=2, help='processes')
    parser.add_argument('--force', action='store_true', help='regenerate even if cached')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from ous_mm.datasets.synthetic import generate_dataset
    start = time.time()
    meta = generate_dataset(
        args.out, num_clips=args.num_clips, seed=args.seed, size=args.size,
        num_frames=args.num_frames, ambiguous_ratio=args.ambiguous_ratio,
        split_ratios=args.split_ratios, workers=args.workers, force=args.force)
    for split, c in meta['splits'].items():
        print(f'{split:5s}: {c["clips"]:4d} clips, {c["ambiguous"]:4d} ambiguous, '
              f'{osp.join(args.out, split + ".jsonl")}')
    print(f'done in {time.time() - start:.1f}s -> {args.out}')


if __name__ == '__main__':
    main()
