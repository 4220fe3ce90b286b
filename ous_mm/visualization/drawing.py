"""Drawing primitives shared by the annotated video, ``test.py --show-dir`` and ``browse_dataset``.

All images are RGB ``uint8`` (H, W, 3); colours are RGB. Text size follows the
image size with a floor (:data:`MIN_TEXT_PX`), so a label stays readable on a
112 px DFEW clip and does not shout on a 1080p one.
"""
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np

#: face box; pure green survives mp4 compression and is what the tests look for
BOX_COLOR = (0, 255, 0)
#: no face found (centre-crop fallback): border, crop square and status text
FALLBACK_COLOR = (255, 48, 0)
TEXT_COLOR = (255, 255, 255)
PANEL_COLOR = (0, 0, 0)
BAR_COLOR = (40, 90, 190)
#: smallest text height in pixels (cap height + descender) anything here draws
MIN_TEXT_PX = 12
FONT = cv2.FONT_HERSHEY_SIMPLEX
#: one colour per person with every face tracked (track id 1 is green, as the one face);
#: none is close to FALLBACK_COLOR
TRACK_COLORS = ((0, 255, 0), (0, 200, 255), (255, 0, 255), (255, 255, 0), (160, 110, 255),
                (255, 150, 200), (130, 255, 170), (255, 190, 90))

Line = Tuple[str, Tuple[int, int, int]]


def text_px_for(width: int, height: int, frac: float = 0.035) -> int:
    """Text height for an image: ``frac`` of its short side, at least :data:`MIN_TEXT_PX`."""
    return max(MIN_TEXT_PX, int(round(frac * min(width, height))))


def line_thickness(px: int) -> int:
    return max(1, int(round(px / 14)))


def text_size(text: str, px: int) -> Tuple[int, int]:
    """``(width, height)`` in pixels of ``text`` drawn at height ``px``."""
    thick = line_thickness(px)
    scale = cv2.getFontScaleFromHeight(FONT, px, thick)
    (w, h), base = cv2.getTextSize(text, FONT, scale, thick)
    return w, h + base


def put_text(img: np.ndarray, text: str, x: int, y_top: int, px: int,
             color=TEXT_COLOR) -> int:
    """Draw ``text`` with its top at ``y_top`` and height ``px``; return its width."""
    thick = line_thickness(px)
    scale = cv2.getFontScaleFromHeight(FONT, px, thick)
    (w, h), _base = cv2.getTextSize(text, FONT, scale, thick)
    cv2.putText(img, text, (int(x), int(y_top + h)), FONT, scale, color, thick, cv2.LINE_AA)
    return w


def text_band(width: int, lines: Sequence[Line], px: int,
              bars: Optional[Sequence[Optional[float]]] = None) -> np.ndarray:
    """A dark band ``width`` wide holding ``lines`` (text, colour), one per row.

    ``bars[i]`` in [0, 1] draws a bar behind line ``i`` (class probabilities).
    The band's height follows the number of lines, so nothing is ever drawn
    over the picture it is attached to.
    """
    pad = max(2, px // 3)
    line_h = px + 2 * pad
    band = np.full((line_h * len(lines) + pad, width, 3), PANEL_COLOR, np.uint8)
    for i, (text, color) in enumerate(lines):
        y = i * line_h + pad
        value = None if bars is None or i >= len(bars) else bars[i]
        if value is not None:
            x2 = int(round(pad + max(0.0, min(1.0, value)) * (width - 2 * pad)))
            cv2.rectangle(band, (pad, y), (max(pad, x2), y + px + pad), BAR_COLOR, -1)
        put_text(band, text, pad + 2, y + pad // 2, px, color)
    return band


def draw_box(img: np.ndarray, box: Sequence[float], color=BOX_COLOR,
             thick: Optional[int] = None) -> np.ndarray:
    """Rectangle ``[x1, y1, x2, y2]`` (pixels) in place."""
    if thick is None:
        thick = max(2, int(round(min(img.shape[:2]) / 120)))
    x1, y1, x2, y2 = (int(round(v)) for v in box)
    cv2.rectangle(img, (x1, y1), (x2, y2), color, thick)
    return img


def track_color(track_id: int) -> Tuple[int, int, int]:
    """The colour of person ``track_id`` (1-based; the palette repeats after 8)."""
    return TRACK_COLORS[(int(track_id) - 1) % len(TRACK_COLORS)]


def tag_box(img: np.ndarray, box: Sequence[float], text: str, color, px: int) -> np.ndarray:
    """Box ``[x1, y1, x2, y2]`` in ``color`` with ``text`` on a filled tag above it (below
    when there is no room), in place."""
    draw_box(img, box, color)
    x1, y1, _, y2 = (int(round(v)) for v in box)
    w, h = text_size(text, px)
    pad = max(2, px // 4)
    top = y1 - h - 2 * pad if y1 - h - 2 * pad >= 0 else min(y2, img.shape[0] - h - 2 * pad)
    x1 = max(0, min(x1, img.shape[1] - w - 2 * pad))
    cv2.rectangle(img, (x1, top), (x1 + w + 2 * pad, top + h + 2 * pad), color, -1)
    put_text(img, text, x1 + pad, top + pad, px, PANEL_COLOR)
    return img


def mark_fallback(img: np.ndarray, crop: Optional[Sequence[float]] = None,
                  thick: Optional[int] = None) -> np.ndarray:
    """Mark a no-face frame in place: a border in :data:`FALLBACK_COLOR` and the crop
    square ``[x1, y1, x2, y2]`` that stood in for the face (dashed)."""
    h, w = img.shape[:2]
    if thick is None:
        thick = max(3, int(round(min(h, w) / 60)))
    cv2.rectangle(img, (0, 0), (w - 1, h - 1), FALLBACK_COLOR, thick)
    if crop is not None:
        x1, y1, x2, y2 = (int(round(v)) for v in crop)
        dash = max(4, thick * 3)
        for x in range(x1, x2, 2 * dash):
            for y in (y1, y2):
                cv2.line(img, (x, y), (min(x + dash, x2), y), FALLBACK_COLOR, max(1, thick // 2))
        for y in range(y1, y2, 2 * dash):
            for x in (x1, x2):
                cv2.line(img, (x, y), (x, min(y + dash, y2)), FALLBACK_COLOR, max(1, thick // 2))
    return img


def centre_crop_box(height: int, width: int) -> List[float]:
    """``[x1, y1, x2, y2]`` of the centred square the data pipeline uses without a face."""
    from ous_mm.datasets.face_track import center_square

    cx, cy, side = center_square(height, width)
    return [cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2]


def upscale_to(img: np.ndarray, min_side: int) -> Tuple[np.ndarray, float]:
    """``img`` enlarged so its short side is at least ``min_side``; ``(image, factor)``."""
    h, w = img.shape[:2]
    factor = max(1.0, min_side / float(min(h, w)))
    if factor == 1.0:
        return img, 1.0
    size = (int(round(w * factor)), int(round(h * factor)))
    return cv2.resize(img, size, interpolation=cv2.INTER_LINEAR), factor


def fit_height(img: np.ndarray, height: int) -> np.ndarray:
    """``img`` resized to ``height`` rows, keeping its aspect ratio."""
    h, w = img.shape[:2]
    width = max(1, int(round(w * height / float(h))))
    interp = cv2.INTER_AREA if h > height else cv2.INTER_LINEAR
    return cv2.resize(img, (width, height), interpolation=interp)


def hstack(images: Sequence[np.ndarray], gap: int = 4) -> np.ndarray:
    """Images of one height side by side with a dark gap."""
    height = images[0].shape[0]
    spacer = np.full((height, gap, 3), PANEL_COLOR, np.uint8)
    parts = []
    for i, img in enumerate(images):
        parts += ([spacer] if i else []) + [img]
    return np.concatenate(parts, axis=1)


def vstack(images: Sequence[np.ndarray]) -> np.ndarray:
    """Images stacked top to bottom, narrower ones padded on the right."""
    width = max(img.shape[1] for img in images)
    rows = [np.pad(img, ((0, 0), (0, width - img.shape[1]), (0, 0))) for img in images]
    return np.concatenate(rows, axis=0)
