"""The named variants of the synthetic set (``generate.py --variant NAME``).

Each differs from ``base`` (the v2 set, unchanged) along a few axes of
:class:`~.spec.VariantSpec`; ``hard`` ones are made to defeat a tower trained from
scratch (small or subtle faces, distractors, noise), ``holdout`` ones are for
reporting only: never tune a recipe on them. ``ood_*`` variants are domain-shifted:
drawn only with faces and/or scenes that the restricted pretraining corpus left out
(``corpus_content.py``), read by that corpus's tower in the frozen regime.
"""
from typing import Dict, Union

from ..class_sets import DFEW_POLARITY_MAP
from .faces import FACE_STYLES
from .spec import VariantSpec

#: Surprise drawn in positive scenes (as the independent generator of issue 12 does)
SURPRISE_POSITIVE = dict(DFEW_POLARITY_MAP, Surprise='positive')
#: indep_like's ambiguity: three pairs share a face, about half the faces ambiguous
PAIRED_GROUPS = dict(open_mouth=('Surprise', 'Fear'), flat_down=('Neutral', 'Sad'),
                     squint=('Happy', 'Disgust'))
#: a feature drawing no pretraining corpus draws (features.py): 2-2.8x line widths, eyes
#: 30-45 % further apart, a 10-18 % narrower face. The hair stays: the crop margin alone
#: decides how much scene a face crop shows (0.1: none), one knob for the benchmark.
SHIFTED_FEATURES = dict(stroke_width=(2.0, 2.8), eye_spread=(1.3, 1.45), face_width=(0.82, 0.9))
#: what every domain-shifted variant shares: indep_like's labels and size, the restricted
#: tower, and a crop margin of 0.3 whose corners show the scene's light (data/README.md)
_SHIFTED = dict(size=128, polarity_map=SURPRISE_POSITIVE, ambiguous_groups=PAIRED_GROUPS,
                identity_variety=0.5, crop_margin=0.3, tower='restricted')

_ALL = (
    VariantSpec(),
    VariantSpec(
        name='lineart', holdout=True, styles=('lineart',), size=96,
        description='line-art faces (lid arcs, curved brows, stroked mouth), 96 px'),
    VariantSpec(
        name='emoji', styles=('emoji',), size=128, num_frames=12, face_motion=0.9,
        description='emoji faces (yellow disc, oval eyes, thick mouth), 128 px, 12 frames'),
    VariantSpec(
        name='shaded', styles=('shaded',), size=160, identity_variety=0.5,
        description='shaded faces (almond eyes, lips, nose, long hair), 160 px, varied identities'),
    VariantSpec(
        name='mixed_styles', styles=FACE_STYLES, identity_variety=1.0,
        description='all four face styles mixed, wide identity variety'),
    VariantSpec(
        name='few_identities', num_identities=4, identity_variety=1.0,
        description='only 4 people (continuous colours and geometry) across the whole set'),
    VariantSpec(
        name='small_faces', hard=True, size=96, face_scale=(0.10, 0.14),
        face_center_x=(0.15, 0.85), face_center_y=(0.2, 0.75), face_motion=0.6,
        camera_shake=0.3, clutter=(2, 5), noise_std=(2.0, 6.0), blur_sigma=(0.3, 0.6),
        description='faces 10-14 % of a 96 px frame (10-13 px) anywhere in it, shake, clutter, '
                    'mild noise and blur'),
    VariantSpec(
        name='subtle', hard=True, size=96, num_frames=24, apex_strength=(0.25, 0.45),
        expression_jitter=0.18, onset=(0.2, 0.5), rise=(0.3, 0.45),
        description='subtle expressions (apex 25-45 %, jitter 0.18) reached late in 24 frames'),
    VariantSpec(
        name='crowded', hard=True, size=128, face_scale=(0.2, 0.28),
        face_center_x=(0.3, 0.7), face_center_y=(0.3, 0.6), styles=('cartoon', 'emoji'),
        apex_strength=(0.55, 0.85), background_people=(2, 4), clutter=(3, 6),
        noise_std=(8.0, 16.0), blur_sigma=(0.6, 1.1), jpeg_quality=(20, 45), camera_shake=0.4,
        description='2-4 background people with their own expressions, clutter, noise, blur, JPEG'),
    VariantSpec(
        name='hard_mix', hard=True, holdout=True, styles=FACE_STYLES, identity_variety=1.0,
        face_scale=(0.14, 0.22), face_center_x=(0.2, 0.8), face_center_y=(0.25, 0.7),
        apex_strength=(0.4, 0.7), expression_jitter=0.12, background_people=(1, 3),
        scene_light=0.7, scene_colour=0.7, scene_objects=0.7, noise_std=(3.0, 8.0),
        jpeg_quality=(40, 70),
        description='every difficulty at once: mixed styles, small subtle faces, people, noise'),
    VariantSpec(
        name='objects_only', scene_light=0.0, scene_colour=0.0,
        description='only scene objects carry polarity (flat grey background for all)'),
    VariantSpec(
        name='global_only', scene_objects=0.0,
        description='only global light and colour carry polarity (no sun/window/fire objects)'),
    VariantSpec(
        name='weak_scene', scene_light=0.4, scene_colour=0.4, scene_objects=0.4,
        wrong_scene_prob=0.1,
        description='all scene cues at 40 %, 10 % of clips in a scene of the wrong polarity'),
    VariantSpec(
        name='surprise_positive', polarity_map=SURPRISE_POSITIVE,
        ambiguous_groups=dict(raised_brows=('Surprise', 'Neutral', 'Sad'),
                              open_mouth=('Happy', 'Fear')),
        description='Surprise in positive scenes; groups Surprise/Neutral/Sad and Happy/Fear'),
    VariantSpec(
        name='indep_like', holdout=True, size=128, polarity_map=SURPRISE_POSITIVE,
        ambiguous_groups=dict(open_mouth=('Surprise', 'Fear'), flat_down=('Neutral', 'Sad'),
                              squint=('Happy', 'Disgust')),
        styles=('shaded', 'lineart'), identity_variety=0.5,
        description='like issue 12\'s independent set: 128 px, ~half the faces ambiguous in '
                    'pairs, Surprise positive'),
    VariantSpec(
        name='long_lowres', size=64, num_frames=32, face_motion=0.3, camera_pan=0.3,
        camera_zoom=0.1,
        description='64 px, 32 frames, slow zoom'),
    VariantSpec(
        name='no_ambiguity', ambiguous_ratio=0.0,
        description='every face shows its class (face-only can reach 100)'),
    VariantSpec(
        name='high_ambiguity', ambiguous_ratio=1.0,
        description='every Happy/Surprise/Fear/Neutral/Sad face is ambiguous'),
    # domain-shifted: drawn only with what the restricted pretraining corpus left out
    # (corpus_content.py); the frozen regime reads them with the restricted tower
    VariantSpec(
        name='ood_faces', styles=('shaded',), **SHIFTED_FEATURES, **_SHIFTED,
        description='unseen faces (shaded style, thick strokes, wide-set eyes, narrow face) '
                    'in the standard scenes; crop margin 0.3'),
    VariantSpec(
        name='ood_scenes', styles=('cartoon', 'lineart'), scene_sets=('shifted',), **_SHIFTED,
        description='seen faces (cartoon, line art) in unseen scenes (beach, office, rainy '
                    'forest); crop margin 0.3'),
    VariantSpec(
        name='ood_both', styles=('shaded',), scene_sets=('shifted',), **SHIFTED_FEATURES,
        **_SHIFTED,
        description='unseen faces in unseen scenes; crop margin 0.3'),
    VariantSpec(
        name='ood_both_small', hard=True, styles=('shaded',), scene_sets=('shifted',),
        face_scale=(0.12, 0.17), face_center_x=(0.2, 0.8), face_center_y=(0.25, 0.7),
        **SHIFTED_FEATURES, **_SHIFTED,
        description='unseen faces, 12-17 % of the frame (15-22 px), anywhere in unseen scenes; '
                    'crop margin 0.3'),
)

#: name -> spec of every named variant
VARIANTS: Dict[str, VariantSpec] = {v.name: v for v in _ALL}


def get_variant(variant: Union[str, VariantSpec]) -> VariantSpec:
    """The spec named ``variant`` (a spec passes through)."""
    if isinstance(variant, VariantSpec):
        return variant
    try:
        return VARIANTS[variant]
    except KeyError:
        raise KeyError(f'unknown synthetic variant {variant!r}; '
                       f'known: {", ".join(VARIANTS)}') from None
