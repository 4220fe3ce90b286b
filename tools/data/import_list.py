"""Import clip lists made for DFER-CLIP, MAE-DFER or S2D into our annotation files.

Usage::

    python tools/data/import_list.py --format dfer-clip --dataset dfew \
        --list annotation/DFEW_set_*_t*.txt --root data/dfew --out data/dfew/annotations

Labels are remapped through class words (each codebase's order is a table in
``ous_mm/datasets/class_sets.py``), the list's absolute paths are matched to
clips by their key (not by prefix), and every clip's whole-scene clip is
found in the official layout. A summary at the end counts every line. See
docs/data.md.
"""
import os.path as osp
import sys
from typing import List, Optional

sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), '..', '..')))

from ous_mm.datasets.importers.import_list import run_import  # noqa: E402


def main(argv: Optional[List[str]] = None) -> int:
    return run_import(argv)


if __name__ == '__main__':
    sys.exit(main())
