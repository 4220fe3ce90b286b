"""Templated captions for corpus items, written from their attribute dicts.

Why templates: the tiny CLIP must tie image content to the WORDS the OUS prompt
head and the zero-shot prompts use. Every caption is a pure function of the
item's attributes (the keys of the synthetic corpus API,
``ous_mm/datasets/synthetic``: ``expression``, ``intensity``, ``face_parts``,
``style``, ``scene_name``, ``scene_polarity``, ``scene_objects``, ``lighting``, ...)
and a ``np.random.Generator`` that only picks among equivalent phrasings, so
what a caption says about the face or the scene is always true of the drawing.

Two kinds of caption, because OUS feeds the same tower two views:
- ``'face'``: a tight face crop, described by its expression word (the class
  word of the OUS prompts, ``Happy`` ... ``Fear``, or an adjective form) and the
  face parts as drawn;
- ``'scene'``: the whole frame, described by the scene (name, objects, light,
  polarity word) and the person in it.
"""
import re
from typing import Dict, List, Mapping, Sequence

import numpy as np

from ..datasets.class_sets import DFEW_CLASSES
from ..datasets.face_scene_dataset import POLARITY_IDS

#: The class words of the OUS prompt head (configs/_base_/datasets/synthetic.py), DFEW order.
EXPRESSIONS = DFEW_CLASSES
#: Adjective forms ("a surprised face") next to the class words ("a Surprise face").
ADJECTIVES: Dict[str, Sequence[str]] = {
    'Happy': ('happy', 'joyful', 'cheerful'),
    'Sad': ('sad', 'unhappy', 'sorrowful'),
    'Neutral': ('neutral', 'calm', 'expressionless'),
    'Angry': ('angry', 'furious', 'mad'),
    'Surprise': ('surprised', 'astonished', 'amazed'),
    'Disgust': ('disgusted', 'repulsed', 'grossed out'),
    'Fear': ('fearful', 'scared', 'afraid'),
}
NOUNS = {'Happy': 'happiness', 'Sad': 'sadness', 'Neutral': 'no emotion', 'Angry': 'anger',
         'Surprise': 'surprise', 'Disgust': 'disgust', 'Fear': 'fear'}
#: Scene polarity words in the id order of the datasets' ``gt_polarity``.
POLARITIES = tuple(sorted(POLARITY_IDS, key=POLARITY_IDS.get))
POLARITY_WORDS = {'positive': ('positive', 'pleasant', 'sunny'),
                  'neutral': ('neutral', 'ordinary', 'plain'),
                  'negative': ('negative', 'threatening', 'gloomy')}
STYLE_WORDS = {'cartoon': 'cartoon', 'lineart': 'line drawing', 'emoji': 'emoji',
               'shaded': 'shaded drawing'}
#: Below this intensity the drawn face barely differs from the neutral one: no class word.
FAINT_INTENSITY = 0.25

#: Zero-shot prompt templates (the ones the task names).
FACE_PROMPT = 'a photo of a {} face'
SCENE_PROMPT = 'a photo of a {} scene'

FACE_TEMPLATES = (
    'a photo of a {expr} face',
    'a {style} of a {expr} face with {parts}',
    'a close-up of a {expr} face',
    'a {expr} face: {parts}',
    'a {style} face that looks {adj}, {parts}',
    'the face of a {adj} person with {parts}',
    'a face showing {noun}',
    'a {intensity}{adj} expression with {parts}',
    '{parts} on a {expr} face',
)
PARTS_ONLY_TEMPLATES = (
    'a {style} of a face with {parts}',
    'a face with {parts}',
    'a close-up of a face: {parts}',
)
SCENE_TEMPLATES = (
    'a photo of a {polarity} scene',
    'a {style} of a {adj} person in front of a {scene}',
    'a {polarity} scene: a {scene}',
    'a {scene}, a {pol_word} scene with a person',
    'a person in a {scene}, {light} light',
    'a {adj} person in a {scene}, a {polarity} scene',
    'a {light} {scene} with {objects}',
    'a photo of a {scene} with a {expr} person',
)
_MOUTH_OPENING = {'closed': 'a closed', 'slightly open': 'a slightly open', 'open': 'an open',
                  'wide open': 'a wide open'}
_MOUTH_SHAPE = {'smiling': 'smiling ', 'frowning': 'frowning ', 'wavy': 'twisted wavy ',
                'flat': ''}
_BROWS = {'raised': 'raised brows', 'lowered': 'lowered brows'}
_BROW_TILT = {'inner_down': 'brows drawn down in the middle',
              'inner_up': 'brows raised in the middle'}
_EYES = {'wide': 'wide eyes', 'narrowed': 'narrowed eyes'}
_TINT = {'red': 'a red face', 'green': 'a greenish face'}


def face_part_phrases(parts: Mapping[str, object]) -> List[str]:
    """Phrases for a ``face_parts`` dict (mouth, mouth_shape, brows, brow_tilt, eyes, tear, skin_tint)."""
    out = [f'{_MOUTH_OPENING[parts["mouth"]]} {_MOUTH_SHAPE[parts["mouth_shape"]]}mouth']
    tilt = _BROW_TILT.get(str(parts.get('brow_tilt')))
    if tilt:
        out.append(tilt)
    elif parts.get('brows') in _BROWS:
        out.append(_BROWS[parts['brows']])
    if parts.get('eyes') in _EYES:
        out.append(_EYES[parts['eyes']])
    if parts.get('tear'):
        out.append('a tear on the cheek')
    if parts.get('skin_tint') in _TINT:
        out.append(_TINT[parts['skin_tint']])
    return out


def shows_expression(attrs: Mapping) -> bool:
    """Whether the face shows its class: a class word and an intensity above :data:`FAINT_INTENSITY`."""
    return attrs.get('expression') is not None and attrs['intensity'] >= FAINT_INTENSITY


def _join(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return ''.join(parts)
    return ', '.join(parts[:-1]) + ' and ' + parts[-1]


def _some(items: Sequence[str], rng: np.random.Generator, most: int = 2) -> List[str]:
    """At most ``most`` of ``items`` in their order (short captions: the text tower's cost)."""
    if len(items) <= most:
        return list(items)
    keep = sorted(rng.choice(len(items), size=most, replace=False))
    return [items[k] for k in keep]


def _expr_words(attrs: Mapping, rng: np.random.Generator) -> Dict[str, str]:
    expr = attrs['expression']
    adj = str(rng.choice(ADJECTIVES[expr]))
    intensity = attrs['intensity']
    return dict(expr=expr if rng.random() < 0.5 else adj,  # the class word or an adjective
                adj=adj, noun=NOUNS[expr],
                intensity='slightly ' if intensity < 0.6 else 'very ' if intensity > 0.95 else '')


def face_caption(attrs: Mapping, rng: np.random.Generator) -> str:
    """Caption of the face crop of an item: expression word and face parts."""
    parts = _join(_some(face_part_phrases(attrs['face_parts']), rng))
    style = STYLE_WORDS.get(attrs.get('style'), 'drawing')
    if not shows_expression(attrs):
        return str(rng.choice(PARTS_ONLY_TEMPLATES)).format(parts=parts, style=style)
    return str(rng.choice(FACE_TEMPLATES)).format(parts=parts, style=style,
                                                  **_expr_words(attrs, rng))


def scene_caption(attrs: Mapping, rng: np.random.Generator) -> str:
    """Caption of the whole frame of an item: scene name, objects, light, polarity, person."""
    polarity = attrs.get('scene_polarity')
    templates = list(SCENE_TEMPLATES)
    if polarity is None:  # a polarity-free backdrop: no polarity words
        templates = [t for t in templates if '{polarity}' not in t and '{pol_word}' not in t]
    if not attrs['scene_objects']:
        templates = [t for t in templates if '{objects}' not in t]
    words = dict(expr='', adj='', noun='', intensity='')
    if shows_expression(attrs) and attrs.get('face_size', 1.0) >= 0.2:
        words = _expr_words(attrs, rng)
    else:  # expression not shown or too small to read in a whole frame
        templates = [t for t in templates if '{expr}' not in t and '{adj}' not in t]
    return str(rng.choice(templates)).format(
        scene=attrs['scene_name'], polarity=polarity,
        pol_word=str(rng.choice(POLARITY_WORDS[polarity])) if polarity else '',
        light=attrs['lighting'], objects=_join(_some(attrs['scene_objects'], rng)),
        style=STYLE_WORDS.get(attrs.get('style'), 'drawing'), **words)


_A_BEFORE_VOWEL = re.compile(r'\ba (?=[aeiouAEIOU])')


def caption(attrs: Mapping, view: str, rng: np.random.Generator) -> str:
    """Caption of ``view`` (``'face'`` or ``'scene'``) of an item."""
    if view == 'face':
        text = face_caption(attrs, rng)
    elif view == 'scene':
        text = scene_caption(attrs, rng)
    else:
        raise ValueError(f"view must be 'face' or 'scene', got {view!r}")
    return _A_BEFORE_VOWEL.sub('an ', text)
