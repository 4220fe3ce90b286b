"""The DFER sampling protocol (16 segments) and the face/scene index alignment."""
import numpy as np
import pytest

import ous_mm  # noqa: F401
from ous_mm.datasets.transforms import FaceSceneSampleFrames, map_indices, segment_indices


def test_nine_frame_clip_is_padded_by_repeating_the_last_frame():
    train = segment_indices(9, 16, test_mode=False)
    test = segment_indices(9, 16, test_mode=True)
    print('9-frame clip, train:', train.tolist(), 'test:', test.tolist())
    expected = [0, 1, 2, 3, 4, 5, 6, 7, 8, 8, 8, 8, 8, 8, 8, 8]
    assert train.tolist() == expected
    assert test.tolist() == expected


def test_nine_frame_clip_uniform_padding_keeps_time_order():
    inds = segment_indices(9, 16, test_mode=True, pad_mode='uniform')
    print('9-frame clip, uniform padding:', inds.tolist())
    # frame centres: floor((i + 0.5) * 9 / 16)
    assert inds.tolist() == [0, 0, 1, 1, 2, 3, 3, 4, 4, 5, 5, 6, 7, 7, 8, 8]


def test_test_mode_takes_segment_middles():
    inds = segment_indices(40, 16, test_mode=True)
    tick = 40 / 16
    assert inds.tolist() == [int(tick / 2 + tick * i) for i in range(16)]
    assert inds[0] == 1 and inds[-1] == 38


def test_train_mode_one_random_frame_per_segment():
    rng = np.random.default_rng(0)
    seen = set()
    for _ in range(50):
        inds = segment_indices(70, 16, test_mode=False, rng=rng)
        seg = 70 // 16
        assert all(i * seg <= v < (i + 1) * seg for i, v in enumerate(inds))
        seen.add(tuple(inds))
    assert len(seen) > 40  # random offsets, not a fixed pattern


def test_exactly_sixteen_frames():
    assert segment_indices(16, 16, test_mode=True).tolist() == list(range(16))
    assert segment_indices(16, 16, test_mode=False).tolist() == list(range(16))


def test_map_indices_uses_relative_positions():
    # 10 face frames vs a 100-frame scene video: face frame i is at scene time ~10 i + 5
    assert map_indices(np.arange(10), 10, 100).tolist() == [5, 15, 25, 35, 45, 55, 65, 75, 85, 95]
    assert map_indices(np.array([0, 3]), 4, 4).tolist() == [0, 3]
    assert map_indices(np.array([0, 99]), 100, 7).tolist() == [0, 6]


def test_transform_samples_on_faces_and_maps_to_scene():
    t = FaceSceneSampleFrames(clip_len=4, test_mode=True)
    out = t(dict(total_frames=80, face_total_frames=8))
    assert out['face_frame_inds'].tolist() == [1, 3, 5, 7]
    assert out['frame_inds'].tolist() == [15, 35, 55, 75]
    out = t(dict(total_frames=8, face_total_frames=None))
    assert out['face_frame_inds'] is None and out['frame_inds'].tolist() == [1, 3, 5, 7]


def test_empty_clip_is_an_error():
    with pytest.raises(ValueError, match='0 frames'):
        segment_indices(0, 16)
