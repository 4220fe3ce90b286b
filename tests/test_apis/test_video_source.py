"""A user's video input: frame folders accepted, bad input refused BEFORE the model loads."""
import os

import cv2
import numpy as np
import pytest

import ous_mm  # noqa: F401
import ous_mm.apis
from ous_mm.apis.video_source import DEFAULT_FPS, check_user_video, open_user_video
from tests.test_datasets.video_fixtures import load_tool

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIG = os.path.join(ROOT, 'configs', 'ous', 'demo', 'ous_demo_synthetic.py')


def _demo():
    return load_tool(os.path.join(ROOT, 'demo', 'demo_video.py'))


def _frame_folder(folder, n=12):
    os.makedirs(folder)
    for i in range(n):
        cv2.imwrite(os.path.join(folder, f'{i + 1}.jpg'), np.full((40, 56, 3), 10 * i, np.uint8))
    return str(folder)


def test_a_frame_folder_is_a_video(tmp_path):
    folder = _frame_folder(tmp_path / 'frames')
    assert check_user_video(folder) == (12, (40, 56))
    frames, fps = open_user_video(folder)
    assert frames.num_frames == 12 and fps == DEFAULT_FPS
    assert int(frames.get_frames([10])[0].mean() / 10 + 0.5) == 10  # natural order: 11.jpg
    with pytest.raises(FileNotFoundError, match='nowhere.mp4'):
        check_user_video(str(tmp_path / 'nowhere.mp4'))


@pytest.mark.parametrize('name, data, message', [
    ('empty.mp4', b'', 'empty.mp4: video file is empty'),
    ('text.mp4', b'not a video\n' * 40, 'text.mp4: cannot decode video'),
    ('missing.mp4', None, 'video not found: .*missing.mp4'),
])
def test_demo_refuses_bad_input_before_loading_the_model(tmp_path, monkeypatch, name, data, message):
    """demo_video.py checked only isfile: undecodable input failed after the model had loaded."""
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)

    def no_model(*args, **kwargs):
        raise AssertionError('the model was loaded before the input was checked')
    monkeypatch.setattr(ous_mm.apis, 'init_ous_model', no_model)
    with pytest.raises(SystemExit, match=f'error: .*{message}'):
        _demo().main([str(path), CONFIG])


def test_demo_runs_on_a_frame_folder(tmp_path):
    folder = _frame_folder(tmp_path / 'clip', n=10)
    result = _demo().main([folder, CONFIG, '--window', '8', '--stride', '4'])
    assert result['num_frames'] == 10 and result['fps'] == DEFAULT_FPS
    assert [(w['start_frame'], w['end_frame']) for w in result['windows']] == [(0, 8), (2, 10)]
