"""Drawn scenes: three polarity-coded scene kinds, other backgrounds, clutter.

A scene of a polarity carries it through three separable cues, each with a
strength in [0, 1] (:class:`SceneCues`) so a variant can weaken or remove it:

- ``light``: the background's brightness (bright sky, grey room, dark night);
- ``colour``: the background's hue (blue sky and green grass, beige wall, red-brown
  dusk); at 0 both global cues leave a flat grey of one brightness for every polarity;
- ``objects``: the things in it (sun, flowers / window / storm clouds, fires), blended
  with opacity ``objects``.

The background (sky or wall and the ground) is the global part; objects sit on it.
Layouts are drawn from the caller's generator (no randomness of its own), so a
scene depends only on the caller's seed; all three cues at 1 draw exactly the v2
generator's scenes. ``shifted_scenes.py`` draws the same three polarities a second way
(other kinds, :data:`SCENE_SETS`), for evaluations out of the pretraining corpus.
"""
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from .shifted_scenes import (SHIFTED_KINDS, SHIFTED_NAMES, SHIFTED_OBJECTS, draw_shifted_objects,
                             shifted_background, shifted_layout)

#: scene kinds that carry a polarity (kind == polarity word) and the polarity-free ones
POLARITY_SCENES = ('positive', 'neutral', 'negative')
OTHER_SCENES = ('studio', 'city')
SCENE_KINDS = POLARITY_SCENES + OTHER_SCENES
#: every kind a scene can be drawn as: the standard ones and the shifted polarity scenes
ALL_SCENE_KINDS = SCENE_KINDS + tuple(SHIFTED_KINDS)
#: kind -> the polarity it carries (None for the polarity-free backdrops)
SCENE_POLARITY = {**{k: k for k in POLARITY_SCENES}, **dict.fromkeys(OTHER_SCENES),
                  **SHIFTED_KINDS}
#: scene set -> polarity -> the kind drawn for it (``VariantSpec.scene_sets``)
SCENE_SETS = dict(standard={p: p for p in POLARITY_SCENES},
                  shifted={p: k for k, p in SHIFTED_KINDS.items()})
#: caption words: what each scene kind shows
SCENE_NAMES = dict(positive='sunny meadow', neutral='indoor room',
                   negative='stormy night with fires', studio='plain studio backdrop',
                   city='city street', **SHIFTED_NAMES)
SCENE_OBJECTS = dict(positive=('sun', 'flowers', 'grass', 'blue sky'),
                     neutral=('window', 'table', 'wall'),
                     negative=('storm clouds', 'fires', 'dark sky'),
                     studio=('backdrop',), city=('buildings', 'road'), **SHIFTED_OBJECTS)
#: brightness every background is pulled to when ``light`` < 1
COMMON_LUMA = 128.0


@dataclass(frozen=True)
class SceneCues:
    """Strength of each polarity cue of a scene, 1 = full (the v2 scenes), 0 = removed."""
    light: float = 1.0
    colour: float = 1.0
    objects: float = 1.0

    def __post_init__(self):
        for k in ('light', 'colour', 'objects'):
            v = getattr(self, k)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f'SceneCues.{k} must be in [0, 1], got {v}')


FULL_CUES = SceneCues()


def _vertical_gradient(h: int, w: int, top, bottom) -> np.ndarray:
    a = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    img = (1 - a) * np.asarray(top, np.float32) + a * np.asarray(bottom, np.float32)
    return np.repeat(img, w, axis=1)


def scene_kind(polarity: str, scene_set: str = 'standard') -> str:
    """The kind drawn for ``polarity`` in ``scene_set`` (:data:`SCENE_SETS`)."""
    try:
        return SCENE_SETS[scene_set][polarity]
    except KeyError:
        raise ValueError(f'no scene of polarity {polarity!r} in scene set {scene_set!r}; sets '
                         f'{sorted(SCENE_SETS)}, polarities {POLARITY_SCENES}') from None


def scene_layout(polarity: str, rng: np.random.Generator, size: int, pan: float = 0.6) -> Dict:
    """Random but fixed-per-clip parameters of a scene of kind ``polarity``
    (:data:`ALL_SCENE_KINDS`).

    ``pan``: the objects drift by up to +-``pan`` px per frame (a slow camera pan).
    """
    s = size
    jitter = rng.integers(-20, 21, size=3)
    lay = dict(polarity=polarity, jitter=jitter, drift=rng.uniform(-pan, pan))
    if polarity == 'positive':
        lay.update(sun=(int(rng.uniform(0.1, 0.9) * s), int(rng.uniform(0.08, 0.25) * s)),
                   sun_r=int(rng.uniform(0.07, 0.11) * s),
                   horizon=int(rng.uniform(0.62, 0.75) * s),
                   flowers=[(int(rng.uniform(0, 1) * s), int(rng.uniform(0.8, 0.98) * s),
                             tuple(int(c) for c in rng.choice(
                                 [(255, 80, 160), (255, 230, 60), (255, 120, 40), (200, 90, 255)])))
                            for _ in range(int(rng.integers(5, 10)))])
    elif polarity == 'neutral':
        lay.update(window=(int(rng.uniform(0.05, 0.65) * s), int(rng.uniform(0.08, 0.2) * s)),
                   wall=tuple(int(c) for c in rng.choice(
                       [(170, 165, 155), (150, 150, 150), (185, 175, 160), (140, 145, 150)])),
                   table_y=int(rng.uniform(0.78, 0.88) * s))
    elif polarity == 'negative':
        lay.update(clouds=[(int(rng.uniform(0, 1) * s), int(rng.uniform(0.05, 0.3) * s),
                            int(rng.uniform(0.1, 0.2) * s))
                           for _ in range(int(rng.integers(3, 6)))],
                   fires=[int(rng.uniform(0.05, 0.95) * s) for _ in range(int(rng.integers(3, 6)))],
                   phase=rng.uniform(0, 2 * np.pi))
    elif polarity == 'studio':
        lay.update(colour=tuple(int(c) for c in rng.integers(40, 230, size=3)),
                   floor=int(rng.uniform(0.75, 0.95) * s))
    elif polarity in SHIFTED_KINDS:
        shifted_layout(polarity, rng, size, lay)
    elif polarity == 'city':
        lay.update(sky=tuple(int(c) for c in rng.integers(120, 220, size=3)),
                   road=int(rng.uniform(0.75, 0.9) * s),
                   buildings=[(int(rng.uniform(-0.1, 1.0) * s), int(rng.uniform(0.12, 0.3) * s),
                               int(rng.uniform(0.25, 0.6) * s),
                               tuple(int(c) for c in rng.integers(60, 200, size=3)))
                              for _ in range(int(rng.integers(3, 7)))])
    else:
        raise ValueError(f'unknown scene kind {polarity!r}; expected one of {ALL_SCENE_KINDS}')
    return lay


def _background(lay: Dict, size: int) -> np.ndarray:
    """The global part of a scene (sky or wall, ground), uint8 RGB."""
    s = size
    jit = lay['jitter']
    pol = lay['polarity']
    if pol in SHIFTED_KINDS:
        return shifted_background(lay, size)
    if pol == 'positive':
        img = _vertical_gradient(s, s, np.clip(np.array((90, 170, 250)) + jit, 0, 255),
                                 (200, 230, 255)).astype(np.uint8)
        img[lay['horizon']:] = np.clip(np.array((80, 180, 70)) + jit // 2, 0, 255)
    elif pol == 'neutral':
        img = np.empty((s, s, 3), np.uint8)
        img[:] = np.clip(np.array(lay['wall']) + jit // 2, 0, 255)
        ty = lay['table_y']
        img[ty:] = (120, 95, 70)
        cv2.line(img, (0, ty), (s - 1, ty), (80, 60, 45), 2)
    elif pol == 'negative':
        img = _vertical_gradient(s, s, np.clip(np.array((25, 20, 40)) + jit // 3, 0, 255),
                                 (60, 25, 20)).astype(np.uint8)
    elif pol == 'studio':
        c = np.asarray(lay['colour'], np.float32)
        img = _vertical_gradient(s, s, np.clip(c * 1.15, 0, 255), c * 0.8).astype(np.uint8)
        img[lay['floor']:] = np.clip(c * 0.6, 0, 255).astype(np.uint8)
    else:  # city
        img = np.empty((s, s, 3), np.uint8)
        img[:] = lay['sky']
        img[lay['road']:] = (70, 70, 75)
    return img


def _draw_objects(img: np.ndarray, lay: Dict, t: int, size: int) -> None:
    """The objects of a scene at frame ``t`` (they pan with the camera drift)."""
    s = size
    dx = int(round(lay['drift'] * t))  # slow camera pan
    pol = lay['polarity']
    if pol in SHIFTED_KINDS:
        draw_shifted_objects(img, lay, t, size)
    elif pol == 'positive':
        cx, cy = lay['sun']
        cv2.circle(img, (cx + dx, cy), lay['sun_r'], (255, 225, 40), -1, cv2.LINE_AA)
        for k in range(8):
            a = k * np.pi / 4 + 0.05 * t
            r0, r1 = lay['sun_r'] * 1.3, lay['sun_r'] * 1.8
            p0 = (int(cx + dx + r0 * np.cos(a)), int(cy + r0 * np.sin(a)))
            p1 = (int(cx + dx + r1 * np.cos(a)), int(cy + r1 * np.sin(a)))
            cv2.line(img, p0, p1, (255, 210, 40), 2, cv2.LINE_AA)
        for fx, fy, col in lay['flowers']:
            cv2.line(img, (fx + dx, fy), (fx + dx, min(fy + 8, s - 1)), (40, 120, 40), 1)
            cv2.circle(img, (fx + dx, fy), 4, col, -1, cv2.LINE_AA)
            cv2.circle(img, (fx + dx, fy), 1, (255, 255, 200), -1)
    elif pol == 'neutral':
        wx, wy = lay['window']
        ww, wh = int(0.3 * s), int(0.25 * s)
        cv2.rectangle(img, (wx + dx, wy), (wx + dx + ww, wy + wh), (210, 220, 225), -1)
        cv2.rectangle(img, (wx + dx, wy), (wx + dx + ww, wy + wh), (90, 80, 70), 2)
        cv2.line(img, (wx + dx + ww // 2, wy), (wx + dx + ww // 2, wy + wh), (90, 80, 70), 2)
    elif pol == 'negative':
        for cx, cy, r in lay['clouds']:
            cv2.ellipse(img, (cx + dx, cy), (r, r // 2), 0, 0, 360, (55, 50, 60), -1, cv2.LINE_AA)
        for k, fx in enumerate(lay['fires']):
            flick = 0.75 + 0.25 * np.sin(lay['phase'] + 0.9 * t + k)
            hgt = int(0.22 * s * flick)
            base = s - 1
            pts = np.array([(fx - 9 + dx, base), (fx + dx, base - hgt), (fx + 9 + dx, base)],
                           np.int32)
            cv2.fillPoly(img, [pts], (240, 90, 20), cv2.LINE_AA)
            pts2 = np.array([(fx - 5 + dx, base), (fx + dx, base - hgt // 2),
                             (fx + 5 + dx, base)], np.int32)
            cv2.fillPoly(img, [pts2], (255, 200, 40), cv2.LINE_AA)
    elif pol == 'city':
        road = lay['road']
        for bx, bw, bh, col in lay['buildings']:
            top = road - bh
            cv2.rectangle(img, (bx + dx, top), (bx + dx + bw, road), col, -1)
            step = max(3, bw // 4)
            for wy in range(top + step // 2, road - step, step):
                for wx in range(bx + dx + step // 3, bx + dx + bw - step // 3, step):
                    cv2.rectangle(img, (wx, wy), (wx + max(1, step // 3), wy + max(1, step // 3)),
                                  (230, 230, 180), -1)
        cv2.line(img, (0, (road + s) // 2), (s - 1, (road + s) // 2), (230, 230, 230), 1)


def _weaken_global(img: np.ndarray, light: float, colour: float) -> np.ndarray:
    """Pull brightness towards :data:`COMMON_LUMA` and hue towards grey."""
    f = img.astype(np.float32)
    luma = f @ np.array([0.299, 0.587, 0.114], np.float32)
    chroma = f - luma[..., None]
    luma = COMMON_LUMA + light * (luma - COMMON_LUMA)
    return np.clip(luma[..., None] + colour * chroma, 0, 255).astype(np.uint8)


def draw_scene(lay: Dict, t: int, size: int, cues: SceneCues = FULL_CUES) -> np.ndarray:
    """Frame ``t`` of a scene (uint8 RGB, size x size) with its cues at ``cues`` strength."""
    img = _background(lay, size)
    if cues.light < 1.0 or cues.colour < 1.0:
        img = _weaken_global(img, cues.light, cues.colour)
    if cues.objects >= 1.0:
        _draw_objects(img, lay, t, size)
    elif cues.objects > 0.0:
        layer = img.copy()
        _draw_objects(layer, lay, t, size)
        img = cv2.addWeighted(layer, cues.objects, img, 1.0 - cues.objects, 0.0)
    return img


# ------------------------------------------------------------------------ clutter
CLUTTER_SHAPES = ('box', 'ball', 'triangle', 'bar')


def clutter_layout(rng: np.random.Generator, size: int, count: int) -> List[Tuple]:
    """``count`` polarity-free objects: (shape, x, y, r, colour, drift) in frame pixels."""
    items = []
    for _ in range(count):
        items.append((CLUTTER_SHAPES[int(rng.integers(len(CLUTTER_SHAPES)))],
                      float(rng.uniform(0, size)), float(rng.uniform(0.05, 0.95) * size),
                      float(rng.uniform(0.04, 0.1) * size),
                      tuple(int(c) for c in rng.integers(0, 256, size=3)),
                      float(rng.uniform(-0.8, 0.8))))
    return items


def draw_clutter(img: np.ndarray, items: Sequence[Tuple], t: int) -> None:
    """Draw clutter objects (moving by their own drift) into ``img``."""
    for shape, x, y, r, col, drift in items:
        x = x + drift * t
        if shape == 'box':
            cv2.rectangle(img, (int(x - r), int(y - r)), (int(x + r), int(y + r)), col, -1)
        elif shape == 'ball':
            cv2.circle(img, (int(x), int(y)), max(1, int(r)), col, -1, cv2.LINE_AA)
        elif shape == 'triangle':
            pts = np.array([(x - r, y + r), (x, y - r), (x + r, y + r)], np.int32)
            cv2.fillPoly(img, [pts], col, cv2.LINE_AA)
        else:
            cv2.rectangle(img, (int(x - 2 * r), int(y - r / 3)), (int(x + 2 * r), int(y + r / 3)),
                          col, -1)


def scene_words(lay: Dict, size: int, cues: SceneCues = FULL_CUES) -> Dict[str, object]:
    """Caption attributes of a scene: kind, polarity (None for other kinds), objects, lighting."""
    kind = lay['polarity']
    objects = list(SCENE_OBJECTS[kind]) if cues.objects >= 0.5 else []
    bg = _background(lay, size)
    if cues.light < 1.0 or cues.colour < 1.0:
        bg = _weaken_global(bg, cues.light, cues.colour)
    luma = float((bg.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)).mean())
    lighting = 'bright' if luma > 150 else 'dim' if luma > 80 else 'dark'
    polarity: Optional[str] = SCENE_POLARITY[kind]
    return dict(scene_kind=kind, scene_name=SCENE_NAMES[kind], scene_polarity=polarity,
                scene_objects=objects, lighting=lighting,
                cues=dict(light=cues.light, colour=cues.colour, objects=cues.objects))
