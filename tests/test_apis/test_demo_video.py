"""demo/demo_video.py on a real face (scikit-image's astronaut) with a tiny random-init OUS.

Issue 14: the annotated frame is enlarged with the text below the picture (item 9),
progress with rate/ETA (item 8), --cfg-options and a usage error for MMAction2's
argument order (item 7), --out-timeline."""
import importlib.util
import json
import os

import cv2
import numpy as np
import pytest
import torch

import ous_mm  # noqa: F401
from ous_mm.apis import (clip_len_of, inference_video, init_ous_model, sample_indices,
                         sliding_windows)
from ous_mm.datasets.video_io import VideoReadError
from ous_mm.utils import CheckpointError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIG = os.path.join(ROOT, 'configs', 'ous', 'demo', 'ous_demo_synthetic.py')
FACE_ONLY = os.path.join(ROOT, 'configs', 'ous', 'demo', 'face_only_demo_synthetic.py')
NUM_FRAMES = 20
SIZE = 192


def _load_demo():
    spec = importlib.util.spec_from_file_location(
        'demo_video', os.path.join(ROOT, 'demo', 'demo_video.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def astronaut_mp4(tmp_path_factory):
    """A 20-frame clip panning over the astronaut photo (the face moves ~2 px/frame)."""
    from skimage import data

    photo = data.astronaut()  # 512x512 RGB, face around x 170-260, y 40-150
    path = str(tmp_path_factory.mktemp('video') / 'astronaut.mp4')
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 10.0, (SIZE, SIZE))
    for t in range(NUM_FRAMES):
        x0, y0 = 40 + 3 * t, 10 + t
        crop = np.ascontiguousarray(photo[y0:y0 + 320, x0:x0 + 320])
        frame = cv2.resize(crop, (SIZE, SIZE), interpolation=cv2.INTER_AREA)
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


@pytest.fixture(scope='module')
def tiny_checkpoint(tmp_path_factory):
    torch.manual_seed(0)
    model = init_ous_model(CONFIG)
    path = str(tmp_path_factory.mktemp('ckpt') / 'ous_tiny.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict(epoch=1)), path)
    return path


def test_windows_cover_the_video():
    assert sliding_windows(20, 8, 4) == [(0, 8), (4, 12), (8, 16), (12, 20)]
    assert sliding_windows(21, 8, 8) == [(0, 8), (8, 16), (13, 21)]  # tail kept
    assert sliding_windows(5, 8, 4) == [(0, 5)]
    assert list(sample_indices(0, 8, 4)) == [1, 3, 5, 7]
    assert list(sample_indices(0, 2, 4)) == [0, 0, 1, 1]  # short window repeats frames


def test_demo_video_json_annotated_mp4_timeline_and_progress(astronaut_mp4, tiny_checkpoint,
                                                            tmp_path, capfd):
    from ous_mm.apis.annotate import MIN_SIDE

    out_json, out_video = str(tmp_path / 'emotions.json'), str(tmp_path / 'annotated.mp4')
    out_timeline = str(tmp_path / 'timeline.png')
    demo = _load_demo()
    demo.main([astronaut_mp4, CONFIG, tiny_checkpoint, '--out-json', out_json,
               '--out-video', out_video, '--out-timeline', out_timeline,
               '--window', '8', '--stride', '4'])
    result = json.load(open(out_json))
    classes = result['classes']
    assert classes == ['Happy', 'Sad', 'Neutral', 'Angry', 'Surprise', 'Disgust', 'Fear']
    assert result['num_frames'] == NUM_FRAMES and result['fps'] == pytest.approx(10.0)
    spans = [(w['start_frame'], w['end_frame']) for w in result['windows']]
    assert spans == [(0, 8), (4, 12), (8, 16), (12, 20)]
    for win in result['windows']:
        probs = win['probabilities']
        assert list(probs) == classes
        assert sum(probs.values()) == pytest.approx(1.0, abs=1e-5)
        assert win['top_class'] == max(probs, key=probs.get)
        assert win['end_sec'] == pytest.approx(win['end_frame'] / 10.0)
    # the real face is found (no centre-crop fallback) and boxed on the face
    first = result['windows'][0]
    assert not first['face_fallback']
    box = first['face_boxes'][0]['box']
    x1, y1, x2, y2 = box
    assert 20 < x2 - x1 < SIZE / 1.5 and 20 < y2 - y1 < SIZE / 1.5

    cap = cv2.VideoCapture(out_video)
    ok, frame0 = cap.read()
    count = 1
    while cap.read()[0]:
        count += 1
    cap.release()
    assert ok and count == NUM_FRAMES
    # the 192 px video is enlarged to MIN_SIDE, with the text band below the picture
    factor = MIN_SIDE / SIZE
    assert frame0.shape[1] == MIN_SIDE and frame0.shape[0] > MIN_SIDE
    rgb = cv2.cvtColor(frame0, cv2.COLOR_BGR2RGB).astype(int)
    # frame 0's box is the one of the nearest sampled frame of the window covering it
    nearest = min(first['face_boxes'], key=lambda b: b['frame'])['box']
    bx1, by1, bx2, by2 = [int(round(v * factor)) for v in nearest]
    xs = np.arange(bx1 + 6, bx2 - 6)
    edge = np.concatenate([rgb[by1, xs], rgb[by2, xs]])
    green = (edge[:, 1] > 150) & (edge[:, 0] < 110) & (edge[:, 2] < 110)
    assert green.mean() > 0.8, edge[:5]
    inside = rgb[(by1 + by2) // 2, (bx1 + bx2) // 2]
    assert not (inside[1] > 150 and inside[0] < 110 and inside[2] < 110)  # only the edge
    assert cv2.imread(out_timeline) is not None
    # progress bars with rate and ETA on stderr: 4 windows, 20 frames
    err = capfd.readouterr().err
    assert '4/4' in err and 'window/s' in err
    assert '20/20' in err and 'frame/s' in err
    assert '0window [' not in err and '0frame [' not in err  # no bar before the total


def test_progress_bar_waits_for_the_total(capfd):
    """Created before the total is known, tqdm would print '0window [00:00, ?window/s]'."""
    demo = _load_demo()
    update = demo.progress_bar('windows', 'window')
    assert capfd.readouterr().err == ''
    update(1, 4)
    err = capfd.readouterr().err
    assert '/4 [' in err and '0window [' not in err  # the first bar drawn has the total
    update(4, 4)
    assert '4/4' in capfd.readouterr().err
    quiet = demo.progress_bar('windows', 'window', disable=True)
    quiet(1, 2), quiet(2, 2)
    assert capfd.readouterr().err == ''


def test_upstream_argument_order_gets_a_usage_error(capsys):
    demo = _load_demo()
    with pytest.raises(SystemExit) as exit_info:
        demo.parse_args([CONFIG, 'work_dirs/x/epoch_1.pth', 'clip.mp4'])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert 'the video comes first' in err
    assert f'demo/demo_video.py clip.mp4 {CONFIG} work_dirs/x/epoch_1.pth' in err


def test_cfg_options_turn_the_ous_config_into_the_face_only_model(astronaut_mp4, tmp_path):
    """--cfg-options model.use_scene=False loads a face-only checkpoint with the OUS config."""
    torch.manual_seed(0)
    face_only = init_ous_model(FACE_ONLY)
    path = str(tmp_path / 'face_only.pth')
    torch.save(dict(state_dict=face_only.state_dict()), path)
    demo = _load_demo()
    result = demo.main([astronaut_mp4, CONFIG, path, '--window', '20', '--no-progress',
                        '--cfg-options', 'model.use_scene=False'])
    assert len(result['windows']) == 1
    assert sum(result['windows'][0]['probabilities'].values()) == pytest.approx(1.0, abs=1e-5)


def test_array_input_and_bad_videos(tiny_checkpoint, tmp_path):
    model = init_ous_model(CONFIG, tiny_checkpoint)
    short = clip_len_of(model.cfg) - 1  # fewer frames than the model's clip
    frames = np.random.RandomState(0).randint(0, 255, (short, 48, 64, 3), dtype=np.uint8)
    result = inference_video(model, frames, window=8, fps=5)
    assert len(result['windows']) == 1
    win = result['windows'][0]
    assert win['face_fallback'] and win['repeated_frames']  # noise has no face; too short
    assert sum(win['probabilities'].values()) == pytest.approx(1.0, abs=1e-5)
    with pytest.raises(FileNotFoundError, match='missing.mp4'):
        inference_video(model, str(tmp_path / 'missing.mp4'))
    corrupt = tmp_path / 'corrupt.mp4'
    corrupt.write_bytes(b'\x00\x00\x00\x18ftypmp42' + os.urandom(2000))
    with pytest.raises(VideoReadError, match='corrupt.mp4'):
        inference_video(model, str(corrupt))


def test_checkpoint_of_another_config_is_refused(tmp_path):
    face_only = init_ous_model(FACE_ONLY)
    path = str(tmp_path / 'face_only.pth')
    torch.save(dict(state_dict=face_only.state_dict()), path)
    with pytest.raises(CheckpointError, match='does not match the model') as err:
        init_ous_model(CONFIG, path)
    assert 'face_only.pth' in str(err.value)
