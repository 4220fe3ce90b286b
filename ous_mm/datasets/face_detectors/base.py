"""The one interface every face detector implements.

Detectors are registered in mmaction's ``TASK_UTILS`` registry (scope ``mmaction``)
and built from config with :func:`build_face_detector`, e.g.
``dict(type='OpenCVFaceDetector')``.
"""
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
from mmaction.registry import TASK_UTILS


class BaseFaceDetector:
    """``detect(frames) -> [(K, 5) float32 arrays of x1, y1, x2, y2, score]``, one per frame.

    ``frames`` are HxWx3 uint8 RGB arrays. ``meta`` carries what file-based
    detectors need (``boxes_file``, ``frame_inds``, ``filename``); image-based
    detectors ignore it. Heavy state (models, cascades) is created lazily on
    the first call so that a detector built in the main process can be pickled
    into dataloader workers cheaply.
    """

    def detect(self, frames: Sequence[np.ndarray],
               meta: Optional[Dict] = None) -> List[np.ndarray]:
        raise NotImplementedError

    def __call__(self, frames, meta=None):
        return self.detect(frames, meta)


def empty_boxes() -> np.ndarray:
    """A (0, 5) float32 array: a frame without faces."""
    return np.zeros((0, 5), dtype=np.float32)


def build_face_detector(cfg: Union[Dict, BaseFaceDetector, None]) -> Optional[BaseFaceDetector]:
    """Build a detector from a config dict (TASK_UTILS), or pass an instance/None through."""
    if cfg is None or isinstance(cfg, BaseFaceDetector):
        return cfg
    return TASK_UTILS.build(cfg)
