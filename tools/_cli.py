"""Command-line pieces shared by the tools (the library never parses arguments or prints):

- ``tools/train.py`` / ``tools/test.py``: the launcher flags and the work dir default;
- ``tools/data/{dfew,ferv39k,mafw}/prepare.py``, ``import_list.py``, ``check_dataset.py``:
  the layout flags, a progress bar, and printing a
  :class:`~ous_mm.datasets.layouts.RunResult`.
"""
import argparse
import os.path as osp
import sys
from typing import Iterable

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
if REPO not in sys.path:
    sys.path.insert(0, REPO)


def add_runner_args(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """``--work-dir``, ``--cfg-options``, ``--launcher``, ``--local-rank`` (MMAction2's flags)."""
    from mmengine.config import DictAction

    parser.add_argument('--work-dir', help='the dir to save logs, models and results')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config entries, e.g. model.neck.tfe.num_blocks=8 clip_len=8')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return parser


def parse_runner_args(parser: argparse.ArgumentParser, argv=None) -> argparse.Namespace:
    """Parse, and give torch's launchers their ``LOCAL_RANK`` when the caller did not."""
    import os

    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def apply_runner_args(cfg, args):
    """``launcher`` and ``work_dir`` (default ``./work_dirs/<config name>``) into ``cfg``."""
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    return cfg


def add_layout_args(parser: argparse.ArgumentParser, root_help: str) -> argparse.ArgumentParser:
    """``--root``, ``--face-dir``, ``--scene-dir``, ``--verify-videos``, ``--strict``."""
    parser.add_argument('--root', required=True, help=root_help)
    parser.add_argument('--face-dir', default=None,
                        help='face folders in a non-official place (relative to ROOT or absolute), '
                        "e.g. Clip/jpg_256 for MAE-DFER or data/faces for DFER-CLIP's MAFW")
    parser.add_argument('--scene-dir', default=None,
                        help='scene videos in a non-official place (relative to ROOT or absolute)')
    parser.add_argument('--verify-videos', action='store_true',
                        help='decode every scene clip once (slow); undecodable clips are '
                        'reported and not written')
    parser.add_argument('--strict', action='store_true',
                        help='exit 1 if any line was not written or a clip lacks its scene '
                        'clip or face folder')
    parser.add_argument('--no-progress', action='store_true', help='no progress bars')
    return parser


def progress_bar(enabled: bool = True):
    """``progress(iterable, total, desc)`` for the library: a tqdm bar with rate and ETA
    on stderr (or nothing)."""
    def progress(iterable: Iterable, total: int, desc: str) -> Iterable:
        if not enabled:
            return iterable
        from tqdm import tqdm
        return tqdm(iterable, total=total, desc=osp.basename(desc) or desc, unit='clip',
                    file=sys.stderr, leave=False, mininterval=1.0)
    return progress


def print_result(result, tag: str) -> int:
    """Print what a conversion/import found and did; returns its exit code."""
    if result.layout:
        print(f'[{tag}] indexed:\n{result.layout}')
    if result.report.counts or result.report.issues:
        print(result.report.summary())
    for path, how in getattr(result, 'established', {}).items():
        print(f'[{tag}] {path} is a {tag.upper()} list: {how}')
    for path, clips in result.outputs.items():
        print(f'[{tag}] {clips} clips -> {path}')
    if result.report_path:
        print(f'full report: {result.report_path}')
    for message in result.warnings:
        print(f'WARNING: {message}', file=sys.stderr)
    for message in result.errors:
        print(f'ERROR: {message}', file=sys.stderr)
    return result.exit_code


def convert_main(dataset: str, description: str, argv=None) -> int:
    """The whole command line of ``tools/data/<dataset>/prepare.py``."""
    parser = argparse.ArgumentParser(description=description)
    add_layout_args(parser, f'the unpacked official {dataset.upper()} folder')
    parser.add_argument('--out', default=None,
                        help=f'output folder (default: ROOT/annotations); writes {dataset}_<split>.jsonl')
    args = parser.parse_args(argv)
    from ous_mm.datasets.layouts.convert import convert_dataset
    result = convert_dataset(dataset, args.root, args.out, face_dir=args.face_dir,
                             scene_dir=args.scene_dir, verify_videos=args.verify_videos,
                             strict=args.strict, progress=progress_bar(not args.no_progress))
    return print_result(result, dataset)
