"""Readers for the clip lists of other DFER codebases.

Why: researchers arrive with lists made for DFER-CLIP, MAE-DFER or S2D. Each
codebase numbers the classes in its own order and writes its authors'
absolute paths; a list is read here into clip keys and class WORDS (through
the per-format tables of :mod:`ous_mm.datasets.class_sets`), never by
position or by path prefix.

Formats (one clip per line):
- ``dfer-clip`` (also Former-DFER, EmoCLIP, MMA-DFER):
  ``<face frame dir> <n_frames> <label id>``, space-separated, no header.
- ``mae-dfer``: ``<face frame dir> <label id>``, space-separated, no header
  (label = official index - 1).
- ``s2d``: CSV with a header (``video_name,label``, ``video_name,labels`` or
  ``path,id``): ``<id or Scene/Class/id>,<label id>``.
A class word instead of an id is accepted too (matched to the dataset's words).
"""
from typing import List, Optional, Tuple

from ..class_sets import canonical_class_word, word_for_label_id
from ..clip_keys import ClipKeyError, clip_key
from ..layouts.base import is_header_like
from ..layouts.records import MALFORMED, UNKNOWN_LABEL, ConversionReport, ListEntry, iter_list_lines

LIST_FORMATS = ('dfer-clip', 'mae-dfer', 's2d')
_EXPECTED = {
    'dfer-clip': '"<face dir> <n_frames> <label id>"',
    'mae-dfer': '"<face dir> <label id>"',
    's2d': '"<clip id or path>,<label id>"',
}


class ListFormatError(RuntimeError):
    """The list cannot be read at all (missing or undecodable file, unknown format)."""


def split_fields(list_format: str, text: str) -> Optional[Tuple[str, Optional[str], str]]:
    """``(path, n_frames or None, label)`` of one line, or None if it has the wrong shape.

    Splitting from the right keeps paths with spaces in them whole.
    """
    if list_format == 'dfer-clip':
        fields = text.rsplit(None, 2)
        return (fields[0], fields[1], fields[2]) if len(fields) == 3 else None
    if list_format == 'mae-dfer':
        fields = text.rsplit(None, 1)
        if len(fields) != 2 and ',' in text:
            fields = text.rsplit(',', 1)
        return (fields[0].strip(), None, fields[1].strip()) if len(fields) == 2 else None
    if list_format == 's2d':
        # S2D also ships MAFW's official ``00025.mp4 anger`` lists next to its csv
        fields = [f.strip() for f in text.split(',')] if ',' in text else text.split()
        return (fields[0], None, fields[1]) if len(fields) >= 2 and fields[0] else None
    raise ListFormatError(f'unknown list format {list_format!r}; expected one of {LIST_FORMATS}')


def label_word(list_format: str, dataset: str, text: str) -> Optional[str]:
    """Class word for a label id in ``list_format``'s order, or for a class word."""
    text = text.strip()
    if text.lstrip('-').isdigit():
        return word_for_label_id(list_format, dataset, int(text))
    return canonical_class_word(dataset, text)


def read_list(path: str, list_format: str, dataset: str, split: str,
              report: ConversionReport) -> List[ListEntry]:
    """Parse ``path``; every line is either an entry or a reported issue (or header/blank)."""
    if list_format not in LIST_FORMATS:
        raise ListFormatError(f'unknown list format {list_format!r}; expected one of {LIST_FORMATS}')
    counts = report.split(split)
    entries: List[ListEntry] = []
    for no, text in iter_list_lines(path, split, report, ListFormatError, 'list file',
                                    comments=True):
        fields = split_fields(list_format, text)
        if fields is None:
            report.add(split, MALFORMED, path, no, f'{text!r}: expected {_EXPECTED[list_format]}')
            continue
        name, frames, label_text = fields
        try:
            key = clip_key(dataset, name)
        except ClipKeyError as err:
            if no == 1 and is_header_like(text):
                counts['skipped (header/blank)'] += 1
                continue
            report.add(split, MALFORMED, path, no, str(err))
            continue
        if frames is not None and not frames.isdigit():
            report.add(split, MALFORMED, path, no, f'frame count {frames!r} is not an integer')
            continue
        label = label_word(list_format, dataset, label_text)
        if label is None:
            report.add(split, UNKNOWN_LABEL, path, no,
                       f'label {label_text!r} is not a {dataset} class in the {list_format} order')
            continue
        entries.append(ListEntry(key, label, path, no,
                                 list_frames=int(frames) if frames is not None else None))
    return entries
