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
from typing import Dict, List, Optional

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


def read_annotation_file(ann_file: str) -> List[ClipRecord]:
    """Read every clip of a ``.jsonl`` file; raise :class:`AnnotationError` on the first bad line."""
    if not osp.isfile(ann_file):
        raise FileNotFoundError(f'annotation file not found: {ann_file}')
    records = []
    seen = {}
    with open(ann_file, encoding='utf-8') as f:
        for line_no, text in enumerate(f, start=1):
            record = parse_line(text, ann_file, line_no)
            if record is None:
                continue
            if record.clip_id in seen:
                raise AnnotationError(
                    f'{record.where}: duplicate clip_id {record.clip_id!r} '
                    f'(first at line {seen[record.clip_id]})')
            seen[record.clip_id] = line_no
            records.append(record)
    return records


def record_to_json(record: ClipRecord) -> str:
    """Serialise a record back to one annotation line (used by tools that add ``boxes``)."""
    obj = dict(clip_id=record.clip_id, scene=record.scene, faces=record.faces,
               label=record.label, boxes=record.boxes)
    obj.update(record.extra)
    return json.dumps(obj, ensure_ascii=False)
