"""Drawing of the synthetic scene-DFER clips: parametric faces in polarity-coded scenes.

Pure numpy/OpenCV, no randomness of its own: every random choice comes from the
``np.random.Generator`` the caller passes, so a clip is a function of (seed, index).

A face is described by expression parameters (:data:`APEX`); a clip goes from
the neutral face (all zeros) to its apex over time (onset -> apex -> hold).
A scene is drawn for one polarity: positive (bright sky, sun, grass, flowers),
neutral (an indoor room: wall, window, table) or negative (dark sky, storm
clouds, fire). The person (hair, shoulders, face) is drawn on top of the scene
in colours that do not depend on the polarity, so a tight face crop carries no
scene information.
"""
from typing import Dict, Tuple

import cv2
import numpy as np

# expression parameters: curve (+ smile / - frown), open (mouth opening 0..1),
# width (mouth width factor), brow (brows up), tilt (+ inner ends down = angry,
# - inner ends up = sad/fear), eye (eye opening factor - 1), red/green (skin tint),
# tear (0/1), wave (disgust's wavy, asymmetric mouth)
PARAM_NAMES = ('curve', 'open', 'width', 'brow', 'tilt', 'eye', 'red', 'green', 'tear', 'wave')

APEX: Dict[str, Dict[str, float]] = {
    'Happy': dict(curve=1.0, open=0.25, width=0.35, eye=-0.35),
    'Sad': dict(curve=-0.9, tilt=-0.9, eye=-0.3, tear=1.0, width=-0.1),
    'Neutral': dict(),
    'Angry': dict(curve=-0.25, tilt=1.0, brow=-0.4, eye=-0.25, red=1.0, width=-0.2),
    'Surprise': dict(open=1.0, width=-0.45, brow=1.0, eye=0.6),
    'Disgust': dict(wave=1.0, curve=-0.3, eye=-0.4, green=1.0, tilt=0.3),
    'Fear': dict(open=0.75, width=0.45, brow=0.7, tilt=-0.7, eye=0.6, curve=-0.3),
}

# Faces that are ambiguous between classes that only the scene's polarity separates
# (the Rigid Cognitive Problem): the same face distribution for every class of a group.
AMBIGUOUS_FACES: Dict[str, Dict[str, float]] = {
    # open mouth, raised brows: Happy (positive) / Surprise (neutral) / Fear (negative)
    'open_mouth': dict(open=0.6, width=0.1, brow=0.6, eye=0.3, curve=0.1),
    # slightly lowered mouth corners: Neutral (neutral) / Sad (negative)
    'flat_down': dict(curve=-0.35, tilt=-0.3, eye=-0.15),
}
AMBIGUOUS_GROUPS: Dict[str, Tuple[str, ...]] = {
    'open_mouth': ('Happy', 'Surprise', 'Fear'),
    'flat_down': ('Neutral', 'Sad'),
}

SKIN_TONES = ((224, 188, 160), (198, 152, 118), (160, 114, 84), (120, 82, 58), (238, 206, 180))
HAIR_COLOURS = ((40, 30, 25), (90, 60, 35), (150, 110, 60), (30, 30, 30), (110, 110, 110))
CLOTH_COLOURS = ((60, 80, 140), (140, 60, 60), (70, 120, 80), (100, 100, 100), (150, 130, 90))


def params_at(apex: Dict[str, float], t: int, num_frames: int, onset: float,
              apex_at: float) -> Dict[str, float]:
    """Expression at frame ``t``: neutral until ``onset``, eased to apex at ``apex_at``, held."""
    pos = t / max(num_frames - 1, 1)
    if pos <= onset:
        k = 0.0
    elif pos >= apex_at:
        k = 1.0
    else:
        x = (pos - onset) / (apex_at - onset)
        k = x * x * (3 - 2 * x)  # smoothstep
    return {n: k * float(apex.get(n, 0.0)) for n in PARAM_NAMES}


# ----------------------------------------------------------------------- scenes
def _vertical_gradient(h: int, w: int, top, bottom) -> np.ndarray:
    a = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    img = (1 - a) * np.asarray(top, np.float32) + a * np.asarray(bottom, np.float32)
    return np.repeat(img, w, axis=1)


def scene_layout(polarity: str, rng: np.random.Generator, size: int) -> Dict:
    """Random but fixed-per-clip scene parameters for one polarity."""
    s = size
    jitter = rng.integers(-20, 21, size=3)
    lay = dict(polarity=polarity, jitter=jitter, drift=rng.uniform(-0.6, 0.6))
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
                            int(rng.uniform(0.1, 0.2) * s)) for _ in range(int(rng.integers(3, 6)))],
                   fires=[int(rng.uniform(0.05, 0.95) * s) for _ in range(int(rng.integers(3, 6)))],
                   phase=rng.uniform(0, 2 * np.pi))
    else:
        raise ValueError(f'unknown polarity {polarity!r}')
    return lay


def draw_scene(lay: Dict, t: int, size: int) -> np.ndarray:
    """Background of frame ``t`` (uint8 RGB, size x size) for a scene layout."""
    s = size
    jit = lay['jitter']
    dx = int(round(lay['drift'] * t))  # slow camera pan
    pol = lay['polarity']
    if pol == 'positive':
        img = _vertical_gradient(s, s, np.clip(np.array((90, 170, 250)) + jit, 0, 255),
                                 (200, 230, 255))
        img = img.astype(np.uint8)
        hy = lay['horizon']
        img[hy:] = np.clip(np.array((80, 180, 70)) + jit // 2, 0, 255)
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
        wall = np.clip(np.array(lay['wall']) + jit // 2, 0, 255)
        img = np.empty((s, s, 3), np.uint8)
        img[:] = wall
        wx, wy = lay['window']
        ww, wh = int(0.3 * s), int(0.25 * s)
        cv2.rectangle(img, (wx + dx, wy), (wx + dx + ww, wy + wh), (210, 220, 225), -1)
        cv2.rectangle(img, (wx + dx, wy), (wx + dx + ww, wy + wh), (90, 80, 70), 2)
        cv2.line(img, (wx + dx + ww // 2, wy), (wx + dx + ww // 2, wy + wh), (90, 80, 70), 2)
        ty = lay['table_y']
        img[ty:] = (120, 95, 70)
        cv2.line(img, (0, ty), (s - 1, ty), (80, 60, 45), 2)
    else:
        img = _vertical_gradient(s, s, np.clip(np.array((25, 20, 40)) + jit // 3, 0, 255),
                                 (60, 25, 20)).astype(np.uint8)
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
    return img


# ------------------------------------------------------------------------ faces
def draw_person(img: np.ndarray, box: np.ndarray, p: Dict[str, float], skin, hair,
                cloth) -> None:
    """Draw shoulders, hair and the face with expression ``p`` into ``box`` (x1, y1, x2, y2).

    The hair disc covers the square crop around the face (margin <= 0.15), so
    a face crop shows face and hair only.
    """
    x1, y1, x2, y2 = [float(v) for v in box]
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    fw, fh = (x2 - x1) / 2, (y2 - y1) / 2  # face ellipse half axes
    side = max(fw, fh) * 2
    # shoulders (below the head, clipped by the frame)
    cv2.ellipse(img, (int(cx), int(cy + 1.45 * side)), (int(1.0 * side), int(0.75 * side)),
                0, 0, 360, cloth, -1, cv2.LINE_AA)
    cv2.circle(img, (int(cx), int(cy - 0.05 * side)), int(0.9 * side), hair, -1, cv2.LINE_AA)
    tint = np.array(skin, np.float32)
    tint = tint + p['red'] * np.array((45, -35, -35)) + p['green'] * np.array((-40, 25, -30))
    skin_col = tuple(int(c) for c in np.clip(tint, 0, 255))
    cv2.ellipse(img, (int(round(cx)), int(round(cy))), (int(round(fw)), int(round(fh))),
                0, 0, 360, skin_col, -1, cv2.LINE_AA)
    u = side / 40.0  # drawing unit: 1/40 of the face size
    th = max(1, int(round(1.6 * u)))
    dark = (30, 20, 20)
    # eyes
    eye_y = cy - 0.12 * side
    eye_dx = 0.2 * side
    eye_h = max(1.0, 2.6 * u * (1.0 + p['eye']))
    for sgn in (-1, 1):
        ex = cx + sgn * eye_dx
        cv2.ellipse(img, (int(ex), int(eye_y)), (int(round(4.2 * u)), int(round(eye_h))),
                    0, 0, 360, (250, 250, 250), -1, cv2.LINE_AA)
        cv2.circle(img, (int(ex), int(eye_y)), max(1, int(round(min(2.0 * u, eye_h)))), dark, -1,
                   cv2.LINE_AA)
        # brows: inner end at ex - sgn*..., tilt moves inner end down (+) or up (-)
        by = eye_y - 6.5 * u - p['brow'] * 4.0 * u
        inner = (ex - sgn * 5 * u, by + p['tilt'] * 3.5 * u)
        outer = (ex + sgn * 5 * u, by - p['tilt'] * 1.0 * u
                 + (p['wave'] * 2.5 * u if sgn > 0 else 0))
        cv2.line(img, (int(inner[0]), int(inner[1])), (int(outer[0]), int(outer[1])), dark,
                 th + 1, cv2.LINE_AA)
    if p['tear'] > 0.3:
        tx, ty = int(cx + eye_dx), int(eye_y + 5 * u + 6 * u * p['tear'])
        cv2.ellipse(img, (tx, ty), (max(1, int(1.5 * u)), max(1, int(2.5 * u))), 0, 0, 360,
                    (80, 160, 255), -1, cv2.LINE_AA)
    # mouth
    my = cy + 0.25 * side
    half_w = 7.5 * u * (1.0 + p['width'])
    opening = p['open'] * 7.0 * u
    n = np.linspace(-1.0, 1.0, 17)
    xs = cx + n * half_w
    bend = 1.0 - n ** 2                      # 0 at the corners, 1 in the middle
    round_ = np.sqrt(np.clip(bend, 0, 1))    # elliptic opening
    wave = p['wave'] * (2.5 * u * np.sin(n * 2.5 * np.pi) + 2.0 * u * n)
    smile = p['curve'] * 4.5 * u * bend      # smile: middle lower than the corners
    upper = np.stack([xs, my + wave + 0.4 * smile - opening / 2 * round_], 1)
    lower = np.stack([xs, my + wave + smile + opening / 2 * round_], 1)
    if opening > 1.0:
        poly = np.concatenate([upper, lower[::-1]]).astype(np.int32)
        cv2.fillPoly(img, [poly], (90, 20, 30), cv2.LINE_AA)
        cv2.polylines(img, [poly], True, dark, th, cv2.LINE_AA)
    else:
        cv2.polylines(img, [lower.astype(np.int32)], False, dark, th + 1, cv2.LINE_AA)


def face_box(size: int, rng: np.random.Generator) -> np.ndarray:
    """A random face box (x1, y1, x2, y2) that keeps the hair inside the frame mostly."""
    side = rng.uniform(0.36, 0.46) * size
    fw = side * 0.84
    cx = rng.uniform(0.35, 0.65) * size
    cy = rng.uniform(0.38, 0.52) * size
    return np.array([cx - fw / 2, cy - side / 2, cx + fw / 2, cy + side / 2], np.float64)
