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

Also the one validation of face boxes against a frame (:func:`usable_boxes`)
and of a box file against its clip (:func:`check_box_file_length`), shared by
training (``FaceSceneSplit``, ``PrecomputedFaceBoxes``) and
``tools/data/check_dataset.py``, so the checker reports what training does.
"""
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np

BOX_FILE_FORMAT = 'ous-face-boxes'
BOX_FILE_VERSION = 1
#: A box keeps at least this share of its area inside the frame, or it is no face
#: (a box fully or mostly outside would crop black padding, not a face).
MIN_AREA_INSIDE = 0.5


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
        boxes.append(_frame_boxes(path, i, frame_boxes))
    payload['boxes'] = boxes
    return payload


def _frame_boxes(path: str, index: int, frame_boxes) -> np.ndarray:
    """The (K, 5) float32 array of one frame's entry, or a BoxFileError naming the file,
    the frame and what is wrong (the one validation of stored boxes)."""
    shape = f'{path}: frame {index}: boxes must be a list of [x1, y1, x2, y2, score] lists'
    if not isinstance(frame_boxes, list) or not all(
            isinstance(b, list) and len(b) == 5 for b in frame_boxes):
        raise BoxFileError(f'{shape}, got {json.dumps(frame_boxes)[:80]}')
    if not all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))
               for b in frame_boxes for v in b):  # null is NaN: no face, a counted fallback
        raise BoxFileError(f'{shape} of numbers, got {json.dumps(frame_boxes)[:80]}')
    arr = np.asarray(frame_boxes, dtype=np.float32).reshape(-1, 5)
    negative = np.flatnonzero(arr[:, 4] < 0)
    if len(negative):
        raise BoxFileError(f'{path}: frame {index}: box {int(negative[0])} has the negative '
                           f'score {float(arr[negative[0], 4])} (scores are detector '
                           'confidences, >= 0)')
    return arr


def is_valid_box_file(path: str, num_frames: Optional[int] = None) -> bool:
    """True when ``path`` loads (and, if given, covers ``num_frames`` frames): resume check."""
    try:
        payload = read_box_file(path)
    except BoxFileError:
        return False
    return num_frames is None or payload['num_frames'] == num_frames


def usable_boxes(boxes: np.ndarray, frame_hw: Sequence[int],
                 min_inside: float = MIN_AREA_INSIDE) -> np.ndarray:
    """``boxes`` (K, 5) clipped to a frame of ``frame_hw`` = (height, width).

    A box that is not finite, has no area, or keeps less than ``min_inside`` of
    its area inside the frame is dropped: for the pipeline it is no face (the
    documented no-face fallback, counted in ``face_fallback``).
    """
    arr = np.asarray(boxes, dtype=np.float32).reshape(-1, 5)
    h, w = float(frame_hw[0]), float(frame_hw[1])
    area = (arr[:, 2] - arr[:, 0]) * (arr[:, 3] - arr[:, 1])
    clipped = arr.copy()
    clipped[:, [0, 2]] = np.clip(arr[:, [0, 2]], 0.0, w)
    clipped[:, [1, 3]] = np.clip(arr[:, [1, 3]], 0.0, h)
    inside = (clipped[:, 2] - clipped[:, 0]) * (clipped[:, 3] - clipped[:, 1])
    with np.errstate(invalid='ignore', divide='ignore'):
        keep = np.isfinite(arr).all(1) & (area > 0) & (inside >= min_inside * area)
    return clipped[keep]


def boxes_at(payload: Dict, index: int, frame_hw: Optional[Sequence[int]] = None) -> np.ndarray:
    """The stored boxes of frame ``index``, rescaled to ``frame_hw`` when the decoded frames
    have another size than the ``frame_size`` recorded in the file (a re-encoded copy)."""
    boxes = payload['boxes'][index].copy()
    stored_hw = payload.get('frame_size')
    if frame_hw is not None and stored_hw and len(boxes):
        sy, sx = frame_hw[0] / stored_hw[0], frame_hw[1] / stored_hw[1]
        if sx != 1.0 or sy != 1.0:
            boxes[:, [0, 2]] *= sx
            boxes[:, [1, 3]] *= sy
    return boxes


def check_box_file_length(payload: Dict, path: str, num_frames: Optional[int],
                          source: str = 'the scene') -> None:
    """A box file must cover exactly the frames of its scene source: a longer or shorter
    one was made from another copy of the video (stale), and its boxes would land on
    the wrong frames. Raises :class:`BoxFileError`; ``num_frames`` None skips the check."""
    if num_frames is not None and payload['num_frames'] != num_frames:
        raise BoxFileError(
            f'{path}: covers {payload["num_frames"]} frames but {source} has {num_frames} '
            '(stale box file: re-run tools/detect_faces.py for this clip)')
