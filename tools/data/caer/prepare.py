"""Convert an unpacked official CAER into our annotation files.

Usage::

    python tools/data/caer/prepare.py --root data/caer --out data/caer/annotations

Splits and labels are the archive's folders (train/, validation/, test/ each holding
<Class>/<file>); writes caer_{train,val,test}.jsonl and prints, per split and class, what
was found and what was not written (with the reason). See docs/data.md for the archive and what is checked.
"""
import os.path as osp
import sys
from typing import List, Optional

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # tools

from _cli import convert_main  # noqa: E402


def main(argv: Optional[List[str]] = None) -> int:
    return convert_main('caer', 'CAER official layout -> our JSON Lines annotations '
                        '(caer_{train,val,test}.jsonl)', argv)


if __name__ == '__main__':
    sys.exit(main())
