"""Clip keys: the one identity of a clip, shared by the converters and the list importer.

Why: official split files, face folders, scene videos and other codebases'
lists all name the same clip differently (``1``, ``00001``, ``1.mp4``,
``/data/.../DFEW_Frame_Face/00001``). Everything is reduced to one key here,
so a clip found through any of them is the same record.

- DFEW: the integer id zero-padded to 5 digits (``'00001'``).
- FERV39k: ``'<Scene>/<Class>/<id>'`` (the id is unique only inside one
  scene/class folder), with the official scene and class spelling.
- MAFW: the 5-digit id (``'00025'``).
"""
import os.path as osp
import re
from typing import Optional

from .class_sets import FERV39K_SCENES, canonical_class_word

DATASETS = ('dfew', 'ferv39k', 'mafw')
VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mkv', '.mov', '.webm', '.flv', '.mpg', '.mpeg')

_SCENE_BY_LOWER = {s.lower(): s for s in FERV39K_SCENES}


class ClipKeyError(ValueError):
    """Raised when a text cannot be read as a clip key of the dataset."""


def _strip_video_ext(name: str) -> str:
    stem, ext = osp.splitext(name)
    return stem if ext.lower() in VIDEO_EXTENSIONS else name


def _path_parts(text: str):
    """Split a POSIX or Windows path into its non-empty parts."""
    return [p for p in re.split(r'[\\/]+', text.strip()) if p not in ('', '.')]


def numeric_key(raw: str, dataset: str = 'dfew') -> str:
    """``'1'``, ``'00001'``, ``'1.mp4'`` -> ``'00001'`` (DFEW and MAFW ids)."""
    text = _strip_video_ext(str(raw).strip())
    if not text.isdigit():
        raise ClipKeyError(f'{raw!r} is not a {dataset.upper()} clip id (expected digits)')
    return f'{int(text):05d}'


def ferv39k_key(raw: str) -> str:
    """``'Interview/Happy/0118'`` (any case, any prefix, ``.mp4`` allowed) -> key.

    The last three path parts must be a known scene, a class word and a number.
    The id keeps its digits as written (4 digits officially).
    """
    parts = _path_parts(str(raw))
    if len(parts) < 3:
        raise ClipKeyError(f'{raw!r} is not a FERV39k clip (expected <Scene>/<Class>/<id>)')
    scene, cls, cid = parts[-3], parts[-2], _strip_video_ext(parts[-1])
    scene_name = _SCENE_BY_LOWER.get(scene.lower())
    class_name = canonical_class_word('ferv39k', cls)
    if scene_name is None or class_name is None or not cid.isdigit():
        raise ClipKeyError(
            f'{raw!r} is not a FERV39k clip (expected <Scene>/<Class>/<id> with one of '
            f'the 22 scenes, a class word and a numeric id)')
    return f'{scene_name}/{class_name}/{cid}'


def clip_key(dataset: str, raw: str) -> str:
    """The clip key of ``raw`` (an id, a file name or a path) in ``dataset``."""
    dataset = dataset.lower()
    if dataset == 'ferv39k':
        return ferv39k_key(raw)
    if dataset in ('dfew', 'mafw'):
        parts = _path_parts(str(raw))
        if not parts:
            raise ClipKeyError(f'empty clip name for {dataset.upper()}')
        return numeric_key(parts[-1], dataset)
    raise ClipKeyError(f'unknown dataset {dataset!r}; expected one of {DATASETS}')


def try_clip_key(dataset: str, raw: str) -> Optional[str]:
    """:func:`clip_key`, or None when ``raw`` is not a clip of ``dataset``."""
    try:
        return clip_key(dataset, raw)
    except ClipKeyError:
        return None


def key_sort_value(key: str):
    """Sort clips by scene/class then numeric id, so outputs are stable and readable
    (a non-numeric name, e.g. CAER's ``0002 (1)``, after the numbers of its folder)."""
    parts = key.split('/')
    last = (0, int(parts[-1]), '') if parts[-1].isdigit() else (1, 0, parts[-1])
    return tuple(parts[:-1]) + (last,)
