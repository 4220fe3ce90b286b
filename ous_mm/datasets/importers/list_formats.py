"""Readers for the clip lists of other DFER codebases.

Why: researchers arrive with lists made for DFER-CLIP, MAE-DFER or S2D. Each
codebase numbers the classes in its own order and writes its authors'
absolute paths; a list is read here into clip keys and class WORDS (through
the per-format tables of :mod:`ous_mm.datasets.class_sets`), never by
position or by path prefix.

Formats (one clip per line), each with an EXACT shape, because a reader that
bends to another format's separator reads that format's lines with the wrong
label order (9 of 9 clips mislabelled, silently):

- ``dfer-clip`` (also Former-DFER, EmoCLIP, MMA-DFER):
  ``<face frame dir> <n_frames> <label>``, whitespace-separated, no comma, no header.
- ``mae-dfer``: ``<face frame dir> <label>``, whitespace-separated, no comma, no
  header (label = official index - 1).
- ``s2d``: CSV, a header line of column names (``video_name,label``,
  ``video_name,labels`` or ``path,id``), then ``<id or Scene/Class/id>,<label>``;
  MAFW's official ``00025.mp4 anger`` lists that S2D ships (class WORDS, no
  header) are read too.

``<label>`` is an id in the codebase's order or a class word (matched to the
dataset's words). A list whose lines fit another format better than the one
asked for is refused, naming that format (:func:`check_list_shape`); a line
that does not fit is reported as malformed.
"""
import re
from collections import Counter
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from ..class_sets import canonical_class_word, word_for_label_id
from ..clip_keys import ClipKeyError, clip_key
from ..layouts.base import is_header_like
from ..layouts.records import (MALFORMED, PATH_LABEL_MISMATCH, UNKNOWN_LABEL, ConversionReport,
                               ListEntry, iter_list_lines)

LIST_FORMATS = ('dfer-clip', 'mae-dfer', 's2d')
SHAPES = {
    'dfer-clip': '"<face dir> <n_frames> <label id>" (space-separated, no header)',
    'mae-dfer': '"<face dir> <label id>" (space-separated, no header)',
    's2d': 'a csv header line, then "<clip id or Scene/Class/id>,<label id>"',
}
_LABEL = re.compile(r'^(-?\d+|[A-Za-z][A-Za-z_]*)$')
_WORD = re.compile(r'^[A-Za-z][A-Za-z_]*$')


class ListFormatError(RuntimeError):
    """The list cannot be imported at all (unreadable, another format, another dataset)."""


@dataclass
class ListRow:
    """One non-blank line of a list, split by the format's exact shape."""
    line: int
    path: str
    frames: Optional[str]
    label: str


def _check_format(list_format: str) -> None:
    if list_format not in LIST_FORMATS:
        raise ListFormatError(f'unknown list format {list_format!r}; expected one of {LIST_FORMATS}')


def split_fields(list_format: str, text: str) -> Optional[Tuple[str, Optional[str], str]]:
    """``(path, n_frames or None, label)`` of one line, or None if it has not the format's shape.

    Splitting from the right keeps paths with spaces in them whole.
    """
    _check_format(list_format)
    if list_format == 's2d':
        if ',' in text:
            fields = [f.strip() for f in text.split(',')]
            if len(fields) != 2 or not fields[0] or not _LABEL.match(fields[1]):
                return None
            return fields[0], None, fields[1]
        tokens = text.split()  # MAFW's official lists: class words only, never ids
        return (tokens[0], None, tokens[1]) if len(tokens) == 2 and _WORD.match(tokens[1]) else None
    if ',' in text:
        return None
    tokens = text.split()
    if list_format == 'dfer-clip':
        if len(tokens) < 3 or not tokens[-2].isdigit() or not _LABEL.match(tokens[-1]):
            return None
        return text.rsplit(None, 2)[0], tokens[-2], tokens[-1]
    # mae-dfer: a "<dir> <n_frames> <label>" line is DFER-CLIP's, not a path with a space
    if len(tokens) < 2 or not _LABEL.match(tokens[-1]) or (len(tokens) > 2 and tokens[-2].isdigit()):
        return None
    return text.rsplit(None, 1)[0], None, tokens[-1]


def is_list_header(text: str) -> bool:
    """A line of column names (``video_name,label``), not a clip: no numeric field and
    its last field is not a class word (``00025.mp4 anger`` is a clip)."""
    last = re.split(r'[\s,;]+', text.strip())[-1]
    return is_header_like(text) and not any(
        canonical_class_word(d, last) for d in ('dfew', 'mafw'))


def check_list_shape(path: str, list_format: str, lines: Sequence[Tuple[int, str]]) -> None:
    """Refuse a list whose lines fit another format better than ``list_format``.

    Raises:
        ListFormatError: naming the format that fits and how many lines fit each.
    """
    has_header = is_list_header(lines[0][1])
    body = lines[1:] if has_header else lines
    if not body:
        return
    fits = Counter({f: sum(split_fields(f, text) is not None for _, text in body)
                    for f in LIST_FORMATS})
    best, best_n = max(fits.items(), key=lambda kv: (kv[1], kv[0] == list_format))
    if best != list_format and best_n > fits[list_format]:
        raise ListFormatError(
            f'{path}: {best_n} of {len(body)} lines have the shape of a {best} list '
            f'({SHAPES[best]}), {fits[list_format]} the shape of --format {list_format} '
            f'({SHAPES[list_format]}); import it with --format {best}. Reading it as '
            f'{list_format} would map its label ids through the wrong class order.')
    first_no, first = lines[0]
    if list_format == 's2d' and ',' in first and not has_header:
        raise ListFormatError(
            f'{path}:{first_no}: S2D csv lists start with a header line (video_name,label, '
            f'video_name,labels or path,id); found {first!r}. Is this an S2D list?')


def label_word(list_format: str, dataset: str, text: str) -> Optional[str]:
    """Class word for a label id in ``list_format``'s order, or for a class word."""
    text = text.strip()
    if text.lstrip('-').isdigit():
        return word_for_label_id(list_format, dataset, int(text))
    return canonical_class_word(dataset, text)


def read_rows(path: str, list_format: str, split: str,
              report: ConversionReport) -> Tuple[Optional[str], List[ListRow]]:
    """``(header line or None, rows)``; lines without the format's shape are reported malformed."""
    _check_format(list_format)
    lines = list(iter_list_lines(path, split, report, ListFormatError, 'list file', comments=True))
    if not lines:
        return None, []
    check_list_shape(path, list_format, lines)
    header = None
    rows: List[ListRow] = []
    for no, text in lines:
        if no == lines[0][0] and is_list_header(text):
            header = text
            report.split(split)['skipped (header/blank)'] += 1
            if list_format != 's2d':
                report.warn(path, f'line {no}: header {text!r} skipped ({list_format} lists have none)')
            continue
        fields = split_fields(list_format, text)
        if fields is None:
            report.add(split, MALFORMED, path, no, f'{text!r}: expected {SHAPES[list_format]}')
            continue
        rows.append(ListRow(no, *fields))
    return header, rows


def rows_to_entries(path: str, rows: Sequence[ListRow], list_format: str, dataset: str,
                    split: str, report: ConversionReport) -> List[ListEntry]:
    """Clip keys and class words of ``rows``; each bad row is reported with its line.

    FERV39k keys carry their class folder (``Scene/Class/id``): a label that
    contradicts it is reported and the clip not written, and a list where most
    labels do so is refused (its label order is not ``list_format``'s).
    """
    entries: List[ListEntry] = []
    contradicted = 0
    for row in rows:
        try:
            key = clip_key(dataset, row.path)
        except ClipKeyError as err:
            report.add(split, MALFORMED, path, row.line, str(err))
            continue
        label = label_word(list_format, dataset, row.label)
        if label is None:
            report.add(split, UNKNOWN_LABEL, path, row.line,
                       f'label {row.label!r} is not a {dataset} class in the {list_format} order')
            continue
        if dataset == 'ferv39k' and key.split('/')[1] != label:
            contradicted += 1
            report.add(split, PATH_LABEL_MISMATCH, path, row.line,
                       f'clip {key}: label {row.label!r} is {label} in the {list_format} order, '
                       f'but the clip is in class folder {key.split("/")[1]}')
            continue
        entries.append(ListEntry(key, label, path, row.line,
                                 list_frames=int(row.frames) if row.frames is not None else None))
    if contradicted and contradicted * 2 > contradicted + len(entries):
        raise ListFormatError(
            f'{path}: on {contradicted} of {contradicted + len(entries)} lines the label '
            f'contradicts the class folder of the FERV39k path: these labels are not in the '
            f'{list_format} order (wrong --format, or a list of another codebase)')
    return entries


def read_list(path: str, list_format: str, dataset: str, split: str,
              report: ConversionReport) -> List[ListEntry]:
    """Parse ``path`` without the dataset guard (see :func:`..import_list.import_lists`)."""
    _, rows = read_rows(path, list_format, split, report)
    return rows_to_entries(path, rows, list_format, dataset, split, report)


def label_ids(rows: Sequence[ListRow]) -> Dict[int, int]:
    """Numeric label id -> first line using it (for the dataset guard)."""
    out: Dict[int, int] = {}
    for row in rows:
        if row.label.lstrip('-').isdigit():
            out.setdefault(int(row.label), row.line)
    return out
