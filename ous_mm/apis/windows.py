"""Sliding windows over a long video and the frames sampled inside each."""
from typing import List, Tuple

import numpy as np


def sliding_windows(num_frames: int, window: int, stride: int) -> List[Tuple[int, int]]:
    """``[(start, end), ...]`` (end exclusive) covering every frame of the video.

    Windows start every ``stride`` frames; when the last regular window stops
    short of the end, one more window is aligned to the end so the tail is
    never dropped. A video shorter than ``window`` is one window.

    Raises:
        ValueError: for a non-positive ``num_frames``, ``window`` or ``stride``.
    """
    if num_frames <= 0:
        raise ValueError(f'a video needs at least one frame, got {num_frames}')
    if window <= 0 or stride <= 0:
        raise ValueError(f'window ({window}) and stride ({stride}) must be positive')
    if num_frames <= window:
        return [(0, num_frames)]
    starts = list(range(0, num_frames - window + 1, stride))
    if starts[-1] + window < num_frames:
        starts.append(num_frames - window)
    return [(s, s + window) for s in starts]


def sample_indices(start: int, end: int, clip_len: int) -> np.ndarray:
    """``clip_len`` frame ids spread uniformly over ``[start, end)`` (segment centres).

    The test-mode sampling of TSN-style DFER pipelines. A window with fewer
    frames than ``clip_len`` repeats frames (the documented fallback for very
    short videos: the result's ``repeated_frames`` flag says so).
    """
    length = end - start
    if length <= 0:
        raise ValueError(f'empty window [{start}, {end})')
    offsets = ((np.arange(clip_len) + 0.5) * length / clip_len).astype(np.int64)
    return start + np.clip(offsets, 0, length - 1)
