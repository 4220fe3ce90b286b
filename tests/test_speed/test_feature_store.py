"""Feature store: write, resume, merge, read, and the cached-feature transforms."""
import numpy as np
import pytest
import torch

import ous_mm  # noqa: F401
from ous_mm.datasets.feature_store import (FeatureStore, FeatureStoreError,
                                           FeatureStoreWriter, merge_stores)
from ous_mm.datasets.transforms.cached_features import (LoadCachedFeatures,
                                                        PackCachedFeatureInputs)

T, D, E = 3, 5, 4


def _feats(row, view):
    rng = np.random.default_rng(100 * row + view)
    return rng.standard_normal((2, T, D)), rng.standard_normal((2, T, E))


def _fill(writer, rows_views, row_to_id=None):
    for row, view in rows_views:
        key = row if row_to_id is None else row_to_id[row]
        writer.write(row, view, *_feats(key, view))
    writer.flush()


def test_write_read_roundtrip_float32(tmp_path):
    ids = ['a', 'b', 'c']
    w = FeatureStoreWriter(str(tmp_path / 's'), ids, num_views=2, dtype='float32')
    _fill(w, [(r, v) for r in range(3) for v in range(2)])
    store = FeatureStore(str(tmp_path / 's'))
    assert len(store) == 3 and store.num_views == 2 and 'b' in store
    got = store.get('b', 1)
    embed, early = _feats(1, 1)
    np.testing.assert_allclose(got['embed'], embed, rtol=1e-6)
    np.testing.assert_allclose(got['early'], early, rtol=1e-6)
    assert got['embed'].dtype == np.float32
    # arrays are plain .npy: readable without this package
    raw = np.load(tmp_path / 's' / 'embed.npy', mmap_mode='r')
    assert raw.shape == (3, 2, 2, T, D)


def test_float16_store_is_close(tmp_path):
    w = FeatureStoreWriter(str(tmp_path / 's'), ['x'], dtype='float16')
    _fill(w, [(0, 0)])
    got = FeatureStore(str(tmp_path / 's')).get('x')
    np.testing.assert_allclose(got['embed'], _feats(0, 0)[0], rtol=2e-3, atol=2e-3)


def test_resume_keeps_written_rows_and_lists_only_missing(tmp_path):
    path = str(tmp_path / 's')
    ids = ['a', 'b', 'c', 'd']
    w = FeatureStoreWriter(path, ids, dtype='float32')
    _fill(w, [(0, 0), (2, 0)])
    w.write(3, 0, *_feats(3, 0))  # written but never flushed: must count as missing
    del w
    with pytest.raises(FeatureStoreError, match='incomplete store, 2 clip views missing'):
        FeatureStore(path)
    w2 = FeatureStoreWriter(path, ids, dtype='float32')
    assert w2.pending() == [(1, 0), (3, 0)]
    _fill(w2, w2.pending())
    np.testing.assert_allclose(FeatureStore(path).get('a')['embed'], _feats(0, 0)[0])


def test_reopen_with_other_clips_is_refused(tmp_path):
    path = str(tmp_path / 's')
    FeatureStoreWriter(path, ['a', 'b'])
    with pytest.raises(FeatureStoreError, match='exists with other clips'):
        FeatureStoreWriter(path, ['a', 'c'])


def test_shape_mismatch_names_the_clip(tmp_path):
    w = FeatureStoreWriter(str(tmp_path / 's'), ['a', 'b'])
    w.write(0, 0, *_feats(0, 0))
    with pytest.raises(FeatureStoreError, match="clip 'b'"):
        w.write(1, 0, np.zeros((2, T + 1, D)), np.zeros((2, T + 1, E)))


def test_missing_clip_and_bad_store_errors(tmp_path):
    with pytest.raises(FeatureStoreError, match='not a feature store'):
        FeatureStore(str(tmp_path / 'nothing'))
    w = FeatureStoreWriter(str(tmp_path / 's'), ['a'])
    _fill(w, [(0, 0)])
    store = FeatureStore(str(tmp_path / 's'))
    with pytest.raises(FeatureStoreError, match="no features for clip 'zz'"):
        store.get('zz')
    with pytest.raises(FeatureStoreError, match='view 3 asked'):
        store.get('a', 3)


def test_merge_parts_in_dataset_order(tmp_path):
    ids = ['a', 'b', 'c', 'd', 'e']
    id_row = {c: i for i, c in enumerate(ids)}
    parts = []
    for rank in range(2):  # rows rank::2, as tools/extract_features.py shards
        mine = ids[rank::2]
        w = FeatureStoreWriter(str(tmp_path / f'p{rank}'), mine, dtype='float32')
        for r, c in enumerate(mine):
            w.write(r, 0, *_feats(id_row[c], 0))
        w.flush()
        parts.append(str(tmp_path / f'p{rank}'))
    merged = merge_stores(parts, str(tmp_path / 'all'), ids)
    assert merged.clip_ids == ids
    for c in ids:
        np.testing.assert_allclose(merged.get(c)['early'], _feats(id_row[c], 0)[1])
    assert not merged.is_face_fallback('a')
    with pytest.raises(FeatureStoreError, match="in no part, e.g. \\[\\('f', 0\\)\\]"):
        merge_stores(parts, str(tmp_path / 'more'), ids + ['f'])


def test_load_cached_features_views_and_pack(tmp_path):
    w = FeatureStoreWriter(str(tmp_path / 's'), ['a'], num_views=3, dtype='float32')
    for v in range(3):  # view 1's face stream was the centre-crop fallback
        w.write(0, v, *_feats(0, v), face_fallback=(v == 1))
    w.flush()
    load = LoadCachedFeatures(str(tmp_path / 's'), view='random')
    seen = {load(dict(clip_id='a'))['feature_view'] for _ in range(60)}
    assert seen == {0, 1, 2}  # a new view per draw, all views used
    out = LoadCachedFeatures(str(tmp_path / 's'), view='first')(
        dict(clip_id='a', label=4, polarity=2, filename='a.mp4'))
    packed = PackCachedFeatureInputs()(out)
    assert set(packed['inputs']) == {'embed', 'early'}
    assert packed['inputs']['embed'].shape == (2, T, D)
    assert torch.allclose(packed['inputs']['embed'], torch.from_numpy(_feats(0, 0)[0]).float())
    sample = packed['data_samples']
    assert int(sample.gt_label) == 4 and int(sample.gt_polarity) == 2
    assert sample.metainfo['clip_id'] == 'a' and sample.metainfo['feature_view'] == 0
    assert sample.metainfo['face_fallback'] is False
    fallback = PackCachedFeatureInputs()(LoadCachedFeatures(str(tmp_path / 's'), view=1)(
        dict(clip_id='a')))['data_samples']
    assert fallback.metainfo['face_fallback'] is True  # cached runs still count fallbacks
    with pytest.raises(KeyError, match='clip_id'):
        load(dict(label=1))
