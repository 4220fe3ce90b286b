"""Turn another codebase's clip lists into our annotation files (``tools/data/import_list.py``).

Why: those lists carry face folders only, with their authors' absolute
paths and their own label orders. Here every line is reduced to its clip
key, its label to a class word, and the clip's face folder and whole-scene
clip are looked up in the official layout under ``--root``, exactly as the
converters do (same :class:`OfficialLayout`, same record writer).

Exit codes: 0 done; 1 with ``--strict`` when a line was not written or a clip
lacks its face folder; 2 fatal: bad root, unreadable list, two lists mapping
to one output file, or nothing written.
"""
import argparse
import os
import os.path as osp
import re
import sys
from typing import Dict, List, Optional

from ..layouts import build_layout
from ..layouts.base import LayoutError
from ..layouts.records import NOT_WRITTEN, ConversionReport, resolve_entries, write_jsonl
from .list_formats import LIST_FORMATS, ListFormatError, read_list

EXIT_OK, EXIT_STRICT, EXIT_FATAL = 0, 1, 2
_FOLD = re.compile(r'(?:set|split|fold)[_-]?0*(\d+)', re.IGNORECASE)
_PHASE = re.compile(r'(train|test|val)', re.IGNORECASE)


def output_name(dataset: str, list_path: str) -> str:
    """The converter-style output name for a list, e.g. ``DFEW_set_1_train.txt`` ->
    ``dfew_set_1_train.jsonl``; MAE-DFER's ``split01/train.csv`` -> ``dfew_set_1_train.jsonl``.

    Falls back to ``<dataset>_<list stem>.jsonl`` when fold or phase cannot be read.
    """
    base = osp.splitext(osp.basename(list_path))[0]
    parent = osp.basename(osp.dirname(osp.abspath(list_path)))
    phase = _PHASE.search(base)
    fold = _FOLD.search(base) or _FOLD.search(parent)
    if phase is None:
        return f'{dataset}_{re.sub(r"[^0-9a-zA-Z_]+", "_", base).lower()}.jsonl'
    if dataset == 'ferv39k' or fold is None:
        return f'{dataset}_{phase.group(1).lower()}.jsonl'
    return f'{dataset}_set_{int(fold.group(1))}_{phase.group(1).lower()}.jsonl'


def import_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description='Import DFER-CLIP / MAE-DFER / S2D clip lists: labels remapped by class '
        'word, paths re-rooted by clip key, scene clips found in the official layout.')
    parser.add_argument('--format', required=True, choices=LIST_FORMATS, dest='list_format')
    parser.add_argument('--list', required=True, nargs='+', dest='lists',
                        help='one or more list files (e.g. all 10 DFEW fold lists)')
    parser.add_argument('--dataset', required=True, choices=('dfew', 'ferv39k', 'mafw'))
    parser.add_argument('--root', required=True, help='the unpacked official dataset')
    parser.add_argument('--out', required=True,
                        help='output folder (file names as the converters write them), '
                        'or a .jsonl file when one list is given')
    parser.add_argument('--face-dir', default=None,
                        help='face folders in a non-official place (relative to ROOT or absolute), '
                        'e.g. Clip/jpg_256 for MAE-DFER or data/faces for DFER-CLIP\'s MAFW')
    parser.add_argument('--scene-dir', default=None,
                        help='scene videos in a non-official place (relative to ROOT or absolute)')
    parser.add_argument('--verify-videos', action='store_true',
                        help='open every scene clip and read its frame count (slow)')
    parser.add_argument('--strict', action='store_true',
                        help='exit 1 if any line was not written or a clip has no face folder')
    return parser


def run_import(argv: Optional[List[str]] = None) -> int:
    """Parse ``argv``, import every list, print the summary; returns the exit code."""
    args = import_parser().parse_args(argv)
    if len(args.lists) == 1 and args.out.endswith('.jsonl'):
        outputs = {args.lists[0]: args.out}
    else:
        outputs = {p: osp.join(args.out, output_name(args.dataset, p)) for p in args.lists}
    clash: Dict[str, str] = {}
    for src, dst in outputs.items():
        if dst in clash:
            print(f'ERROR: {src} and {clash[dst]} would both be written to {dst}; '
                  'import them one at a time with --out FILE.jsonl', file=sys.stderr)
            return EXIT_FATAL
        clash[dst] = src
    for src in args.lists:
        other = [d for d in ('dfew', 'ferv39k', 'mafw')
                 if d != args.dataset and d in osp.basename(src).lower()]
        if other:
            print(f'ERROR: {src} looks like a {other[0].upper()} list but --dataset is '
                  f'{args.dataset}; ids would be matched to the wrong clips', file=sys.stderr)
            return EXIT_FATAL
    report = ConversionReport()
    try:
        layout = build_layout(args.dataset, args.root, face_dir=args.face_dir,
                              scene_dir=args.scene_dir)
    except LayoutError as err:
        print(f'ERROR: {err}', file=sys.stderr)
        return EXIT_FATAL
    print(f'[{args.dataset}] indexed {args.root}\n' + layout.describe())
    for path, message in layout.duplicate_messages():
        report.warn(path, message)
    total = 0
    for src, dst in outputs.items():
        split = osp.basename(src)
        try:
            entries = read_list(src, args.list_format, args.dataset, split, report)
        except ListFormatError as err:
            print(f'ERROR: {err}', file=sys.stderr)
            return EXIT_FATAL
        records = resolve_entries(layout, split, entries, report,
                                  check_frames=args.list_format == 'dfer-clip',
                                  verify_scene=args.verify_videos)
        write_jsonl(dst, records)
        total += len(records)
        print(f'[{args.dataset}] {src}: {len(records)} clips -> {dst}')
    out_dir = osp.dirname(osp.abspath(next(iter(outputs.values()))))
    os.makedirs(out_dir, exist_ok=True)
    report_path = osp.join(out_dir, f'{args.dataset}_import_report.txt')
    report.write(report_path)
    print(report.summary())
    print(f'full report: {report_path}')
    if total == 0:
        print('ERROR: no clip could be written (see the report above)', file=sys.stderr)
        return EXIT_FATAL
    read = sum(c['lines read'] for c in report.counts.values())
    if total < read / 2:
        print(f'WARNING: only {total} of {read} lines became clips: is --root the '
              f'{args.dataset} root and --format {args.list_format} the right format?',
              file=sys.stderr)
    if report.check_balance():
        return EXIT_FATAL
    if args.strict and (report.has_missing() or any(
            c[k] for c in report.counts.values() for k in NOT_WRITTEN)):
        print('--strict: some lines were not written or clips lack face folders', file=sys.stderr)
        return EXIT_STRICT
    return EXIT_OK
