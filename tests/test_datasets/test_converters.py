"""Official-layout converters (tools/data/{dfew,ferv39k,mafw}/prepare.py) on tiny layouts."""
import importlib.util
import os.path as osp

import ous_mm  # noqa: F401  (upstream fixes + registration first)
import pytest

from ous_mm.datasets.class_sets import MAFW_CLASSES
from ous_mm.datasets.clip_keys import ClipKeyError, clip_key, ferv39k_key, numeric_key
from ous_mm.datasets.layouts import DFEWLayout, read_jsonl
from tests.test_datasets.layout_fixtures import build_dfew, build_ferv39k, build_mafw

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def load_tool(rel):
    spec = importlib.util.spec_from_file_location(rel.replace('/', '_')[:-3], osp.join(REPO, rel))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def check_records(out_dir, dataset, truth, folds):
    """Every written record matches the ground truth; every clip with a scene is written."""
    for split, pairs in folds.items():
        records = read_jsonl(osp.join(out_dir, f'{dataset}_{split}.jsonl'))
        by_key = {r['clip_id']: r for r in records}
        expected = {k for k, _ in pairs if truth[k]['scene'] is not None}
        assert set(by_key) == expected, split
        for key, word in pairs:
            if key not in by_key:
                continue
            r, t = by_key[key], truth[key]
            assert r['label'] == word == t['label']
            assert r['scene'] == t['scene']
            assert r['faces'] == t['faces']
            assert r['boxes'] is None
            if t['faces'] is not None:
                assert r['num_frames'] == t['num_frames']
            else:
                assert 'num_frames' not in r


# ------------------------------------------------------------------ clip keys
def test_clip_keys_normalise_every_spelling():
    assert numeric_key('1') == numeric_key('00001') == numeric_key('1.mp4') == '00001'
    assert clip_key('dfew', '/data/x/DFEW/DFEW_Frame_Face/02522/') == '02522'
    assert clip_key('dfew', r'D:\DFEW\clip_224x224\2522') == '02522'
    assert clip_key('mafw', '00025.mp4') == '00025'
    assert ferv39k_key('/abs/2_ClipsforFaceCrop/interview/happy/0118') == 'Interview/Happy/0118'
    assert ferv39k_key('Interview/Happy/0118.mp4') == 'Interview/Happy/0118'
    for bad in ('Happy/0118', 'Nowhere/Happy/0118', 'Interview/Joy/0118', 'Interview/Happy/x'):
        with pytest.raises(ClipKeyError):
            ferv39k_key(bad)
    with pytest.raises(ClipKeyError):
        clip_key('dfew', '/data/DFEW/clip_224x224')


# ------------------------------------------------------------------ DFEW
@pytest.mark.parametrize('variant', ['nested', 'flat'])
def test_dfew_converter_five_folds(tmp_path, variant, capsys):
    truth, folds = build_dfew(str(tmp_path / 'ds'), variant)
    out = tmp_path / 'ann'
    rc = load_tool('tools/data/dfew/prepare.py').main(
        ['--root', str(tmp_path / 'ds'), '--out', str(out)])
    assert rc == 0
    assert sorted(p.name for p in out.glob('*.jsonl')) == sorted(
        f'dfew_set_{k}_{p}.jsonl' for k in range(1, 6) for p in ('train', 'test'))
    check_records(str(out), 'dfew', truth, folds)
    printed = capsys.readouterr().out
    # missing clips are reported with the split file and its line:
    # test set_1 holds ids 5 and 10 (lines 2, 3); clip 10 has neither scene nor faces
    spelling = 'single-labeled' if variant == 'nested' else 'single_labeled'
    assert f'test({spelling})/set_1.csv:3: clip missing on disk' in printed
    assert 'no scene clip (face folder only)' in printed
    assert 'empty face folder' in printed and 'no face folder' in printed
    report = (out / 'dfew_prepare_report.txt').read_text()
    assert 'INTERNAL ERROR' not in report


def test_dfew_strict_and_fatal_exit_codes(tmp_path, capsys):
    build_dfew(str(tmp_path / 'ds'))
    prepare = load_tool('tools/data/dfew/prepare.py')
    assert prepare.main(['--root', str(tmp_path / 'ds'), '--out', str(tmp_path / 'a'),
                         '--strict']) == 1
    assert prepare.main(['--root', str(tmp_path / 'nope'), '--out', str(tmp_path / 'b')]) == 2
    # S2D-style 0-based labels in an official-looking CSV: refuse instead of shifting labels
    csv = tmp_path / 'ds' / 'DFEW' / 'EmoLabel_DataSplit' / 'train(single-labeled)' / 'set_2.csv'
    csv.write_text('video_name,label\n1,0\n2,1\n')
    assert prepare.main(['--root', str(tmp_path / 'ds'), '--out', str(tmp_path / 'c')]) == 2
    assert 'looks re-saved with 0-based labels' in capsys.readouterr().err
    # S2D's renamed copies (train_set_1.csv) are not the official files: say what to do
    s2d = tmp_path / 's2d' / 'EmoLabel_DataSplit' / 'train(single-labeled)'
    s2d.mkdir(parents=True)
    (s2d / 'train_set_1.csv').write_text('video_name,label\n00001,0\n')
    (tmp_path / 's2d' / 'original').mkdir()
    (tmp_path / 's2d' / 'original' / '1.mp4').write_bytes(b'x')
    assert prepare.main(['--root', str(tmp_path / 's2d'), '--out', str(tmp_path / 'd')]) == 2
    assert '--format s2d' in capsys.readouterr().err


def test_dfew_bad_split_lines_are_reported_with_line_numbers(tmp_path, capsys):
    build_dfew(str(tmp_path / 'ds'))
    csv = tmp_path / 'ds' / 'DFEW' / 'EmoLabel_DataSplit' / 'test(single-labeled)' / 'set_3.csv'
    csv.write_text(csv.read_text() + 'abc,3\n2,9\n\n7\n')
    out = tmp_path / 'ann'
    assert load_tool('tools/data/dfew/prepare.py').main(
        ['--root', str(tmp_path / 'ds'), '--out', str(out)]) == 0
    printed = capsys.readouterr().out
    n = len(csv.read_text().splitlines())
    assert f'set_3.csv:{n - 3}: malformed line' in printed
    assert f'set_3.csv:{n - 2}: label outside the class set' in printed
    assert f'set_3.csv:{n}: malformed line' in printed
    line = [ln for ln in printed.splitlines() if ln.strip().startswith('set_3_test:')][0]
    assert 'lines read: 8; written: 3' in line and 'malformed line: 2' in line


def test_dfew_layout_ignores_16f_faces_unless_asked(tmp_path):
    build_dfew(str(tmp_path / 'ds'))
    layout = DFEWLayout(str(tmp_path / 'ds'))
    assert '16f' not in layout.faces('00001').path
    layout16 = DFEWLayout(str(tmp_path / 'ds'), face_dir='DFEW/Clip/clip_224x224_16f')
    assert layout16.faces('00001').num_frames == 2
    assert layout16.faces('00002') is None


# ------------------------------------------------------------------ FERV39k
def test_ferv39k_converter(tmp_path, capsys):
    truth, folds = build_ferv39k(str(tmp_path / 'ds'))
    out = tmp_path / 'ann'
    assert load_tool('tools/data/ferv39k/prepare.py').main(
        ['--root', str(tmp_path / 'ds'), '--out', str(out)]) == 0
    check_records(str(out), 'ferv39k', truth, folds)
    train = {r['clip_id']: r for r in read_jsonl(str(out / 'ferv39k_train.jsonl'))}
    # same 4-digit id in two scenes stays two clips
    assert train['Action/Happy/0001']['faces'] != train['Interview/Happy/0001']['faces']
    # a clip with only whole-scene frames uses the frame folder as its scene
    assert train['Interview/Sad/0118']['scene'] == '3_ClipsforScenImages/Interview/Sad/0118'
    printed = capsys.readouterr().out
    assert 'test: lines read: 4; written: 2' in printed  # header + 3 clips
    assert 'skipped (header/blank): 1' in printed


def test_ferv39k_label_column_wins_and_is_reported(tmp_path, capsys):
    build_ferv39k(str(tmp_path / 'ds'))
    split = tmp_path / 'ds' / '4_setups' / 'All_scenes' / 'train_All.csv'
    split.write_text(split.read_text() + 'Action/Happy/0002 Sad\nAction/Happy/0002 Joy\n')
    out = tmp_path / 'ann'
    load_tool('tools/data/ferv39k/prepare.py').main(['--root', str(tmp_path / 'ds'), '--out', str(out)])
    printed = capsys.readouterr().out
    assert 'train_All.csv:5: split label differs from the class folder' in printed
    assert 'train_All.csv:6: label outside the class set' in printed


# ------------------------------------------------------------------ MAFW
def test_mafw_converter(tmp_path, capsys):
    truth, folds = build_mafw(str(tmp_path / 'ds'))
    out = tmp_path / 'ann'
    assert load_tool('tools/data/mafw/prepare.py').main(
        ['--root', str(tmp_path / 'ds'), '--out', str(out)]) == 0
    check_records(str(out), 'mafw', truth, folds)
    words = {r['label'] for k in range(1, 6)
             for r in read_jsonl(str(out / f'mafw_set_{k}_test.jsonl'))}
    # the test folds together hold every clip; 00264 (disappointment) has no scene clip
    assert words == set(MAFW_CLASSES) - {'disappointment'}
    printed = capsys.readouterr().out
    assert 'label outside the class set' not in printed  # compound lists not read
    assert 'no scene clip' in printed


def _tiny_mp4(path):
    import cv2
    import numpy as np
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'mp4v'), 10, (32, 32))
    assert writer.isOpened()
    for i in range(6):
        writer.write(np.full((32, 32, 3), 40 * i, np.uint8))
    writer.release()


def test_unreadable_scene_clips_are_reported_not_written(tmp_path, capsys):
    truth, _ = build_mafw(str(tmp_path / 'ds'))
    clips = tmp_path / 'ds' / 'data' / 'clips'
    for key, t in truth.items():
        if t['scene']:
            _tiny_mp4(clips / f'{key}.mp4')
    (clips / '00028.mp4').write_bytes(b'')  # interrupted download
    (clips / '00108.mp4').write_bytes(b'not a video at all' * 10)  # corrupt
    prepare = load_tool('tools/data/mafw/prepare.py')
    out = tmp_path / 'a'
    assert prepare.main(['--root', str(tmp_path / 'ds'), '--out', str(out)]) == 0
    printed = capsys.readouterr().out
    written = {r['clip_id'] for k in range(1, 6) for r in read_jsonl(str(out / f'mafw_set_{k}_test.jsonl'))}
    assert '00028' not in written and '00108' in written  # only the 0-byte file is caught cheaply
    assert 'unreadable scene clip: clip 00028' in printed and '(0 bytes)' in printed
    out = tmp_path / 'b'
    assert prepare.main(['--root', str(tmp_path / 'ds'), '--out', str(out), '--verify-videos']) == 0
    printed = capsys.readouterr().out
    written = {r['clip_id'] for k in range(1, 6) for r in read_jsonl(str(out / f'mafw_set_{k}_test.jsonl'))}
    assert '00108' not in written and '00025' in written
    assert 'unreadable scene clip: clip 00108' in printed


@pytest.mark.parametrize('dataset', ['dfew', 'ferv39k', 'mafw'])
def test_dataset_configs_use_our_class_words_and_file_names(dataset):
    """Labels are written as words: they must be spelled as the configs' class_names."""
    from mmengine.config import Config

    from ous_mm.datasets.class_sets import class_names
    cfg = Config.fromfile(osp.join(REPO, 'configs', '_base_', 'datasets', f'{dataset}.py'))
    assert tuple(cfg.class_names) == class_names(dataset)
    split = 'set_{fold}_train' if dataset != 'ferv39k' else 'train'
    assert cfg.train_dataloader.dataset.ann_file == f'annotations/{dataset}_{split}.jsonl'


@pytest.mark.parametrize('dataset,builder', [('dfew', build_dfew), ('ferv39k', build_ferv39k),
                                             ('mafw', build_mafw)])
def test_converter_output_loads_in_face_scene_dataset(tmp_path, dataset, builder):
    """What the converters write is what FaceSceneDataset reads (labels by word -> config id)."""
    from mmengine.config import Config

    from ous_mm.datasets import FaceSceneDataset
    truth, folds = builder(str(tmp_path / 'ds'))
    out = tmp_path / 'ds' / 'annotations'
    assert load_tool(f'tools/data/{dataset}/prepare.py').main(['--root', str(tmp_path / 'ds')]) == 0
    cfg = Config.fromfile(osp.join(REPO, 'configs', '_base_', 'datasets', f'{dataset}.py'))
    split = next(iter(folds))
    ds = FaceSceneDataset(ann_file=str(out / f'{dataset}_{split}.jsonl'), pipeline=[],
                          class_names=cfg.class_names, polarity_map=cfg.polarity_map,
                          data_root=str(tmp_path / 'ds'),
                          data_prefix=dict(video=str(tmp_path / 'ds')))
    assert len(ds) == sum(1 for k, _ in folds[split] if truth[k]['scene'])
    for i in range(len(ds)):
        info = ds.get_data_info(i)
        t = truth[info['clip_id']]
        assert cfg.class_names[info['label']] == t['label']
        assert osp.exists(info['filename'])
        assert (info['face_dir'] is None) == (t['faces'] is None)


def test_a_failed_conversion_leaves_earlier_output_untouched(tmp_path, capsys):
    """A split that yields no clip fails the run before anything is written (issue 16 item 4)."""
    build_ferv39k(str(tmp_path / 'ds'))
    out = tmp_path / 'ann'
    prepare = load_tool('tools/data/ferv39k/prepare.py')
    assert prepare.main(['--root', str(tmp_path / 'ds'), '--out', str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.glob('*.jsonl')}
    split = tmp_path / 'ds' / '4_setups' / 'All_scenes' / 'test_All.csv'
    split.write_text('Nowhere/Happy/1 Happy\nAction/Happy/x Happy\n')  # no usable line
    assert prepare.main(['--root', str(tmp_path / 'ds'), '--out', str(out)]) == 2
    assert 'ferv39k_test.jsonl' in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in out.glob('*.jsonl')} == before


def test_verify_videos_decodes_each_clip_once(tmp_path, monkeypatch):
    """DFEW lists every clip in 5 folds: --verify-videos must decode it once, not 5 times."""
    import ous_mm.datasets.video_io as video_io
    truth, folds = build_dfew(str(tmp_path / 'ds'))
    calls = []
    monkeypatch.setattr(video_io, 'verify_source', lambda path, deep=False: calls.append(path) or (3, (8, 8)))
    assert load_tool('tools/data/dfew/prepare.py').main(
        ['--root', str(tmp_path / 'ds'), '--out', str(tmp_path / 'a'), '--verify-videos']) == 0
    listed = {k for pairs in folds.values() for k, _ in pairs if truth[k]['scene']}
    assert len(calls) == len(set(calls)) == len(listed)
