"""The pretraining corpus API: deterministic, broad, captionable, never an evaluation clip."""
import numpy as np
import pytest

import ous_mm  # noqa: F401
from ous_mm.datasets.class_sets import DFEW_CLASSES
from ous_mm.datasets.synthetic import (ATTRIBUTE_KEYS, CORPUS_SEED_DOMAIN, corpus_rng, iter_corpus,
                                       sample_corpus_item)
from ous_mm.datasets.synthetic.faces import FACE_STYLES
from ous_mm.datasets.synthetic.generator import EXTRA_TAG, IDENTITY_TAG, PLAN_TAG, WRONG_SCENE_TAG
from ous_mm.datasets.synthetic.scenes import SCENE_KINDS


@pytest.fixture(scope='module')
def items():
    return list(iter_corpus(seed=0, num_items=160, size=64))


def test_items_are_deterministic_per_seed_and_index():
    a_img, a = sample_corpus_item(corpus_rng(3, 7), 64)
    b_img, b = sample_corpus_item(corpus_rng(3, 7), 64)
    assert np.array_equal(a_img, b_img) and a == b
    c_img, _ = sample_corpus_item(corpus_rng(3, 8), 64)
    d_img, _ = sample_corpus_item(corpus_rng(4, 7), 64)
    assert not np.array_equal(a_img, c_img) and not np.array_equal(a_img, d_img)
    (e_img, e), = list(iter_corpus(3, 1, 64, start=7))
    assert np.array_equal(a_img, e_img) and a == e


def test_corpus_streams_are_disjoint_from_every_clip_stream():
    # the first draws of a corpus generator never equal those of a plan, clip, extra,
    # wrong-scene or identity generator of the clip generator (seeds 0..5, indices 0..40)
    clip_streams = set()
    for seed in range(6):
        entropies = [[seed, PLAN_TAG], [seed, PLAN_TAG, WRONG_SCENE_TAG]]
        entropies += [[seed, i] for i in range(41)] + [[seed, i, EXTRA_TAG] for i in range(41)]
        entropies += [[seed, IDENTITY_TAG, k] for k in range(41)]
        clip_streams |= {tuple(np.random.default_rng(e).integers(0, 2 ** 62, 2)) for e in entropies}
    corpus = {tuple(corpus_rng(s, i).integers(0, 2 ** 62, 2)) for s in range(6) for i in range(41)}
    assert len(corpus) == 6 * 41 and not corpus & clip_streams
    # structurally: six entropy words, more than SeedSequence's 4-word pool, which is
    # where shorter entropy lists padded with zeros would coincide
    assert len(CORPUS_SEED_DOMAIN) == 4
    assert list(corpus_rng(0, 0).bit_generator.seed_seq.entropy) == [*CORPUS_SEED_DOMAIN, 0, 0]


def test_attributes_have_the_documented_keys_and_match_the_image(items):
    for img, attrs in items:
        assert img.shape == (64, 64, 3) and img.dtype == np.uint8
        assert tuple(attrs) == ATTRIBUTE_KEYS
        x1, y1, x2, y2 = attrs['face_box']
        assert 0 <= x1 < x2 <= 64 and 0 <= y1 < y2 <= 64
        assert abs((y2 - y1) / 64 - attrs['face_size']) < 0.01
        assert (attrs['scene_polarity'] is None) == (attrs['scene_kind'] in ('studio', 'city'))
        assert attrs['expression'] in DFEW_CLASSES + (None,)
        assert (attrs['expression'] is None) == (attrs['face_type'] not in DFEW_CLASSES)
        assert attrs['phase'] in ('apex', 'onset') and attrs['intensity'] >= 0


def test_the_corpus_is_broad(items):
    attrs = [a for _, a in items]
    assert {a['style'] for a in attrs} == set(FACE_STYLES)
    assert {a['expression'] for a in attrs} >= set(DFEW_CLASSES)
    assert {a['scene_kind'] for a in attrs} == set(SCENE_KINDS)
    assert any(a['secondary_expression'] for a in attrs)
    assert any(a['expression'] is None for a in attrs)
    assert {a['phase'] for a in attrs} == {'apex', 'onset'}
    sizes = [a['face_size'] for a in attrs]
    assert min(sizes) < 0.15 and max(sizes) > 0.5
    assert any(a['background_people'] for a in attrs) and any(a['clutter'] for a in attrs)
    assert any(a['degradation']['noise'] for a in attrs)
    assert any(a['degradation']['jpeg'] for a in attrs)
    assert {a['lighting'] for a in attrs} == {'bright', 'dim', 'dark'}


def test_face_part_words_follow_the_drawn_expression(items):
    strong = [a for _, a in items if a['phase'] == 'apex' and a['intensity'] > 0.9
              and a['secondary_expression'] is None]
    checks = dict(Surprise=lambda f: f['brows'] == 'raised' and f['mouth'] in ('open', 'wide open'),
                  Happy=lambda f: f['mouth_shape'] == 'smiling',
                  Sad=lambda f: f['tear'] and f['brow_tilt'] == 'inner_up',
                  Angry=lambda f: f['brow_tilt'] == 'inner_down' and f['skin_tint'] == 'red',
                  Disgust=lambda f: f['mouth_shape'] == 'wavy' and f['skin_tint'] == 'green')
    seen = set()
    for a in strong:
        if a['expression'] in checks:
            assert checks[a['expression']](a['face_parts']), a
            seen.add(a['expression'])
    assert len(seen) >= 3
