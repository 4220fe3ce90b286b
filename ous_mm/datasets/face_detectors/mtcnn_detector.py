"""A CNN face detector whose weights ship inside a wheel: MTCNN from facenet-pytorch."""
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmaction.registry import TASK_UTILS

from .base import BaseFaceDetector, check_detector_device, empty_boxes
from .mtcnn import mtcnn_weights_dir


@TASK_UTILS.register_module()
class MTCNNFaceDetector(BaseFaceDetector):
    """MTCNN (P-, R-, O-net cascade) with the weights of ``facenet-pytorch==2.6.0``.

    The default detector for users' own videos when facenet-pytorch is installed
    (:func:`default_face_detector`): unlike the Haar cascade it finds turned and
    profile faces, and it needs no download. Frames of one call are detected
    together (``batch_size`` per forward pass), on ``device``. Deterministic: no
    sampling, fixed thresholds.

    Install (it pins torch<2.3, which we do not need: only its weight files are
    read): ``pip install --no-deps facenet-pytorch==2.6.0``. Without it,
    building the detector raises ImportError with that line.

    Args:
        device (str): ``'cpu'``, ``'cuda'``, ``'cuda:1'``, ... In dataloader
            workers a CUDA detector needs the ``spawn`` or ``forkserver`` start
            method (``env_cfg.mp_cfg.mp_start_method``); under ``fork`` the
            first call raises an error saying so.
        min_size_ratio (float): smallest face side as a fraction of the frame's
            shorter side; with ``min_size`` the larger wins. Larger is faster
            (the image pyramid starts smaller).
        min_size (int): smallest face side in pixels (of the detection image).
        max_side (int): frames whose longer side exceeds this are downscaled
            before detection (a 720p frame costs 3x less CPU at 640); boxes
            are mapped back to the frame's pixels.
        thresholds (sequence of 3 floats): face probability each stage needs.
        score_thr (float): boxes with a lower final probability are dropped.
        factor (float): image-pyramid step.
        batch_size (int): frames per forward pass.
        max_per_frame (int): keep at most this many boxes per frame (by score).
    """

    def __init__(self,
                 device: str = 'cpu',
                 min_size_ratio: float = 0.05,
                 min_size: int = 20,
                 max_side: int = 640,
                 thresholds: Sequence[float] = (0.6, 0.7, 0.7),
                 score_thr: float = 0.9,
                 factor: float = 0.709,
                 batch_size: int = 16,
                 max_per_frame: int = 10) -> None:
        if len(thresholds) != 3:
            raise ValueError(f'thresholds needs 3 values (P, R, O nets), got {thresholds}')
        if not 0 < factor < 1 or batch_size < 1 or min_size < 1 or max_side < 24:
            raise ValueError('factor must be in (0, 1), batch_size and min_size >= 1, '
                             'max_side >= 24')
        mtcnn_weights_dir()  # fail at build time, with the install line, when absent
        self.device = str(device)
        self.min_size_ratio = min_size_ratio
        self.min_size = min_size
        self.max_side = max_side
        self.thresholds = tuple(float(t) for t in thresholds)
        self.score_thr = score_thr
        self.factor = factor
        self.batch_size = batch_size
        self.max_per_frame = max_per_frame
        self._nets: Optional[Dict] = None

    def __getstate__(self):  # nets are rebuilt in each worker, never pickled
        state = self.__dict__.copy()
        state['_nets'] = None
        return state

    def _init(self) -> None:
        if self._nets is not None:
            return
        import torch
        from .mtcnn import load_mtcnn_nets
        check_detector_device(self.device, type(self).__name__)
        self._nets = load_mtcnn_nets(torch.device(self.device))

    def _detect_chunk(self, frames: List[np.ndarray]) -> List[np.ndarray]:
        import cv2
        import torch
        from .mtcnn import mtcnn_detect
        h, w = frames[0].shape[:2]
        scale = min(1.0, self.max_side / max(h, w))
        if scale < 1.0:
            size = (max(1, round(w * scale)), max(1, round(h * scale)))
            frames = [cv2.resize(f, size, interpolation=cv2.INTER_AREA) for f in frames]
        small_h, small_w = frames[0].shape[:2]
        min_face = max(float(self.min_size), self.min_size_ratio * min(small_h, small_w))
        batch = torch.from_numpy(np.stack(frames)).to(self.device)
        batch = batch.permute(0, 3, 1, 2).float()
        out = []
        for boxes in mtcnn_detect(self._nets, batch, min_face, self.thresholds, self.factor):
            boxes = boxes[boxes[:, 4] >= self.score_thr][:self.max_per_frame]
            boxes = boxes.cpu().numpy().astype(np.float32)
            if len(boxes) == 0:
                out.append(empty_boxes())
                continue
            boxes[:, :4] *= np.float32([w / small_w, h / small_h] * 2)
            boxes[:, [0, 2]] = boxes[:, [0, 2]].clip(0, w)  # in frame pixels, like the others
            boxes[:, [1, 3]] = boxes[:, [1, 3]].clip(0, h)
            out.append(boxes)
        return out

    def detect(self, frames, meta=None):
        self._init()
        frames = [np.ascontiguousarray(np.asarray(f)) for f in frames]
        for i, f in enumerate(frames):
            if f.ndim != 3 or f.shape[2] != 3 or f.dtype != np.uint8:
                raise ValueError(f'MTCNNFaceDetector: frame {i} is {f.shape} {f.dtype}, '
                                 'expected HxWx3 uint8 RGB')
        out: List[Optional[np.ndarray]] = [None] * len(frames)
        by_size: Dict[tuple, List[int]] = {}
        for i, f in enumerate(frames):  # frames of one size are detected as one batch
            by_size.setdefault(f.shape, []).append(i)
        for inds in by_size.values():
            for start in range(0, len(inds), self.batch_size):
                chunk = inds[start:start + self.batch_size]
                for i, boxes in zip(chunk, self._detect_chunk([frames[i] for i in chunk])):
                    out[i] = boxes
        return out

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(device={self.device!r}, '
                f'min_size_ratio={self.min_size_ratio}, max_side={self.max_side}, '
                f'score_thr={self.score_thr})')
