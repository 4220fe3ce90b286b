"""What the camera does to a drawn frame: shake and zoom (boxes follow), blur, noise, JPEG.

Applied after drawing, so the drawn scene and faces stay style code and a clip's
ground-truth boxes are moved by exactly the same transform as its pixels.
"""
from typing import Optional, Tuple

import cv2
import numpy as np


def camera_path(rng: np.random.Generator, num_frames: int, shake: float,
                zoom: float) -> np.ndarray:
    """Per-frame (scale, dx, dy): a zoom ramp of +-``zoom``, a random walk of ``shake`` px/frame."""
    end_scale = 1.0 + rng.uniform(-zoom, zoom)
    scales = np.linspace(1.0, end_scale, num_frames)
    steps = rng.normal(0.0, shake, size=(num_frames, 2))
    steps[0] = 0.0
    shifts = np.cumsum(steps, axis=0)
    return np.concatenate([scales[:, None], shifts], axis=1)


def warp_frame(img: np.ndarray, scale: float, dx: float, dy: float) -> np.ndarray:
    """Zoom by ``scale`` about the frame centre, then shift by (dx, dy); edges replicated."""
    h, w = img.shape[:2]
    c = np.array([w / 2.0, h / 2.0])
    mat = np.array([[scale, 0.0, (1 - scale) * c[0] + dx],
                    [0.0, scale, (1 - scale) * c[1] + dy]], np.float64)
    return cv2.warpAffine(img, mat, (w, h), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)


def warp_box(box: np.ndarray, scale: float, dx: float, dy: float,
             frame_size: Tuple[int, int]) -> np.ndarray:
    """The box (x1, y1, x2, y2) under :func:`warp_frame`'s transform."""
    h, w = frame_size
    c = np.array([w / 2.0, h / 2.0, w / 2.0, h / 2.0])
    return (np.asarray(box, np.float64) - c) * scale + c + np.array([dx, dy, dx, dy])


def degrade(img: np.ndarray, rng: Optional[np.random.Generator], noise_std: float = 0.0,
            blur_sigma: float = 0.0, jpeg_quality: Optional[int] = None) -> np.ndarray:
    """Gaussian blur, then Gaussian pixel noise (needs ``rng``), then a JPEG round trip."""
    out = img
    if blur_sigma > 0:
        out = cv2.GaussianBlur(out, (0, 0), blur_sigma)
    if noise_std > 0:
        noisy = out.astype(np.float32) + np.float32(noise_std) * rng.standard_normal(
            out.shape, dtype=np.float32)
        out = np.clip(noisy, 0, 255).astype(np.uint8)
    if jpeg_quality is not None:
        ok, buf = cv2.imencode('.jpg', cv2.cvtColor(out, cv2.COLOR_RGB2BGR),
                               [cv2.IMWRITE_JPEG_QUALITY, int(jpeg_quality)])
        if not ok:
            raise RuntimeError('OpenCV cannot encode JPEG')
        out = cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    return out
