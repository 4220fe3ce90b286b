"""FERV39k's official layout (Wang et al., CVPR 2022).

Reads ``4_setups/All_scenes/{train,test}_All.csv``: despite ``.csv``,
space-separated, no header, ``<Scene>/<Class>/<id> <Class>`` (a header line is
tolerated). Scene stream: ``0_7_LabelClips/<Scene>/<Class>/<id>.mp4``, else the
frame folder ``3_ClipsforScenImages/<Scene>/<Class>/<id>/``. Faces:
``2_ClipsforFaceCrop/<Scene>/<Class>/<id>/``. Key: ``Scene/Class/id``.
"""
import re
from collections import OrderedDict
from typing import Dict, List

from ..class_sets import canonical_class_word
from ..clip_keys import ClipKeyError, ferv39k_key
from .base import LayoutError, OfficialLayout, find_dir_named, find_split_file, is_header_like
from .records import (LABEL_MISMATCH, MALFORMED, UNKNOWN_LABEL, ConversionReport, ListEntry,
                      iter_list_lines)


class FERV39kLayout(OfficialLayout):
    """Scene videos and face folders of an unpacked FERV39k, keyed by ``Scene/Class/id``."""

    dataset = 'ferv39k'

    def scene_roots(self) -> List[str]:
        return find_dir_named(self.root, ['0_7_LabelClips'])

    def scene_frame_roots(self) -> List[str]:
        return find_dir_named(self.root, ['3_ClipsforScenImages'])

    def face_roots(self) -> List[str]:
        return find_dir_named(self.root, ['2_ClipsforFaceCrop'])

    def split_files(self) -> Dict[str, str]:
        found: Dict[str, str] = OrderedDict()
        for phase in ('train', 'test'):
            path = find_split_file(self.root, [f'4_setups/All_scenes/{phase}_All.csv',
                                               f'All_scenes/{phase}_All.csv'])
            if path is not None:
                found[phase] = path
        return found

    def read_splits(self, report: ConversionReport) -> Dict[str, List[ListEntry]]:
        files = self.split_files()
        if not files:
            raise LayoutError(f'no FERV39k split file found under {self.root}: expected '
                              '4_setups/All_scenes/train_All.csv and test_All.csv')
        for phase in ('train', 'test'):
            if phase not in files:
                report.warn(self.root, f'FERV39k {phase}_All.csv not found; skipped')
        return OrderedDict((name, read_ferv39k_split(path, name, report))
                           for name, path in files.items())


def read_ferv39k_split(path: str, split: str, report: ConversionReport) -> List[ListEntry]:
    """Parse ``train_All.csv``/``test_All.csv`` lines ``Scene/Class/id Class``."""
    counts = report.split(split)
    entries: List[ListEntry] = []
    for no, text in iter_list_lines(path, split, report, LayoutError, 'FERV39k split file'):
        fields = [f for f in re.split(r'[\s,]+', text) if f]
        if len(fields) != 2:
            if no == 1 and is_header_like(text):
                counts['skipped (header/blank)'] += 1
                continue
            report.add(split, MALFORMED, path, no, f'{text!r}: expected "<Scene>/<Class>/<id> <Class>"')
            continue
        try:
            key = ferv39k_key(fields[0])
        except ClipKeyError as err:
            if no == 1 and is_header_like(text):
                counts['skipped (header/blank)'] += 1
                continue
            report.add(split, MALFORMED, path, no, str(err))
            continue
        label = canonical_class_word('ferv39k', fields[1])
        if label is None:
            report.add(split, UNKNOWN_LABEL, path, no, f'class {fields[1]!r} is not a FERV39k class')
            continue
        folder_class = key.split('/')[1]
        if folder_class != label:
            report.add(split, LABEL_MISMATCH, path, no,
                       f'clip {key} is in class folder {folder_class} but labelled {label}')
        entries.append(ListEntry(key, label, path, no))
    return entries
