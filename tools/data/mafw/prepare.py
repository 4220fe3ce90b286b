"""Convert an unpacked official MAFW into our annotation files.

Usage::

    python tools/data/mafw/prepare.py --root data/mafw --out data/mafw/annotations

Reads the official split files, finds every clip's whole-scene clip and face
folder, writes one JSON Lines file per split and prints a summary of what is
missing. See docs/data.md for the archives to download and what is checked.
"""
import os.path as osp
import sys
from typing import List, Optional

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # tools

from _cli import convert_main  # noqa: E402


def main(argv: Optional[List[str]] = None) -> int:
    return convert_main('mafw',
                         'MAFW official layout -> our JSON Lines annotations '
                         '(11 classes, 5 folds: mafw_set_<k>_{train,test}.jsonl)', argv)


if __name__ == '__main__':
    sys.exit(main())
