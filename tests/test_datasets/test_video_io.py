"""Loading scene videos and face-frame folders, including the broken files real data has."""
import os.path as osp

import numpy as np
import pytest

import ous_mm  # noqa: F401
from ous_mm.datasets.transforms import FaceSceneDecode, FaceSceneInit, FaceSceneSampleFrames
from ous_mm.datasets.video_io import (VideoReadError, list_frame_files, open_source, open_video,
                                      to_rgb3)

from .video_fixtures import color_frames, write_frame_folder, write_video


def _load(results, clip_len=4, one_pass=True):
    for t in (FaceSceneInit(), FaceSceneSampleFrames(clip_len, test_mode=True),
              FaceSceneDecode(one_pass=one_pass)):
        results = t(results)
    return results


def test_video_decodes_the_sampled_frames(tmp_path):
    path = write_video(str(tmp_path / 'v.mp4'), color_frames(12))
    out = _load(dict(filename=path), clip_len=4)
    assert out['frame_inds'].tolist() == [1, 4, 7, 10]
    reds = [int(round(f[..., 0].mean() / 10)) for f in out['imgs']]
    assert reds == [1, 4, 7, 10]  # red channel encodes the frame index
    assert out['imgs'][0].shape == (48, 64, 3) and out['imgs'][0].dtype == np.uint8
    assert 'scene_source' not in out


def test_opencv_backend_reads_the_same_frames(tmp_path):
    path = write_video(str(tmp_path / 'v.mp4'), color_frames(8))
    a = open_video(path, backend='decord').get_frames([2, 5])
    b = open_video(path, backend='opencv').get_frames([2, 5])
    assert all(np.abs(x.astype(int) - y.astype(int)).mean() < 3 for x, y in zip(a, b))
    src = open_video(path, backend='opencv')  # unsorted, repeated (edge padding) indices
    assert src.num_frames == 8
    reds = [int(round(f[..., 0].mean() / 10)) for f in src.get_frames([6, 1, 6, 6])]
    assert reds == [6, 1, 6, 6]


def test_missing_video_names_the_file(tmp_path):
    path = str(tmp_path / 'nope.mp4')
    with pytest.raises(FileNotFoundError, match='nope.mp4'):
        _load(dict(filename=path))


def test_zero_byte_video_names_the_file(tmp_path):
    path = tmp_path / 'empty.mp4'
    path.write_bytes(b'')
    with pytest.raises(VideoReadError, match=r'empty\.mp4.*empty \(0 bytes\)'):
        _load(dict(filename=str(path)))


def test_truncated_video_names_the_file(tmp_path):
    good = write_video(str(tmp_path / 'good.mp4'), color_frames(30, 96, 96))
    data = open(good, 'rb').read()
    bad = tmp_path / 'truncated.mp4'
    bad.write_bytes(data[:len(data) // 3])
    with pytest.raises(VideoReadError, match=r'truncated\.mp4: cannot decode video'):
        _load(dict(filename=str(bad)))


def test_garbage_bytes_name_the_file(tmp_path):
    bad = tmp_path / 'noise.mp4'
    bad.write_bytes(np.random.default_rng(0).integers(0, 255, 5000, dtype=np.uint8).tobytes())
    with pytest.raises(VideoReadError, match=r'noise\.mp4: cannot decode video'):
        open_video(str(bad))


def test_short_video_repeats_frames(tmp_path):
    path = write_video(str(tmp_path / 'short.mp4'), color_frames(3))
    out = _load(dict(filename=path), clip_len=6)
    assert out['frame_inds'].tolist() == [0, 1, 2, 2, 2, 2]
    assert len(out['imgs']) == 6


def test_frame_folder_natural_order_png_and_gaps(tmp_path):
    # DFEW names carry the original frame number, with gaps; 16f folders are unpadded
    folder = write_frame_folder(str(tmp_path / 'faces'), color_frames(4, 32, 32),
                                ['f_10.png', 'f_2.png', 'f_33.png', 'f_7.png'])
    files = [osp.basename(f) for f in list_frame_files(folder)]
    assert files == ['f_2.png', 'f_7.png', 'f_10.png', 'f_33.png']
    src = open_source(folder)
    assert src.num_frames == 4
    assert int(round(src.get_frames([2])[0][..., 0].mean() / 10)) == 0  # f_10 holds frame 0


def test_provided_faces_follow_the_scene_positions(tmp_path):
    scene = write_video(str(tmp_path / 's.mp4'), color_frames(20))
    faces = write_frame_folder(str(tmp_path / 'faces'), color_frames(10, 24, 24),
                               [f'{i:05d}.jpg' for i in range(10)])
    out = _load(dict(filename=scene, face_dir=faces), clip_len=5)
    assert out['face_frame_inds'].tolist() == [1, 3, 5, 7, 9]
    assert out['frame_inds'].tolist() == [3, 7, 11, 15, 19]
    assert len(out['face_imgs']) == 5 and out['face_imgs'][0].shape == (24, 24, 3)


def test_grayscale_frames_become_rgb(tmp_path):
    gray = [np.full((20, 30), 100 + i, np.uint8) for i in range(3)]
    folder = write_frame_folder(str(tmp_path / 'gray'), gray, ['1.jpg', '2.jpg', '3.jpg'])
    frames = open_source(folder).get_frames([0, 2])
    assert frames[0].shape == (20, 30, 3)
    assert to_rgb3(gray[0]).shape == (20, 30, 3)
    assert to_rgb3(gray[0][..., None]).shape == (20, 30, 3)


def test_empty_face_folder_and_bad_image_name_the_path(tmp_path):
    (tmp_path / 'nofaces').mkdir()
    with pytest.raises(VideoReadError, match='nofaces: frame folder has no images'):
        list_frame_files(str(tmp_path / 'nofaces'))
    folder = tmp_path / 'broken'
    folder.mkdir()
    (folder / '1.jpg').write_bytes(b'not a jpeg')
    with pytest.raises(VideoReadError, match=r'1\.jpg: not an image file'):
        open_source(str(folder))  # every frame file is checked when the folder is opened
    (folder / '1.jpg').write_bytes(b'\xff\xd8\xff\xe0 a JPEG header, then nothing')
    with pytest.raises(VideoReadError, match=r'1\.jpg: cannot decode image'):
        open_source(str(folder)).get_frames([0])


def test_decord_decode_failure_falls_back_to_opencv_and_is_counted(tmp_path):
    """Issue 16 item 8: decord opens a 16x16 video but cannot decode it; OpenCV can."""
    from ous_mm.datasets.video_io import decode_fallbacks
    path = write_video(str(tmp_path / 'tiny.mp4'), color_frames(6, 16, 16))
    with pytest.raises(VideoReadError, match=r'tiny\.mp4: cannot decode frames'):
        open_video(path, backend='decord').get_frames([0, 5])
    before = decode_fallbacks()[path]
    # random access (decord first): the fallback to OpenCV is taken and counted
    out = _load(dict(filename=path), clip_len=3, one_pass=False)
    assert [f.shape for f in out['imgs']] == [(16, 16, 3)] * 3
    assert [int(round(f[..., 0].mean() / 10)) for f in out['imgs']] == out['frame_inds'].tolist()
    assert decode_fallbacks()[path] == before + 1
    # the default one-pass OpenCV decoding reads it directly: same frames, no fallback
    again = _load(dict(filename=path), clip_len=3)
    assert [f.tolist() for f in again['imgs']] == [f.tolist() for f in out['imgs']]
    assert decode_fallbacks()[path] == before + 1


def test_partly_corrupt_video_decodes_what_opencv_can(tmp_path):
    """decord announces 30 frames and fails to decode; OpenCV decodes the frames before the
    damage, and sampled indices are spread over those instead of failing."""
    rng = np.random.default_rng(0)
    good = write_video(str(tmp_path / 'noise.mp4'),
                       [rng.integers(0, 255, (96, 96, 3), dtype=np.uint8) for _ in range(30)])
    data = bytearray(open(good, 'rb').read())
    lo, hi = len(data) // 5, len(data) * 9 // 10
    data[lo:hi] = bytes(hi - lo)
    bad = tmp_path / 'corrupt.mp4'
    bad.write_bytes(bytes(data))
    from ous_mm.datasets.video_io import decode_fallbacks
    with pytest.raises(VideoReadError, match='cannot decode frames'):
        open_video(str(bad), backend='decord').get_frames([0, 15, 29])
    src = open_video(str(bad))
    assert src.num_frames == 30
    frames = src.get_frames([0, 15, 29])
    assert len(frames) == 3 and all(f.shape == (96, 96, 3) for f in frames)
    assert decode_fallbacks()[str(bad)] == 1
