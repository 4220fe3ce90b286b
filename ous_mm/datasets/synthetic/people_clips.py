"""Clips with several real people who move, cross, leave the frame and come back.

Why: following every person through a video (``inference_video(all_faces=True)``)
must be checked on real faces with exact ground truth, and multi-person DFER
videos cannot be downloaded here. The three frontal-to-turned faces that the
packaged photos hold (:mod:`.photo_clips`: astronaut, Grace Hopper, cameraman)
are cut out with their hair and shoulders and moved over a face-free photo
(a temple); every face box follows exactly from where its patch was pasted.
"""
from typing import List, Sequence, Tuple

import cv2
import numpy as np

from .photo_clips import load_photo

#: the people, in paste order (a later one passes in front of an earlier one)
PEOPLE = ('grace_hopper', 'cameraman', 'astronaut')
#: a face counts as visible when at least this fraction of its box is in view
MIN_VISIBLE = 0.8


def _person_patch(name: str, face_px: int) -> Tuple[np.ndarray, np.ndarray]:
    """``(patch, face box in patch pixels)``: the face with hair and shoulders, scaled so
    the face box is ``face_px`` high."""
    img, faces = load_photo(name)
    x1, y1, x2, y2 = faces[0]
    fw, fh = x2 - x1, y2 - y1
    px0, py0 = max(0, int(x1 - 0.45 * fw)), max(0, int(y1 - 0.35 * fh))
    px1, py1 = min(img.shape[1], int(x2 + 0.45 * fw)), min(img.shape[0], int(y2 + 0.3 * fh))
    scale = face_px / fh
    patch = cv2.resize(img[py0:py1, px0:px1],
                       (round((px1 - px0) * scale), round((py1 - py0) * scale)),
                       interpolation=cv2.INTER_AREA)
    box = (np.array([x1, y1, x2, y2]) - [px0, py0, px0, py0]) * scale
    return patch, box


def _paths(num_frames: int, width: int, height: int, patch_w: Sequence[int]):
    """Top-left corner of each person's patch per frame: person 0 walks left to right,
    person 1 right to left (they cross mid-clip, 1 in front), person 2 leaves to the
    right in the middle third and comes back."""
    t = np.linspace(0.0, 1.0, num_frames)
    left = 0.02 * width
    right = 0.98 * width
    xs = [left + (right - patch_w[0] - left) * t,
          right - patch_w[1] - (right - patch_w[1] - left) * t,
          np.interp(t, [0, 0.3, 0.4, 0.6, 0.7, 1.0],
                    [0.5 * width, 0.62 * width, width + 10, width + 10, 0.62 * width,
                     0.5 * width])]
    ys = [np.full(num_frames, 0.04 * height), np.full(num_frames, 0.16 * height),
          np.full(num_frames, 0.5 * height)]
    return [np.stack([x, y], axis=1) for x, y in zip(xs, ys)]


def people_clip(num_frames: int = 60, size: Sequence[int] = (640, 360),
                face_px: int = 80) -> Tuple[List[np.ndarray], np.ndarray]:
    """A clip of the three :data:`PEOPLE` over a temple photo.

    Args:
        num_frames: frames of the clip.
        size: ``(width, height)`` of the frames.
        face_px: height of each face box in pixels.

    Returns:
        ``(frames, boxes)``: HxWx3 uint8 RGB frames and ``boxes`` (T, 3, 4) float:
        each person's face box ``x1, y1, x2, y2`` per frame, NaN where the face is
        not visible (less than :data:`MIN_VISIBLE` of it in the frame and not
        covered by a person in front).
    """
    from sklearn.datasets import load_sample_image

    width, height = int(size[0]), int(size[1])
    background = cv2.resize(load_sample_image('china.jpg'), (width, height),
                            interpolation=cv2.INTER_AREA)
    patches = [_person_patch(name, face_px) for name in PEOPLE]
    paths = _paths(num_frames, width, height, [p.shape[1] for p, _ in patches])
    frames, boxes = [], np.full((num_frames, len(PEOPLE), 4), np.nan)
    for t in range(num_frames):
        frame = background.copy()
        cover = np.zeros((height, width), dtype=np.int16) - 1  # who is in front, per pixel
        for k, (patch, face) in enumerate(patches):
            x0, y0 = (int(round(v)) for v in paths[k][t])
            ph, pw = patch.shape[:2]
            ix0, iy0, ix1, iy1 = max(x0, 0), max(y0, 0), min(x0 + pw, width), min(y0 + ph, height)
            if ix1 > ix0 and iy1 > iy0:
                frame[iy0:iy1, ix0:ix1] = patch[iy0 - y0:iy1 - y0, ix0 - x0:ix1 - x0]
                cover[iy0:iy1, ix0:ix1] = k
            boxes[t, k] = face + [x0, y0, x0, y0]
        for k in range(len(PEOPLE)):
            x1, y1, x2, y2 = boxes[t, k]
            area = (x2 - x1) * (y2 - y1)
            cx1, cy1 = int(max(x1, 0)), int(max(y1, 0))
            cx2, cy2 = int(min(x2, width)), int(min(y2, height))
            seen = (cover[cy1:cy2, cx1:cx2] == k).sum() if cx2 > cx1 and cy2 > cy1 else 0
            if seen < MIN_VISIBLE * area:
                boxes[t, k] = np.nan
        frames.append(frame)
    return frames, boxes
