"""The annotated video's frames and the emotion timeline, read back (issue 14 items 9 and the
timeline plot). No model: results are written by hand."""
import json

import cv2
import numpy as np
import pytest

from ous_mm.apis import write_annotated_video
from ous_mm.apis.annotate import MIN_SIDE, NO_FACE_TEXT, draw_frame
from ous_mm.datasets.video_io import ArrayFrames
from ous_mm.visualization import (BOX_COLOR, FALLBACK_COLOR, FALLBACK_LABEL, MIN_TEXT_PX,
                                  plot_timeline)

CLASSES = ['Happy', 'Sad', 'Neutral']


def _window(start, end, box=None, fallback=False, fps=10.0, probs=(0.6, 0.3, 0.1)):
    frames = range(start, end, max(1, (end - start) // 4))
    return dict(start_frame=start, end_frame=end, start_sec=start / fps, end_sec=end / fps,
                probabilities=dict(zip(CLASSES, probs)),
                top_class=CLASSES[int(np.argmax(probs))], top_score=max(probs),
                face_boxes=[dict(frame=f, box=None if fallback else list(box)) for f in frames],
                face_fallback=fallback, repeated_frames=False)


def _text_rows(band: np.ndarray) -> list:
    """Heights of the runs of rows holding white text pixels in a band."""
    white = (band.min(axis=2) > 200).any(axis=1)
    runs, count = [], 0
    for row in white:
        if row:
            count += 1
        elif count:
            runs.append(count)
            count = 0
    return runs + ([count] if count else [])


def test_small_video_face_not_covered_and_text_readable():
    # a 112x112 clip (DFEW size) whose face fills most of the frame: the old panel covered it
    rng = np.random.RandomState(0)
    frame = rng.randint(0, 255, (112, 112, 3), dtype=np.uint8)
    box = [8.0, 6.0, 104.0, 100.0]
    win = _window(0, 8, box=box)
    out = draw_frame(frame, win, 0, top_k=3)
    factor = MIN_SIDE / 112
    pic_h = int(round(112 * factor))
    assert out.shape[1] == int(round(112 * factor)) and out.shape[0] > pic_h
    # the picture part is the enlarged frame: inside the box nothing is drawn
    enlarged = cv2.resize(frame, (out.shape[1], pic_h), interpolation=cv2.INTER_LINEAR)
    x1, y1, x2, y2 = [int(round(v * factor)) for v in box]
    inner = (slice(y1 + 8, y2 - 8), slice(x1 + 8, x2 - 8))
    assert np.array_equal(out[:pic_h][inner], enlarged[inner])
    edge = out[y1, x1 + 10:x2 - 10]
    assert (edge == BOX_COLOR).all(axis=1).mean() > 0.9
    # the text is in a band below the picture, with lines at least MIN_TEXT_PX high
    runs = _text_rows(out[pic_h:])
    assert len(runs) >= 4  # time/status line + top-3 emotions
    assert min(runs) >= MIN_TEXT_PX - 2, runs  # cap height of digits/letters, no descenders


def test_text_scales_with_the_frame():
    small = draw_frame(np.zeros((112, 112, 3), np.uint8), _window(0, 8, box=[0, 0, 9, 9]), 0)
    big = draw_frame(np.zeros((1080, 1920, 3), np.uint8), _window(0, 8, box=[0, 0, 9, 9]), 0)
    assert max(_text_rows(big[1080:])) > 2 * max(_text_rows(small[MIN_SIDE:]))


def test_fallback_window_is_marked_in_the_video(tmp_path):
    frames = np.full((12, 120, 160, 3), 90, np.uint8)
    result = dict(fps=10.0, classes=CLASSES, windows=[
        _window(0, 6, box=[40, 30, 100, 90]), _window(6, 12, fallback=True)])
    out = str(tmp_path / 'annotated.mp4')
    write_annotated_video(ArrayFrames(frames), result, out)
    cap = cv2.VideoCapture(out)
    decoded = []
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        decoded.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB).astype(int))
    cap.release()
    assert len(decoded) == 12
    pic_h = MIN_SIDE

    def fallback_border(img):
        border = np.concatenate([img[2, 10:-10], img[pic_h - 3, 10:-10]])
        return (np.abs(border - np.array(FALLBACK_COLOR)).max(axis=1) < 60).mean()

    assert fallback_border(decoded[2]) < 0.1  # face window: no red-orange border
    assert fallback_border(decoded[9]) > 0.8  # no-face window: border all around
    # and its band says so in the fallback colour
    def reddish(band):  # thin text loses chroma in mp4: count clearly red pixels
        return (band[..., 0] - band[..., 1:].max(axis=2) > 80).sum()

    assert reddish(decoded[9][pic_h:]) > 50
    assert reddish(decoded[2][pic_h:]) < 5


def test_band_text_lines(tmp_path):
    from ous_mm.apis.annotate import _band_lines

    lines, bars = _band_lines(_window(6, 12, fallback=True), top_k=2)
    assert NO_FACE_TEXT in lines[0][0] and lines[0][1] == FALLBACK_COLOR
    assert [t for t, _ in lines[1:]] == ['Happy 60.0%', 'Sad 30.0%'] and bars[1:] == [0.6, 0.3]


def test_timeline_axes_lines_and_fallback_spans(tmp_path):
    result = dict(video='/x/clip.mp4', fps=10.0, classes=CLASSES, windows=[
        _window(0, 10, box=[0, 0, 5, 5], probs=(0.7, 0.2, 0.1)),
        _window(5, 15, fallback=True, probs=(0.2, 0.5, 0.3)),
        _window(10, 20, fallback=True, probs=(0.1, 0.1, 0.8)),
        _window(15, 25, box=[0, 0, 5, 5], probs=(0.3, 0.3, 0.4))])
    out = str(tmp_path / 'sub' / 'timeline.png')
    fig = plot_timeline(result, out)
    ax = fig.axes[0]
    assert ax.get_xlabel() == 'time (s)' and ax.get_ylabel() == 'probability'
    assert ax.get_title() == 'clip.mp4'
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert list(lines) == CLASSES
    np.testing.assert_allclose(lines['Happy'].get_xdata(), [0.5, 1.0, 1.5, 2.0])
    np.testing.assert_allclose(lines['Neutral'].get_ydata(), [0.1, 0.3, 0.8, 0.4])
    spans = [p for p in ax.patches if p.get_hatch() == '//']
    assert len(spans) == 2  # one per no-face window
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == CLASSES + [FALLBACK_LABEL]
    img = cv2.imread(out)
    assert img is not None and img.shape[1] == 900  # 9 in at 100 dpi

    fig = plot_timeline(result, classes=['Sad'])
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ['Sad']
    with pytest.raises(ValueError, match='Angry'):
        plot_timeline(result, classes=['Angry'])
    with pytest.raises(ValueError, match='no windows'):
        plot_timeline(dict(windows=[]))


def test_plot_timeline_tool_reads_demo_json(tmp_path, capsys):
    import os

    from tests.test_datasets.video_fixtures import load_tool

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    tool = load_tool(os.path.join(root, 'tools', 'analysis_tools', 'plot_timeline.py'))
    path = tmp_path / 'clip.json'
    path.write_text(json.dumps(dict(video='clip.mp4', classes=CLASSES, windows=[
        _window(0, 10, box=[0, 0, 5, 5]), _window(5, 15, fallback=True)])))
    fig = tool.main([str(path)])
    assert (tmp_path / 'clip_timeline.png').is_file()
    assert len([p for p in fig.axes[0].patches if p.get_hatch() == '//']) == 1
    assert '2 windows (1 without a face)' in capsys.readouterr().out
    bad = tmp_path / 'bad.json'
    bad.write_text('{"windows": [')
    with pytest.raises(SystemExit, match='bad.json:1: not JSON'):
        tool.main([str(bad)])


def test_timeline_of_a_3s_clip_shows_spans_and_groups_near_zero_classes():
    """Two 2 s windows of a 3 s clip, two classes that matter and five near zero: each point
    spans its window (the clip is covered 0-3 s), and the five near-zero classes are one
    grey legend entry instead of five coloured lines on top of each other."""
    from matplotlib.colors import to_rgb

    from ous_mm.visualization.timeline import MINOR_COLOR, minor_label

    names = ['Happy', 'Sad', 'Neutral', 'Angry', 'Surprise', 'Disgust', 'Fear']
    probs = [(0.60, 0.35, 0.01, 0.01, 0.01, 0.01, 0.01), (0.30, 0.66, 0.01, 0.01, 0.0, 0.01, 0.01)]
    windows = [dict(start_sec=s, end_sec=s + 2.0, face_fallback=False,
                    probabilities=dict(zip(names, p))) for s, p in zip((0.0, 1.0), probs)]
    fig = plot_timeline(dict(video='three_seconds.mp4', classes=names, windows=windows))
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ['Happy', 'Sad', minor_label(names[2:])]
    lines = {line.get_label(): line for line in ax.get_lines()}
    major = [to_rgb(lines[n].get_color()) for n in ('Happy', 'Sad')]
    assert np.abs(np.subtract(*major)).max() > 0.3  # two clearly different colours
    for name in names[2:]:
        assert to_rgb(lines[name].get_color()) == to_rgb(MINOR_COLOR)
    assert all(to_rgb(MINOR_COLOR) != c for c in major)
    segments = [seg for coll in ax.collections for seg in coll.get_segments()]
    xs = [x for seg in segments for x, _ in seg]
    assert min(xs) == 0.0 and max(xs) == 3.0  # the whole clip, not two points at 1 and 2 s
    assert ax.get_xlim() == (0.0, 3.0)
