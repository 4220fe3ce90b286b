"""demo/webui.py answers a request on a generated clip through Gradio's own client (issue 14).

The app is launched on 127.0.0.1 with a tiny random-init model; gradio_client sends an upload
to the `/analyse` endpoint and the four outputs are read back."""
import json
import os
import socket

import cv2
import numpy as np
import pytest
import torch

os.environ.setdefault('GRADIO_ANALYTICS_ENABLED', 'False')  # no calls out of the machine
gr = pytest.importorskip('gradio')
gradio_client = pytest.importorskip('gradio_client')

from tests.test_datasets.video_fixtures import load_tool  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIG = os.path.join(ROOT, 'configs', 'ous', 'demo', 'ous_demo_synthetic.py')


def _load_webui():
    return load_tool(os.path.join(ROOT, 'demo', 'webui.py'))


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.fixture(scope='module')
def clip(tmp_path_factory):
    """12 frames: the astronaut's face for 6, then a blank wall (no face: the fallback)."""
    from skimage import data

    photo = cv2.resize(data.astronaut()[0:320, 60:380], (160, 160))
    path = str(tmp_path_factory.mktemp('video') / 'face_then_wall.mp4')
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 6.0, (160, 160))
    for t in range(12):
        frame = photo if t < 6 else np.full_like(photo, 128)
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def test_webui_answers_a_request(clip, tmp_path):
    from ous_mm.apis import init_ous_model

    webui = _load_webui()
    torch.manual_seed(0)
    model = init_ous_model(CONFIG)
    app = webui.build_app(model, examples=[clip])
    port = _free_port()
    app.queue().launch(server_name='127.0.0.1', server_port=port, prevent_thread_lock=True,
                       quiet=True, share=False)
    try:
        client = gradio_client.Client(f'http://127.0.0.1:{port}/', verbose=False,
                                      download_files=str(tmp_path))
        video, timeline, gallery, result = client.predict(
            gradio_client.handle_file(clip), 6, 6, api_name='/analyse')
    finally:
        app.close()
    if isinstance(result, str):
        result = json.load(open(result))
    windows = result['windows']
    assert [(w['start_frame'], w['end_frame']) for w in windows] == [(0, 6), (6, 12)]
    assert not windows[0]['face_fallback'] and windows[1]['face_fallback']
    assert result['classes'] == model.class_names
    # the annotated video: every frame, webm for the browser
    video_path = video['video'] if isinstance(video, dict) else video
    if isinstance(video_path, dict):
        video_path = video_path.get('path') or video_path.get('url')
    assert str(video_path).endswith('.webm')
    cap = cv2.VideoCapture(video_path)
    count = 0
    while cap.read()[0]:
        count += 1
    cap.release()
    assert count == 12
    assert cv2.imread(timeline).shape[1] == 900
    assert len(gallery) == 2
    captions = [item['caption'] for item in gallery]
    assert captions[0].startswith('0.00-1.00 s') and windows[0]['top_class'] in captions[0]
    tile = cv2.imread(gallery[1]['image'] if isinstance(gallery[1]['image'], str)
                      else gallery[1]['image']['path'])
    assert tile is not None and tile.shape[1] > tile.shape[0]  # face beside scene


def test_webui_refuses_an_empty_request_and_a_missing_model(tmp_path, monkeypatch):
    webui = _load_webui()
    monkeypatch.setattr(webui, 'DEMO_CHECKPOINTS', str(tmp_path / 'none' / '*.pth'))
    with pytest.raises(SystemExit):
        webui.parse_args([])
    with pytest.raises(SystemExit, match='example not found'):
        webui.find_examples([str(tmp_path / 'missing.mp4')])


def test_webui_default_model_is_what_make_demo_publishes(tmp_path, monkeypatch):
    """With no arguments the app takes the newest OUS checkpoint run_demo.py published, in
    either regime, with the demo config its name gives (the path once pointed at a layout
    the demo no longer wrote)."""
    import fnmatch
    import time

    webui = _load_webui()
    run_demo = load_tool(os.path.join(ROOT, 'tools', 'run_demo.py'))
    pattern = os.path.basename(webui.DEMO_CHECKPOINTS)
    for regime, names in run_demo.PUBLISHED.items():  # the names run_demo.publish() writes
        assert fnmatch.fnmatch(f'{names["ous"]}_seed0-1f34e722.pth', pattern), regime
        assert not fnmatch.fnmatch(f'{names["face_only"]}_seed0-1f34e722.pth', pattern)
    older = tmp_path / 'seed0' / 'published' / 'ous_frozen_synthetic_seed0-1f34e722.pth'
    newer = tmp_path / 'seed1' / 'published' / 'ous_demo_synthetic_seed1-0a1b2c3d.pth'
    for path in (older, newer):
        path.parent.mkdir(parents=True)
        path.write_bytes(b'')
    os.utime(older, (time.time() - 60, time.time() - 60))
    monkeypatch.setattr(webui, 'DEMO_CHECKPOINTS',
                        str(tmp_path / 'seed*' / 'published' / pattern))
    args = webui.parse_args([])
    assert args.checkpoint == str(newer)
    assert args.config == os.path.join(ROOT, 'configs', 'ous', 'demo', 'ous_demo_synthetic.py')
    os.utime(newer, (time.time() - 120, time.time() - 120))
    args = webui.parse_args([])
    assert args.config.endswith('ous_frozen_synthetic.py') and args.checkpoint == str(older)
    stray = tmp_path / 'seed2' / 'published' / 'ous_renamed_synthetic_seed2-0a1b2c3d.pth'
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b'')  # the newest, but no zoo model of that name
    with pytest.raises(SystemExit, match='ous_renamed_synthetic.*pass CONFIG CHECKPOINT'):
        webui.parse_args([])


def test_webui_every_face_box_tracks_each_person(tmp_path):
    """The "every face" checkbox (the endpoint's fourth input) gives one track per person of
    the two-person photo clip, their crops captioned with their id, a row each in the
    timeline; leaving it out keeps the one-face answer."""
    from ous_mm.apis import init_ous_model
    from ous_mm.datasets.synthetic.photo_clips import photo_clip
    from tests.test_datasets.video_fixtures import write_video

    frames, _ = photo_clip('astronaut_and_grace_hopper', 12, (480, 270))
    two = write_video(str(tmp_path / 'two_people.mp4'), frames, fps=6)
    webui = _load_webui()
    torch.manual_seed(0)
    model = init_ous_model(CONFIG)
    app = webui.build_app(model)
    port = _free_port()
    app.queue().launch(server_name='127.0.0.1', server_port=port, prevent_thread_lock=True,
                       quiet=True, share=False)
    try:
        client = gradio_client.Client(f'http://127.0.0.1:{port}/', verbose=False,
                                      download_files=str(tmp_path))
        _, timeline, gallery, result = client.predict(
            gradio_client.handle_file(two), 6, 6, True, api_name='/analyse')
        _, _, _, single = client.predict(gradio_client.handle_file(two), 6, 6,
                                         api_name='/analyse')
    finally:
        app.close()
    if isinstance(result, str):
        result = json.load(open(result))
    if isinstance(single, str):
        single = json.load(open(single))
    assert [t['track_id'] for t in result['tracks']] == [1, 2]
    assert all(len(t['windows']) == 2 for t in result['tracks'])
    captions = sorted(item['caption'] for item in gallery)
    assert [c[:3] for c in captions] == ['#1 ', '#1 ', '#2 ', '#2 ']
    assert cv2.imread(timeline).shape[0] > 360  # two rows
    assert 'windows' in single and 'tracks' not in single


def test_the_page_names_the_checkpoint_and_its_sha256(tmp_path):
    from ous_mm.apis import init_ous_model

    webui = _load_webui()
    ckpt = tmp_path / 'ous_demo_synthetic_seed0-12345678.pth'
    ckpt.write_bytes(b'weights')
    note = webui.checkpoint_note(CONFIG, str(ckpt))
    app = webui.build_app(init_ous_model(CONFIG), note=note)
    texts = [str(c.get('props', {}).get('value', '')) for c in app.config['components']]
    assert any(note in text and 'sha256 ' in text for text in texts)
