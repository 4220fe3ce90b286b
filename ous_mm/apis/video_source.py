"""A user's video for inference: the data pipeline's frame readers plus the frame rate."""
import os.path as osp
from typing import Optional, Sequence, Tuple, Union

import cv2
import numpy as np

from ous_mm.datasets.video_io import (ArrayFrames, FrameSource, VideoReadError, open_source,
                                      verify_source)

DEFAULT_FPS = 25.0


def video_fps(path: str) -> Optional[float]:
    """Frame rate from the container (``None`` when unknown or for a frame folder)."""
    if osp.isdir(path):
        return None
    cap = cv2.VideoCapture(path)
    try:
        fps = cap.get(cv2.CAP_PROP_FPS) if cap.isOpened() else 0.0
    finally:
        cap.release()
    return float(fps) if fps and fps > 0 and np.isfinite(fps) else None


def check_user_video(path: str) -> Tuple[int, Tuple[int, int]]:
    """``(frame count, (height, width))`` of a video file or frame folder, after decoding
    its first, middle and last frame: run it BEFORE loading a model, so a bad input
    fails in a second with a message naming it, not after the model has loaded.

    Raises:
        FileNotFoundError: no such file or folder.
        VideoReadError: empty, not a video, or undecodable (decord and OpenCV tried).
    """
    if not osp.exists(path):
        raise FileNotFoundError(f'video not found: {path} (give a video file or a folder of frames)')
    return verify_source(path)


def open_user_video(source: Union[str, np.ndarray, Sequence[np.ndarray]],
                    fps: Optional[float] = None):
    """``(frames, fps)`` for a video file, a folder of frames, or in-memory RGB frames.

    Paths go through :func:`ous_mm.datasets.video_io.open_source` (decord with an
    OpenCV fallback, or the frames of a folder in natural name order; a missing,
    empty or undecodable input raises ``FileNotFoundError`` / ``VideoReadError``
    naming it). Frames read on demand, so a long video is never held in memory
    whole. ``fps`` overrides the container's rate (25 when neither is known, as
    for a frame folder).
    """
    if isinstance(source, str):
        frames: FrameSource = open_source(source)
        rate = fps or video_fps(source) or DEFAULT_FPS
    else:
        if isinstance(source, np.ndarray) and (source.ndim != 4 or source.shape[-1] != 3):
            raise VideoReadError(
                f'frames must be an array (T, H, W, 3) RGB, got shape {source.shape}')
        frames = ArrayFrames(source, path='<frames>')
        rate = fps or DEFAULT_FPS
    return frames, float(rate)
