"""A user's video for inference: the data pipeline's frame readers plus the frame rate."""
from typing import Optional, Sequence, Union

import cv2
import numpy as np

from ous_mm.datasets.video_io import (ArrayFrames, FrameSource, VideoReadError,
                                      open_video)

DEFAULT_FPS = 25.0


def video_fps(path: str) -> Optional[float]:
    """Frame rate from the container (``None`` when unknown)."""
    cap = cv2.VideoCapture(path)
    try:
        fps = cap.get(cv2.CAP_PROP_FPS) if cap.isOpened() else 0.0
    finally:
        cap.release()
    return float(fps) if fps and fps > 0 and np.isfinite(fps) else None


def open_user_video(source: Union[str, np.ndarray, Sequence[np.ndarray]],
                    fps: Optional[float] = None):
    """``(frames, fps)`` for a video path or in-memory RGB frames.

    Files go through :func:`ous_mm.datasets.video_io.open_video` (decord with an
    OpenCV fallback; a missing, empty or undecodable file raises
    ``FileNotFoundError`` / ``VideoReadError`` naming it). Frames read on
    demand, so a long video is never held in memory whole. ``fps`` overrides
    the container's rate (25 when neither is known).
    """
    if isinstance(source, str):
        frames: FrameSource = open_video(source)
        rate = fps or video_fps(source) or DEFAULT_FPS
    else:
        if isinstance(source, np.ndarray) and (source.ndim != 4 or source.shape[-1] != 3):
            raise VideoReadError(
                f'frames must be an array (T, H, W, 3) RGB, got shape {source.shape}')
        frames = ArrayFrames(source, path='<frames>')
        rate = fps or DEFAULT_FPS
    return frames, float(rate)
