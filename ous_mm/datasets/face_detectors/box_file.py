"""The per-clip face-box file written by ``tools/detect_faces.py`` and the generator.

JSON, one file per clip::

    {"format": "ous-face-boxes", "version": 1,
     "clip_id": "00001", "source": "Clip/original/part_1/1.mp4",
     "num_frames": 3, "frame_size": [480, 640], "detector": "OpenCVFaceDetector",
     "boxes": [[[x1, y1, x2, y2, score], ...],   # frame 0 of the scene source
               [],                                 # frame 1: no face
               [[...]]]}

``boxes[i]`` lists the faces of frame ``i`` of the scene source (in its pixel
coordinates); an empty list means no face. JSON rather than npz because the
files are small (a few KB per clip), diffable, and readable by other tools.
"""
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np

BOX_FILE_FORMAT = 'ous-face-boxes'
BOX_FILE_VERSION = 1


class BoxFileError(ValueError):
    """A box file that is missing, malformed, or does not match its clip."""


def box_file_name(clip_id: str) -> str:
    """File name for a clip's boxes (FERV39k ids contain slashes: flattened)."""
    safe = clip_id.replace('\\', '/').strip('/').replace('/', '__')
    return f'{safe}.json'


def write_box_file(path: str, boxes: Sequence[np.ndarray], clip_id: str, source: str,
                   frame_size: Sequence[int], detector: str) -> None:
    """Write atomically (tmp + rename), so an interrupted run never leaves a half file."""
    payload = dict(
        format=BOX_FILE_FORMAT, version=BOX_FILE_VERSION, clip_id=clip_id,
        source=source, num_frames=len(boxes), frame_size=[int(s) for s in frame_size],
        detector=detector,
        boxes=[np.round(np.asarray(b, dtype=np.float64).reshape(-1, 5), 2).tolist()
               for b in boxes])
    dirname = osp.dirname(path)
    if dirname:
        os.makedirs(dirname, exist_ok=True)
    tmp = f'{path}.tmp{os.getpid()}'
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump(payload, f, separators=(',', ':'))
    os.replace(tmp, path)


def read_box_file(path: str) -> Dict:
    """Load and validate a box file; ``boxes`` becomes a list of (K, 5) float32 arrays."""
    if not osp.isfile(path):
        raise BoxFileError(f'face-box file not found: {path} (write it with tools/detect_faces.py)')
    try:
        with open(path, encoding='utf-8') as f:
            payload = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise BoxFileError(f'{path}: not a valid face-box JSON file ({err})') from None
    if not isinstance(payload, dict) or payload.get('format') != BOX_FILE_FORMAT:
        raise BoxFileError(f'{path}: not an {BOX_FILE_FORMAT!r} file')
    raw = payload.get('boxes')
    if not isinstance(raw, list) or payload.get('num_frames') != len(raw):
        raise BoxFileError(f'{path}: "boxes" must list one entry per frame '
                           f'(num_frames={payload.get("num_frames")})')
    boxes: List[np.ndarray] = []
    for i, frame_boxes in enumerate(raw):
        arr = np.asarray(frame_boxes, dtype=np.float32)
        if arr.size == 0:
            arr = arr.reshape(0, 5)
        if arr.ndim != 2 or arr.shape[1] != 5:
            raise BoxFileError(f'{path}: frame {i}: boxes must be [x1, y1, x2, y2, score] lists')
        boxes.append(arr)
    payload['boxes'] = boxes
    return payload


def is_valid_box_file(path: str, num_frames: Optional[int] = None) -> bool:
    """True when ``path`` loads (and, if given, covers ``num_frames`` frames): resume check."""
    try:
        payload = read_box_file(path)
    except BoxFileError:
        return False
    return num_frames is None or payload['num_frames'] == num_frames
