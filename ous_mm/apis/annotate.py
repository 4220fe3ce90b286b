"""Write a copy of a video with the face box and the top emotions drawn on every frame."""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

#: Box colour (RGB). Pure green survives mp4 compression well and is what the tests look for.
BOX_COLOR = (0, 255, 0)
TEXT_COLOR = (255, 255, 255)
PANEL_COLOR = (0, 0, 0)


def _window_for_frame(windows: Sequence[dict], frame: int) -> Optional[dict]:
    """The window covering ``frame`` whose centre is nearest (windows may overlap)."""
    best, best_dist = None, None
    for win in windows:
        if win['start_frame'] <= frame < win['end_frame']:
            dist = abs((win['start_frame'] + win['end_frame']) / 2 - frame)
            if best is None or dist < best_dist:
                best, best_dist = win, dist
    return best


def _box_for_frame(window: dict, frame: int) -> Optional[Tuple[int, int, int, int]]:
    """Face box of the sampled frame nearest to ``frame`` (boxes are found on sampled frames)."""
    boxes = [b for b in window.get('face_boxes', []) if b.get('box') is not None]
    if not boxes:
        return None
    nearest = min(boxes, key=lambda b: abs(b['frame'] - frame))
    return tuple(int(round(v)) for v in nearest['box'])


def draw_frame(frame: np.ndarray, window: Optional[dict], frame_idx: int,
               top_k: int = 3) -> np.ndarray:
    """Draw the face box and the ``top_k`` emotions of ``window`` on an RGB frame."""
    out = np.ascontiguousarray(frame.copy())
    if window is None:
        return out
    height, width = out.shape[:2]
    thick = max(2, int(round(min(height, width) / 120)))
    box = _box_for_frame(window, frame_idx)
    if box is not None:
        x1, y1, x2, y2 = box
        cv2.rectangle(out, (x1, y1), (x2, y2), BOX_COLOR, thick)
    probs: Dict[str, float] = window['probabilities']
    ranked: List[Tuple[str, float]] = sorted(probs.items(), key=lambda kv: -kv[1])[:top_k]
    scale = max(0.4, min(height, width) / 500)
    line_h = int(22 * scale) + 4
    panel_w = int(190 * scale) + 10
    cv2.rectangle(out, (0, 0), (min(panel_w, width - 1), line_h * len(ranked) + 6),
                  PANEL_COLOR, -1)
    for i, (name, p) in enumerate(ranked):
        y = (i + 1) * line_h
        cv2.putText(out, f'{name} {p * 100:4.1f}%', (4, y), cv2.FONT_HERSHEY_SIMPLEX,
                    scale * 0.6, TEXT_COLOR, 1, cv2.LINE_AA)
    return out


def write_annotated_video(frames, result: dict, out_path: str,
                          fps: Optional[float] = None, top_k: int = 3) -> str:
    """Encode every frame of ``frames`` (a ``FrameSource``) with the result drawn, as mp4.

    Args:
        frames: The video's frames (``ous_mm.datasets.video_io.FrameSource``).
        result: What :func:`ous_mm.apis.inference_video` returned.
        out_path: ``.mp4`` path (MPEG-4 Part 2, ``mp4v``, playable everywhere).
        fps: Output rate; the input's by default.

    Raises:
        RuntimeError: when OpenCV cannot open a writer for ``out_path``.
    """
    os.makedirs(osp.dirname(osp.abspath(out_path)) or '.', exist_ok=True)
    fps = fps or result.get('fps') or 25.0
    first = frames.get_frames([0])[0]
    height, width = first.shape[:2]
    writer = cv2.VideoWriter(out_path, cv2.VideoWriter_fourcc(*'mp4v'), float(fps),
                             (width, height))
    if not writer.isOpened():
        raise RuntimeError(f'OpenCV cannot write {out_path} (mp4v codec missing?)')
    windows = result['windows']
    try:
        chunk = 64
        for start in range(0, frames.num_frames, chunk):
            inds = list(range(start, min(start + chunk, frames.num_frames)))
            for idx, frame in zip(inds, frames.get_frames(inds)):
                drawn = draw_frame(frame, _window_for_frame(windows, idx), idx, top_k)
                writer.write(cv2.cvtColor(drawn, cv2.COLOR_RGB2BGR))
    finally:
        writer.release()
    return out_path
