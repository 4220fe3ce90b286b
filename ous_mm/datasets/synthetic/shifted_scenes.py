"""A second drawing of the three polarity scenes, which no pretraining corpus draws.

The standard scene kinds (``scenes.py``: sunny meadow, indoor room, stormy night with
fires) are what every pretraining corpus shows; these kinds carry the same polarity
through the same three cues (:class:`~.scenes.SceneCues`) with other colours, layouts
and objects, so a tower pretrained on the corpus meets them out of distribution:

- ``beach`` (positive): bright cyan sky, turquoise sea, warm sand; parasols, a
  sailboat, breaking waves;
- ``office`` (neutral): a cool grey-blue wall over a grey carpet, even light; a
  bookshelf, a wall clock, a desk;
- ``rainy_forest`` (negative): a dark slate sky over dark green ground; bare dead
  trees, fog bands, falling rain.

Light keeps its polarity order (bright > even > dark) as in real scenes; the hues,
objects and layouts are new. :data:`SHIFTED_KINDS` is the kind -> polarity map; the
layouts are drawn from the caller's generator, as ``scenes.py`` does.
"""
from typing import Dict

import cv2
import numpy as np

#: kind -> polarity carried by it
SHIFTED_KINDS = dict(beach='positive', office='neutral', rainy_forest='negative')
#: caption words: what each kind shows
SHIFTED_NAMES = dict(beach='sunny beach', office='office', rainy_forest='rainy forest at night')
SHIFTED_OBJECTS = dict(beach=('parasols', 'sailboat', 'sea', 'sand'),
                       office=('bookshelf', 'wall clock', 'desk'),
                       rainy_forest=('dead trees', 'fog', 'rain'))


def _gradient(h: int, w: int, top, bottom) -> np.ndarray:
    a = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    return np.repeat((1 - a) * np.asarray(top, np.float32) + a * np.asarray(bottom, np.float32),
                     w, axis=1)


def shifted_layout(kind: str, rng: np.random.Generator, size: int, lay: Dict) -> Dict:
    """Add the fixed-per-clip parameters of ``kind`` to ``lay`` (jitter and drift already in)."""
    s = size
    if kind == 'beach':
        sea = int(rng.uniform(0.42, 0.52) * s)
        lay.update(sea=sea, sand=int(rng.uniform(0.64, 0.74) * s),
                   parasols=[(int(rng.uniform(0.0, 1.0) * s), int(rng.uniform(0.09, 0.14) * s),
                              tuple(int(c) for c in rng.choice(
                                  [(235, 60, 60), (250, 140, 30), (40, 120, 230), (240, 70, 170)])))
                             for _ in range(int(rng.integers(1, 3)))],
                   boat=(int(rng.uniform(0.1, 0.9) * s), sea + int(rng.uniform(0.02, 0.06) * s)),
                   waves=rng.uniform(0, 2 * np.pi))
    elif kind == 'office':
        lay.update(wall=tuple(int(c) for c in rng.choice(
            [(150, 160, 175), (140, 150, 160), (160, 165, 175), (135, 145, 165)])),
                   floor=int(rng.uniform(0.8, 0.9) * s),
                   shelf=(int(rng.uniform(0.0, 0.75) * s), int(rng.uniform(0.12, 0.3) * s)),
                   books=[tuple(int(c) for c in rng.integers(50, 200, size=3)) for _ in range(6)],
                   clock=(int(rng.uniform(0.1, 0.9) * s), int(rng.uniform(0.08, 0.16) * s)),
                   hour=rng.uniform(0, 2 * np.pi))
    elif kind == 'rainy_forest':
        lay.update(ground=int(rng.uniform(0.72, 0.82) * s),
                   trees=[(int(rng.uniform(0.0, 1.0) * s), int(rng.uniform(0.25, 0.5) * s))
                          for _ in range(int(rng.integers(3, 6)))],
                   fog=[int(rng.uniform(0.3, 0.7) * s) for _ in range(2)],
                   rain=rng.uniform(0, 1, size=(int(0.5 * s), 2)))
    else:
        raise ValueError(f'unknown shifted scene kind {kind!r}; expected one of '
                         f'{tuple(SHIFTED_KINDS)}')
    return lay


def shifted_background(lay: Dict, size: int) -> np.ndarray:
    """The global part (sky or wall and ground) of a shifted scene, uint8 RGB."""
    s, jit, kind = size, lay['jitter'], lay['polarity']
    if kind == 'beach':
        img = _gradient(s, s, np.clip(np.array((120, 205, 245)) + jit, 0, 255),
                        (225, 245, 250)).astype(np.uint8)
        img[lay['sea']:] = np.clip(np.array((40, 175, 195)) + jit // 2, 0, 255)
        img[lay['sand']:] = np.clip(np.array((240, 215, 150)) + jit // 3, 0, 255)
    elif kind == 'office':
        img = np.empty((s, s, 3), np.uint8)
        img[:] = np.clip(np.array(lay['wall']) + jit // 2, 0, 255)
        img[lay['floor']:] = (85, 90, 100)
    else:  # rainy_forest
        img = _gradient(s, s, np.clip(np.array((35, 45, 55)) + jit // 3, 0, 255),
                        (45, 55, 50)).astype(np.uint8)
        img[lay['ground']:] = (25, 40, 25)
    return img


def draw_shifted_objects(img: np.ndarray, lay: Dict, t: int, size: int) -> None:
    """The objects of a shifted scene at frame ``t`` (they pan with the camera drift)."""
    s, kind = size, lay['polarity']
    dx = int(round(lay['drift'] * t))
    lw = max(1, s // 64)
    if kind == 'beach':
        for px, py, col in lay['parasols']:
            r = int(0.11 * s)
            cv2.line(img, (px + dx, py), (px + dx, lay['sand'] + r // 2), (90, 70, 50), lw + 1)
            cv2.ellipse(img, (px + dx, py + r // 2), (r, r // 2), 0, 180, 360, col, -1,
                        cv2.LINE_AA)
            cv2.ellipse(img, (px + dx, py + r // 2), (r // 2, r // 2), 0, 180, 360,
                        (250, 250, 250), -1, cv2.LINE_AA)
        bx, by = lay['boat']
        cv2.fillPoly(img, [np.array([(bx + dx, by - int(0.12 * s)), (bx + dx, by),
                                     (bx + dx + int(0.08 * s), by)], np.int32)],
                     (250, 250, 245), cv2.LINE_AA)
        cv2.line(img, (bx + dx - int(0.03 * s), by), (bx + dx + int(0.1 * s), by), (120, 60, 40),
                 lw + 1)
        for k in range(4):  # breaking waves move along the shore
            wx = int((k / 4 + 0.03 * t + lay['waves']) % 1.0 * s)
            wy = lay['sand'] - 2
            cv2.ellipse(img, (wx, wy), (int(0.07 * s), 2), 0, 180, 360, (250, 255, 255), lw,
                        cv2.LINE_AA)
    elif kind == 'office':
        sx, sy = lay['shelf']
        sw, sh = int(0.25 * s), int(0.32 * s)
        cv2.rectangle(img, (sx + dx, sy), (sx + dx + sw, sy + sh), (110, 80, 55), -1)
        for row in range(2):
            y0 = sy + 3 + row * sh // 2
            for k, col in enumerate(lay['books']):
                x0 = sx + dx + 3 + k * (sw - 6) // 6
                cv2.rectangle(img, (x0, y0), (x0 + max(1, (sw - 6) // 6 - 1), y0 + sh // 2 - 6),
                              col, -1)
        cx, cy = lay['clock']
        r = int(0.06 * s)
        cv2.circle(img, (cx + dx, cy), r, (245, 245, 240), -1, cv2.LINE_AA)
        cv2.circle(img, (cx + dx, cy), r, (40, 40, 40), lw, cv2.LINE_AA)
        a = lay['hour'] + 0.2 * t  # the minute hand moves
        cv2.line(img, (cx + dx, cy), (int(cx + dx + 0.8 * r * np.sin(a)),
                                      int(cy - 0.8 * r * np.cos(a))), (30, 30, 30), lw,
                 cv2.LINE_AA)
        fy = lay['floor']
        cv2.rectangle(img, (0, fy - int(0.06 * s)), (s - 1, fy - int(0.03 * s)), (170, 170, 165),
                      -1)  # desk top along the wall
    else:  # rainy_forest
        g = lay['ground']
        for tx, th in lay['trees']:
            top = g - th
            cv2.line(img, (tx + dx, g), (tx + dx, top), (15, 18, 15), max(2, s // 40))
            for k in range(3):
                y = top + (k + 1) * th // 5
                side = 1 if k % 2 == 0 else -1
                cv2.line(img, (tx + dx, y), (tx + dx + side * th // 4, y - th // 6), (15, 18, 15),
                         max(1, s // 64))
        for fy in lay['fog']:
            layer = img.copy()
            cv2.ellipse(layer, (s // 2 + dx, fy), (s, int(0.04 * s)), 0, 0, 360, (85, 95, 100), -1)
            cv2.addWeighted(layer, 0.4, img, 0.6, 0.0, dst=img)
        for rx, ry in lay['rain']:  # falling rain: streaks move down each frame
            x = int(rx * s)
            y = int((ry + 0.07 * t) % 1.0 * s)
            cv2.line(img, (x, y), (x - 2, y + max(3, s // 20)), (150, 165, 185), 1)
