"""Check a dataset before a long training run: every clip readable, labelled, long enough.

    python tools/data/check_dataset.py configs/_base_/datasets/dfew.py          # all splits
    python tools/data/check_dataset.py configs/ous/ous_vitl14_dfew.py --split train
    python tools/data/check_dataset.py data/mine/annotations/train.jsonl \
        --data-root data/mine --classes Happy,Sad,Neutral,Angry,Surprise,Disgust,Fear

Reports what training would reject (errors, exit code 1) and what it would
paper over with a documented fallback (warnings; exit 1 with ``--strict``);
the list is in ``ous_mm/datasets/checks.py`` and docs/data.md. A clip listed
in several files is decoded once. ``--out-json`` saves the full report.
"""
import argparse
import json
import os.path as osp
import sys
from collections import Counter

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # tools

from _cli import progress_bar  # noqa: E402  (also puts the repository on sys.path)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Check an OUS dataset (config or .jsonl)')
    p.add_argument('target', help='a config (.py) or an annotation file (.jsonl)')
    p.add_argument('--split', choices=['train', 'val', 'test', 'all'], default='all',
                   help='which dataloaders of a config to check')
    p.add_argument('--data-root', default=None,
                   help='root of relative paths (default: the config\'s data_root, or for a '
                   '.jsonl its folder / the parent of an "annotations" folder)')
    p.add_argument('--classes', default=None, help='comma-separated class words (.jsonl only)')
    p.add_argument('--precomputed-boxes', action='store_true',
                   help='.jsonl only: the pipeline reads face boxes (PrecomputedFaceBoxes), '
                   'so clips without face frames need a box file')
    p.add_argument('--on-no-face', choices=['center_crop', 'raise'], default='center_crop',
                   help='.jsonl only: the pipeline\'s FaceSceneSplit on_no_face')
    p.add_argument('--min-frames', type=int, default=16, help='warn below this many frames')
    p.add_argument('--deep', action='store_true', help='decode every frame (slow)')
    p.add_argument('--workers', type=int, default=1)
    p.add_argument('--strict', action='store_true', help='warnings also fail')
    p.add_argument('--max-list', type=int, default=30, help='problems printed per kind')
    p.add_argument('--no-progress', action='store_true')
    p.add_argument('--out-json', default=None)
    return p.parse_args(argv)


def build_targets(args):
    from ous_mm.datasets.annotation import default_data_root
    from ous_mm.datasets.checks import CheckTarget, targets_from_config
    if args.target.endswith('.py'):
        return targets_from_config(args.target, args.split, args.data_root)
    root = args.data_root if args.data_root is not None else default_data_root(args.target)
    classes = tuple(c.strip() for c in args.classes.split(',')) if args.classes else None
    return [CheckTarget('file', args.target, root, classes,
                        'without_faces' if args.precomputed_boxes else 'never', args.on_no_face)]


def print_report(report, max_list: int) -> None:
    t = report.target
    print(f'\n== {t.split}: {t.ann_file} ({report.clips} clips, root {t.data_root})')
    print('   labels: ' + ', '.join(f'{k}={v}' for k, v in sorted(report.labels.items(), key=str)))
    kinds = Counter((p[0], p[1]) for p in report.problems)
    for (sev, kind), count in sorted(kinds.items()):
        print(f'   {sev.upper():7s} {kind}: {count}')
        for msg in [p[2] for p in report.problems if p[1] == kind][:max_list]:
            print(f'      {msg}')
    if not report.problems:
        print('   OK: no problems found')


def main(argv=None):
    args = parse_args(argv)
    import ous_mm  # noqa: F401
    from ous_mm.datasets.checks import ERROR, WARNING, check_targets
    try:
        targets = build_targets(args)
    except (ValueError, FileNotFoundError) as err:
        print(f'ERROR: {err}', file=sys.stderr)
        return 2
    reports = check_targets(targets, args.min_frames, args.deep, args.workers,
                            progress_bar(not args.no_progress))
    for report in reports:
        print_report(report, args.max_list)
    n_err = sum(r.count(ERROR) for r in reports)
    n_warn = sum(r.count(WARNING) for r in reports)
    print(f'\n{n_err} error(s), {n_warn} warning(s)')
    if args.out_json:
        with open(args.out_json, 'w') as f:
            json.dump([dict(split=r.target.split, ann_file=r.target.ann_file,
                            data_root=r.target.data_root, clips=r.clips, labels=dict(r.labels),
                            problems=[list(p) for p in r.problems]) for r in reports], f, indent=1)
    return 1 if n_err or (args.strict and n_warn) else 0


if __name__ == '__main__':
    sys.exit(main())
