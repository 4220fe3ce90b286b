"""Import clip lists made for DFER-CLIP, MAE-DFER or S2D into our annotation files.

Usage::

    python tools/data/import_list.py --format dfer-clip --dataset dfew \
        --list annotation/DFEW_set_*_t*.txt --root data/dfew --out data/dfew/annotations

Labels are remapped through class words (each codebase's order is a table in
``ous_mm/datasets/class_sets.py``), the list's absolute paths are matched to
clips by their key (not by prefix), and every clip's whole-scene clip is
found in the official layout. A list of another format or dataset is refused;
outputs are written only when the whole run succeeded. A summary at the end
counts every line of every list. See docs/data.md.
"""
import argparse
import os.path as osp
import sys
from typing import List, Optional

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # tools

from _cli import add_layout_args, print_result, progress_bar  # noqa: E402


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    from ous_mm.datasets.importers import LIST_FORMATS
    parser = argparse.ArgumentParser(
        description='Import DFER-CLIP / MAE-DFER / S2D clip lists: labels remapped by class '
        'word, paths re-rooted by clip key, scene clips found in the official layout.')
    parser.add_argument('--format', required=True, choices=LIST_FORMATS, dest='list_format')
    parser.add_argument('--list', required=True, nargs='+', dest='lists',
                        help='one or more list files (e.g. all 10 DFEW fold lists)')
    parser.add_argument('--dataset', required=True, choices=('dfew', 'ferv39k', 'mafw'))
    parser.add_argument('--confirm-dataset', action='store_true',
                        help='the lists are --dataset lists even though nothing in them shows '
                        'it (no dataset in file name or paths, ids that fit another dataset)')
    add_layout_args(parser, 'the unpacked official dataset')
    parser.add_argument('--out', required=True,
                        help='output folder (file names as the converters write them), '
                        'or a .jsonl file when one list is given')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    from ous_mm.datasets.importers import import_lists
    result = import_lists(args.list_format, args.lists, args.dataset, args.root, args.out,
                          face_dir=args.face_dir, scene_dir=args.scene_dir,
                          verify_videos=args.verify_videos, strict=args.strict,
                          progress=progress_bar(not args.no_progress),
                          confirm_dataset=args.confirm_dataset)
    return print_result(result, args.dataset)


if __name__ == '__main__':
    sys.exit(main())
