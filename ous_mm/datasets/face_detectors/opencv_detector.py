"""Face detection with the Haar cascades that ship inside OpenCV (no download)."""
import os.path as osp
from typing import Optional, Tuple

import cv2
import numpy as np
from mmaction.registry import TASK_UTILS

from .base import BaseFaceDetector, empty_boxes


@TASK_UTILS.register_module()
class OpenCVFaceDetector(BaseFaceDetector):
    """Viola-Jones detector from ``cv2.data.haarcascades``: the default for users' own videos.

    Works anywhere OpenCV does, at the cost of accuracy on profile and small faces;
    use :class:`MMDetFaceDetector` with a WIDER FACE model for benchmarks.

    Args:
        cascade (str): file name inside ``cv2.data.haarcascades`` or a path.
        scale_factor (float): image pyramid step of ``detectMultiScale``.
        min_neighbors (int): detections a face needs (higher: fewer false positives).
        min_size_ratio (float): smallest face side as a fraction of the shorter image side.
        max_side (int): frames whose longer side exceeds this are downscaled before
            detection (4K frames would otherwise take seconds); boxes are mapped back.
        equalize (bool): histogram-equalise the gray image first (helps dark scenes).
    """

    def __init__(self,
                 cascade: str = 'haarcascade_frontalface_default.xml',
                 scale_factor: float = 1.1,
                 min_neighbors: int = 5,
                 min_size_ratio: float = 0.08,
                 max_side: int = 640,
                 equalize: bool = True) -> None:
        self.cascade_path = cascade if osp.isfile(cascade) else osp.join(
            cv2.data.haarcascades, cascade)
        if not osp.isfile(self.cascade_path):
            raise FileNotFoundError(
                f'Haar cascade not found: {cascade} (looked in {cv2.data.haarcascades})')
        self.scale_factor = scale_factor
        self.min_neighbors = min_neighbors
        self.min_size_ratio = min_size_ratio
        self.max_side = max_side
        self.equalize = equalize
        self._cascade: Optional[cv2.CascadeClassifier] = None

    def _get_cascade(self) -> cv2.CascadeClassifier:
        if self._cascade is None:
            cascade = cv2.CascadeClassifier(self.cascade_path)
            if cascade.empty():
                raise RuntimeError(f'OpenCV could not load the cascade {self.cascade_path}')
            self._cascade = cascade
        return self._cascade

    def __getstate__(self):  # the cascade is rebuilt lazily in each worker
        state = self.__dict__.copy()
        state['_cascade'] = None
        return state

    def _detect_one(self, frame: np.ndarray) -> np.ndarray:
        h, w = frame.shape[:2]
        scale = 1.0
        if max(h, w) > self.max_side:
            scale = self.max_side / max(h, w)
            frame = cv2.resize(frame, (max(1, round(w * scale)), max(1, round(h * scale))),
                               interpolation=cv2.INTER_AREA)
        gray = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY) if frame.ndim == 3 else frame
        min_side = int(min(gray.shape[:2]) * self.min_size_ratio)
        min_size: Tuple[int, int] = (max(min_side, 12), max(min_side, 12))
        if gray.shape[0] < min_size[0] or gray.shape[1] < min_size[1]:
            return empty_boxes()  # e.g. a 1-pixel-wide frame: nothing to find
        if self.equalize:
            gray = cv2.equalizeHist(gray)
        rects, _, weights = self._get_cascade().detectMultiScale3(
            gray, scaleFactor=self.scale_factor, minNeighbors=self.min_neighbors,
            minSize=min_size, outputRejectLevels=True)
        if len(rects) == 0:
            return empty_boxes()
        rects = np.asarray(rects, dtype=np.float32).reshape(-1, 4) / scale
        weights = np.asarray(weights, dtype=np.float32).reshape(-1)
        # detectMultiScale3 weights are unbounded stage sums: squash into (0, 1)
        scores = 1.0 / (1.0 + np.exp(-weights))
        boxes = np.concatenate(
            [rects[:, :2], rects[:, :2] + rects[:, 2:], scores[:, None]], axis=1)
        return boxes.astype(np.float32)

    def detect(self, frames, meta=None):
        return [self._detect_one(np.asarray(f)) for f in frames]
