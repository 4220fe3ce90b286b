"""Pan/zoom clips over photos that Python packages ship, with their face boxes.

Why: face detectors must be checked on real faces, and real DFER videos cannot
be downloaded here. scikit-image, matplotlib and scikit-learn ship a few photos
inside their wheels; moving a crop window over them gives clips with real faces
(frontal, turned, two people) and real face-free scenes, and the face boxes
follow exactly from the window. Used by the detector tests and
``benchmarks/bench_pipeline.py``.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

#: photos with faces; boxes hand-checked on the photo (x1, y1, x2, y2, brow to chin)
FACE_PHOTOS = ('astronaut', 'grace_hopper', 'cameraman', 'astronaut_and_grace_hopper')
#: photos without a human face (a cat, a cup, a temple, a flower)
NO_FACE_PHOTOS = ('chelsea', 'coffee', 'china', 'flower')

_FACES: Dict[str, List[List[float]]] = {
    'astronaut': [[178, 62, 268, 172]],
    'grace_hopper': [[172, 112, 356, 340]],
    'cameraman': [[196, 112, 256, 196]],  # turned to the camera's eyepiece: near profile
}


def load_photo(name: str) -> Tuple[np.ndarray, np.ndarray]:
    """``(image HxWx3 uint8 RGB, face boxes (K, 4))`` of a packaged photo."""
    if name == 'astronaut_and_grace_hopper':  # two people, side by side
        left, left_faces = load_photo('astronaut')
        right, right_faces = load_photo('grace_hopper')
        scale = left.shape[0] / right.shape[0]
        right = cv2.resize(right, (round(right.shape[1] * scale), left.shape[0]),
                           interpolation=cv2.INTER_AREA)
        right_faces = right_faces * scale + np.array([left.shape[1], 0, left.shape[1], 0])
        return np.concatenate([left, right], axis=1), np.concatenate([left_faces, right_faces])
    if name in ('astronaut', 'cameraman', 'chelsea', 'coffee'):
        from skimage import data
        img = getattr(data, 'camera' if name == 'cameraman' else name)()
    elif name == 'grace_hopper':
        import matplotlib.cbook as cbook
        import matplotlib.image as mimage
        img = mimage.imread(cbook.get_sample_data('grace_hopper.jpg'))
    elif name in ('china', 'flower'):
        from sklearn.datasets import load_sample_image
        img = load_sample_image(f'{name}.jpg')
    else:
        raise KeyError(f'unknown photo {name!r}; one of {FACE_PHOTOS + NO_FACE_PHOTOS}')
    img = np.asarray(img)
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=2)
    faces = np.asarray(_FACES.get(name, []), dtype=np.float64).reshape(-1, 4)
    return np.ascontiguousarray(img[..., :3].astype(np.uint8)), faces


def _window(img_hw, faces, out_wh, zoom, pos) -> Tuple[float, float, float, float]:
    """Crop window (x0, y0, w, h) of the output aspect, ``zoom`` x closer, at relative
    position ``pos`` (0..1 each axis), shifted to keep every face inside."""
    img_h, img_w = img_hw
    aspect = out_wh[0] / out_wh[1]
    win_h = min(img_h, img_w / aspect) / zoom
    win_w = win_h * aspect
    x0 = (img_w - win_w) * pos[0]
    y0 = (img_h - win_h) * pos[1]
    if len(faces) and (np.ptp(faces[:, [0, 2]]) > win_w or np.ptp(faces[:, [1, 3]]) > win_h):
        raise ValueError(f'the faces span more than a {win_w:.0f}x{win_h:.0f} window: '
                         'use a wider output size or less zoom')
    if len(faces):
        x0 = float(np.clip(x0, faces[:, 2].max() - win_w, faces[:, 0].min()))
        y0 = float(np.clip(y0, faces[:, 3].max() - win_h, faces[:, 1].min()))
    x0 = float(np.clip(x0, 0, img_w - win_w))
    y0 = float(np.clip(y0, 0, img_h - win_h))
    return x0, y0, win_w, win_h


def photo_clip(name: str, num_frames: int = 16, size: Optional[Sequence[int]] = None,
               zoom: Sequence[float] = (1.0, 1.25)) -> Tuple[List[np.ndarray], List[np.ndarray]]:
    """A ``num_frames`` clip panning and zooming over a packaged photo.

    Args:
        name: one of :data:`FACE_PHOTOS` or :data:`NO_FACE_PHOTOS`.
        size: output ``(width, height)``; the window has this aspect ratio.
            Default: the photo's aspect ratio, 256 px on the shorter side.
        zoom: zoom at the first and last frame (1 = the largest window).

    Returns:
        ``(frames, faces)``: HxWx3 uint8 RGB frames and, per frame, the face boxes
        ``(K, 4)`` in that frame's pixels (K = 0 for face-free photos).
    """
    img, faces = load_photo(name)
    if size is None:
        h, w = img.shape[:2]
        size = (round(256 * w / min(h, w)), round(256 * h / min(h, w)))
    out_w, out_h = int(size[0]), int(size[1])
    frames, boxes = [], []
    for t in range(num_frames):
        a = t / max(num_frames - 1, 1)
        z = zoom[0] + (zoom[1] - zoom[0]) * a
        x0, y0, win_w, win_h = _window(img.shape[:2], faces, (out_w, out_h), z,
                                       (0.2 + 0.6 * a, 0.6 - 0.2 * a))
        x0, y0 = int(round(x0)), int(round(y0))
        x1 = min(x0 + max(int(round(win_w)), 1), img.shape[1])
        y1 = min(y0 + max(int(round(win_h)), 1), img.shape[0])
        sx, sy = out_w / (x1 - x0), out_h / (y1 - y0)
        interp = cv2.INTER_AREA if sx < 1 else cv2.INTER_LINEAR
        frames.append(cv2.resize(img[y0:y1, x0:x1], (out_w, out_h), interpolation=interp))
        boxes.append((faces - np.array([x0, y0, x0, y0])) * np.array([sx, sy, sx, sy]))
    return frames, boxes
