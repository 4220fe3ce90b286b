"""tools/detect_faces.py (resume, sharding, summary) and tools/data/check_dataset.py."""
import json
import os

import pytest

import ous_mm  # noqa: F401
from ous_mm.datasets.face_detectors import box_file_name, read_box_file

from .video_fixtures import astronaut_clip, color_frames, load_tool, write_jsonl, write_video


@pytest.fixture()
def small_set(tmp_path):
    frames, _ = astronaut_clip(num_frames=3, crop=300)
    write_video(str(tmp_path / 'astro.mp4'), frames)
    write_video(str(tmp_path / 'blank.mp4'), color_frames(4))
    ann = write_jsonl(str(tmp_path / 'train.jsonl'), [
        dict(clip_id='a/1', scene='astro.mp4', faces=None, label='Happy', boxes=None),
        dict(clip_id='b', scene='blank.mp4', faces=None, label='Sad', boxes=None)])
    return tmp_path, ann


def test_detect_faces_writes_resumes_and_fills_the_annotation(small_set, capsys):
    root, ann = small_set
    tool = load_tool('tools/detect_faces.py')
    out_ann = str(root / 'train_boxes.jsonl')
    argv = [ann, '--out-dir', str(root / 'boxes'), '--out-ann', out_ann]
    assert tool.main(argv) == 0
    text = capsys.readouterr().out
    assert '2 detected, 0 resumed, 0 failed, 7 frames, 1 clips without any face' in text
    boxes = read_box_file(str(root / 'boxes' / box_file_name('a/1')))
    assert boxes['num_frames'] == 3 and all(len(b) >= 1 for b in boxes['boxes'])
    assert boxes['source'] == 'astro.mp4' and boxes['frame_size'] == [300, 300]
    rows = [json.loads(x) for x in open(out_ann)]
    assert rows[0]['boxes'] == 'boxes/a__1.json' and rows[1]['boxes'] == 'boxes/b.json'
    # second run: everything resumed, nothing recomputed
    assert tool.main(argv) == 0
    assert '0 detected, 2 resumed, 0 failed, 7 frames, 1 clips without any face' in \
        capsys.readouterr().out
    # a corrupt box file is redone
    (root / 'boxes' / 'b.json').write_text('{"format": "ous-face-boxes", "boxes": [')
    assert tool.main(argv) == 0
    assert '1 detected, 1 resumed' in capsys.readouterr().out


def test_detect_faces_shards_and_reports_failures(small_set, capsys):
    root, ann = small_set
    tool = load_tool('tools/detect_faces.py')
    (root / 'astro.mp4').write_bytes(b'')  # break one clip
    assert tool.main([ann, '--out-dir', str(root / 'boxes'), '--rank', '0',
                      '--world-size', '2']) == 1
    text = capsys.readouterr().out
    assert '[rank 0/2] 1 clips' in text and 'FAILED a/1' in text and 'astro.mp4' in text
    assert tool.main([ann, '--out-dir', str(root / 'boxes'), '--rank', '1',
                      '--world-size', '2']) == 0


def test_check_dataset_reports_each_problem_and_fails(tmp_path, capsys):
    write_video(str(tmp_path / 'ok.mp4'), color_frames(20))
    write_video(str(tmp_path / 'short.mp4'), color_frames(5))
    (tmp_path / 'zero.mp4').write_bytes(b'')
    (tmp_path / 'faces_empty').mkdir()
    ann = write_jsonl(str(tmp_path / 'a.jsonl'), [
        dict(clip_id='1', scene='ok.mp4', label='Happy'),
        dict(clip_id='2', scene='short.mp4', label='Happy'),
        dict(clip_id='3', scene='zero.mp4', label='Happy'),
        dict(clip_id='4', scene='missing.mp4', label='Happy'),
        dict(clip_id='5', scene='ok.mp4', label='Joy'),
        dict(clip_id='6', scene='ok.mp4', faces='faces_empty', label='Sad'),
        '{"clip_id": "7", "scene": "ok.mp4"}',
    ])
    tool = load_tool('tools/data/check_dataset.py')
    rc = tool.main([ann, '--classes', 'Happy,Sad', '--out-json', str(tmp_path / 'r.json')])
    text = capsys.readouterr().out
    assert rc == 1
    for expected in ("a.jsonl:7: missing key(s) ['label']", "a.jsonl:5: unknown label 'Joy'",
                     'a.jsonl:3:', 'zero.mp4: video file is empty', 'a.jsonl:4: video not found',
                     'a.jsonl:6:', 'faces_empty: frame folder has no images',
                     'a.jsonl:2:', 'short.mp4: 5 frames < 16'):
        assert expected in text, expected
    report = json.load(open(tmp_path / 'r.json'))
    kinds = {p[1] for p in report[0]['problems']}
    assert kinds == {'bad annotation line', 'unknown label', 'empty scene', 'missing scene',
                     'unreadable face frames', 'too short'}


def test_check_dataset_passes_a_clean_config(tmp_path, capsys):
    from ous_mm.datasets.synthetic import generate_dataset
    generate_dataset(str(tmp_path), num_clips=7, seed=0, num_frames=16, size=64, progress=False)
    cfg = tmp_path / 'cfg.py'
    cfg.write_text("_base_ = ['%s/configs/_base_/datasets/synthetic.py']\n"
                   "train_dataloader = dict(dataset=dict(data_root='%s'))\n"
                   % (os.getcwd(), tmp_path))
    tool = load_tool('tools/data/check_dataset.py')
    assert tool.main([str(cfg), '--split', 'train']) == 0
    assert 'OK: no problems found' in capsys.readouterr().out


def test_detect_faces_with_worker_processes(small_set, capsys):
    root, ann = small_set
    tool = load_tool('tools/detect_faces.py')
    assert tool.main([ann, '--out-dir', str(root / 'boxes'), '--workers', '2']) == 0
    assert '2 detected, 0 resumed, 0 failed, 7 frames' in capsys.readouterr().out
    summary = json.load(open(root / 'boxes' / 'summary_rank0.json'))
    assert summary['no_face'] == ['b']


def test_check_dataset_reports_what_training_rejects(tmp_path, capsys, monkeypatch):
    """Issue 16 items 6-7: duplicate ids, boxes null under PrecomputedFaceBoxes, stale or
    out-of-frame box files and non-UTF-8 bytes were passed silently or crashed the checker."""
    import numpy as np

    import ous_mm.datasets.checks as checks
    from ous_mm.datasets.face_detectors import write_box_file
    write_video(str(tmp_path / 'v.mp4'), color_frames(6))
    box = lambda name, n, b: write_box_file(  # noqa: E731
        str(tmp_path / name), [np.array([b])] * n, name, 'v.mp4', (48, 64), 'test') or name
    rows = [dict(clip_id='1', scene='v.mp4', label='Happy', boxes=box('ok.json', 6, [8, 8, 40, 40, 1])),
            dict(clip_id='1', scene='v.mp4', label='Happy', boxes=None),  # duplicate id
            dict(clip_id='3', scene='v.mp4', label='Happy', boxes=None),  # boxes null
            dict(clip_id='4', scene='v.mp4', label='Happy', boxes=box('long.json', 9, [8, 8, 40, 40, 1])),
            dict(clip_id='5', scene='v.mp4', label='Happy', boxes=box('out.json', 6, [90, 90, 99, 99, 1]))]
    ann = write_jsonl(str(tmp_path / 'a.jsonl'), rows)
    with open(ann, 'ab') as f:
        f.write(b'{"clip_id": "6", "scene": "v.mp4", "label": "Sad\xff"}\n')
    tool = load_tool('tools/data/check_dataset.py')
    assert tool.main([ann, '--classes', 'Happy,Sad', '--precomputed-boxes', '--on-no-face',
                      'raise', '--min-frames', '1']) == 1
    text = capsys.readouterr().out
    for expected in ("a.jsonl:2: duplicate clip_id '1'", 'a.jsonl:3: "boxes" is null',
                     'a.jsonl:4: ', 'long.json: covers 9 frames but the scene has 6',
                     'a.jsonl:5: ', 'out.json: 6 frame(s)', "no usable face box in any frame (on_no_face='raise'",
                     'a.jsonl:6: not UTF-8 text (byte 0xff'):
        assert expected in text, expected
    # the same clip in two files (e.g. every DFEW fold) is decoded once
    calls = []
    real = checks.verify_source
    monkeypatch.setattr(checks, 'verify_source', lambda *a: calls.append(a) or real(*a))
    other = write_jsonl(str(tmp_path / 'b.jsonl'), rows[:1])
    targets = [checks.CheckTarget(s, f, str(tmp_path), ('Happy', 'Sad')) for s, f in
               (('train', write_jsonl(str(tmp_path / 'c.jsonl'), rows[:1])), ('test', other))]
    reports = checks.check_targets(targets, min_frames=1)
    assert len(calls) == 1 and [r.clips for r in reports] == [1, 1]
