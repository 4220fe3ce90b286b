"""People in scenes: a drawn person over time (:class:`Actor`) and one composed frame.

The clip renderer and the corpus sampler both build frames here, so a corpus
still and a clip frame are drawn by the same code.
"""
from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

import numpy as np

from ..class_sets import DFEW_CLASSES
from .expressions import face_params, params_at
from .faces import FACE_ASPECT, Look, draw_person, palette_look, vary_look
from .features import STANDARD, FeatureDrawing
from .scenes import SceneCues, draw_clutter, draw_scene


@dataclass
class Actor:
    """A person over a clip: face box at frame 0 moving ``motion`` px/frame, expression timing,
    style and feature drawing (``features.py``)."""
    box: np.ndarray
    motion: np.ndarray
    apex: Dict[str, float]
    onset: float
    apex_at: float
    look: Look
    style: str = 'cartoon'
    drawing: FeatureDrawing = STANDARD

    def box_at(self, t: int) -> np.ndarray:
        return self.box + np.array([self.motion[0], self.motion[1], self.motion[0],
                                    self.motion[1]]) * t

    def params_at(self, t: int, num_frames: int) -> Dict[str, float]:
        return params_at(self.apex, t, num_frames, self.onset, self.apex_at)


def compose_frame(scene: Dict, cues: SceneCues, t: int, num_frames: int, size: int,
                  actors: Sequence[Actor], clutter: Sequence[Tuple] = ()) -> np.ndarray:
    """Frame ``t``: the scene, its clutter, then the actors in order (the labelled one last)."""
    img = draw_scene(scene, t, size, cues)
    if clutter:
        draw_clutter(img, clutter, t)
    for actor in actors:
        draw_person(img, actor.box_at(t), actor.params_at(t, num_frames), actor.look, actor.style,
                    actor.drawing)
    return img


def background_actors(rng: np.random.Generator, size: int, count: int, main_box: np.ndarray,
                      styles: Sequence[str], strength: Sequence[float] = (0.6, 1.1)) -> List[Actor]:
    """``count`` smaller people beside/behind the main face, each with a random class's expression.

    Their expressions are independent of the clip's label: distractors for a
    model that reads faces in the whole scene.
    """
    x1, y1, x2, y2 = main_box
    main_h = y2 - y1
    actors = []
    for k in range(count):
        h = main_h * rng.uniform(0.45, 0.8)
        w = h * FACE_ASPECT
        side = -1 if (k % 2 == 0) == (rng.uniform() < 0.5) else 1
        gap = rng.uniform(0.35, 0.9) * main_h
        cx = (x1 - gap - w / 2) if side < 0 else (x2 + gap + w / 2)
        cx = float(np.clip(cx, w / 2, size - w / 2))
        cy = float(np.clip(rng.uniform(y1, y2 + 0.3 * main_h), h / 2, size - h / 2))
        cls = DFEW_CLASSES[int(rng.integers(len(DFEW_CLASSES)))]
        apex = {k2: v * rng.uniform(*strength) for k2, v in face_params(cls).items()}
        onset = rng.uniform(0.0, 0.4)
        look = vary_look(palette_look(rng), rng, 0.6)
        actors.append(Actor(box=np.array([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]),
                            motion=rng.uniform(-0.4, 0.4, size=2), apex=apex, onset=onset,
                            apex_at=onset + rng.uniform(0.2, 0.5), look=look,
                            style=styles[int(rng.integers(len(styles)))]))
    return actors
