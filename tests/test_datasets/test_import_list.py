"""Importing DFER-CLIP / MAE-DFER / S2D lists (tools/data/import_list.py)."""
import importlib.util
import os.path as osp

import ous_mm  # noqa: F401  (upstream fixes + registration first)
import pytest

from ous_mm.datasets.class_sets import LIST_LABEL_ORDERS, check_order_covers, word_for_label_id
from ous_mm.datasets.importers import output_name
from ous_mm.datasets.layouts import read_jsonl
from tests.test_datasets.layout_fixtures import (build_dfew, build_ferv39k, build_mafw,
                                                 write_dfer_clip_list, write_mae_dfer_list,
                                                 write_s2d_list)

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def load_tool(rel):
    spec = importlib.util.spec_from_file_location(rel.replace('/', '_')[:-3], osp.join(REPO, rel))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope='module')
def import_list():
    return load_tool('tools/data/import_list.py').main


# ------------------------------------------------------------------ label tables
def test_label_order_tables_are_fixed():
    """Each codebase's id -> word table, as found in its public repository."""
    assert LIST_LABEL_ORDERS['dfer-clip']['dfew'] == (
        'Happy', 'Sad', 'Neutral', 'Angry', 'Surprise', 'Disgust', 'Fear')
    assert LIST_LABEL_ORDERS['dfer-clip']['mafw'] == (
        'happiness', 'sadness', 'neutral', 'anger', 'surprise', 'disgust', 'fear',
        'contempt', 'anxiety', 'helplessness', 'disappointment')
    assert LIST_LABEL_ORDERS['mae-dfer']['mafw'] == (
        'anger', 'disgust', 'fear', 'happiness', 'neutral', 'sadness', 'surprise',
        'contempt', 'anxiety', 'helplessness', 'disappointment')
    assert LIST_LABEL_ORDERS['mae-dfer']['ferv39k'] == LIST_LABEL_ORDERS['dfer-clip']['dfew']
    assert LIST_LABEL_ORDERS['s2d']['ferv39k'] == (
        'Angry', 'Disgust', 'Fear', 'Happy', 'Neutral', 'Sad', 'Surprise')
    assert LIST_LABEL_ORDERS['s2d']['mafw'] == (
        'anger', 'anxiety', 'contempt', 'disappointment', 'disgust', 'fear', 'happiness',
        'helplessness', 'neutral', 'sadness', 'surprise')
    assert LIST_LABEL_ORDERS['s2d']['dfew'] == LIST_LABEL_ORDERS['dfer-clip']['dfew']
    for fmt, per_dataset in LIST_LABEL_ORDERS.items():
        for dataset, order in per_dataset.items():
            check_order_covers(dataset, order)
    # the same id means different classes in different codebases: map by word
    assert word_for_label_id('dfer-clip', 'mafw', 3) == 'anger'  # MAFW 00025 in DFER-CLIP
    assert word_for_label_id('mae-dfer', 'mafw', 3) == 'happiness'
    assert word_for_label_id('s2d', 'ferv39k', 0) == 'Angry'
    assert word_for_label_id('s2d', 'ferv39k', 7) is None


def test_output_names_follow_the_converters():
    assert output_name('dfew', '/x/annotation/DFEW_set_3_test.txt') == 'dfew_set_3_test.jsonl'
    assert output_name('dfew', '/x/saved/data/dfew/org/split02/train.csv') == 'dfew_set_2_train.jsonl'
    assert output_name('mafw', '/x/anno/single/no_caption/set_4/test.csv') == 'mafw_set_4_test.jsonl'
    assert output_name('ferv39k', '/x/FERV39K_train.txt') == 'ferv39k_train.jsonl'
    assert output_name('dfew', '/x/train_set_5.csv') == 'dfew_set_5_train.jsonl'
    assert output_name('dfew', '/x/mylist.txt') == 'dfew_mylist.jsonl'


# ------------------------------------------------------------------ DFEW
def test_dfer_clip_import_matches_official_conversion(tmp_path, import_list):
    root = str(tmp_path / 'ds')
    truth, folds = build_dfew(root)
    conv = tmp_path / 'conv'
    assert load_tool('tools/data/dfew/prepare.py').main(['--root', root, '--out', str(conv)]) == 0
    lists = []
    for split, pairs in folds.items():
        k, phase = split.split('_')[1], split.split('_')[2]
        path = tmp_path / 'annotation' / f'DFEW_set_{k}_{phase}.txt'
        # DFER-CLIP lists only contain clips with faces
        write_dfer_clip_list(str(path), 'dfew', [p for p in pairs if truth[p[0]]['faces']], truth)
        lists.append(str(path))
    imp = tmp_path / 'imp'
    assert import_list(['--format', 'dfer-clip', '--dataset', 'dfew', '--root', root,
                        '--out', str(imp), '--list'] + lists) == 0
    for split in folds:
        ours = {r['clip_id']: r for r in read_jsonl(str(imp / f'dfew_{split}.jsonl'))}
        official = {r['clip_id']: r for r in read_jsonl(str(conv / f'dfew_{split}.jsonl'))
                    if r['faces'] is not None}
        assert ours == official and len(ours) > 0
        for key, r in ours.items():
            assert r['label'] == truth[key]['label']
            assert r['scene'] == truth[key]['scene'] and r['faces'] == truth[key]['faces']


@pytest.mark.parametrize('fmt', ['mae-dfer', 's2d'])
def test_mae_dfer_and_s2d_dfew_lists(tmp_path, import_list, fmt):
    root = str(tmp_path / 'ds')
    truth, folds = build_dfew(root, 'flat')
    pairs = [p for p in folds['set_2_train'] if truth[p[0]]['scene'] and truth[p[0]]['faces']]
    lst = str(tmp_path / 'train.csv')
    (write_mae_dfer_list if fmt == 'mae-dfer' else write_s2d_list)(lst, 'dfew', pairs)
    out = str(tmp_path / 'out.jsonl')
    assert import_list(['--format', fmt, '--dataset', 'dfew', '--root', root,
                        '--list', lst, '--out', out]) == 0
    got = {r['clip_id']: r['label'] for r in read_jsonl(out)}
    assert got == dict(pairs)


# ------------------------------------------------------------------ MAFW / FERV39k
@pytest.mark.parametrize('fmt', ['dfer-clip', 'mae-dfer', 's2d'])
def test_mafw_lists_remapped_by_word(tmp_path, import_list, fmt):
    root = str(tmp_path / 'ds')
    truth, folds = build_mafw(root)
    pairs = folds['set_1_train'] + folds['set_1_test']
    lst = str(tmp_path / 'MAFW_set_1_train.txt')
    if fmt == 'dfer-clip':
        write_dfer_clip_list(lst, 'mafw', pairs, truth)
    elif fmt == 'mae-dfer':
        write_mae_dfer_list(lst, 'mafw', pairs)
    else:
        write_s2d_list(lst, 'mafw', pairs)
    out = tmp_path / 'out'
    assert import_list(['--format', fmt, '--dataset', 'mafw', '--root', root,
                        '--list', lst, '--out', str(out)]) == 0
    records = read_jsonl(str(out / 'mafw_set_1_train.jsonl'))
    # every class appears once; 00264 has no scene clip and is reported, not written
    assert {r['clip_id']: r['label'] for r in records} == {
        k: w for k, w in pairs if truth[k]['scene']}
    for r in records:
        assert r['faces'] == truth[r['clip_id']]['faces']  # official data/frames, not data/faces


@pytest.mark.parametrize('fmt', ['dfer-clip', 'mae-dfer', 's2d'])
def test_ferv39k_lists(tmp_path, import_list, fmt):
    root = str(tmp_path / 'ds')
    truth, folds = build_ferv39k(root)
    pairs = folds['train'] + folds['test']
    lst = str(tmp_path / 'FERV39K_train.txt')
    if fmt == 'dfer-clip':
        write_dfer_clip_list(lst, 'ferv39k', pairs, truth)
    elif fmt == 'mae-dfer':
        write_mae_dfer_list(lst, 'ferv39k', pairs)
    else:
        write_s2d_list(lst, 'ferv39k', pairs)
    out = tmp_path / 'out'
    assert import_list(['--format', fmt, '--dataset', 'ferv39k', '--root', root,
                        '--list', lst, '--out', str(out)]) == 0
    records = {r['clip_id']: r for r in read_jsonl(str(out / 'ferv39k_train.jsonl'))}
    assert set(records) == {k for k, _ in pairs if truth[k]['scene']}
    for key, r in records.items():
        assert r['label'] == truth[key]['label'] == key.split('/')[1]
        assert r['scene'] == truth[key]['scene'] and r['faces'] == truth[key]['faces']


# ------------------------------------------------------------------ bad lines
def test_bad_lines_reported_and_counts_add_up(tmp_path, import_list, capsys):
    root = str(tmp_path / 'ds')
    truth, _ = build_dfew(root)
    prefix = '/mnt/other/DFEW/DFEW_Frame_Face'
    lines = [
        f'{prefix}/00001 {truth["00001"]["num_frames"]} 0',  # 1 ok
        f'{prefix}/00002 999 1',  # 2 ok, frame count differs
        f'{prefix}/00003 5 7',  # 3 label outside 0..6
        f'{prefix}/00004 5',  # 4 malformed (two fields)
        f'{prefix}/notanid 5 1',  # 5 malformed (no clip id)
        '',  # 6 blank
        f'{prefix}/00010 5 2',  # 7 clip missing on disk
        f'{prefix}/00011 5 3',  # 8 face folder but no scene clip
        f'{prefix}/00012 5 4',  # 9 scene but no face folder: written, faces null
        f'{prefix}/00001 5 0',  # 10 duplicate
        f'{prefix}/00005 x 4',  # 11 malformed frame count
    ]
    lst = tmp_path / 'DFEW_set_1_train.txt'
    lst.write_text('\n'.join(lines) + '\n')
    out = tmp_path / 'out'
    rc = import_list(['--format', 'dfer-clip', '--dataset', 'dfew', '--root', root,
                      '--list', str(lst), '--out', str(out)])
    assert rc == 0
    printed = capsys.readouterr().out
    name = str(lst)
    assert f'{name}:2: frame count on disk differs' in printed
    assert f'{name}:3: label outside the class set' in printed
    assert f'{name}:4: malformed line' in printed
    assert f'{name}:5: malformed line' in printed
    assert f'{name}:7: clip missing on disk' in printed
    assert f'{name}:8: no scene clip' in printed
    assert f'{name}:9: no face folder' in printed
    assert f'{name}:10: clip listed twice' in printed
    assert f'{name}:11: malformed line' in printed
    summary = [ln for ln in printed.splitlines() if ln.strip().startswith('DFEW_set_1_train.txt:')][0]
    for part in ('lines read: 11', 'written: 3', 'malformed line: 3',
                 'label outside the class set: 1', 'clip missing on disk (no scene clip, no face folder): 1',
                 'no scene clip (face folder only): 1', 'clip listed twice in the same split: 1',
                 'skipped (header/blank): 1', 'frame count on disk differs from the list: 1'):
        assert part in summary, part
    records = {r['clip_id']: r for r in read_jsonl(str(out / 'dfew_set_1_train.jsonl'))}
    assert set(records) == {'00001', '00002', '00012'}
    assert records['00002']['num_frames'] == truth['00002']['num_frames']  # on-disk count
    assert records['00012']['faces'] is None
    assert import_list(['--format', 'dfer-clip', '--dataset', 'dfew', '--root', root,
                        '--list', str(lst), '--out', str(out), '--strict']) == 1


def test_fatal_errors(tmp_path, import_list):
    root = str(tmp_path / 'ds')
    build_dfew(root)
    lst = tmp_path / 'l.txt'
    lst.write_text('garbage\n')
    args = ['--format', 'dfer-clip', '--dataset', 'dfew', '--out', str(tmp_path / 'o')]
    assert import_list(args + ['--root', str(tmp_path / 'missing'), '--list', str(lst)]) == 2
    assert import_list(args + ['--root', root, '--list', str(tmp_path / 'none.txt')]) == 2
    assert import_list(args + ['--root', root, '--list', str(lst)]) == 2  # nothing written
    a, b = tmp_path / 'a' / 'train.txt', tmp_path / 'b' / 'train.txt'
    for p in (a, b):
        p.parent.mkdir()
        p.write_text('/x/00001 3 0\n')
    assert import_list(args + ['--root', root, '--list', str(a), str(b)]) == 2  # same output
    mafw = tmp_path / 'MAFW_set_1_train.txt'
    mafw.write_text('/x/MAFW/data/faces/00001 3 0\n')
    assert import_list(args + ['--root', root, '--list', str(mafw)]) == 2  # wrong --dataset


def test_mae_dfer_jpg_256_copy_is_one_warning(tmp_path, import_list, capsys):
    """MAE-DFER users often keep both clip_224x224 and its renamed copy jpg_256."""
    import shutil
    root = tmp_path / 'ds'
    truth, folds = build_dfew(str(root), 'flat')
    shutil.copytree(root / 'DFEW' / 'Clip' / 'clip_224x224', root / 'DFEW' / 'Clip' / 'jpg_256')
    pairs = [p for p in folds['set_1_test'] if truth[p[0]]['faces']]
    lst = str(tmp_path / 'test.csv')
    write_mae_dfer_list(lst, 'dfew', pairs)
    assert import_list(['--format', 'mae-dfer', '--dataset', 'dfew', '--root', str(root),
                        '--list', lst, '--out', str(tmp_path / 'o.jsonl')]) == 0
    printed = capsys.readouterr().out
    assert printed.count('also found here; the copies in DFEW/Clip/clip_224x224 are used') == 1
    assert {r['faces'] for r in read_jsonl(str(tmp_path / 'o.jsonl'))} == {
        truth[k]['faces'] for k, _ in pairs}
