"""Face boxes read from per-clip box files instead of running a detector."""
from typing import Dict, Optional

import numpy as np
from mmaction.registry import TASK_UTILS

from .base import BaseFaceDetector
from .box_file import BoxFileError, boxes_at, check_box_file_length, read_box_file


@TASK_UTILS.register_module()
class PrecomputedFaceBoxes(BaseFaceDetector):
    """Return the boxes stored for the sampled frames of a clip.

    Why: detecting faces once (``tools/detect_faces.py``, any detector, on GPUs)
    and reusing the boxes every epoch is far cheaper than detecting in every
    dataloader worker. Needs ``meta['boxes_file']`` (the annotation's ``boxes``)
    and ``meta['frame_inds']`` (indices into the scene source); with
    ``meta['num_frames']`` (the scene's frame count) a box file longer or shorter
    than the video is refused, as ``tools/data/check_dataset.py`` reports it.

    Args:
        scale_to_frames (bool): rescale boxes when the decoded frame size differs
            from the ``frame_size`` recorded in the file (e.g. a re-encoded copy).
    """

    def __init__(self, scale_to_frames: bool = True) -> None:
        self.scale_to_frames = scale_to_frames
        self._cache_path: Optional[str] = None
        self._cache: Optional[Dict] = None

    def _load(self, path: str) -> Dict:
        if path != self._cache_path:
            self._cache = read_box_file(path)
            self._cache_path = path
        return self._cache

    def detect(self, frames, meta=None):
        meta = meta or {}
        path = meta.get('boxes_file')
        name = meta.get('filename', '<unknown clip>')
        if path is None:
            raise BoxFileError(
                f'{name}: PrecomputedFaceBoxes needs the annotation\'s "boxes" file, but it is '
                'null for this clip; run tools/detect_faces.py or use another detector')
        payload = self._load(path)
        check_box_file_length(payload, path, meta.get('num_frames'), name)
        inds = meta.get('frame_inds')
        if inds is None:
            if len(frames) != payload['num_frames']:
                raise BoxFileError(f'{path}: has {payload["num_frames"]} frames but '
                                   f'{len(frames)} were given without frame_inds')
            inds = range(len(frames))
        inds = [int(i) for i in inds]
        if inds and (max(inds) >= payload['num_frames'] or min(inds) < 0):
            raise BoxFileError(
                f'{path}: frame index {max(inds)} out of range: the file covers '
                f'{payload["num_frames"]} frames of {name} (stale box file? re-run detect_faces)')
        return [boxes_at(payload, i, np.asarray(frame).shape[:2] if self.scale_to_frames else None)
                for frame, i in zip(frames, inds)]
