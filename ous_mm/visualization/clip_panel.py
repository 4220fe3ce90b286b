"""One picture of a clip as the model sees it: a row of frames per stream, text below."""
from typing import Optional, Sequence, Tuple

import numpy as np

from .drawing import (TEXT_COLOR, Line, fit_height, hstack, text_band, text_px_for,
                      vstack)


def clip_panel(rows: Sequence[Tuple[str, Sequence[np.ndarray]]],
               lines: Sequence[Line] = (),
               cell: int = 160,
               bars: Optional[Sequence[Optional[float]]] = None) -> np.ndarray:
    """Rows of frames (``(title, [RGB frame, ...])``), each scaled to ``cell`` px high.

    Every row gets its title in a band above it and ``lines`` go in a band below
    the whole grid, so no text covers a frame. Used by ``tools/test.py
    --show-dir`` (face and scene streams with prediction and label) and
    ``tools/visualizations/browse_dataset.py`` (scene frame with the face box, face
    crop, scene stream).
    """
    if not rows:
        raise ValueError('clip_panel needs at least one row of frames')
    strips = [hstack([fit_height(np.asarray(f, np.uint8), cell) for f in frames])
              for _title, frames in rows]
    width = max(s.shape[1] for s in strips)
    px = text_px_for(width, cell, frac=0.09)
    parts = []
    for (title, _frames), strip in zip(rows, strips):
        parts += [text_band(width, [(title, TEXT_COLOR)], px), strip]
    if lines:
        parts.append(text_band(width, lines, px, bars))
    return vstack(parts)
