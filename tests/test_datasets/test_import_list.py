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
    summary = [ln for ln in printed.splitlines() if ln.strip().startswith(f'{lst}:')][0]
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


# ------------------------------------------------------------------ refusing what would mislabel
WRITERS = {'dfer-clip': lambda path, ds, pairs, truth: write_dfer_clip_list(path, ds, pairs, truth),
           'mae-dfer': lambda path, ds, pairs, truth: write_mae_dfer_list(path, ds, pairs),
           's2d': lambda path, ds, pairs, truth: write_s2d_list(path, ds, pairs)}
BUILDERS = {'dfew': build_dfew, 'ferv39k': build_ferv39k, 'mafw': build_mafw}


@pytest.mark.parametrize('dataset', ['dfew', 'ferv39k', 'mafw'])
def test_a_list_read_with_the_wrong_format_is_refused(tmp_path, import_list, capsys, dataset):
    """Issue 16 item 1: each reader accepted the others' lists and mislabelled every clip."""
    truth, folds = BUILDERS[dataset](str(tmp_path / 'ds'))
    pairs = [p for split in folds.values() for p in split][:9]
    for written in WRITERS:
        lst = str(tmp_path / f'{written}_list.txt')
        WRITERS[written](lst, dataset, pairs, truth)
        for asked in WRITERS:
            if asked == written:
                continue
            out = tmp_path / f'{written}_as_{asked}.jsonl'
            rc = import_list(['--format', asked, '--dataset', dataset, '--root', str(tmp_path / 'ds'),
                              '--list', lst, '--out', str(out)])
            err = capsys.readouterr().err
            assert rc == 2 and not out.exists(), (written, asked)
            assert f'import it with --format {written}' in err, err


def _mae_dfer_mafw_list(tmp_path):
    """MAE-DFER's MAFW split: saved/data/mafw/single/split01/train.csv (a name without 'mafw')."""
    truth, folds = build_mafw(str(tmp_path / 'mafw'))
    pairs = folds['set_1_train'] + folds['set_1_test']
    lst = tmp_path / 'saved' / 'data' / 'm' / 'single' / 'split01' / 'train.csv'
    lst.parent.mkdir(parents=True)
    write_mae_dfer_list(str(lst), 'mafw', pairs)
    return str(lst), pairs


def test_a_list_of_another_dataset_is_refused_from_its_lines(tmp_path, import_list, capsys):
    """Issue 16 item 3: the guard read only the file name."""
    root = str(tmp_path / 'dfew')
    build_dfew(root)
    run = ['--dataset', 'dfew', '--root', root, '--out', str(tmp_path / 'o.jsonl'), '--list']
    lst, pairs = _mae_dfer_mafw_list(tmp_path)  # paths say MAFW
    assert import_list(['--format', 'mae-dfer'] + run + [lst]) == 2
    assert 'paths name MAFW' in capsys.readouterr().err
    neutral = tmp_path / 'neutral.txt'  # no dataset in the paths: 11 label ids for 7 classes
    neutral.write_text(''.join(f'/data/faces/{k} 3 {i}\n' for i, (k, _) in enumerate(pairs)))
    assert import_list(['--format', 'dfer-clip'] + run + [str(neutral)]) == 2
    assert "11 distinct ids up to 10" in capsys.readouterr().err
    s2d_mafw = tmp_path / 's2d.csv'  # S2D's MAFW header
    write_s2d_list(str(s2d_mafw), 'mafw', pairs[:5])
    assert import_list(['--format', 's2d'] + run + [str(s2d_mafw)]) == 2
    assert "S2D's MAFW lists" in capsys.readouterr().err
    official = tmp_path / 'set_1.csv'  # the official 1-based DFEW csv is not S2D's
    official.write_text('video_name,label\n' + ''.join(f'{i},{i % 7 + 1}\n' for i in range(1, 15)))
    assert import_list(['--format', 's2d'] + run + [str(official)]) == 2
    assert '1-based' in capsys.readouterr().err
    assert not (tmp_path / 'o.jsonl').exists()


def test_ferv39k_labels_are_checked_against_the_class_folder(tmp_path, import_list, capsys):
    """Issue 16 item 2: the label must agree with <Scene>/<Class>/ of the clip's own path."""
    root = str(tmp_path / 'ds')
    truth, folds = build_ferv39k(root)
    pairs = folds['train']
    lst = tmp_path / 'FERV39K_train.txt'
    write_dfer_clip_list(str(lst), 'ferv39k', pairs, truth)
    lines = lst.read_text().splitlines()
    lines[1] = lines[1][:-1] + '5'  # Action/Happy/0002 labelled Disgust
    lst.write_text('\n'.join(lines) + '\n')
    out = tmp_path / 'o.jsonl'
    args = ['--format', 'dfer-clip', '--dataset', 'ferv39k', '--root', root, '--out', str(out),
            '--list', str(lst)]
    assert import_list(args) == 0
    assert f'{lst}:2: list label contradicts the class folder' in capsys.readouterr().out
    assert 'Action/Happy/0002' not in {r['clip_id'] for r in read_jsonl(str(out))}
    shifted = [ln[:-1] + str((int(ln[-1]) + 1) % 7) for ln in lines]  # another label order
    lst.write_text('\n'.join(shifted) + '\n')
    assert import_list(args) == 2
    assert 'contradicts the class folder of the FERV39k path' in capsys.readouterr().err


def test_a_failed_import_leaves_earlier_output_untouched(tmp_path, import_list, capsys):
    """Issue 16 item 4: a failed run used to replace good outputs with empty files."""
    root = str(tmp_path / 'ds')
    truth, folds = build_dfew(root)
    good = []
    for k in (1, 2):
        path = tmp_path / f'DFEW_set_{k}_train.txt'
        write_dfer_clip_list(str(path), 'dfew', [p for p in folds[f'set_{k}_train']
                                                 if truth[p[0]]['faces']], truth)
        good.append(str(path))
    out = tmp_path / 'ann'
    base = ['--format', 'dfer-clip', '--dataset', 'dfew', '--root', root, '--out', str(out), '--list']
    assert import_list(base + good) == 0
    before = {p.name: p.read_bytes() for p in out.glob('*.jsonl')}
    assert len(before) == 2 and all(before.values())
    # list 1 changed, list 2 now unusable (every line malformed): nothing may be written
    with open(good[0]) as f:
        first = f.readline()
    with open(good[0], 'w') as f:
        f.write(first)
    with open(good[1], 'w') as f:
        f.write('/x/notanid 3 1\n' * 3)
    assert import_list(base + good) == 2
    assert 'nothing was written' in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in out.glob('*.jsonl')} == before


def test_lists_with_the_same_file_name_are_summarised_per_list(tmp_path, import_list, capsys):
    """Issue 16 item 5: MAE-DFER's five folds are all called train.csv."""
    root = str(tmp_path / 'ds')
    truth, folds = build_dfew(root)
    lists = []
    for k in (1, 2):
        path = tmp_path / 'saved' / f'split0{k}' / 'train.csv'
        path.parent.mkdir(parents=True)
        write_mae_dfer_list(str(path), 'dfew', [p for p in folds[f'set_{k}_train']
                                                if truth[p[0]]['faces']][:k + 2])
        lists.append(str(path))
    assert import_list(['--format', 'mae-dfer', '--dataset', 'dfew', '--root', root,
                        '--out', str(tmp_path / 'ann'), '--list'] + lists) == 0
    summary = capsys.readouterr().out.split('Summary')[1]
    for k, path in enumerate(lists, 1):
        line = [ln for ln in summary.splitlines() if ln.strip().startswith(f'{path}:')]
        assert len(line) == 1 and f'lines read: {k + 2}' in line[0], summary


def test_the_library_neither_parses_arguments_nor_prints():
    """Issue 15: tools parse and print; ous_mm returns results."""
    import ast
    import glob
    files = glob.glob(osp.join(REPO, 'ous_mm', 'datasets', 'importers', '*.py')) + \
        glob.glob(osp.join(REPO, 'ous_mm', 'datasets', 'layouts', '*.py')) + \
        [osp.join(REPO, 'ous_mm', 'datasets', 'checks.py')]
    for path in files:
        tree = ast.parse(open(path).read())
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, 'module', '') or '']
                assert 'argparse' not in names, path
            if isinstance(node, ast.Call) and getattr(node.func, 'id', '') == 'print':
                raise AssertionError(f'{path}:{node.lineno}: print in the library')
