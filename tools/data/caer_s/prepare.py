"""Convert an unpacked official CAER-S into our annotation files.

Usage::

    python tools/data/caer_s/prepare.py --root data/caer_s --out data/caer_s/annotations

Splits and labels are the archive's folders (train/, test/ each holding
<Class>/<file>); writes caer_s_{train,test}.jsonl and prints, per split and class, what
was found and what was not written (with the reason). See docs/data.md for the archive and what is checked.
"""
import os.path as osp
import sys
from typing import List, Optional

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # tools

from _cli import convert_main  # noqa: E402


def main(argv: Optional[List[str]] = None) -> int:
    return convert_main('caer_s', 'CAER-S official layout -> our JSON Lines annotations '
                        '(caer_s_{train,test}.jsonl)', argv)


if __name__ == '__main__':
    sys.exit(main())
