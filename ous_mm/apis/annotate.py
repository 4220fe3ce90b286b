"""Write a copy of a video with the face box and the top emotions drawn on every frame.

Layout of each output frame: the picture (enlarged so its short side is at least
``min_side``, so a 112 px DFEW clip gets readable text) with the face box, over
a text band with the window's time, its face status and the ``top_k`` emotions.
The band is below the picture, so the labels never cover the face. A window
where no face was found (the centre crop was classified) gets a border and the
crop square in :data:`~ous_mm.visualization.FALLBACK_COLOR` and says so in the band.

With every face tracked (a result with ``tracks``), each person in view gets a
box in their own colour (:data:`~ous_mm.visualization.drawing.TRACK_COLORS`)
tagged with their id and top emotion, and the band has one line per person.
"""
import os
import os.path as osp
from typing import Callable, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from ous_mm.visualization.drawing import (BOX_COLOR, FALLBACK_COLOR, TEXT_COLOR,
                                          centre_crop_box, draw_box, mark_fallback, tag_box,
                                          text_band, text_px_for, track_color, upscale_to)

#: the short side of the annotated video is enlarged to at least this many pixels
MIN_SIDE = 360
#: container -> OpenCV codec: mp4 (MPEG-4 Part 2, plays in desktop players) or webm
#: (VP8, plays in browsers, which the web demo needs)
CODECS = {'.mp4': 'mp4v', '.webm': 'VP80'}
NO_FACE_TEXT = 'NO FACE: centre crop'
NOT_IN_VIEW_TEXT = 'not in view'


def _window_for_frame(windows: Sequence[dict], frame: int) -> Optional[dict]:
    """The window covering ``frame`` whose centre is nearest (windows may overlap)."""
    best, best_dist = None, None
    for win in windows:
        if win['start_frame'] <= frame < win['end_frame']:
            dist = abs((win['start_frame'] + win['end_frame']) / 2 - frame)
            if best is None or dist < best_dist:
                best, best_dist = win, dist
    return best


def _box_for_frame(window: dict, frame: int) -> Optional[Tuple[float, float, float, float]]:
    """Face box of the sampled frame nearest to ``frame`` (boxes are found on sampled frames)."""
    boxes = [b for b in window.get('face_boxes', []) if b.get('box') is not None]
    if not boxes:
        return None
    nearest = min(boxes, key=lambda b: abs(b['frame'] - frame))
    return tuple(float(v) for v in nearest['box'])


def _band_lines(window: Optional[dict], top_k: int) -> Tuple[List, List]:
    """Text lines and probability bars of the band under a frame."""
    if window is None:
        return [('no window covers this frame', TEXT_COLOR)], [None]
    span = f'{window["start_sec"]:.2f}-{window["end_sec"]:.2f} s'
    if window.get('face_fallback'):
        lines, bars = [(f'{span}  {NO_FACE_TEXT}', FALLBACK_COLOR)], [None]
    else:
        lines, bars = [(f'{span}  face', TEXT_COLOR)], [None]
    ranked = sorted(window['probabilities'].items(), key=lambda kv: -kv[1])[:top_k]
    for name, p in ranked:
        lines.append((f'{name} {p * 100:4.1f}%', TEXT_COLOR))
        bars.append(p)
    return lines, bars


def draw_frame(frame: np.ndarray, window: Optional[dict], frame_idx: int,
               top_k: int = 3, min_side: int = MIN_SIDE) -> np.ndarray:
    """The annotated picture of one RGB frame: enlarged frame with marks over a text band.

    Every frame of one video gives the same output size (the band always has
    ``1 + top_k`` lines).
    """
    height, width = frame.shape[:2]
    out, factor = upscale_to(np.ascontiguousarray(frame), min_side)
    out = out.copy() if factor == 1.0 else out
    if window is not None:
        box = _box_for_frame(window, frame_idx)
        if window.get('face_fallback') or box is None:
            mark_fallback(out, [v * factor for v in centre_crop_box(height, width)])
        else:
            draw_box(out, [v * factor for v in box], BOX_COLOR)
    lines, bars = _band_lines(window, top_k)
    lines += [('', TEXT_COLOR)] * (1 + top_k - len(lines))  # same size on every frame
    px = text_px_for(out.shape[1], out.shape[0])
    return np.concatenate([out, text_band(out.shape[1], lines, px, bars)], axis=0)


def _track_box(track: dict, frame: int) -> Tuple[Optional[dict], Optional[Tuple]]:
    """``(window, box)`` of one person at ``frame``: the box of the nearest sampled frame
    of their window covering it, if that frame is at most one sampling step away (a
    person who left is not boxed where they are no longer)."""
    window = _window_for_frame(track.get('windows', []), frame)
    if window is None:
        return None, None
    boxes = [b for b in window.get('face_boxes', []) if b.get('box') is not None]
    if not boxes:
        return window, None
    step = max(1, -(-(window['end_frame'] - window['start_frame']) // len(window['face_boxes'])))
    nearest = min(boxes, key=lambda b: abs(b['frame'] - frame))
    if abs(nearest['frame'] - frame) > step:
        return window, None
    return window, tuple(float(v) for v in nearest['box'])


def draw_tracks_frame(frame: np.ndarray, tracks: Sequence[dict], frame_idx: int,
                      fps: float, top_k: int = 3, min_side: int = MIN_SIDE) -> np.ndarray:
    """One RGB frame with every tracked person: a box in their colour tagged ``#id emotion``,
    over a band with the time and one line per person (same size on every frame)."""
    out, factor = upscale_to(np.ascontiguousarray(frame), min_side)
    out = out.copy() if factor == 1.0 else out
    px = text_px_for(out.shape[1], out.shape[0])
    lines = [(f'{frame_idx / fps:.2f} s  {len(tracks)} people tracked', TEXT_COLOR)]
    bars: List[Optional[float]] = [None]
    for track in tracks:
        color = track_color(track['track_id'])
        window, box = _track_box(track, frame_idx)
        if window is None or box is None:
            lines.append((f'#{track["track_id"]}  {NOT_IN_VIEW_TEXT}', color))
            bars.append(None)
            continue
        ranked = sorted(window['probabilities'].items(), key=lambda kv: -kv[1])[:top_k]
        tag_box(out, [v * factor for v in box],
                f'#{track["track_id"]} {ranked[0][0]} {ranked[0][1] * 100:.0f}%', color, px)
        lines.append(('#{}  '.format(track['track_id'])
                      + '  '.join(f'{n} {p * 100:4.1f}%' for n, p in ranked), color))
        bars.append(ranked[0][1])
    return np.concatenate([out, text_band(out.shape[1], lines, px, bars)], axis=0)


def write_annotated_video(frames, result: dict, out_path: str,
                          fps: Optional[float] = None, top_k: int = 3,
                          min_side: int = MIN_SIDE,
                          progress: Optional[Callable[[int, int], None]] = None) -> str:
    """Encode every frame of ``frames`` (a ``FrameSource``) with the result drawn, as mp4.

    Args:
        frames: The video's frames (``ous_mm.datasets.video_io.FrameSource``).
        result: What :func:`ous_mm.apis.inference_video` returned (one face, or
            every face: ``all_faces=True``).
        out_path: ``.mp4`` (MPEG-4 Part 2, desktop players) or ``.webm`` (VP8,
            browsers) path.
        fps: Output rate; the input's by default.
        top_k: Emotions listed per frame.
        min_side: Short side of the picture part of the output (small videos
            are enlarged so the text is readable).
        progress: Called as ``progress(frames_done, num_frames)`` after each chunk.

    Raises:
        ValueError: another extension than ``.mp4`` / ``.webm``.
        RuntimeError: when OpenCV cannot open a writer for ``out_path``.
    """
    codec = CODECS.get(osp.splitext(out_path)[1].lower())
    if codec is None:
        raise ValueError(f'{out_path}: the annotated video must be {" or ".join(CODECS)}')
    os.makedirs(osp.dirname(osp.abspath(out_path)) or '.', exist_ok=True)
    fps = fps or result.get('fps') or 25.0
    if 'tracks' in result:  # every face tracked
        def draw(frame, idx):
            return draw_tracks_frame(frame, result['tracks'], idx, fps, top_k, min_side)
    else:
        def draw(frame, idx):
            return draw_frame(frame, _window_for_frame(result['windows'], idx), idx, top_k,
                              min_side)
    first = draw(frames.get_frames([0])[0], 0)
    height, width = first.shape[:2]
    writer = cv2.VideoWriter(out_path, cv2.VideoWriter_fourcc(*codec), float(fps),
                             (width, height))
    if not writer.isOpened():
        raise RuntimeError(f'OpenCV cannot write {out_path} ({codec} codec missing?)')
    try:
        chunk = 64
        for start in range(0, frames.num_frames, chunk):
            inds = list(range(start, min(start + chunk, frames.num_frames)))
            for idx, frame in zip(inds, frames.get_frames(inds)):
                drawn = draw(frame, idx)
                writer.write(cv2.cvtColor(drawn, cv2.COLOR_RGB2BGR))
            if progress is not None:
                progress(inds[-1] + 1, frames.num_frames)
    finally:
        writer.release()
    return out_path
