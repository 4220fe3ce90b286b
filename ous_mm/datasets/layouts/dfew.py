"""DFEW's official layout (Jiang et al., ACM MM 2020).

Reads ``EmoLabel_DataSplit/{train,test}(single-labeled)/set_<k>.csv`` (also
the ``single_labeled`` spelling of the archives), header ``video_name,label``,
labels 1..7 in DFEW order. Scene stream: ``Clip/original/part_<N>/<id>.mp4``
(stem padded or not, or a flat ``Clip/original/``). Faces:
``Clip/clip_224x224/<00001>/`` at any depth below ``clip_224x224*`` (the
``_part_<N>`` archives) or MAE-DFER's renamed ``Clip/jpg_256``; the 16-frame
``clip_224x224_16f`` is used only when asked for with ``face_dir``.
"""
import os.path as osp
import re
from collections import OrderedDict
from typing import Dict, List

from ..class_sets import DFEW_CLASSES
from ..clip_keys import ClipKeyError, numeric_key
from .base import LayoutError, OfficialLayout, find_dir_named, find_dirs, is_header_like
from .records import MALFORMED, UNKNOWN_LABEL, ConversionReport, ListEntry, iter_list_lines

NUM_FOLDS = 5
_FACE_DIR = re.compile(r'^(clip_224x224(_part_?\d+)?|jpg_256)$', re.IGNORECASE)


class DFEWLayout(OfficialLayout):
    """Scene videos and face folders of an unpacked DFEW, keyed by ``'00001'``."""

    dataset = 'dfew'

    def scene_roots(self) -> List[str]:
        return find_dir_named(self.root, ['original'])

    def face_roots(self) -> List[str]:
        return find_dirs(self.root, lambda name, _: bool(_FACE_DIR.match(name)))

    def split_files(self) -> Dict[str, str]:
        """``set_<k>_<phase>`` -> CSV path, for the folds present."""
        found: Dict[str, str] = OrderedDict()
        tops = find_dir_named(self.root, ['EmoLabel_DataSplit'])
        for k in range(1, NUM_FOLDS + 1):
            for phase in ('train', 'test'):
                for top in tops:
                    for spelling in ('single-labeled', 'single_labeled'):
                        path = osp.join(top, f'{phase}({spelling})', f'set_{k}.csv')
                        if osp.isfile(path) and f'set_{k}_{phase}' not in found:
                            found[f'set_{k}_{phase}'] = path
        return found

    def read_splits(self, report: ConversionReport) -> Dict[str, List[ListEntry]]:
        files = self.split_files()
        if not files:
            s2d = [osp.join(top, sub, name) for top in find_dir_named(self.root, ['EmoLabel_DataSplit'])
                   for sub in ('train(single-labeled)', 'test(single-labeled)')
                   for name in ('train_set_1.csv', 'test_set_1.csv')
                   if osp.isfile(osp.join(top, sub, name))]
            hint = (f'; found {s2d[0]}, S2D\'s 0-based re-save: import it with '
                    'tools/data/import_list.py --format s2d') if s2d else ''
            raise LayoutError(
                f'no DFEW split file found under {self.root}: expected '
                'EmoLabel_DataSplit/train(single-labeled)/set_1.csv ... (or single_labeled)' + hint)
        for k in range(1, NUM_FOLDS + 1):
            for phase in ('train', 'test'):
                if f'set_{k}_{phase}' not in files:
                    report.warn(self.root, f'DFEW split set_{k}_{phase} not found; skipped')
        return OrderedDict((name, read_dfew_csv(path, name, report))
                           for name, path in files.items())


def read_dfew_csv(path: str, split: str, report: ConversionReport) -> List[ListEntry]:
    """Parse one official DFEW split CSV (``video_name,label``; labels 1..7)."""
    counts = report.split(split)
    name_col, label_col = 0, 1
    entries: List[ListEntry] = []
    zero_based_at = None
    for no, text in iter_list_lines(path, split, report, LayoutError, 'DFEW split file'):
        fields = [f.strip() for f in text.split(',')]
        if no == 1 and is_header_like(text):
            cols = [f.lower() for f in fields]
            if 'video_name' in cols and 'label' in cols:
                name_col, label_col = cols.index('video_name'), cols.index('label')
            else:
                report.warn(path, f'unexpected header {text!r} (expected video_name,label); '
                            'reading columns 1 and 2')
            counts['skipped (header/blank)'] += 1
            continue
        if len(fields) <= max(name_col, label_col):
            report.add(split, MALFORMED, path, no, f'{text!r}: expected video_name,label')
            continue
        try:
            key = numeric_key(fields[name_col], 'dfew')
        except ClipKeyError as err:
            report.add(split, MALFORMED, path, no, str(err))
            continue
        if not fields[label_col].lstrip('-').isdigit():
            report.add(split, MALFORMED, path, no, f'label {fields[label_col]!r} is not an integer')
            continue
        label = int(fields[label_col])
        if label == 0 and zero_based_at is None:
            zero_based_at = no
        if not 1 <= label <= len(DFEW_CLASSES):
            report.add(split, UNKNOWN_LABEL, path, no,
                       f'label {label} outside 1..{len(DFEW_CLASSES)}')
            continue
        entries.append(ListEntry(key, DFEW_CLASSES[label - 1], path, no))
    if zero_based_at is not None:
        raise LayoutError(
            f'{path}:{zero_based_at}: label 0 found, but the official DFEW CSVs use 1..7. '
            'This file looks re-saved with 0-based labels (S2D does this); import it with '
            'tools/data/import_list.py --format s2d instead, so labels are not shifted.')
    return entries
