"""The one interface every face detector implements.

Detectors are registered in mmaction's ``TASK_UTILS`` registry (scope ``mmaction``)
and built from config with :func:`build_face_detector`, e.g.
``dict(type='OpenCVFaceDetector')``.
"""
import multiprocessing
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


class ForkedCUDAError(RuntimeError):
    """A CUDA face detector asked to run in a process started with ``fork``."""


def in_forked_process() -> bool:
    """True in a child started with the ``fork`` method (e.g. a forked dataloader worker)."""
    return type(multiprocessing.current_process()).__name__ == 'ForkProcess'


def check_detector_device(device: str, name: str) -> None:
    """Refuse a CUDA detector where CUDA cannot work, with the fix in the message.

    CUDA cannot be initialised again in a process forked from one that uses it
    (the training process always does), and mmengine's default start method for
    dataloader workers is ``fork``. Checked before any CUDA call, so the error is
    this one and not a driver error from inside a worker.
    """
    if not str(device).startswith('cuda'):
        return
    if in_forked_process():
        raise ForkedCUDAError(
            f'{name}(device={device!r}) is running in a forked process (a dataloader worker '
            "started with 'fork'), where CUDA cannot be used. Set "
            "env_cfg = dict(mp_cfg=dict(mp_start_method='spawn')) in the config (or "
            "'forkserver'; or train_dataloader.multiprocessing_context='spawn'), run the "
            "detector on device='cpu', or detect once with tools/detect_faces.py and train "
            "with dict(type='PrecomputedFaceBoxes')")
    import torch
    if not torch.cuda.is_available():
        raise RuntimeError(f'{name}: device {device!r} requested but torch sees no CUDA device '
                           f'(torch {torch.__version__}); use device=\'cpu\'')


def empty_boxes() -> np.ndarray:
    """A (0, 5) float32 array: a frame without faces."""
    return np.zeros((0, 5), dtype=np.float32)


def build_face_detector(cfg: Union[Dict, BaseFaceDetector, None]) -> Optional[BaseFaceDetector]:
    """Build a detector from a config dict (TASK_UTILS), or pass an instance/None through."""
    if cfg is None or isinstance(cfg, BaseFaceDetector):
        return cfg
    return TASK_UTILS.build(cfg)
