"""Follow one face through a clip from per-frame detections, and crop it.

Why: detectors return 0..K boxes per frame, flicker, and swap people. OUS needs
ONE face per clip, stable over time: we anchor on the most prominent face
(score x area), follow it by overlap, interpolate frames where it was missed,
and smooth the box so the crop does not jitter.
"""
from typing import Optional, Sequence, Tuple

import cv2
import numpy as np


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU between one box ``a`` (4,) and boxes ``b`` (K, 4+)."""
    b = np.asarray(b, dtype=np.float64).reshape(-1, b.shape[-1] if b.size else 4)[:, :4]
    x1 = np.maximum(a[0], b[:, 0])
    y1 = np.maximum(a[1], b[:, 1])
    x2 = np.minimum(a[2], b[:, 2])
    y2 = np.minimum(a[3], b[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area_a = max(a[2] - a[0], 0) * max(a[3] - a[1], 0)
    area_b = np.clip(b[:, 2] - b[:, 0], 0, None) * np.clip(b[:, 3] - b[:, 1], 0, None)
    return inter / np.maximum(area_a + area_b - inter, 1e-9)


def _valid(boxes: np.ndarray) -> np.ndarray:
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 5)
    keep = (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1]) & np.isfinite(boxes).all(1)
    return boxes[keep]


def _match_score(d: np.ndarray, box: np.ndarray) -> float:
    """Confidence x sqrt(area) of the detection equal to ``box`` in frame detections ``d``."""
    k = int(np.argmax(box_iou(box, d)))
    return float(d[k, 4] * np.sqrt((d[k, 2] - d[k, 0]) * (d[k, 3] - d[k, 1])))


def _grow_track(dets, anchor_t: int, anchor_box: np.ndarray, min_iou: float):
    """Follow ``anchor_box`` forwards and backwards by overlap; NaN where not found."""
    num = len(dets)
    track = np.full((num, 4), np.nan)
    found = np.zeros(num, dtype=bool)
    track[anchor_t] = anchor_box
    found[anchor_t] = True
    for direction in (1, -1):
        last = anchor_box
        t = anchor_t + direction
        while 0 <= t < num:
            d = dets[t]
            if len(d):
                ious = box_iou(last, d)
                cx = (d[:, 0] + d[:, 2]) / 2
                cy = (d[:, 1] + d[:, 3]) / 2
                inside = (cx >= last[0]) & (cx <= last[2]) & (cy >= last[1]) & (cy <= last[3])
                ok = (ious >= min_iou) | inside
                if ok.any():
                    k = int(np.argmax(np.where(ok, ious + d[:, 4] * 1e-3, -1)))
                    track[t] = d[k, :4]
                    found[t] = True
                    last = d[k, :4]
            t += direction
    return track, found


def track_face(detections: Sequence[np.ndarray], smooth_window: int = 3,
               min_iou: float = 0.1) -> Tuple[Optional[np.ndarray], np.ndarray]:
    """Pick and follow one face.

    Args:
        detections: per frame a (K, 5) array ``x1, y1, x2, y2, score``.
        smooth_window: odd moving-average window over the box (1 = off).
        min_iou: a detection continues the track when its IoU with the last
            tracked box is at least this, or its centre lies within the last box.

    Returns:
        ``(boxes, found)``: ``boxes`` (T, 4) float for every frame (missed frames
        linearly interpolated, clip ends held), or None when no frame has a face;
        ``found`` (T,) bool, True where a detection supported the box.
    """
    dets = [_valid(d) for d in detections]
    num = len(dets)
    found = np.zeros(num, dtype=bool)
    if num == 0 or all(len(d) == 0 for d in dets):
        return None, found
    # Grow a track from every detection and keep the best supported one: the face
    # present in most frames, weighted by confidence and size. A single large false
    # positive (or a second person in one frame) therefore cannot win.
    best_score, track, found = -1.0, None, None
    for anchor_t, d in enumerate(dets):
        for k in range(len(d)):
            cand, cand_found = _grow_track(dets, anchor_t, d[k, :4], min_iou)
            sel = [(t, _match_score(dets[t], cand[t])) for t in range(num) if cand_found[t]]
            score = sum(v for _, v in sel)
            if score > best_score:
                best_score, track, found = score, cand, cand_found
    # fill gaps: linear interpolation inside, hold at the ends
    idx = np.arange(num)
    for c in range(4):
        track[:, c] = np.interp(idx, idx[found], track[found, c])
    if smooth_window > 1 and num > 1:
        half = smooth_window // 2
        padded = np.pad(track, ((half, half), (0, 0)), mode='edge')
        kernel = np.ones(smooth_window) / smooth_window
        track = np.stack([np.convolve(padded[:, c], kernel, mode='valid')
                          for c in range(4)], axis=1)
    return track, found


def square_region(box: Sequence[float], margin: float) -> Tuple[float, float, float]:
    """Centre x, centre y and side of the square crop around ``box`` with ``margin``.

    ``margin`` is the fraction of the box's longer side added on EACH side
    (0.25 -> the square is 1.5x the face).
    """
    x1, y1, x2, y2 = [float(v) for v in box[:4]]
    side = max(x2 - x1, y2 - y1, 1.0) * (1.0 + 2.0 * margin)
    return (x1 + x2) / 2.0, (y1 + y2) / 2.0, side


def crop_resize(frame: np.ndarray, cx: float, cy: float, side: float, out_size: int,
                pad_value: int = 0) -> np.ndarray:
    """Square crop centred at (cx, cy), zero-padded where it leaves the frame, resized."""
    h, w = frame.shape[:2]
    x0 = int(round(cx - side / 2))
    y0 = int(round(cy - side / 2))
    s = max(int(round(side)), 1)
    ix0, iy0 = max(x0, 0), max(y0, 0)
    ix1, iy1 = min(x0 + s, w), min(y0 + s, h)
    if ix1 <= ix0 or iy1 <= iy0:  # crop entirely outside: nothing to show
        return np.full((out_size, out_size, 3), pad_value, dtype=np.uint8)
    patch = frame[iy0:iy1, ix0:ix1]
    if (ix0 - x0, iy0 - y0, x0 + s - ix1, y0 + s - iy1) != (0, 0, 0, 0):
        patch = cv2.copyMakeBorder(patch, iy0 - y0, y0 + s - iy1, ix0 - x0, x0 + s - ix1,
                                   cv2.BORDER_CONSTANT, value=(pad_value,) * 3)
    interp = cv2.INTER_AREA if s > out_size else cv2.INTER_LINEAR
    return cv2.resize(patch, (out_size, out_size), interpolation=interp)


def center_square(h: int, w: int) -> Tuple[float, float, float]:
    """The centred square of side min(h, w): the documented no-face fallback crop."""
    return w / 2.0, h / 2.0, float(min(h, w))

