"""Drawn people in four face styles that read the same expression parameters.

Styles (:data:`FACE_STYLES`) differ in geometry and rendering, not only colour:

- ``cartoon``: the v2 generator's face (filled skin ellipse, white eyes with
  pupils, straight brows, mouth polygon), on a hair disc;
- ``lineart``: dark strokes on paper: lid arcs instead of filled eyes, curved
  brows, a nose, a stroked mouth, hatched hair, lower-set features;
- ``emoji``: a yellow disc with tall black oval eyes, thick brows, a thick mouth
  with teeth and tongue, blush on smiles, on a coloured badge;
- ``shaded``: a shaded skin oval with almond eyes (iris, lids), tapered brows, a
  nose shadow, two-lip mouth and long hair.

Each style draws a background (hair disc, badge or hair) behind the face that
covers the square crop around the face box with margin 0.1 (what the synthetic
configs crop), so a face crop shows no scene; the v2 ``cartoon`` disc, kept
bit-exact, lets anti-aliased corner pixels through (<= 0.7 % of a crop at 64 px).
A :class:`~.features.FeatureDrawing` (strokes, proportions, hair) applies to every
style; with less hair or a wider crop the crop shows some of the scene.
No randomness of its own: the identity (:class:`Look`) and the box come from the
caller's generator.
"""
from dataclasses import dataclass, replace
from typing import Dict, Sequence, Tuple

import cv2
import numpy as np

from .features import STANDARD, FeatureDrawing

FACE_STYLES = ('cartoon', 'lineart', 'emoji', 'shaded')

SKIN_TONES = ((224, 188, 160), (198, 152, 118), (160, 114, 84), (120, 82, 58), (238, 206, 180))
HAIR_COLOURS = ((40, 30, 25), (90, 60, 35), (150, 110, 60), (30, 30, 30), (110, 110, 110))
CLOTH_COLOURS = ((60, 80, 140), (140, 60, 60), (70, 120, 80), (100, 100, 100), (150, 130, 90))
IRIS_COLOURS = ((90, 60, 30), (60, 110, 160), (70, 120, 70), (50, 40, 35))
BADGE_COLOURS = ((70, 80, 110), (110, 70, 110), (60, 110, 110), (90, 90, 90))
DARK = (30, 20, 20)
#: face box width / height
FACE_ASPECT = 0.84

Colour = Tuple[int, int, int]


@dataclass(frozen=True)
class Look:
    """One identity: colours and face geometry (factors 1.0 = the v2 cartoon face)."""
    skin: Colour
    hair: Colour
    cloth: Colour
    eye_spacing: float = 1.0
    eye_height: float = 1.0
    mouth_height: float = 1.0
    eye_size: float = 1.0
    hair_size: float = 1.0
    iris: Colour = IRIS_COLOURS[0]
    badge: Colour = BADGE_COLOURS[0]


def palette_look(rng: np.random.Generator) -> Look:
    """The v2 identity: skin, hair and cloth from the fixed palettes (3 draws)."""
    skin = SKIN_TONES[int(rng.integers(len(SKIN_TONES)))]
    hair = HAIR_COLOURS[int(rng.integers(len(HAIR_COLOURS)))]
    cloth = CLOTH_COLOURS[int(rng.integers(len(CLOTH_COLOURS)))]
    return Look(skin, hair, cloth)


def vary_look(look: Look, rng: np.random.Generator, variety: float) -> Look:
    """``look`` with continuous colours and geometry jittered by up to ``variety`` (0..1)."""
    if variety <= 0:
        return look

    def colour(c, spread):
        return tuple(int(v) for v in np.clip(np.asarray(c) + rng.normal(0, spread * variety, 3),
                                             0, 255))

    def factor(spread):
        return float(1.0 + rng.uniform(-spread, spread) * variety)

    return Look(skin=colour(look.skin, 25), hair=colour(look.hair, 35),
                cloth=colour(look.cloth, 50), eye_spacing=factor(0.18),
                eye_height=factor(0.3), mouth_height=factor(0.15), eye_size=factor(0.25),
                # never smaller than v2: the background must keep covering the crop
                hair_size=1.0 + float(rng.uniform(0.0, 0.1)) * variety,
                iris=IRIS_COLOURS[int(rng.integers(len(IRIS_COLOURS)))],
                badge=BADGE_COLOURS[int(rng.integers(len(BADGE_COLOURS)))])


def face_box(size: int, rng: np.random.Generator, scale: Sequence[float] = (0.36, 0.46),
             center_x: Sequence[float] = (0.35, 0.65), center_y: Sequence[float] = (0.38, 0.52),
             aspect: float = FACE_ASPECT) -> np.ndarray:
    """A random face box (x1, y1, x2, y2): height ``scale`` x frame side, centre in the ranges."""
    side = rng.uniform(*scale) * size
    fw = side * aspect
    cx = rng.uniform(*center_x) * size
    cy = rng.uniform(*center_y) * size
    return np.array([cx - fw / 2, cy - side / 2, cx + fw / 2, cy + side / 2], np.float64)


def _tinted(base, p: Dict[str, float], amount: float = 1.0) -> Colour:
    tint = np.array(base, np.float32)
    # (tint + red) + green, in the v2 order, so the cartoon face stays bit-exact
    tint = tint + amount * p['red'] * np.array((45, -35, -35)) + amount * p['green'] * np.array(
        (-40, 25, -30))
    return tuple(int(c) for c in np.clip(tint, 0, 255))


def _mouth_curves(cx, my, u, p, half_w_units=7.5, open_units=7.0, curve_units=4.5):
    """Upper and lower mouth lines ((17, 2) each) from the expression parameters."""
    half_w = half_w_units * u * (1.0 + p['width'])
    opening = p['open'] * open_units * u
    n = np.linspace(-1.0, 1.0, 17)
    xs = cx + n * half_w
    bend = 1.0 - n ** 2                      # 0 at the corners, 1 in the middle
    round_ = np.sqrt(np.clip(bend, 0, 1))    # elliptic opening
    wave = p['wave'] * (2.5 * u * np.sin(n * 2.5 * np.pi) + 2.0 * u * n)
    smile = p['curve'] * curve_units * u * bend  # smile: middle lower than the corners
    upper = np.stack([xs, my + wave + 0.4 * smile - opening / 2 * round_], 1)
    lower = np.stack([xs, my + wave + smile + opening / 2 * round_], 1)
    return upper, lower, opening


def _brow_points(ex, by, sgn, u, p, half=5.0):
    """Inner and outer end of a brow (tilt moves the inner end down (+) or up (-))."""
    inner = (ex - sgn * half * u, by + p['tilt'] * 3.5 * u)
    outer = (ex + sgn * half * u,
             by - p['tilt'] * 1.0 * u + (p['wave'] * 2.5 * u if sgn > 0 else 0))
    return inner, outer


def _pt(x, y):
    return int(x), int(y)


# ------------------------------------------------------------------------ styles
def _cartoon(img, cx, cy, fw, fh, side, p, look: Look, stroke: float = 1.0) -> None:
    cv2.circle(img, (int(cx), int(cy - 0.05 * side)), int(0.9 * side * look.hair_size), look.hair,
               -1, cv2.LINE_AA)
    cv2.ellipse(img, (int(round(cx)), int(round(cy))), (int(round(fw)), int(round(fh))),
                0, 0, 360, _tinted(look.skin, p), -1, cv2.LINE_AA)
    u = side / 40.0  # drawing unit: 1/40 of the face size
    th = max(1, int(round(1.6 * u * stroke)))
    eye_y = cy - 0.12 * side * look.eye_height
    eye_dx = 0.2 * side * look.eye_spacing
    eye_h = max(1.0, 2.6 * u * (1.0 + p['eye']) * look.eye_size)
    for sgn in (-1, 1):
        ex = cx + sgn * eye_dx
        cv2.ellipse(img, (int(ex), int(eye_y)),
                    (int(round(4.2 * u * look.eye_size)), int(round(eye_h))),
                    0, 0, 360, (250, 250, 250), -1, cv2.LINE_AA)
        cv2.circle(img, (int(ex), int(eye_y)), max(1, int(round(min(2.0 * u, eye_h)))), DARK, -1,
                   cv2.LINE_AA)
        inner, outer = _brow_points(ex, eye_y - 6.5 * u - p['brow'] * 4.0 * u, sgn, u, p)
        cv2.line(img, _pt(*inner), _pt(*outer), DARK, th + 1, cv2.LINE_AA)
    if p['tear'] > 0.3:
        tx, ty = int(cx + eye_dx), int(eye_y + 5 * u + 6 * u * p['tear'])
        cv2.ellipse(img, (tx, ty), (max(1, int(1.5 * u)), max(1, int(2.5 * u))), 0, 0, 360,
                    (80, 160, 255), -1, cv2.LINE_AA)
    upper, lower, opening = _mouth_curves(cx, cy + 0.25 * side * look.mouth_height, u, p)
    if opening > 1.0:
        poly = np.concatenate([upper, lower[::-1]]).astype(np.int32)
        cv2.fillPoly(img, [poly], (90, 20, 30), cv2.LINE_AA)
        cv2.polylines(img, [poly], True, DARK, th, cv2.LINE_AA)
    else:
        cv2.polylines(img, [lower.astype(np.int32)], False, DARK, th + 1, cv2.LINE_AA)


def _lineart(img, cx, cy, fw, fh, side, p, look: Look, stroke: float = 1.0) -> None:
    paper = (238, 234, 224)
    ink = (25, 25, 35)
    u = side / 40.0
    th = max(1, int(round(0.9 * u * stroke)))
    r = int(0.95 * side * look.hair_size)
    cv2.circle(img, (int(cx), int(cy - 0.05 * side)), r, paper, -1, cv2.LINE_AA)
    cv2.circle(img, (int(cx), int(cy - 0.05 * side)), r, ink, th, cv2.LINE_AA)
    # hatched hair over the forehead
    for k in range(-4, 5):
        x0 = cx + k * fw / 4.5
        cv2.line(img, _pt(x0, cy - fh * 1.02), _pt(x0 + 3 * u, cy - fh * 0.55), ink, th,
                 cv2.LINE_AA)
    skin = _tinted(tuple(int(0.35 * s + 0.65 * q) for s, q in zip(look.skin, paper)), p, 1.2)
    cv2.ellipse(img, _pt(round(cx), round(cy)), _pt(round(fw), round(fh)), 0, 0, 360, skin, -1,
                cv2.LINE_AA)
    cv2.ellipse(img, _pt(round(cx), round(cy)), _pt(round(fw), round(fh)), 0, 0, 360, ink, th + 1,
                cv2.LINE_AA)
    eye_y = cy - 0.06 * side * look.eye_height
    eye_dx = 0.17 * side * look.eye_spacing
    open_ = max(0.15, 1.0 + p['eye']) * look.eye_size
    for sgn in (-1, 1):
        ex = cx + sgn * eye_dx
        w = 4.5 * u * look.eye_size
        # upper lid: an arc whose height is the eye opening; lower lid flatter
        cv2.ellipse(img, _pt(ex, eye_y), _pt(w, max(1, 2.8 * u * open_)), 0, 180, 360, ink, th,
                    cv2.LINE_AA)
        cv2.ellipse(img, _pt(ex, eye_y), _pt(w, max(1, 1.2 * u * open_)), 0, 0, 180, ink, th,
                    cv2.LINE_AA)
        if open_ > 0.5:
            cv2.circle(img, _pt(ex, eye_y - 0.4 * u), max(1, int(1.3 * u)), ink, -1, cv2.LINE_AA)
        inner, outer = _brow_points(ex, eye_y - 6.0 * u - p['brow'] * 4.5 * u, sgn, u, p, half=5.5)
        mid = ((inner[0] + outer[0]) / 2, (inner[1] + outer[1]) / 2 - 1.5 * u)
        cv2.polylines(img, [np.array([inner, mid, outer], np.int32)], False, ink, th, cv2.LINE_AA)
    # nose
    cv2.polylines(img, [np.array([(cx, cy), (cx - 2 * u, cy + 5 * u), (cx + 1 * u, cy + 5.5 * u)],
                                 np.int32)], False, ink, th, cv2.LINE_AA)
    if p['tear'] > 0.3:
        tx, ty = cx - eye_dx, eye_y + 4 * u + 6 * u * p['tear']
        drop = np.array([(tx, ty - 3 * u), (tx - 1.6 * u, ty + u), (tx, ty + 2.2 * u),
                         (tx + 1.6 * u, ty + u)], np.int32)
        cv2.polylines(img, [drop], True, (40, 110, 230), th, cv2.LINE_AA)
    upper, lower, opening = _mouth_curves(cx, cy + 0.3 * side * look.mouth_height, u, p,
                                          half_w_units=6.0, open_units=8.0, curve_units=5.0)
    if opening > 1.0:
        poly = np.concatenate([upper, lower[::-1]]).astype(np.int32)
        cv2.polylines(img, [poly], True, ink, th, cv2.LINE_AA)
        cv2.line(img, _pt(*upper[8]), _pt(*lower[8]), ink, 1, cv2.LINE_AA)  # teeth gap stroke
    else:
        cv2.polylines(img, [lower.astype(np.int32)], False, ink, th, cv2.LINE_AA)


def _emoji(img, cx, cy, fw, fh, side, p, look: Look, stroke: float = 1.0) -> None:
    u = side / 40.0
    th = max(1, int(round(2.2 * u * stroke)))
    r = int(0.75 * side * look.hair_size)
    cv2.rectangle(img, _pt(cx - r, cy - 0.05 * side - r), _pt(cx + r, cy - 0.05 * side + r),
                  look.badge, -1)
    yellow = _tinted((255, 204, 51), p, 1.6)
    axes = _pt(round(fw * 1.06), round(fh))
    cv2.ellipse(img, _pt(round(cx), round(cy)), axes, 0, 0, 360, yellow, -1, cv2.LINE_AA)
    cv2.ellipse(img, _pt(round(cx), round(cy)), axes, 0, 0, 360, (200, 130, 20), max(1, th // 2),
                cv2.LINE_AA)
    brown = (70, 40, 20)
    eye_y = cy - 0.1 * side * look.eye_height
    eye_dx = 0.16 * side * look.eye_spacing
    if p['curve'] > 0.5:  # blush on smiles
        for sgn in (-1, 1):
            cv2.circle(img, _pt(cx + sgn * 0.27 * side, cy + 0.08 * side), max(1, int(3.5 * u)),
                       (245, 140, 120), -1, cv2.LINE_AA)
    for sgn in (-1, 1):
        ex = cx + sgn * eye_dx
        h = 4.5 * u * (1.0 + p['eye']) * look.eye_size
        if h < 3.0 * u:  # narrowed: a thick arc
            cv2.ellipse(img, _pt(ex, eye_y + u), _pt(2.8 * u, max(1, 1.4 * u)), 0, 180, 360, brown,
                        th, cv2.LINE_AA)
        else:
            cv2.ellipse(img, _pt(ex, eye_y), _pt(2.2 * u, h), 0, 0, 360, brown, -1, cv2.LINE_AA)
            cv2.circle(img, _pt(ex + 0.6 * u, eye_y - 0.45 * h), max(1, int(0.9 * u)),
                       (255, 255, 255), -1, cv2.LINE_AA)
        inner, outer = _brow_points(ex, eye_y - 8.0 * u - p['brow'] * 4.0 * u, sgn, u, p, half=4.0)
        cv2.line(img, _pt(*inner), _pt(*outer), brown, th + 1, cv2.LINE_AA)
    if p['tear'] > 0.3:
        tx, ty = cx + eye_dx + 2 * u, eye_y + 6 * u + 5 * u * p['tear']
        cv2.ellipse(img, _pt(tx, ty), _pt(2.2 * u, 3.6 * u), 0, 0, 360, (60, 150, 255), -1,
                    cv2.LINE_AA)
    upper, lower, opening = _mouth_curves(cx, cy + 0.22 * side * look.mouth_height, u, p,
                                          half_w_units=9.0, open_units=9.0, curve_units=6.0)
    if opening > 1.0:
        poly = np.concatenate([upper, lower[::-1]]).astype(np.int32)
        cv2.fillPoly(img, [poly], brown, cv2.LINE_AA)
        teeth = np.concatenate([upper, upper[::-1] + [0, min(opening * 0.35, 3 * u)]])
        teeth = teeth.astype(np.int32)
        cv2.fillPoly(img, [teeth], (255, 255, 255), cv2.LINE_AA)
        cv2.ellipse(img, _pt(lower[8][0], lower[8][1] - opening * 0.2),
                    _pt(max(1, abs(lower[12][0] - lower[4][0]) / 3), max(1, opening * 0.2)),
                    0, 180, 360, (230, 90, 100), -1, cv2.LINE_AA)
    else:
        cv2.polylines(img, [lower.astype(np.int32)], False, brown, th + 1, cv2.LINE_AA)


def _shaded(img, cx, cy, fw, fh, side, p, look: Look, stroke: float = 1.0) -> None:
    u = side / 40.0
    th = max(1, int(round(1.2 * u * stroke)))
    hair = np.array(look.hair, np.float32)
    hair_dark = tuple(int(c) for c in hair * 0.7)
    r = 0.98 * side * look.hair_size
    cv2.ellipse(img, _pt(cx, cy + 0.1 * side), _pt(r, r * 1.05), 0, 0, 360, hair_dark, -1,
                cv2.LINE_AA)
    cv2.ellipse(img, _pt(cx, cy - 0.05 * side), _pt(r * 0.85, r * 0.9), 0, 0, 360, look.hair, -1,
                cv2.LINE_AA)
    skin = np.array(_tinted(look.skin, p, 0.8), np.float32)
    for scale, shade, dy in ((1.0, 0.72, 0.0), (0.86, 0.86, -0.05), (0.62, 1.0, -0.1)):
        col = tuple(int(c) for c in np.clip(skin * shade, 0, 255))
        cv2.ellipse(img, _pt(round(cx), round(cy + dy * fh)),
                    _pt(round(fw * scale), round(fh * scale)), 0, 0, 360, col, -1, cv2.LINE_AA)
    # fringe
    cv2.ellipse(img, _pt(cx, cy - 0.85 * fh), _pt(fw * 0.95, fh * 0.3), 0, 180, 360, look.hair, -1,
                cv2.LINE_AA)
    eye_y = cy - 0.05 * side * look.eye_height
    eye_dx = 0.19 * side * look.eye_spacing
    lid = tuple(int(c) for c in np.clip(skin * 0.55, 0, 255))
    for sgn in (-1, 1):
        ex = cx + sgn * eye_dx
        w = 4.6 * u * look.eye_size
        up = max(0.5, 2.4 * u * (1.0 + p['eye']) * look.eye_size)
        lo = max(0.5, 1.5 * u * (1.0 + 0.6 * p['eye']) * look.eye_size)
        n = np.linspace(-1, 1, 9)
        top = np.stack([ex + n * w, eye_y - up * (1 - n ** 2)], 1)
        bot = np.stack([ex + n * w, eye_y + lo * (1 - n ** 2)], 1)
        almond = np.concatenate([top, bot[::-1]]).astype(np.int32)
        cv2.fillPoly(img, [almond], (245, 245, 240), cv2.LINE_AA)
        ir = max(1, int(round(min(1.9 * u, (up + lo) / 2))))
        cv2.circle(img, _pt(ex, eye_y), ir, look.iris, -1, cv2.LINE_AA)
        cv2.circle(img, _pt(ex, eye_y), max(1, ir // 2), (10, 10, 10), -1, cv2.LINE_AA)
        cv2.polylines(img, [top.astype(np.int32)], False, lid, th + 1, cv2.LINE_AA)
        inner, outer = _brow_points(ex, eye_y - 5.5 * u - p['brow'] * 4.0 * u, sgn, u, p, half=5.0)
        brow = np.array([(inner[0], inner[1] - 1.1 * u), (outer[0], outer[1] - 0.3 * u),
                         (outer[0], outer[1] + 0.3 * u), (inner[0], inner[1] + 1.1 * u)], np.int32)
        cv2.fillPoly(img, [brow], hair_dark, cv2.LINE_AA)
    # nose shadow and nostrils
    shadow = tuple(int(c) for c in np.clip(skin * 0.75, 0, 255))
    cv2.line(img, _pt(cx + 1.5 * u, cy - 0.02 * side), _pt(cx + 2.5 * u, cy + 0.12 * side), shadow,
             th, cv2.LINE_AA)
    for sgn in (-1, 1):
        cv2.circle(img, _pt(cx + sgn * 1.6 * u, cy + 0.14 * side), max(1, int(0.7 * u)), shadow, -1)
    if p['tear'] > 0.3:
        tx, ty = cx - eye_dx, eye_y + 3 * u
        cv2.line(img, _pt(tx, ty), _pt(tx - u, ty + 8 * u * p['tear']), (120, 190, 255), th + 1,
                 cv2.LINE_AA)
    upper, lower, opening = _mouth_curves(cx, cy + 0.29 * side * look.mouth_height, u, p,
                                          half_w_units=6.5, open_units=7.5, curve_units=4.0)
    lip = tuple(int(c) for c in np.clip(skin * np.array((0.85, 0.5, 0.5)), 0, 255))
    lip_h = 1.4 * u
    if opening > 1.0:
        cv2.fillPoly(img, [np.concatenate([upper, lower[::-1]]).astype(np.int32)], (60, 15, 20),
                     cv2.LINE_AA)
        teeth = np.concatenate([upper, upper[::-1] + [0, min(opening * 0.3, 2 * u)]])
        teeth = teeth.astype(np.int32)
        cv2.fillPoly(img, [teeth], (240, 240, 235), cv2.LINE_AA)
    cv2.fillPoly(img, [np.concatenate([upper - [0, lip_h], upper[::-1]]).astype(np.int32)], lip,
                 cv2.LINE_AA)
    lower_lip = np.concatenate([lower, lower[::-1] + [0, lip_h * 1.3]]).astype(np.int32)
    cv2.fillPoly(img, [lower_lip], lip, cv2.LINE_AA)


_STYLE_DRAWERS = dict(cartoon=_cartoon, lineart=_lineart, emoji=_emoji, shaded=_shaded)


def draw_person(img: np.ndarray, box: np.ndarray, p: Dict[str, float], look: Look,
                style: str = 'cartoon', drawing: FeatureDrawing = STANDARD) -> None:
    """Draw shoulders, the style's head background and the face with expression ``p`` in ``box``.

    ``box`` is (x1, y1, x2, y2) of the face; the style's background (hair disc, badge,
    hair) covers the square crop around it with margin 0.1 (module doc) unless
    ``drawing.hair`` < 1. ``drawing`` (``features.py``) changes strokes and proportions.
    """
    try:
        drawer = _STYLE_DRAWERS[style]
    except KeyError:
        raise ValueError(f'unknown face style {style!r}; expected one of {FACE_STYLES}') from None
    x1, y1, x2, y2 = [float(v) for v in box]
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    fw, fh = (x2 - x1) / 2, (y2 - y1) / 2  # face ellipse half axes
    side = max(fw, fh) * 2  # of the box: the drawing's proportions do not move the head
    if not drawing.standard:
        fw = fw * drawing.face_width
        look = replace(look, eye_spacing=look.eye_spacing * drawing.eye_spread,
                       hair_size=look.hair_size * drawing.hair)
    # shoulders (below the head, clipped by the frame)
    cv2.ellipse(img, (int(cx), int(cy + 1.45 * side)), (int(1.0 * side), int(0.75 * side)),
                0, 0, 360, look.cloth, -1, cv2.LINE_AA)
    drawer(img, cx, cy, fw, fh, side, p, look, drawing.stroke)
