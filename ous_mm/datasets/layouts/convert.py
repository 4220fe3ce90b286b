"""The official-layout converter shared by ``tools/data/{dfew,ferv39k,mafw}/prepare.py``.

Why one function: the three datasets differ only in their layout class; the
command line, the checks, the summary and the exit codes are the same.

Exit codes: 0 done (missing clips are reported, not fatal); 1 with
``--strict`` when any clip lacks its scene clip or face folder; 2 fatal: the
root or the split files cannot be found or read, a split file has 0-based
labels, or no clip at all could be written.
"""
import argparse
import os
import os.path as osp
import sys
from typing import List, Optional

from . import build_layout
from .base import LayoutError
from .records import ConversionReport, resolve_entries, write_jsonl

EXIT_OK, EXIT_STRICT, EXIT_FATAL = 0, 1, 2


def converter_parser(dataset: str, description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--root', required=True,
                        help=f'the unpacked official {dataset.upper()} folder')
    parser.add_argument('--out', default=None,
                        help=f'output folder (default: ROOT/annotations); writes {dataset}_<split>.jsonl')
    parser.add_argument('--face-dir', default=None,
                        help='face folders in a non-official place (relative to ROOT or absolute)')
    parser.add_argument('--scene-dir', default=None,
                        help='scene videos in a non-official place (relative to ROOT or absolute)')
    parser.add_argument('--verify-videos', action='store_true',
                        help='open every scene clip and read its frame count (slow); '
                        'undecodable clips are reported and not written')
    parser.add_argument('--strict', action='store_true',
                        help='exit 1 if any clip has no scene clip or no usable face folder')
    return parser


def run_converter(dataset: str, argv: Optional[List[str]], description: str) -> int:
    """Parse ``argv``, convert every official split of ``dataset``, print a summary."""
    args = converter_parser(dataset, description).parse_args(argv)
    out_dir = args.out or osp.join(args.root, 'annotations')
    report = ConversionReport()
    try:
        layout = build_layout(dataset, args.root, face_dir=args.face_dir, scene_dir=args.scene_dir)
        print(f'[{dataset}] indexed {args.root}\n' + layout.describe())
        if not layout.scenes.paths and not layout.scene_frame_dirs.paths:
            raise LayoutError(f'no scene video found under {args.root}; the official scene '
                              'clips are needed for OUS (see docs/data.md)')
        splits = layout.read_splits(report)
    except LayoutError as err:
        print(f'ERROR: {err}', file=sys.stderr)
        return EXIT_FATAL
    for path, message in layout.duplicate_messages():
        report.warn(path, message)
    os.makedirs(out_dir, exist_ok=True)
    total = 0
    for split, entries in splits.items():
        records = resolve_entries(layout, split, entries, report,
                                  verify_scene=args.verify_videos)
        path = osp.join(out_dir, f'{dataset}_{split}.jsonl')
        write_jsonl(path, records)
        total += len(records)
        print(f'[{dataset}] {split}: {len(records)} clips -> {path}')
    report_path = osp.join(out_dir, f'{dataset}_prepare_report.txt')
    report.write(report_path)
    print(report.summary())
    print(f'full report: {report_path}')
    if total == 0:
        print('ERROR: no clip could be written (see the report above)', file=sys.stderr)
        return EXIT_FATAL
    if report.check_balance():
        return EXIT_FATAL
    if args.strict and report.has_missing():
        print('--strict: some clips lack a scene clip or a face folder', file=sys.stderr)
        return EXIT_STRICT
    return EXIT_OK
