"""demo_video.py --all-faces / inference_video(all_faces=True): every person of a video.

Generated clips with real faces (ous_mm.datasets.synthetic.people_clips: three people who
cross, one leaves the frame and comes back; photo_clips: two people side by side) through
the default CNN detector and a tiny random-init OUS model."""
import importlib.util
import json
import os

import cv2
import numpy as np
import pytest
import torch

import ous_mm  # noqa: F401
from ous_mm.apis import inference_video, init_ous_model
from ous_mm.datasets.face_track import box_iou
from ous_mm.datasets.synthetic.people_clips import PEOPLE, people_clip
from ous_mm.datasets.synthetic.photo_clips import photo_clip
from ous_mm.visualization import plot_timeline
from ous_mm.visualization.drawing import track_color
from tests.test_datasets.video_fixtures import write_video

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIG = os.path.join(ROOT, 'configs', 'ous', 'demo', 'ous_demo_synthetic.py')
NUM_FRAMES = 60
FPS = 10
pytestmark = pytest.mark.skipif(not ous_mm.datasets.face_detectors.mtcnn_available(),
                                reason='the people clips are checked with the CNN detector')


def _load_demo():
    spec = importlib.util.spec_from_file_location(
        'demo_video', os.path.join(ROOT, 'demo', 'demo_video.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def people(tmp_path_factory):
    frames, boxes = people_clip(NUM_FRAMES)
    path = str(tmp_path_factory.mktemp('video') / 'three_people.mp4')
    return write_video(path, frames, fps=FPS), boxes


@pytest.fixture(scope='module')
def tiny_checkpoint(tmp_path_factory):
    torch.manual_seed(0)
    model = init_ous_model(CONFIG)
    path = str(tmp_path_factory.mktemp('ckpt') / 'ous_tiny.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict(epoch=1)), path)
    return path


@pytest.fixture(scope='module')
def demo_run(people, tiny_checkpoint, tmp_path_factory):
    out = tmp_path_factory.mktemp('out')
    paths = dict(json=str(out / 'people.json'), video=str(out / 'people.mp4'),
                 timeline=str(out / 'people.png'))
    result = _load_demo().main([people[0], CONFIG, tiny_checkpoint, '--all-faces',
                                '--detector', 'mtcnn', '--window', '12', '--stride', '5',
                                '--out-json', paths['json'],
                                '--out-video', paths['video'],
                                '--out-timeline', paths['timeline'], '--no-progress'])
    return result, paths


def _owner(track, truth):
    """The person whose face the track's boxes match (IoU >= 0.5) most often."""
    votes = np.zeros(len(PEOPLE))
    for win in track['windows']:
        for entry in win['face_boxes']:
            if entry['box'] is None:
                continue
            gt = truth[entry['frame']]
            ious = [box_iou(np.array(entry['box']), g[None])[0] if not np.isnan(g[0]) else 0
                    for g in gt]
            if max(ious) >= 0.5:
                votes[int(np.argmax(ious))] += 1
    return int(np.argmax(votes))


def test_three_people_keep_three_ids_with_the_right_box(people, demo_run):
    result, paths = demo_run
    saved = json.load(open(paths['json']))
    assert saved['all_faces'] and 'windows' not in saved
    truth = people[1]
    tracks = saved['tracks']
    assert [t['track_id'] for t in tracks] == [1, 2, 3], saved['dropped_tracks']
    owners = [_owner(t, truth) for t in tracks]
    assert sorted(owners) == [0, 1, 2]  # one track per person, none split or merged
    # every sampled frame where a person is visible: their track has a box on them
    sampled = sorted({e['frame'] for t in tracks for w in t['windows'] for e in w['face_boxes']})
    assert len(sampled) >= 30
    right = total = 0
    for frame in sampled:
        for person in range(len(PEOPLE)):
            gt = truth[frame, person]
            if np.isnan(gt[0]):
                continue
            total += 1
            track = tracks[owners.index(person)]
            boxes = [e['box'] for w in track['windows'] for e in w['face_boxes']
                     if e['frame'] == frame and e['box'] is not None]
            right += bool(boxes) and box_iou(gt, np.array(boxes))[0:1].max() >= 0.5
    print(f'right box in {right}/{total} visible person-frames over {len(sampled)} sampled '
          f'frames; {saved["dropped_tracks"]} short tracks dropped')
    assert right / total >= 0.95, (right, total)
    # the one who leaves the frame mid-clip is one track before and after
    away = tracks[owners.index(2)]
    boxed = [e['frame'] for w in away['windows'] for e in w['face_boxes'] if e['box']]
    assert min(boxed) < 20 and max(boxed) > 45
    assert not [f for f in boxed if 26 <= f <= 33]  # no box while out of the frame
    # per-track labels
    classes = saved['classes']
    for track in tracks:
        assert track['windows'] and track['top_class'] in classes
        assert sum(track['probabilities'].values()) == pytest.approx(1.0, abs=1e-5)
        for win in track['windows']:
            assert win['track_id'] == track['track_id'] and not win['face_fallback']
            assert sum(win['probabilities'].values()) == pytest.approx(1.0, abs=1e-5)
            assert win['top_class'] == max(win['probabilities'], key=win['probabilities'].get)
    assert result['tracks'] == tracks


def test_annotated_video_boxes_every_person_and_timeline_has_a_row_each(people, demo_run):
    result, paths = demo_run
    cap = cv2.VideoCapture(paths['video'])
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB).astype(int))
    cap.release()
    assert len(frames) == NUM_FRAMES
    pic = frames[0][:360]  # 640x360 is not enlarged; the band is below
    assert frames[0].shape[0] > 360
    for track in result['tracks']:  # each colour on the edge of its person's box in frame 0
        window = min(track['windows'], key=lambda w: w['start_frame'])
        box = next(e['box'] for e in window['face_boxes'] if e['box'])
        x1, y1, x2, y2 = (int(round(v)) for v in box)
        edge = pic[min(max(y2, 0), 359), max(x1, 0) + 4:min(x2, 639) - 4]
        color = np.array(track_color(track['track_id']))
        assert (np.abs(edge - color).max(axis=1) < 80).mean() > 0.6, track['track_id']
    fig = plot_timeline(json.load(open(paths['json'])))
    titles = [ax.get_title() for ax in fig.axes]
    assert len(fig.axes) == 3 and titles[0].endswith('person #1')
    assert titles[1:] == ['person #2', 'person #3']
    assert cv2.imread(paths['timeline']).shape[0] > 400
    # the row of the one who left: the line is broken while they were away
    breaks = [int(np.isnan(ax.get_lines()[0].get_ydata()).sum()) for ax in fig.axes]
    gaps = [int(np.diff([w['start_frame'] for w in t['windows']]).max() > result['stride'])
            for t in result['tracks']]
    assert breaks == gaps and sum(breaks) == 1, (breaks, gaps)
    # the timeline tool redraws it from the JSON
    from tests.test_datasets.video_fixtures import load_tool
    tool = load_tool(os.path.join(ROOT, 'tools', 'analysis_tools', 'plot_timeline.py'))
    redrawn = tool.main([paths['json'], '--out', paths['timeline'] + '.again.png'])
    assert len(redrawn.axes) == 3 and cv2.imread(paths['timeline'] + '.again.png') is not None


def test_single_face_default_is_unchanged(people, tiny_checkpoint):
    model = init_ous_model(CONFIG, tiny_checkpoint)
    result = inference_video(model, people[0], window=NUM_FRAMES)  # one window: quick
    assert set(result) == {'video', 'fps', 'num_frames', 'clip_len', 'window', 'stride',
                           'classes', 'windows'}
    assert set(result['windows'][0]) == {
        'start_frame', 'end_frame', 'start_sec', 'end_sec', 'face_boxes', 'face_fallback',
        'repeated_frames', 'probabilities', 'top_class', 'top_score'}


def test_real_photo_two_people_and_no_face_clip(tiny_checkpoint, tmp_path):
    model = init_ous_model(CONFIG, tiny_checkpoint)
    frames, refs = photo_clip('astronaut_and_grace_hopper', 16, (480, 270))
    result = inference_video(model, np.stack(frames), fps=8, window=8, stride=4,
                             all_faces=True)
    assert len(result['tracks']) == 2 and result['dropped_tracks'] == 0
    for track in result['tracks']:
        person = None
        for win in track['windows']:
            for entry in win['face_boxes']:
                ious = box_iou(np.array(entry['box']), refs[entry['frame']])
                assert ious.max() >= 0.5
                person = int(np.argmax(ious)) if person is None else person
                assert int(np.argmax(ious)) == person  # never the other face
    with pytest.raises(ValueError, match='min_track_len'):
        inference_video(model, np.stack(frames), fps=8, all_faces=True, min_track_len=0)
    with pytest.raises(SystemExit):
        _load_demo().parse_args(['clip.mp4', CONFIG, '--all-faces', '--min-track-len', '0'])
    # nobody in view: no tracks, and the tools say so rather than plot nothing
    wall, _ = photo_clip('china', 12, (320, 240))
    empty = inference_video(model, np.stack(wall), fps=6, all_faces=True)
    assert empty['tracks'] == [] and empty['all_faces']
    with pytest.raises(ValueError, match='no tracked person'):
        plot_timeline(empty)
    from ous_mm.apis import open_user_video, write_annotated_video
    source, _ = open_user_video(np.stack(wall), fps=6)
    out = write_annotated_video(source, empty, str(tmp_path / 'nobody.mp4'))
    assert os.path.getsize(out) > 0
