"""The bad-input corpus: every kind of broken clip, box file and annotation line real data has,
each with its documented outcome (docs/data.md, "What happens to bad input").

For every case the TRAINING path (``FaceSceneDataset`` + the frame pipeline with
``PrecomputedFaceBoxes``) and the CHECKER (``ous_mm.datasets.checks``, behind
``tools/data/check_dataset.py``) must agree:

- ``error``: training stops with a message naming the annotation file:line and
  the file; the checker reports an error for that line.
- ``fallback``: training runs, the fallback is flagged/counted (``face_fallback``
  or a decode by OpenCV); the checker warns, with no error.
- ``works``: training runs, nothing to report (warnings about short clips allowed).
"""
import json
import os
import os.path as osp
import re
from dataclasses import dataclass, field
from typing import Callable, List

import cv2
import numpy as np
import pytest

import ous_mm  # noqa: F401
from ous_mm.datasets import FaceSceneDataset
from ous_mm.datasets.annotation import AnnotationError
from ous_mm.datasets.checks import ERROR, CheckTarget, check_targets
from ous_mm.datasets.face_detectors import write_box_file
from ous_mm.datasets.face_scene_dataset import ClipLoadError
from ous_mm.datasets.layouts import read_jsonl
from ous_mm.datasets.video_io import decode_fallbacks

from .video_fixtures import write_frame_folder

CLASSES = ('Happy', 'Sad')
FACE = [16.0, 8.0, 48.0, 40.0, 0.9]  # in a 48x64 frame


def _frames(n, h=48, w=64, gray=False):
    out = []
    for i in range(n):
        f = np.full((h, w, 3), (20 + 10 * i, 90, 160), np.uint8)
        f[h // 6:h - h // 6, w // 4:w - w // 4] = (200, 160, 120)  # a "face" patch
        out.append(cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) if gray else f)
    return out


def _video(path, frames, fourcc='mp4v', fps=10):
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*fourcc), fps, (w, h))
    assert writer.isOpened(), path
    for f in frames:
        writer.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def _boxes(root, name, n, hw=(48, 64), box=FACE, empty=False):
    path = osp.join(root, 'boxes', f'{name}.json')
    boxes = [np.zeros((0, 5)) if empty else np.array([box]) for _ in range(n)]
    write_box_file(path, boxes, name, f'{name}.mp4', hw, 'corpus')
    return f'boxes/{name}.json'


@dataclass
class Case:
    name: str
    outcome: str  # 'error' | 'fallback' | 'works'
    make: Callable  # root -> list of annotation rows (dicts or raw lines) for this case
    match: str = ''  # training error must match (besides file:line)
    on_no_face: str = 'center_crop'
    kinds: List[str] = field(default_factory=list)  # checker problem kinds expected


def _clip(name, scene, boxes, label='Happy', faces=None):
    return dict(clip_id=name, scene=scene, faces=faces, label=label, boxes=boxes)


def video_case(name, frames, fourcc='mp4v', ext='mp4', n_boxes=None, **box_kw):
    def make(root):
        _video(osp.join(root, f'{name}.{ext}'), frames, fourcc)
        return [_clip(name, f'{name}.{ext}', _boxes(root, name, n_boxes or len(frames),
                                                     frames[0].shape[:2], **box_kw))]
    return make


def broken_file(name, data_fn, n_boxes=8):
    def make(root):
        with open(osp.join(root, f'{name}.mp4'), 'wb') as f:
            f.write(data_fn(root))
        return [_clip(name, f'{name}.mp4', _boxes(root, name, n_boxes, (96, 96)))]
    return make


def truncated(root):
    good = _video(osp.join(root, 'full.mp4'), _frames(30, 96, 96))
    data = open(good, 'rb').read()
    return data[:len(data) // 3]


def partly_corrupt(root):
    """Zeros over 20-90 % of the file: decord announces 30 frames and fails to decode;
    OpenCV decodes the few frames before the damage."""
    rng = np.random.default_rng(0)
    good = _video(osp.join(root, 'noise_full.mp4'),
                  [rng.integers(0, 255, (96, 96, 3), dtype=np.uint8) for _ in range(30)])
    data = bytearray(open(good, 'rb').read())
    lo, hi = len(data) // 5, len(data) * 9 // 10
    data[lo:hi] = bytes(hi - lo)
    return bytes(data)


def gray_folder(root):
    write_frame_folder(osp.join(root, 'gray'), _frames(5, gray=True), [f'{i}.png' for i in range(5)])
    return [_clip('gray', 'gray', _boxes(root, 'gray', 5))]


def lines(*raw):
    """A good clip on line 1, then ``raw`` annotation lines."""
    def make(root):
        _video(osp.join(root, 'ok.mp4'), _frames(8))
        return [_clip('ok', 'ok.mp4', _boxes(root, 'ok', 8))] + list(raw)
    return make


def no_boxes(root):
    _video(osp.join(root, 'nobox.mp4'), _frames(8))
    return [_clip('nobox', 'nobox.mp4', None)]


def box_file_text(text):
    def make(root):
        _video(osp.join(root, 'bx.mp4'), _frames(8))
        os.makedirs(osp.join(root, 'boxes'), exist_ok=True)
        with open(osp.join(root, 'boxes', 'bx.json'), 'w') as f:
            f.write(text)
        return [_clip('bx', 'bx.mp4', 'boxes/bx.json')]
    return make


def box_frames(*frames, n=8):
    """A box file for the 8-frame ``bx.mp4`` whose first frames are ``frames`` (JSON text),
    the rest holding the good face box."""
    entries = list(frames) + [json.dumps([FACE])] * (n - len(frames))
    return box_file_text(json.dumps(dict(format='ous-face-boxes', version=1, clip_id='bx',
                                         source='bx.mp4', num_frames=n, frame_size=[48, 64],
                                         detector='corpus', boxes=[]))[:-3]
                         + '[' + ','.join(entries) + ']}')


def face_folder(name, bad_bytes, index=2, n=5):
    """A clip with a face-frame folder whose frame ``index`` (not the first or last one)
    holds ``bad_bytes``; its scene is a good video."""
    def make(root):
        _video(osp.join(root, 'ok.mp4'), _frames(n))
        folder = osp.join(root, 'faces', name)
        write_frame_folder(folder, _frames(n, 32, 32), [f'{i:03d}.jpg' for i in range(n)])
        with open(osp.join(folder, f'{index:03d}.jpg'), 'wb') as f:
            f.write(bad_bytes)
        return [_clip(name, 'ok.mp4', None, faces=f'faces/{name}')]
    return make


CASES = [
    # ---- scene media
    Case('zero-byte video', 'error', broken_file('zero', lambda r: b''), r'zero\.mp4.*0 bytes',
         kinds=['empty scene']),
    Case('truncated video', 'error', broken_file('trunc', truncated), r'trunc\.mp4.*cannot decode',
         kinds=['unreadable scene']),
    Case('text file as video', 'error', broken_file('text', lambda r: b'not a video\n' * 50),
         r'text\.mp4.*cannot decode', kinds=['unreadable scene']),
    # decord opens these and cannot decode them; the default one-pass OpenCV decoding of the
    # training pipeline reads them (works), the checker notes decord's failure (random-access
    # readers fall back to OpenCV, counted)
    Case('1x1 video (decord opens, cannot decode)', 'works',
         video_case('px1', _frames(6, 1, 1), 'MJPG', 'avi', box=[0, 0, 1, 1, 0.9]),
         kinds=['decoded with OpenCV', 'odd frame size']),
    Case('2x2 video', 'works', video_case('px2', _frames(6, 2, 2), box=[0, 0, 2, 2, 0.9]),
         kinds=['decoded with OpenCV', 'odd frame size']),
    Case('partly corrupt video', 'fallback', broken_file('corrupt', partly_corrupt, 30),
         kinds=['decoded with OpenCV']),
    Case('grayscale frames (folder)', 'works', gray_folder),
    Case('1-frame video', 'works', video_case('one', _frames(1))),
    Case('2-frame video', 'works', video_case('two', _frames(2))),
    Case('1080p video', 'works', video_case('hd', _frames(3, 1080, 1920),
                                             box=[800, 300, 1100, 650, 0.9])),
    # ---- faces and box files
    Case('no face in any frame', 'fallback', video_case('noface', _frames(8), empty=True),
         kinds=['no face in box file']),
    Case("no face, on_no_face='raise'", 'error', video_case('noface_r', _frames(8), empty=True),
         r'no face found', on_no_face='raise', kinds=['no face']),
    Case('box fully outside the frame', 'fallback',
         video_case('outside', _frames(8), box=[200, 200, 260, 260, 0.9]),
         kinds=['box outside the frame', 'no face in box file']),
    Case('box mostly inside, negative coordinates', 'works',
         video_case('negative', _frames(8), box=[-6, -4, 40, 40, 0.9])),
    Case('box file longer than the video', 'error', video_case('longer', _frames(8), n_boxes=12),
         r'covers 12 frames but .* has 8', kinds=['stale box file']),
    Case('box file shorter than the video', 'error', video_case('shorter', _frames(8), n_boxes=5),
         r'covers 5 frames but .* has 8', kinds=['stale box file']),
    Case('box file not JSON', 'error', box_file_text('{"format": "ous-face-boxes", "boxes": ['),
         r'bx\.json: not a valid face-box JSON', kinds=['bad box file']),
    Case('box file with strings', 'error', box_frames('[["a", 8, 48, 40, 0.9]]'),
         r'bx\.json: frame 0: .* of numbers', kinds=['bad box file']),
    Case('box file with a ragged frame', 'error',
         box_frames('[[16, 8, 48, 40, 0.9]]', '[[16, 8, 48, 40, 0.9], [16, 8, 48]]'),
         r'bx\.json: frame 1: boxes must be', kinds=['bad box file']),
    Case('box file with a dict for a frame', 'error', box_frames('{"x1": 16}'),
         r'bx\.json: frame 0: boxes must be', kinds=['bad box file']),
    Case('box file with a negative score', 'error', box_frames('[[16, 8, 48, 40, -0.5]]'),
         r'bx\.json: frame 0: box 0 has the negative score', kinds=['bad box file']),
    Case('"boxes": null under PrecomputedFaceBoxes', 'error', no_boxes,
         r'PrecomputedFaceBoxes needs', kinds=['no box file']),
    # ---- face-frame folders (a bad frame between the first and the last one)
    Case('zero-byte frame in a face folder', 'error', face_folder('ff0', b''),
         r'002\.jpg: image file is empty', kinds=['unreadable face frames']),
    Case('text file as a frame in a face folder', 'error', face_folder('fft', b'<html>404</html>'),
         r'002\.jpg: not an image file', kinds=['unreadable face frames']),
    # ---- annotation lines
    Case('unknown label', 'error', lines(_clip('x', 'ok.mp4', None, label='Joy')),
         r"unknown label 'Joy'", kinds=['unknown label']),
    Case('duplicate clip_id', 'error', lines(_clip('ok', 'ok.mp4', None)),
         r"duplicate clip_id 'ok'", kinds=['duplicate clip_id']),
    Case('missing field', 'error', lines('{"clip_id": "m", "scene": "ok.mp4"}'),
         r"missing key\(s\) \['label'\]", kinds=['bad annotation line']),
    Case('non-UTF-8 bytes', 'error', lines(b'{"clip_id": "u", "scene": "ok.mp4", "label": "Sad\xe9"}'),
         r'not UTF-8 text \(byte 0xe9', kinds=['not UTF-8']),
    Case('blank line', 'works', lines('')),
    Case('comment line', 'works', lines('# a comment')),
]


def _write_ann(path, rows):
    with open(path, 'wb') as f:
        for r in rows:
            if isinstance(r, bytes):
                f.write(r + b'\n')
            else:
                f.write(((r if isinstance(r, str) else json.dumps(r)) + '\n').encode())
    return path


def _pipeline(on_no_face):
    return [dict(type='FaceSceneInit'), dict(type='FaceSceneSampleFrames', clip_len=4, test_mode=True),
            dict(type='FaceSceneDecode'),
            dict(type='FaceSceneSplit', detector=dict(type='PrecomputedFaceBoxes'), out_size=32,
                 on_no_face=on_no_face, margin=0.0),
            dict(type='PackFaceSceneInputs')]


def _train(root, ann, on_no_face):
    """Every sample of the file through the training pipeline; returns the samples."""
    ds = FaceSceneDataset(ann_file=ann, data_root=root, class_names=CLASSES,
                          pipeline=_pipeline(on_no_face), test_mode=True)
    return [ds[i] for i in range(len(ds))]


@pytest.mark.parametrize('case', CASES, ids=[c.name for c in CASES])
def test_corpus_case(tmp_path, case):
    root = str(tmp_path)
    ann = _write_ann(osp.join(root, 'ann.jsonl'), case.make(root))
    before = sum(decode_fallbacks().values())
    if case.outcome == 'error':
        with pytest.raises((ClipLoadError, AnnotationError)) as info:
            _train(root, ann, case.on_no_face)
        message = str(info.value)
        assert 'ann.jsonl:' in message, message  # the annotation file and line
        assert re.search(case.match, message), message
    else:
        samples = _train(root, ann, case.on_no_face)
        fallback = any(s['data_samples'].metainfo['face_fallback'] for s in samples) or \
            sum(decode_fallbacks().values()) > before
        assert fallback == (case.outcome == 'fallback'), case.name
        for s in samples:
            assert s['inputs'].shape == (2, 4, 3, 32, 32)

    report, = check_targets([CheckTarget('train', ann, root, CLASSES, 'without_faces',
                                         case.on_no_face)], min_frames=1)
    kinds = {p[1] for p in report.problems}
    errors = [p for p in report.problems if p[0] == ERROR]
    assert bool(errors) == (case.outcome == 'error'), report.problems
    assert set(case.kinds) <= kinds, (case.kinds, report.problems)
    if case.outcome == 'error':
        assert all('ann.jsonl:' in p[2] for p in errors)
    if case.outcome == 'works':  # nothing but the notes the case expects
        assert kinds <= set(case.kinds), report.problems


def test_negative_coordinates_are_clipped_not_padded(tmp_path):
    """A box partly outside the frame is clipped: the face crop is not mostly black padding."""
    root = str(tmp_path)
    ann = _write_ann(osp.join(root, 'a.jsonl'), video_case(
        'neg', _frames(8), box=[-10, -10, 40, 40, 0.9])(root))
    face = _train(root, ann, 'center_crop')[0]['inputs'][0].numpy()
    assert (face.max(axis=1) == 0).mean() < 0.05  # almost no all-black pixels


# ------------------------------------------------------------------ imported lists
def _import_tool():
    from .test_import_list import load_tool
    return load_tool('tools/data/import_list.py').main


def _mafw_root(tmp_path):
    from .layout_fixtures import build_mafw
    root = str(tmp_path / 'mafw')
    truth, _ = build_mafw(root)
    return root, [k for k in sorted(truth) if truth[k]['scene']][:8]


def test_a_small_dfew_list_imported_as_mafw_needs_confirmation(tmp_path, capsys):
    """8 DFEW lines (ids <= 10045, labels 0..6, no dataset in any name) imported with
    --dataset mafw exited 0 with MAFW labels (DFEW Happy written as anger)."""
    import_list = _import_tool()
    root, keys = _mafw_root(tmp_path)
    lst = tmp_path / 'train.txt'
    lst.write_text(''.join(f'/data/faces/{k} {i % 7}\n' for i, k in enumerate(keys)))
    out = tmp_path / 'o.jsonl'
    run = ['--format', 'mae-dfer', '--dataset', 'mafw', '--root', root, '--out', str(out),
           '--list', str(lst)]
    assert import_list(run) == 2
    captured = capsys.readouterr()
    assert f'{lst}: nothing in this list shows that it is a MAFW list' in captured.err
    assert '--confirm-dataset' in captured.err
    assert 'INTERNAL ERROR' not in captured.out + captured.err  # a refusal is no internal error
    assert not out.exists()
    assert import_list(run + ['--confirm-dataset']) == 0
    assert f'{lst} is a MAFW list: confirmed by --confirm-dataset' in capsys.readouterr().out
    assert len(read_jsonl(str(out))) == len(keys)


def test_how_the_dataset_was_established_is_in_the_summary(tmp_path, capsys):
    """Label words where the format carries them: MAFW's own words prove a MAFW list, and
    the same words refuse a DFEW import unless confirmed."""
    import_list = _import_tool()
    root, keys = _mafw_root(tmp_path)
    lst = tmp_path / 'list.txt'  # S2D ships MAFW's official word lists
    lst.write_text(''.join(f'{k}.mp4 anger\n' for k in keys))
    out = tmp_path / 'o.jsonl'
    assert import_list(['--format', 's2d', '--dataset', 'mafw', '--root', root,
                        '--out', str(out), '--list', str(lst)]) == 0
    assert "is a MAFW list: its label words are MAFW's own (line 1: 'anger')" in \
        capsys.readouterr().out


def test_non_utf8_lists_name_the_line_and_latin1_is_not_read_as_gbk(tmp_path):
    from ous_mm.datasets.layouts.records import ConversionReport, read_text_lines
    latin1 = tmp_path / 'latin1.txt'
    latin1.write_bytes(b'/data/faces/00001 3\n/data/caf\xe9/00002 4\n')
    report = ConversionReport()
    assert read_text_lines(str(latin1), report) is None
    assert f'{latin1}:2: not UTF-8 (byte 0xe9 at column 10)' in report.issues[-1].message
    gbk = tmp_path / 'gbk.txt'  # MAFW's captioned lists are GBK Chinese
    gbk.write_bytes('00025.mp4 anger 一个男人在说话\n'.encode('gbk'))
    assert read_text_lines(str(gbk), ConversionReport()) == ['00025.mp4 anger 一个男人在说话']


def test_a_non_utf8_list_import_names_file_and_line(tmp_path, capsys):
    import_list = _import_tool()
    root, keys = _mafw_root(tmp_path)
    lst = tmp_path / 'MAFW_train.txt'
    lst.write_bytes(f'/data/MAFW/{keys[0]} 1\n'.encode() + b'/data/MAFW/\xe9 2\n')
    assert import_list(['--format', 'mae-dfer', '--dataset', 'mafw', '--root', root,
                        '--out', str(tmp_path / 'o.jsonl'), '--list', str(lst)]) == 2
    assert f'{lst}:2: not UTF-8' in capsys.readouterr().err


def test_a_failed_import_keeps_the_earlier_report(tmp_path, capsys):
    import_list = _import_tool()
    root, keys = _mafw_root(tmp_path)
    lst = tmp_path / 'MAFW_set_1_train.txt'
    lst.write_text(''.join(f'/data/MAFW/{k} 1\n' for k in keys))
    out = tmp_path / 'ann'
    run = ['--format', 'mae-dfer', '--dataset', 'mafw', '--root', root, '--out', str(out),
           '--list', str(lst)]
    assert import_list(run) == 0
    report = out / 'mafw_import_report.txt'
    before = report.read_bytes()
    lst.write_text('/data/MAFW/09999 1\n/data/MAFW/09998 2\n')  # no such clips: nothing written
    assert import_list(run) == 2
    captured = capsys.readouterr()
    assert report.read_bytes() == before  # the report of the annotations on disk
    failed = out / 'mafw_import_report.failed.txt'
    assert failed.is_file() and f'full report: {failed}' in captured.out


def test_demo_video_refuses_a_bad_checkpoint_in_one_line(tmp_path):
    """demo_video.py showed a raw traceback for a damaged checkpoint."""
    import importlib.util
    root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    spec = importlib.util.spec_from_file_location('demo_video', osp.join(root, 'demo', 'demo_video.py'))
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    video = _video(str(tmp_path / 'v.mp4'), _frames(8, 96, 96))
    bad = tmp_path / 'ous.pth'
    bad.write_bytes(b'')
    config = osp.join(root, 'configs', 'ous', 'demo', 'ous_demo_synthetic.py')
    with pytest.raises(SystemExit) as err:
        demo.main([video, config, str(bad)])
    assert str(err.value).startswith(f'error: checkpoint {bad} is empty (0 bytes')


def test_a_refused_import_prints_no_internal_error(tmp_path, capsys):
    """A list refused part-way (here: its paths name MAFW, imported as DFEW) printed a
    spurious 'INTERNAL ERROR, counts do not add up' before the real reason."""
    from .layout_fixtures import build_dfew
    import_list = _import_tool()
    root = str(tmp_path / 'dfew')
    build_dfew(root)
    lst = tmp_path / 'list.txt'
    lst.write_text(''.join(f'/data/MAFW/data/frames/{k:05d} {k % 7}\n' for k in range(1, 9)))
    assert import_list(['--format', 'mae-dfer', '--dataset', 'dfew', '--root', root,
                        '--out', str(tmp_path / 'o.jsonl'), '--list', str(lst)]) == 2
    captured = capsys.readouterr()
    assert 'paths name MAFW' in captured.err
    assert 'INTERNAL ERROR' not in captured.out + captured.err
    assert 'refused part-way' in captured.out


def test_check_dataset_tool_reports_malformed_box_files_instead_of_crashing(tmp_path, capsys):
    """tools/data/check_dataset.py died with a raw "ValueError: could not convert string to
    float: 'a'" and no file name on a box file holding strings."""
    from .test_import_list import load_tool
    root = str(tmp_path)
    ann = _write_ann(osp.join(root, 'ann.jsonl'), box_frames('[["a", 8, 48, 40, 0.9]]')(root))
    check = load_tool('tools/data/check_dataset.py').main
    assert check([ann, '--data-root', root, '--classes', ','.join(CLASSES),
                  '--precomputed-boxes', '--no-progress']) == 1
    out = capsys.readouterr().out
    assert 'ann.jsonl:1: ' in out and 'bx.json: frame 0: boxes must be' in out
