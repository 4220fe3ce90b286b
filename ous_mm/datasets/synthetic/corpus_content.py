"""What a pretraining corpus draws, and so what a tower pretrained on it has never seen.

Two contents (``CorpusConfig.content``, ``tools/pretrain_clip.py --corpus``):

- ``full``: the corpus as it always was: all four face styles, the standard scene
  kinds (``scenes.SCENE_KINDS``), the standard feature drawing;
- ``restricted``: the same minus the ``shaded`` face style: a tower for domain-shifted
  evaluation (``ood_*`` variants, ``VariantSpec.tower = 'restricted'``).

Neither corpus draws the shifted scene kinds (``shifted_scenes.py``) or a feature
drawing other than :data:`~.features.STANDARD` (``features.py``); so what the restricted
corpus leaves out (:func:`left_out`) is the ``shaded`` style, the shifted scene kinds
and every non-standard feature drawing. :func:`out_of_corpus` says, for a variant,
whether its faces and its scenes are drawn only with what a corpus left out.
"""
from dataclasses import dataclass
from typing import Dict, Tuple

from .faces import FACE_STYLES
from .shifted_scenes import SHIFTED_KINDS


@dataclass(frozen=True)
class CorpusContent:
    """The face styles a corpus draws (its scenes and feature drawing are the standard ones)."""
    name: str
    styles: Tuple[str, ...]
    description: str = ''

    def __post_init__(self):
        if not self.styles or set(self.styles) - set(FACE_STYLES):
            raise ValueError(f'corpus {self.name!r}: styles must be a non-empty subset of '
                             f'{FACE_STYLES}')


CORPUS_CONTENTS: Dict[str, CorpusContent] = {
    c.name: c for c in (
        CorpusContent('full', FACE_STYLES, 'every face style, the standard scenes and features'),
        CorpusContent('restricted', tuple(s for s in FACE_STYLES if s != 'shaded'),
                      'no shaded faces; the standard scenes and features only'),
    )}


def get_content(name: str) -> CorpusContent:
    try:
        return CORPUS_CONTENTS[name]
    except KeyError:
        raise ValueError(f'unknown corpus content {name!r}; expected one of '
                         f'{sorted(CORPUS_CONTENTS)}') from None


def left_out(name: str) -> Dict[str, object]:
    """What corpus ``name`` never draws: face styles, scene kinds, and whether non-standard
    feature drawings (every one is left out by every corpus)."""
    content = get_content(name)
    return dict(styles=tuple(s for s in FACE_STYLES if s not in content.styles),
                scene_kinds=tuple(SHIFTED_KINDS), nonstandard_feature_drawing=True)


def out_of_corpus(spec, name: str) -> Dict[str, bool]:
    """For a :class:`~.spec.VariantSpec`: ``faces`` is True when every face it draws has a
    left-out style AND a feature drawing that is never the standard one; ``scenes``
    when it draws only shifted scene kinds."""
    out = left_out(name)
    faces = set(spec.styles) <= set(out['styles']) and spec.features_never_standard
    scenes = 'standard' not in spec.scene_sets
    return dict(faces=bool(faces), scenes=bool(scenes))
