"""A broad corpus of captionable stills for pretraining a small CLIP (not an evaluation set).

``sample_corpus_item(rng, size)`` draws ONE frame: a person in any face style,
any expression (the 7 DFEW classes at any intensity, blends of two, the
ambiguous faces), at a random point of onset -> apex, in any scene kind (the three
polarity scenes with each cue at a random strength, or a polarity-free backdrop),
with random face size/position, background people, clutter and camera effects;
the parameter ranges cover and exceed the named variants (``variants.py``).
``content`` (``corpus_content.py``) names what the corpus draws: ``'full'`` (every
face style, as it always did) or ``'restricted'`` (no ``shaded`` faces); no content
draws the shifted scene kinds or a non-standard feature drawing, so the ``ood_*``
variants stay unseen by the restricted tower.

Seeding (disjoint from every evaluation clip): item ``i`` of corpus seed ``s`` uses
``np.random.default_rng([*CORPUS_SEED_DOMAIN, s, i])`` (:func:`corpus_rng`): six
32-bit entropy words. Every clip stream of the generator has at most three words
(plan ``[seed, 0x5EED]``, clip ``[seed, index]``, extras ``[seed, index, tag]``, with
``seed`` and ``index`` below 2**32), and numpy's ``SeedSequence`` only equates
entropy lists that differ by trailing zeros within its 4-word pool, so no corpus
item can replay an evaluation clip's random stream (short of a hash collision).

Attributes (``attrs``; keys are stable, :data:`ATTRIBUTE_KEYS`; captions are
written from them by ``ous_mm/pretrain``):

=====================  ==========================================================
``corpus_version``     int, :data:`CORPUS_VERSION` (bump when drawing changes)
``size``               frame side in pixels (the image is size x size x 3 RGB uint8)
``style``              face style: cartoon | lineart | emoji | shaded (not in 'restricted')
``expression``         DFEW class word of the dominant expression, or None for an
                       ambiguous face (then describe it by ``face_parts``)
``face_type``          the class word, or the ambiguous face kind (open_mouth, ...)
``secondary_expression`` class word blended in, or None
``mix_weight``         weight of the secondary expression (0 when none), < 0.5
``intensity``          0..~1.2: share of the apex reached x apex strength (0 = neutral face)
``phase``              'apex' (expression fully shown) | 'onset' (on its way)
``face_parts``         dict: mouth (closed | slightly open | open | wide open),
                       mouth_shape (smiling | frowning | wavy | flat), mouth_width
                       (wide | narrow | normal), brows (raised | lowered | relaxed),
                       brow_tilt (inner_down | inner_up | level), eyes (wide |
                       narrowed | normal), tear (bool), skin_tint (red | green | none)
``params``             the drawn expression parameters (``expressions.PARAM_NAMES``)
``scene_kind``         positive | neutral | negative | studio | city
``scene_name``         words for the kind ('sunny meadow', 'indoor room',
                       'stormy night with fires', 'plain studio backdrop', 'city street')
``scene_polarity``     positive | neutral | negative, or None for studio/city
``scene_objects``      list of object words shown (empty when objects are faint)
``lighting``           bright | dim | dark (measured on the drawn background)
``cues``               dict light/colour/objects: polarity-cue strengths 0..1
``face_box``           [x1, y1, x2, y2] of the labelled face in pixels
``face_size``          face box height / frame side
``face_position``      [cx, cy] of the face box / frame side
``face_region``        left | centre | right (third of the frame holding the face centre)
``background_people``  number of other (smaller) people with their own expressions
``clutter``            number of polarity-free clutter objects
``degradation``        dict noise (pixel std), blur (sigma), jpeg (quality or None)
``skin``, ``hair``     RGB colours of the person (lists of 3 ints)
=====================  ==========================================================
"""
from typing import Dict, Iterator, Tuple

import numpy as np

from ..class_sets import DFEW_CLASSES
from .camera import degrade
from .compose import Actor, background_actors, compose_frame
from .corpus_content import get_content
from .expressions import AMBIGUOUS_FACES, JITTER_PARAMS, face_params, face_part_states, ramp
from .faces import face_box, palette_look, vary_look
from .scenes import (OTHER_SCENES, POLARITY_SCENES, SceneCues, clutter_layout, scene_layout,
                     scene_words)

CORPUS_VERSION = 1
#: the first four entropy words of every corpus generator (see the module doc)
CORPUS_SEED_DOMAIN = (0x434F5250, 0x55530001, 0x434F5250, 0x55530001)
ATTRIBUTE_KEYS = (
    'corpus_version', 'size', 'style', 'expression', 'face_type', 'secondary_expression',
    'mix_weight', 'intensity', 'phase', 'face_parts', 'params', 'scene_kind', 'scene_name',
    'scene_polarity', 'scene_objects', 'lighting', 'cues', 'face_box', 'face_size',
    'face_position', 'face_region', 'background_people', 'clutter', 'degradation', 'skin',
    'hair')
_FRAMES = 16  # the time axis a still is taken from (scene animation, expression ramp)


def corpus_rng(seed: int, index: int) -> np.random.Generator:
    """The generator of corpus item ``index`` of corpus ``seed`` (see the module doc)."""
    return np.random.default_rng([*CORPUS_SEED_DOMAIN, int(seed), int(index)])


def _cue(rng: np.random.Generator) -> float:
    return 1.0 if rng.uniform() < 0.6 else float(rng.uniform(0.15, 1.0))


def sample_corpus_item(rng: np.random.Generator, size: int = 64,
                       content: str = 'full') -> Tuple[np.ndarray, Dict]:
    """One still (``size`` x ``size`` RGB uint8) and its attributes (module doc)."""
    if size < 32:
        raise ValueError(f'corpus images need size >= 32, got {size}')
    styles = get_content(content).styles
    style = styles[int(rng.integers(len(styles)))]
    # expression: a class (mostly), a blend of two classes, or an ambiguous face
    r = rng.uniform()
    secondary, mix_w = None, 0.0
    if r < 0.1:
        face_type = sorted(AMBIGUOUS_FACES)[int(rng.integers(len(AMBIGUOUS_FACES)))]
        expression = None
        apex = face_params(face_type)
    else:
        face_type = expression = DFEW_CLASSES[int(rng.integers(len(DFEW_CLASSES)))]
        apex = face_params(expression)
        if r > 0.75:
            others = [c for c in DFEW_CLASSES if c not in (expression, 'Neutral')]
            secondary = others[int(rng.integers(len(others)))]
            mix_w = float(rng.uniform(0.15, 0.45))
            second = face_params(secondary)
            apex = {k: (1 - mix_w) * apex.get(k, 0.0) + mix_w * second.get(k, 0.0)
                    for k in set(apex) | set(second)}
    strength = float(rng.uniform(0.3, 1.2))
    apex = {k: v * strength for k, v in apex.items()}
    jitter = float(rng.uniform(0.0, 0.15))
    for k in JITTER_PARAMS:
        apex[k] = apex.get(k, 0.0) + float(rng.normal(0, jitter))
    onset = float(rng.uniform(0.0, 0.3))
    apex_at = onset + float(rng.uniform(0.2, 0.5))
    t = _FRAMES - 1 if rng.uniform() < 0.5 else int(rng.integers(_FRAMES))
    k = ramp(t, _FRAMES, onset, apex_at)
    # scene
    if rng.uniform() < 0.8:
        kind = POLARITY_SCENES[int(rng.integers(len(POLARITY_SCENES)))]
        cues = SceneCues(light=_cue(rng), colour=_cue(rng), objects=_cue(rng))
    else:
        kind = OTHER_SCENES[int(rng.integers(len(OTHER_SCENES)))]
        cues = SceneCues()
    lay = scene_layout(kind, rng, size)
    # the person: any size from a small face in the crowd to a close-up
    scale = float(rng.uniform(0.1, 0.6))
    half = scale * 0.5
    box = face_box(size, rng, scale=(scale, scale), center_x=(half + 0.02, 0.98 - half),
                   center_y=(half + 0.02, min(0.98 - half, 0.65)))
    look = vary_look(palette_look(rng), rng, float(rng.uniform(0.0, 1.0)))
    main = Actor(box=box, motion=np.zeros(2), apex=apex, onset=onset, apex_at=apex_at, look=look,
                 style=style)
    n_people = int(rng.integers(1, 4)) if rng.uniform() < 0.3 else 0
    people = background_actors(rng, size, n_people, box, styles)
    clutter = clutter_layout(rng, size, int(rng.integers(1, 6)) if rng.uniform() < 0.3 else 0)
    img = compose_frame(lay, cues, t, _FRAMES, size, people + [main], clutter)
    noise = float(rng.uniform(2, 12)) if rng.uniform() < 0.35 else 0.0
    blur = float(rng.uniform(0.4, 1.2)) if rng.uniform() < 0.25 else 0.0
    jpeg = int(rng.integers(30, 90)) if rng.uniform() < 0.25 else None
    img = degrade(img, rng, noise, blur, jpeg)
    params = main.params_at(t, _FRAMES)
    cx, cy = (box[0] + box[2]) / 2 / size, (box[1] + box[3]) / 2 / size
    attrs = dict(
        corpus_version=CORPUS_VERSION, size=size, style=style, expression=expression,
        face_type=face_type, secondary_expression=secondary, mix_weight=round(mix_w, 3),
        intensity=round(k * strength, 3), phase='apex' if k >= 1.0 else 'onset',
        face_parts=face_part_states(params), params={n: round(v, 4) for n, v in params.items()},
        **scene_words(lay, size, cues),
        face_box=[round(float(v), 2) for v in box], face_size=round(scale, 3),
        face_position=[round(float(cx), 3), round(float(cy), 3)],
        face_region='left' if cx < 1 / 3 else 'right' if cx > 2 / 3 else 'centre',
        background_people=n_people, clutter=len(clutter),
        degradation=dict(noise=round(noise, 2), blur=round(blur, 2), jpeg=jpeg),
        skin=list(look.skin), hair=list(look.hair))
    return img, attrs


def iter_corpus(seed: int, num_items: int, size: int = 64, start: int = 0,
                content: str = 'full') -> Iterator[Tuple[np.ndarray, Dict]]:
    """Items ``start .. start + num_items - 1`` of corpus ``seed`` (from :func:`corpus_rng`)."""
    for i in range(start, start + num_items):
        yield sample_corpus_item(corpus_rng(seed, i), size, content)
