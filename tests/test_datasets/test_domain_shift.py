"""Domain-shifted drawing: feature drawings, shifted scenes, crop margin, the restricted corpus
and the ood_* variants drawn only with what that corpus left out."""
import hashlib
import json

import numpy as np
import pytest

import ous_mm  # noqa: F401
from ous_mm.datasets.face_track import crop_resize, square_region
from ous_mm.datasets.synthetic import (VARIANTS, VariantSpec, iter_corpus, plan_clips,
                                       render_clip_with_info)
from ous_mm.datasets.synthetic import compose
from ous_mm.datasets.synthetic.corpus_content import (CORPUS_CONTENTS, get_content, left_out,
                                                      out_of_corpus)
from ous_mm.datasets.synthetic.expressions import PARAM_NAMES, face_params
from ous_mm.datasets.synthetic.faces import FACE_STYLES, draw_person, face_box, palette_look
from ous_mm.datasets.synthetic.features import STANDARD, FeatureDrawing
from ous_mm.datasets.synthetic.scenes import (COMMON_LUMA, POLARITY_SCENES, SCENE_SETS, SceneCues,
                                              draw_scene, scene_layout, scene_words)
from ous_mm.datasets.synthetic.shifted_scenes import SHIFTED_KINDS, SHIFTED_NAMES
from ous_mm.datasets.synthetic.spec import LATER_FIELDS

from ..test_models.conftest import TINY_ARCH

OOD = ('ood_faces', 'ood_scenes', 'ood_both', 'ood_both_small')
LUMA = np.array([0.299, 0.587, 0.114], np.float32)

# sha256[:16] of (frames bytes + boxes float64 bytes) of render_clip_with_info(
# plan_clips(14, 0, spec)[i], 0, spec) for the variants before the domain-shift axes
# (commit 368307b, numpy 2.2.6, OpenCV 4.12.0): the axes at their defaults change nothing.
REFERENCE_CLIPS = {
    ('indep_like', 0): '13ab0a9190619f60', ('indep_like', 9): '2a41fe62ed391a96',
    ('mixed_styles', 9): '0451c420e64cb4e7', ('shaded', 0): '45d0dbb20cfe6a97',
    ('lineart', 9): '042e7f60d8034edc', ('emoji', 0): '326c34991f5e85dd',
    ('crowded', 9): '98c33a42deb8355a', ('small_faces', 0): 'fde916153f8c90bd',
    ('hard_mix', 9): '982c79fcbf72625c', ('weak_scene', 0): '754dd56b08b89ce6',
}
# sha256[:16] of the images and attributes (json, sorted keys) of iter_corpus(0, 40, size),
# same commit: the full corpus draws as before
REFERENCE_CORPUS = {64: '8c077de013868091', 112: 'cb830da4db11a8cd'}


def _clip_hash(frames, boxes):
    h = hashlib.sha256()
    for f in frames:
        h.update(np.ascontiguousarray(f).tobytes())
    h.update(np.asarray(boxes, np.float64).tobytes())
    return h.hexdigest()[:16]


@pytest.mark.parametrize('key', sorted(REFERENCE_CLIPS))
def test_existing_variants_draw_bit_for_bit_as_before(key):
    name, i = key
    spec = VARIANTS[name]
    frames, boxes, info = render_clip_with_info(plan_clips(14, 0, spec=spec)[i], 0, spec)
    assert _clip_hash(frames, boxes) == REFERENCE_CLIPS[key]
    assert info['drawing'] == STANDARD and info['scene_kind'] in POLARITY_SCENES
    # the same spec with every new axis spelled out at its default draws the same clip
    explicit = spec.with_(stroke_width=(1.0, 1.0), eye_spread=(1.0, 1.0), face_width=(1.0, 1.0),
                          hair_scale=(1.0, 1.0), scene_sets=('standard',), crop_margin=0.1)
    assert explicit == spec


def test_the_full_corpus_draws_as_before():
    for size, want in REFERENCE_CORPUS.items():
        h = hashlib.sha256()
        for img, attrs in iter_corpus(0, 40, size):
            h.update(img.tobytes())
            h.update(json.dumps(attrs, sort_keys=True).encode())
        assert h.hexdigest()[:16] == want, size


def test_each_feature_factor_changes_every_style_and_the_standard_drawing_does_not():
    rng = np.random.default_rng(1)
    box, look = face_box(128, rng), palette_look(rng)
    p = {**dict.fromkeys(PARAM_NAMES, 0.0), **face_params('Angry')}

    def drawn(style, drawing):
        img = np.full((128, 128, 3), 90, np.uint8)
        draw_person(img, box, p, look, style, drawing)
        return img

    for style in FACE_STYLES:
        default = np.full((128, 128, 3), 90, np.uint8)
        draw_person(default, box, p, look, style)
        assert np.array_equal(default, drawn(style, FeatureDrawing()))
        for change in (dict(stroke=2.5), dict(eye_spread=1.4), dict(face_width=0.85),
                       dict(hair=0.8)):
            changed = drawn(style, FeatureDrawing(**change))
            assert (changed != default).any(-1).mean() > 0.002, (style, change)
    with pytest.raises(ValueError, match='stroke'):
        FeatureDrawing(stroke=9.0)


def test_shifted_scenes_carry_polarity_through_light_colour_and_objects():
    assert set(SHIFTED_KINDS.values()) == set(POLARITY_SCENES)
    assert SCENE_SETS['shifted'] == {p: k for k, p in SHIFTED_KINDS.items()}
    rng = np.random.default_rng(2)
    luma = {}
    for kind, polarity in SHIFTED_KINDS.items():
        lay = scene_layout(kind, rng, 96)
        full = draw_scene(lay, 3, 96)
        luma[polarity] = float((full.astype(np.float32) @ LUMA).mean())
        # objects are a separate cue: removing them changes the frame, not the background
        no_objects = draw_scene(lay, 3, 96, SceneCues(1.0, 1.0, 0.0))
        assert (full != no_objects).any(-1).mean() > 0.02, kind
        # with light and colour removed the background is a flat grey of the common brightness
        flat = draw_scene(lay, 3, 96, SceneCues(0.0, 0.0, 0.0)).astype(np.float32)
        assert np.abs(flat - COMMON_LUMA).max() <= 1.0, kind
        words = scene_words(lay, 96)
        assert words['scene_kind'] == kind and words['scene_polarity'] == polarity
        assert words['scene_name'] == SHIFTED_NAMES[kind] and words['scene_objects']
        # the objects move over the clip (animated scenes, as the standard ones)
        assert not np.array_equal(full, draw_scene(lay, 9, 96))
    assert luma['positive'] > luma['neutral'] > luma['negative']
    # and they are not the standard scenes of their polarity
    for kind, polarity in SHIFTED_KINDS.items():
        a = draw_scene(scene_layout(kind, np.random.default_rng(3), 64), 0, 64).astype(float)
        b = draw_scene(scene_layout(polarity, np.random.default_rng(3), 64), 0, 64).astype(float)
        assert np.abs(a.mean((0, 1)) - b.mean((0, 1))).max() > 15, kind


def test_a_wider_crop_and_less_hair_show_the_scene_around_the_face():
    rng = np.random.default_rng(4)

    def leak(style, drawing, margin):
        shares = []
        for _ in range(10):
            box, look = face_box(128, rng), palette_look(rng)
            crops = []
            for bg in (0, 255):
                img = np.full((128, 128, 3), bg, np.uint8)
                draw_person(img, box, dict.fromkeys(PARAM_NAMES, 0.0), look, style, drawing)
                crops.append(crop_resize(img, *square_region(box, margin), 64))
            shares.append((crops[0] != crops[1]).any(-1).mean())
        return float(np.mean(shares))

    shifted = FeatureDrawing(2.4, 1.37, 0.86, 0.82)
    for style in ('lineart', 'shaded'):
        assert leak(style, STANDARD, 0.1) == 0.0
        assert leak(style, STANDARD, 0.3) > 0.02
        assert leak(style, shifted, 0.3) > leak(style, STANDARD, 0.3) + 0.03


def test_the_restricted_corpus_never_draws_what_it_leaves_out(monkeypatch):
    """Every person drawn in 300 items (main and background people, through compose's
    draw_person) has a kept style and the standard feature drawing; no item shows a
    shifted scene. The full corpus, spied the same way, does draw shaded faces."""
    drawn = []
    real = compose.draw_person

    def spy(img, box, p, look, style='cartoon', drawing=STANDARD):
        drawn.append((style, drawing))
        return real(img, box, p, look, style, drawing)

    monkeypatch.setattr(compose, 'draw_person', spy)
    out = left_out('restricted')
    assert out['styles'] == ('shaded',) and set(out['scene_kinds']) == set(SHIFTED_KINDS)
    kinds = set()
    for _, attrs in iter_corpus(0, 300, 64, content='restricted'):
        assert attrs['style'] not in out['styles']
        kinds.add(attrs['scene_kind'])
    assert drawn and {s for s, _ in drawn} == set(get_content('restricted').styles)
    assert all(d == STANDARD for _, d in drawn)
    assert not kinds & set(SHIFTED_KINDS) and set(POLARITY_SCENES) <= kinds
    drawn.clear()
    list(iter_corpus(0, 100, 64, content='full'))
    assert 'shaded' in {s for s, _ in drawn} and all(d == STANDARD for _, d in drawn)
    with pytest.raises(ValueError, match='restricted'):
        get_content('nope')


def test_restricted_pretraining_items_and_their_own_cache_key():
    from ous_mm.pretrain import CorpusConfig, TrainConfig, cache_key
    from ous_mm.pretrain.corpus import render_corpus
    small = dict(num_items=60, heldout_items=0, image_size=32, frame_sizes=(48, 96))
    items = render_corpus(CorpusConfig(**small, content='restricted'))
    assert 'shaded' not in {a['style'] for a in items.attributes}
    assert 'shaded' in {a['style'] for a in render_corpus(CorpusConfig(**small)).attributes}
    # the full corpus keys its tower with the same fields as before; the restricted one
    # has its own key beside it
    assert set(CorpusConfig().as_dict()) == {'num_items', 'heldout_items', 'seed', 'image_size',
                                             'face_share', 'margin', 'frame_sizes',
                                             'captions_per_item', 'version'}
    full = cache_key(TINY_ARCH, CorpusConfig(), TrainConfig())[0]
    assert cache_key(TINY_ARCH, CorpusConfig(content='restricted'), TrainConfig())[0] != full
    assert set(CORPUS_CONTENTS) == {'full', 'restricted'}
    with pytest.raises(ValueError, match='full'):
        CorpusConfig(content='everything')


@pytest.mark.parametrize('name', OOD)
def test_ood_variants_draw_only_what_the_restricted_corpus_left_out(name):
    spec = VARIANTS[name]
    assert spec.tower == 'restricted' and spec.crop_margin > 0.1
    assert set(spec.polarity_map) == set(VARIANTS['base'].polarity_map)
    shifted = out_of_corpus(spec, 'restricted')
    assert shifted == dict(faces=name != 'ood_scenes', scenes=name != 'ood_faces')
    out, kept = left_out('restricted'), get_content('restricted').styles
    plans = plan_clips(70, 0, spec=spec)
    assert sum(p['ambiguous'] for p in plans) / len(plans) >= 0.45  # about half, like indep_like
    for plan in plans[:14]:
        frames, boxes, info = render_clip_with_info(plan, 0, spec)
        if shifted['faces']:
            assert info['style'] in out['styles'] and not info['drawing'].standard
        else:
            assert info['style'] in kept and info['drawing'] == STANDARD
        if shifted['scenes']:
            assert info['scene_kind'] in out['scene_kinds']
            assert SHIFTED_KINDS[info['scene_kind']] == plan['scene_polarity']
        else:
            assert info['scene_kind'] == plan['scene_polarity']
    # every other variant keeps the standard features and scenes (in distribution)
    assert all(v.draws_standard_features and v.scene_sets == ('standard',)
               for v in VARIANTS.values() if v.tower == 'full')


def test_later_fields_stay_out_of_the_meta_of_earlier_variants():
    base = VariantSpec().to_dict()
    assert not set(LATER_FIELDS) & set(base)
    ood = VARIANTS['ood_both'].to_dict()
    assert ood['tower'] == 'restricted' and ood['scene_sets'] == ('shifted',)
    assert VariantSpec.from_dict(json.loads(json.dumps(ood))) == VARIANTS['ood_both']
    with pytest.raises(ValueError, match="variant 'x'.*scene_sets"):
        VariantSpec(name='x', scene_sets=('moon',))
    with pytest.raises(ValueError, match="variant 'x'.*tower"):
        VariantSpec(name='x', tower='imagenet')
    with pytest.raises(ValueError, match="variant 'x'.*hair"):
        VariantSpec(name='x', hair_scale=(0.1, 0.9))
