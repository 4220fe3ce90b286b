"""Reader for our clip annotation format (JSON Lines, documented in data/README.md).

One JSON object per line::

    {"clip_id": "00001", "scene": "Clip/original/part_1/1.mp4",
     "faces": "Clip/clip_224x224/00001", "label": "Happy", "boxes": null}

The reader is shared by :class:`FaceSceneDataset`, ``tools/detect_faces.py`` and
``tools/data/check_dataset.py`` so that every entry point rejects the same bad
lines with the same message (file and line number).
"""
import json
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Mapping, NamedTuple, Optional, Sequence, Tuple

REQUIRED_KEYS = ('clip_id', 'scene', 'label')
OPTIONAL_KEYS = ('faces', 'boxes')


class AnnotationError(ValueError):
    """A malformed annotation file or line; the message names file and line."""


@dataclass
class ClipRecord:
    """One annotation line, paths still as written in the file."""

    clip_id: str
    scene: str
    label: Optional[str]
    faces: Optional[str] = None
    boxes: Optional[str] = None
    ann_file: str = ''
    line: int = 0
    extra: Dict = field(default_factory=dict)

    @property
    def where(self) -> str:
        """``file:line`` of this record, for error messages."""
        return f'{self.ann_file}:{self.line}'


def resolve_path(path: Optional[str], root: str) -> Optional[str]:
    """Join a relative annotation path to ``root``; absolute paths and None pass."""
    if path is None or path == '':
        return None
    path = osp.expanduser(path)
    if osp.isabs(path) or not root:
        return path
    return osp.join(root, path)


def default_data_root(ann_file: str) -> str:
    """Root for an annotation's relative paths when none is given: the file's folder,
    or its parent when that folder is ``annotations`` (``data/dfew/annotations/x.jsonl``
    -> ``data/dfew``; ``data/synthetic/train.jsonl`` -> ``data/synthetic``)."""
    folder = osp.dirname(osp.abspath(ann_file))
    return osp.dirname(folder) if osp.basename(folder) == 'annotations' else folder


def _optional_str(value, key: str, where: str) -> Optional[str]:
    if value is None:
        return None
    if not isinstance(value, str):
        raise AnnotationError(f'{where}: "{key}" must be a string or null, got {value!r}')
    return value


def parse_line(text: str, ann_file: str, line_no: int) -> Optional[ClipRecord]:
    """Parse one line; None for blank lines and ``#`` comments."""
    stripped = text.strip()
    if not stripped or stripped.startswith('#'):
        return None
    where = f'{ann_file}:{line_no}'
    try:
        obj = json.loads(stripped)
    except json.JSONDecodeError as err:
        raise AnnotationError(f'{where}: not valid JSON ({err.msg}): {stripped[:80]!r}') from None
    if not isinstance(obj, dict):
        raise AnnotationError(f'{where}: expected a JSON object, got {type(obj).__name__}')
    missing = [k for k in REQUIRED_KEYS if k not in obj]
    if missing:
        raise AnnotationError(
            f'{where}: missing key(s) {missing}; every line needs {list(REQUIRED_KEYS)} '
            f'(optional: {list(OPTIONAL_KEYS)})')
    clip_id = obj['clip_id']
    if isinstance(clip_id, int):
        clip_id = str(clip_id)
    if not isinstance(clip_id, str) or not clip_id:
        raise AnnotationError(f'{where}: "clip_id" must be a non-empty string, got {clip_id!r}')
    scene = obj['scene']
    if not isinstance(scene, str) or not scene:
        raise AnnotationError(f'{where}: "scene" must be a non-empty path, got {scene!r}')
    label = obj['label']
    if label is not None and not isinstance(label, str):
        raise AnnotationError(
            f'{where}: "label" must be the class WORD (e.g. "Happy"), got {label!r}; '
            'class ids are never stored in annotation files')
    extra = {k: v for k, v in obj.items() if k not in REQUIRED_KEYS + OPTIONAL_KEYS}
    return ClipRecord(
        clip_id=clip_id, scene=scene, label=label,
        faces=_optional_str(obj.get('faces'), 'faces', where),
        boxes=_optional_str(obj.get('boxes'), 'boxes', where),
        ann_file=ann_file, line=line_no, extra=extra)


class AnnotationProblem(NamedTuple):
    """A bad line found by :func:`scan_annotation_file`; ``message`` starts with file:line."""
    kind: str  # BAD_LINE, NOT_UTF8 or DUPLICATE_ID
    message: str


BAD_LINE, NOT_UTF8, DUPLICATE_ID = 'bad annotation line', 'not UTF-8', 'duplicate clip_id'


def iter_annotation_lines(ann_file: str) -> Iterator[Tuple[int, Optional[str], Optional[str]]]:
    """``(line number, text, None)`` per line, or ``(line number, None, error)`` when the
    line's bytes are not UTF-8 (a raw ``UnicodeDecodeError`` names neither file nor line)."""
    with open(ann_file, 'rb') as f:
        for line_no, raw in enumerate(f, start=1):
            try:
                text = raw.decode('utf-8')
            except UnicodeDecodeError as err:
                yield line_no, None, (
                    f'{ann_file}:{line_no}: not UTF-8 text (byte 0x{raw[err.start]:02x} at '
                    f'column {err.start + 1}); save the file as UTF-8')
                continue
            yield line_no, text.lstrip('\ufeff') if line_no == 1 else text, None


def scan_annotation_file(ann_file: str) -> Tuple[List[ClipRecord], List[AnnotationProblem]]:
    """Every good record and every bad line (malformed, not UTF-8, duplicate ``clip_id``).

    The one reader of our annotation files: :class:`FaceSceneDataset` refuses a
    file with any problem, ``tools/data/check_dataset.py`` lists them all.
    """
    if not osp.isfile(ann_file):
        raise FileNotFoundError(f'annotation file not found: {ann_file}')
    records: List[ClipRecord] = []
    problems: List[AnnotationProblem] = []
    seen: Dict[str, int] = {}
    for line_no, text, error in iter_annotation_lines(ann_file):
        if error is not None:
            problems.append(AnnotationProblem(NOT_UTF8, error))
            continue
        try:
            record = parse_line(text, ann_file, line_no)
        except AnnotationError as err:
            problems.append(AnnotationProblem(BAD_LINE, str(err)))
            continue
        if record is None:
            continue
        if record.clip_id in seen:
            problems.append(AnnotationProblem(DUPLICATE_ID, (
                f'{record.where}: duplicate clip_id {record.clip_id!r} '
                f'(first at line {seen[record.clip_id]})')))
            continue
        seen[record.clip_id] = line_no
        records.append(record)
    return records, problems


def read_annotation_file(ann_file: str) -> List[ClipRecord]:
    """Read every clip of a ``.jsonl`` file; raise :class:`AnnotationError` on the first bad line."""
    records, problems = scan_annotation_file(ann_file)
    if problems:
        more = f' ({len(problems) - 1} more bad line(s); tools/data/check_dataset.py lists all)' \
            if len(problems) > 1 else ''
        raise AnnotationError(problems[0].message + more)
    return records


def class_ids(classes: Sequence[str]) -> Dict[str, int]:
    """Lower-cased class word -> id (annotation words match case-insensitively)."""
    return {c.lower(): i for i, c in enumerate(classes)}


def label_id(record: ClipRecord, ids: Mapping[str, int], classes: Sequence[str],
             allow_unlabeled: bool = False) -> int:
    """The class id of ``record`` (-1 when unlabeled and allowed); errors name file:line."""
    if record.label is None:
        if not allow_unlabeled:
            raise AnnotationError(f'{record.where}: "label" is null (set allow_unlabeled=True '
                                  'for inference lists)')
        return -1
    label = ids.get(record.label.strip().lower())
    if label is None:
        raise AnnotationError(f'{record.where}: unknown label {record.label!r} for clip '
                              f'{record.clip_id!r}; classes are {list(classes)}')
    return label


def record_to_json(record: ClipRecord) -> str:
    """Serialise a record back to one annotation line (used by tools that add ``boxes``)."""
    obj = dict(clip_id=record.clip_id, scene=record.scene, faces=record.faces,
               label=record.label, boxes=record.boxes)
    obj.update(record.extra)
    return json.dumps(obj, ensure_ascii=False)
