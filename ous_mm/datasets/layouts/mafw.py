"""MAFW's official layout (Liu et al., ACM MM 2022), 11-class single-expression set.

Reads ``Train & Test Set/single/no_caption/set_<k>/{train,test}.txt``: lines
``00025.mp4 anger``, one space, no header, CRLF. Scene stream:
``data/clips/<00025>.mp4``. Faces: ``data/frames/<00025>/*.png``, possibly one
level deeper (``data/frames/frames_crop_align_224/<id>/``). Key: 5-digit id.
"""
import os.path as osp
from collections import OrderedDict
from typing import Dict, List

from ..class_sets import canonical_class_word
from ..clip_keys import ClipKeyError, numeric_key
from .base import LayoutError, OfficialLayout, find_dir_named, find_dirs, is_header_like
from .records import MALFORMED, UNKNOWN_LABEL, ConversionReport, ListEntry, iter_list_lines

NUM_FOLDS = 5


class MAFWLayout(OfficialLayout):
    """Scene videos and face folders of an unpacked MAFW, keyed by ``'00025'``."""

    dataset = 'mafw'

    def scene_roots(self) -> List[str]:
        return find_dir_named(self.root, ['clips'])

    def face_roots(self) -> List[str]:
        return find_dir_named(self.root, ['frames'])

    def split_files(self) -> Dict[str, str]:
        tops = find_dirs(self.root, lambda name, path: name.lower() == 'no_caption' and
                         osp.basename(osp.dirname(path)).lower() == 'single', max_depth=5)
        found: Dict[str, str] = OrderedDict()
        for k in range(1, NUM_FOLDS + 1):
            for phase in ('train', 'test'):
                for top in tops:
                    path = osp.join(top, f'set_{k}', f'{phase}.txt')
                    if osp.isfile(path) and f'set_{k}_{phase}' not in found:
                        found[f'set_{k}_{phase}'] = path
        return found

    def read_splits(self, report: ConversionReport) -> Dict[str, List[ListEntry]]:
        files = self.split_files()
        if not files:
            raise LayoutError(f'no MAFW split file found under {self.root}: expected '
                              '"Train & Test Set/single/no_caption/set_1/train.txt" ...')
        for k in range(1, NUM_FOLDS + 1):
            for phase in ('train', 'test'):
                if f'set_{k}_{phase}' not in files:
                    report.warn(self.root, f'MAFW split set_{k}_{phase} not found; skipped')
        return OrderedDict((name, read_mafw_split(path, name, report))
                           for name, path in files.items())


def read_mafw_split(path: str, split: str, report: ConversionReport) -> List[ListEntry]:
    """Parse one ``single/no_caption`` list: ``00025.mp4 anger`` per line."""
    counts = report.split(split)
    entries: List[ListEntry] = []
    for no, text in iter_list_lines(path, split, report, LayoutError, 'MAFW split file'):
        fields = text.split()
        if len(fields) != 2:
            if no == 1 and is_header_like(text):
                counts['skipped (header/blank)'] += 1
                continue
            report.add(split, MALFORMED, path, no, f'{text!r}: expected "<id>.mp4 <class>"')
            continue
        try:
            key = numeric_key(fields[0], 'mafw')
        except ClipKeyError as err:
            if no == 1 and is_header_like(text):
                counts['skipped (header/blank)'] += 1
                continue
            report.add(split, MALFORMED, path, no, str(err))
            continue
        label = canonical_class_word('mafw', fields[1])
        if label is None:
            hint = ' (a compound label: use the single/ lists)' if '_' in fields[1] else ''
            report.add(split, UNKNOWN_LABEL, path, no,
                       f'class {fields[1]!r} is not one of the 11 MAFW classes{hint}')
            continue
        entries.append(ListEntry(key, label, path, no))
    return entries
