"""Stand-in for the synthetic corpus API on the v2 drawing code (one style, three scenes).

Why: the generator family (``ous_mm/datasets/synthetic/corpus.py``,
``sample_corpus_item``) is developed on another branch. Until it is merged,
:func:`ous_mm.pretrain.corpus.draw_corpus_item` falls back to this module, which
draws with ``drawing.py`` and returns the attribute keys the captions read, in
that API's format. Delete this module once that API is on main.
"""
from typing import Dict, Tuple

import numpy as np

from ..datasets.synthetic.drawing import (AMBIGUOUS_FACES, APEX, CLOTH_COLOURS, HAIR_COLOURS,
                                          PARAM_NAMES, SKIN_TONES, draw_person, draw_scene,
                                          scene_layout)

SCENE_NAMES = dict(positive='sunny meadow', neutral='indoor room',
                   negative='stormy night with fires')
SCENE_OBJECTS = dict(positive=('sun', 'flowers', 'grass', 'blue sky'),
                     neutral=('window', 'table', 'wall'),
                     negative=('storm clouds', 'fires', 'dark sky'))
LIGHTING = dict(positive='bright', neutral='dim', negative='dark')
CLASSES = tuple(APEX)


def face_part_states(p: Dict[str, float]) -> Dict[str, object]:
    """The visible state of each face part (the synthetic corpus API's ``face_parts``)."""
    opening = p['open']
    mouth = ('closed' if opening < 0.12 else 'slightly open' if opening < 0.4
             else 'open' if opening < 0.7 else 'wide open')
    shape = ('wavy' if p['wave'] > 0.4 else 'smiling' if p['curve'] > 0.3
             else 'frowning' if p['curve'] < -0.3 else 'flat')
    return dict(
        mouth=mouth, mouth_shape=shape,
        mouth_width='wide' if p['width'] > 0.25 else 'narrow' if p['width'] < -0.3 else 'normal',
        brows='raised' if p['brow'] > 0.35 else 'lowered' if p['brow'] < -0.25 else 'relaxed',
        brow_tilt='inner_down' if p['tilt'] > 0.4 else 'inner_up' if p['tilt'] < -0.4 else 'level',
        eyes='wide' if p['eye'] > 0.3 else 'narrowed' if p['eye'] < -0.2 else 'normal',
        tear=p['tear'] > 0.3,
        skin_tint='red' if p['red'] > 0.4 else 'green' if p['green'] > 0.4 else 'none')


def _box(size: int, rng: np.random.Generator, lo: float, hi: float) -> np.ndarray:
    side = rng.uniform(lo, hi) * size
    cx, cy = rng.uniform(0.3, 0.7) * size, rng.uniform(0.32, 0.55) * size
    return np.array([cx - 0.42 * side, cy - side / 2, cx + 0.42 * side, cy + side / 2])


def _face(rng: np.random.Generator):
    if rng.random() < 0.9:
        expression = CLASSES[int(rng.integers(len(CLASSES)))]
        apex = APEX[expression]
    else:
        expression = None
        apex = AMBIGUOUS_FACES[sorted(AMBIGUOUS_FACES)[int(rng.integers(len(AMBIGUOUS_FACES)))]]
    intensity = float(rng.uniform(0.3, 1.1))
    params = {n: intensity * float(apex.get(n, 0.0)) for n in PARAM_NAMES}
    for n in ('curve', 'open', 'width', 'brow', 'tilt', 'eye'):
        params[n] += float(rng.normal(0, 0.06))
    params['open'] = max(params['open'], 0.0)
    return expression, intensity, params


def _look(rng: np.random.Generator):
    return tuple(palette[int(rng.integers(len(palette)))]
                 for palette in (SKIN_TONES, HAIR_COLOURS, CLOTH_COLOURS))


def sample_corpus_item(rng: np.random.Generator, size: int = 64) -> Tuple[np.ndarray, Dict]:
    """One still (``size`` x ``size`` RGB uint8) and its attributes (subset of the API's keys)."""
    scene = ('positive', 'neutral', 'negative')[int(rng.integers(3))]
    img = draw_scene(scene_layout(scene, rng, size), int(rng.integers(0, 16)), size)
    people = int(rng.random() < 0.2)
    if people:  # a smaller person in the background with an expression of its own
        other = _box(size, rng, 0.12, 0.2) + (rng.choice([-0.25, 0.25]) * size) * np.array(
            [1, 0, 1, 0])
        draw_person(img, other, _face(rng)[2], *_look(rng))
    expression, intensity, params = _face(rng)
    box = _box(size, rng, 0.2, 0.55)
    draw_person(img, box, params, *_look(rng))
    attrs = dict(size=size, style='cartoon', expression=expression, intensity=intensity,
                 face_parts=face_part_states(params), params=params, scene_kind=scene,
                 scene_name=SCENE_NAMES[scene], scene_polarity=scene,
                 scene_objects=list(SCENE_OBJECTS[scene]), lighting=LIGHTING[scene],
                 face_box=[float(v) for v in box], face_size=float((box[3] - box[1]) / size),
                 background_people=people)
    return img, attrs
