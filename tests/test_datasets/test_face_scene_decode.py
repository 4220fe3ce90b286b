"""FaceSceneDecode: one sequential OpenCV pass by default, decord's random access otherwise."""
import numpy as np
import pytest

import ous_mm  # noqa: F401
from ous_mm.datasets.transforms import FaceSceneDecode
from ous_mm.datasets.transforms import face_scene_decode as decode_module
from ous_mm.datasets.video_io import VideoReadError, open_video

from .video_fixtures import color_frames, write_video

INDS = [7, 1, 1, 4, 12, 12, 19]  # unsorted, repeated (edge padding repeats the last frame)


@pytest.fixture(scope='module')
def video(tmp_path_factory):
    return write_video(str(tmp_path_factory.mktemp('decode') / 'count.mp4'), color_frames(20))


def decode(video, transform):
    out = transform(dict(scene_source=open_video(video), frame_inds=np.array(INDS)))
    return out['imgs']


def frame_ids(frames):
    return [int(round(f[..., 0].mean() / 10)) for f in frames]  # red channel = 10 * index


def test_one_pass_gives_the_frames_random_access_gives(video, monkeypatch):
    calls = []
    real = decode_module.OpenCVVideo
    monkeypatch.setattr(decode_module, 'OpenCVVideo',
                        lambda *a, **k: calls.append(k) or real(*a, **k))
    one_pass = decode(video, FaceSceneDecode())
    random_access = decode(video, FaceSceneDecode(one_pass=False))
    assert calls == [dict(num_frames=20)]  # decord's count: no counting walk
    assert frame_ids(one_pass) == frame_ids(random_access) == INDS
    for a, b in zip(one_pass, random_access):
        assert a.shape == b.shape == (48, 64, 3) and a.dtype == np.uint8
        assert np.abs(a.astype(int) - b.astype(int)).mean() < 1.0


def test_long_videos_keep_random_access(video, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError('one pass used for a long video')
    monkeypatch.setattr(decode_module, 'OpenCVVideo', refuse)
    assert frame_ids(decode(video, FaceSceneDecode(one_pass_max_frames=10))) == INDS


def test_a_file_opencv_cannot_read_falls_back_to_decord_and_is_counted(video, monkeypatch):
    logged = []
    monkeypatch.setattr(decode_module, 'print_log',
                        lambda msg, logger=None, level=None: logged.append(msg))

    class Broken:
        def __init__(self, path, num_frames=None):
            raise VideoReadError(f'{path}: stream ended at frame 3 of 20')
    monkeypatch.setattr(decode_module, 'OpenCVVideo', Broken)
    transform = FaceSceneDecode()
    assert frame_ids(decode(video, transform)) == INDS
    assert transform.num_one_pass_fallback == 1
    assert len(logged) == 1 and 'count.mp4' in logged[0] and 'decord instead' in logged[0]
