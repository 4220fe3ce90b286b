"""How the facial features are drawn, on top of a face style: stroke width, proportions, hair.

A :class:`FeatureDrawing` changes every face style (``faces.py``) the same way:

- ``stroke``: multiplier of the style's line widths (brows, lids, mouth lines, outlines);
- ``eye_spread``: multiplier of the distance between the eyes (on top of the identity's);
- ``face_width``: multiplier of the face ellipse's width inside its box (< 1: a longer,
  narrower face; the box, and so the crop, stays where it is);
- ``hair``: multiplier of the style's head background (hair disc, badge, hair). Below 1
  the square crop around the face shows some of the scene around the head, as a real
  face crop does (``faces.py`` explains why the background covers it otherwise).

:data:`STANDARD` (every factor 1) is the drawing of every variant before these axes and
of every pretraining corpus: multiplying by 1.0 is exact, so it draws bit for bit as
before. Any other drawing is never seen by a pretrained tower (``corpus_content.py``).
A variant draws one per clip from its ranges (``VariantSpec.stroke_width`` ...).
"""
from dataclasses import dataclass
from typing import Sequence

import numpy as np


@dataclass(frozen=True)
class FeatureDrawing:
    """Factors of one face's feature drawing (1.0 = the standard drawing)."""
    stroke: float = 1.0
    eye_spread: float = 1.0
    face_width: float = 1.0
    hair: float = 1.0

    def __post_init__(self):
        for name, lo, hi in (('stroke', 0.5, 4.0), ('eye_spread', 0.6, 1.8),
                             ('face_width', 0.6, 1.3), ('hair', 0.5, 1.5)):
            v = getattr(self, name)
            if not lo <= v <= hi:
                raise ValueError(f'FeatureDrawing.{name} must be in [{lo}, {hi}], got {v}')

    @property
    def standard(self) -> bool:
        return self == STANDARD


STANDARD = FeatureDrawing()


def draw_feature_drawing(rng: np.random.Generator, stroke: Sequence[float],
                         eye_spread: Sequence[float], face_width: Sequence[float],
                         hair: Sequence[float]) -> FeatureDrawing:
    """One drawing from ``(low, high)`` ranges (4 uniform draws from ``rng``)."""
    return FeatureDrawing(stroke=float(rng.uniform(*stroke)),
                          eye_spread=float(rng.uniform(*eye_spread)),
                          face_width=float(rng.uniform(*face_width)),
                          hair=float(rng.uniform(*hair)))
