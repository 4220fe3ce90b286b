"""A "detector" that returns one person's tracked boxes, so the pipeline crops that person."""
from typing import Callable, Dict, Optional

import numpy as np

from .base import BaseFaceDetector, empty_boxes


class TrackBoxes(BaseFaceDetector):
    """Boxes of one track at the sampled frames (``meta['frame_inds']``), none elsewhere.

    Why: classifying every person of a video reuses the config's own
    ``FaceSceneSplit`` unchanged (crop, margin, smoothing, scene stream); only
    its detector is replaced by the track of the person being classified.

    Args:
        box_at: ``box_at(frame_index) -> (4,) box or None`` (None: not in view).
    """

    def __init__(self, box_at: Optional[Callable[[int], Optional[np.ndarray]]] = None) -> None:
        self.box_at = box_at

    def detect(self, frames, meta: Optional[Dict] = None):
        inds = (meta or {}).get('frame_inds')
        if self.box_at is None or inds is None or len(inds) != len(frames):
            raise ValueError('TrackBoxes needs a track (box_at) and meta["frame_inds"] '
                             'for every frame')
        out = []
        for i in inds:
            box = self.box_at(int(i))
            out.append(empty_boxes() if box is None else
                       np.array([[*np.asarray(box, dtype=np.float32)[:4], 1.0]], np.float32))
        return out
