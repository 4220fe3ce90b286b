"""Expressions of the drawn faces: parameters per class, ambiguous faces, timing, words.

A face is a dict of :data:`PARAM_NAMES` values (all 0 = the neutral face). Every
drawing style (``faces.py``) reads the same parameters, so one expression looks
like itself in every style while the strokes differ. A clip goes from the neutral
face to its apex over time (:func:`params_at`); :func:`face_part_states` turns
parameters into the words a caption uses.
"""
from typing import Dict, Mapping, Tuple

# curve (+ smile / - frown), open (mouth opening 0..1), width (mouth width factor),
# brow (brows up), tilt (+ inner ends down = angry, - inner ends up = sad/fear),
# eye (eye opening factor - 1), red/green (skin tint), tear (0/1), wave (disgust's
# wavy, asymmetric mouth)
PARAM_NAMES = ('curve', 'open', 'width', 'brow', 'tilt', 'eye', 'red', 'green', 'tear', 'wave')
#: the parameters that get per-clip Gaussian jitter (the others are on/off features)
JITTER_PARAMS = ('curve', 'open', 'width', 'brow', 'tilt', 'eye')

APEX: Dict[str, Dict[str, float]] = {
    'Happy': dict(curve=1.0, open=0.25, width=0.35, eye=-0.35),
    'Sad': dict(curve=-0.9, tilt=-0.9, eye=-0.3, tear=1.0, width=-0.1),
    'Neutral': dict(),
    'Angry': dict(curve=-0.25, tilt=1.0, brow=-0.4, eye=-0.25, red=1.0, width=-0.2),
    'Surprise': dict(open=1.0, width=-0.45, brow=1.0, eye=0.6),
    'Disgust': dict(wave=1.0, curve=-0.3, eye=-0.4, green=1.0, tilt=0.3),
    'Fear': dict(open=0.75, width=0.45, brow=0.7, tilt=-0.7, eye=0.6, curve=-0.3),
}

#: Faces shared by the classes of an ambiguity group (the Rigid Cognitive Problem):
#: a face of this kind says nothing about which class of its group the clip is.
AMBIGUOUS_FACES: Dict[str, Dict[str, float]] = {
    # open mouth, raised brows (default group: Happy / Surprise / Fear)
    'open_mouth': dict(open=0.6, width=0.1, brow=0.6, eye=0.3, curve=0.1),
    # slightly lowered mouth corners (default group: Neutral / Sad)
    'flat_down': dict(curve=-0.35, tilt=-0.3, eye=-0.15),
    # narrowed eyes, tight wide mouth, no tint (e.g. Happy / Disgust)
    'squint': dict(eye=-0.45, width=0.25, curve=0.05, tilt=0.15),
    # raised brows over a closed mouth (e.g. Surprise / Sad)
    'raised_brows': dict(brow=0.55, tilt=-0.2, eye=0.2),
}
#: The default ambiguity groups: face kind -> the classes that share it.
AMBIGUOUS_GROUPS: Dict[str, Tuple[str, ...]] = {
    'open_mouth': ('Happy', 'Surprise', 'Fear'),
    'flat_down': ('Neutral', 'Sad'),
}


def face_params(face_type: str) -> Dict[str, float]:
    """Apex parameters of a class word or an ambiguous face kind."""
    if face_type in APEX:
        return dict(APEX[face_type])
    if face_type in AMBIGUOUS_FACES:
        return dict(AMBIGUOUS_FACES[face_type])
    raise KeyError(f'unknown face type {face_type!r}; expected a class of APEX '
                   f'{sorted(APEX)} or an ambiguous face {sorted(AMBIGUOUS_FACES)}')


def mix_params(weights: Mapping[str, float]) -> Dict[str, float]:
    """Weighted sum of face types' apex parameters (a blend of expressions)."""
    out = {n: 0.0 for n in PARAM_NAMES}
    for face_type, w in weights.items():
        for k, v in face_params(face_type).items():
            out[k] += w * v
    return out


def ramp(t: int, num_frames: int, onset: float, apex_at: float) -> float:
    """Share of the apex shown at frame ``t``: 0 until ``onset``, smoothstep, 1 from ``apex_at``."""
    pos = t / max(num_frames - 1, 1)
    if pos <= onset:
        return 0.0
    if pos >= apex_at:
        return 1.0
    x = (pos - onset) / (apex_at - onset)
    return x * x * (3 - 2 * x)


def params_at(apex: Dict[str, float], t: int, num_frames: int, onset: float,
              apex_at: float) -> Dict[str, float]:
    """Expression at frame ``t``: neutral until ``onset``, eased to apex at ``apex_at``, held."""
    k = ramp(t, num_frames, onset, apex_at)
    return {n: k * float(apex.get(n, 0.0)) for n in PARAM_NAMES}


def face_part_states(p: Mapping[str, float]) -> Dict[str, object]:
    """Caption words for the visible state of each face part (thresholds on the drawing).

    Keys and values (stable; :mod:`.corpus` documents them):
    ``mouth`` closed | slightly open | open | wide open; ``mouth_shape`` smiling |
    frowning | wavy | flat; ``mouth_width`` wide | narrow | normal; ``brows`` raised |
    lowered | relaxed; ``brow_tilt`` inner_down (angry) | inner_up (worried) | level;
    ``eyes`` wide | narrowed | normal; ``tear`` bool; ``skin_tint`` red | green | none.
    """
    g = lambda k: float(p.get(k, 0.0))  # noqa: E731
    opening = g('open')
    mouth = ('closed' if opening < 0.12 else 'slightly open' if opening < 0.4
             else 'open' if opening < 0.7 else 'wide open')
    if g('wave') > 0.4:
        shape = 'wavy'
    elif g('curve') > 0.3:
        shape = 'smiling'
    elif g('curve') < -0.3:
        shape = 'frowning'
    else:
        shape = 'flat'
    width = 'wide' if g('width') > 0.25 else 'narrow' if g('width') < -0.3 else 'normal'
    brows = 'raised' if g('brow') > 0.35 else 'lowered' if g('brow') < -0.25 else 'relaxed'
    tilt = 'inner_down' if g('tilt') > 0.4 else 'inner_up' if g('tilt') < -0.4 else 'level'
    eyes = 'wide' if g('eye') > 0.3 else 'narrowed' if g('eye') < -0.2 else 'normal'
    tint = 'red' if g('red') > 0.4 else 'green' if g('green') > 0.4 else 'none'
    return dict(mouth=mouth, mouth_shape=shape, mouth_width=width, brows=brows,
                brow_tilt=tilt, eyes=eyes, tear=g('tear') > 0.3, skin_tint=tint)
