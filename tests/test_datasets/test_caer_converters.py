"""CAER and CAER-S converters (tools/data/caer{,_s}/prepare.py) on generated trees in the
official class-folder layout with the traps of real copies, then tools/data/check_dataset.py
on what they wrote, and one CAER-S still through the OUS pipeline (clip_len 1)."""
import os.path as osp

import pytest

import ous_mm  # noqa: F401
from ous_mm.datasets.class_sets import CAER_CLASSES, class_names
from ous_mm.datasets.layouts.caer import class_word
from ous_mm.datasets.layouts.convert import convert_dataset
from ous_mm.datasets.layouts.records import (UNKNOWN_LABEL, UNREADABLE_SCENE, read_jsonl)
from tests.test_datasets.layout_fixtures import build_caer
from tests.test_datasets.video_fixtures import load_tool

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _convert(tmp_path, dataset):
    root = str(tmp_path / dataset)
    truth = build_caer(root, still=dataset == 'caer_s')
    result = convert_dataset(dataset, root)
    assert result.exit_code == 0, result.errors
    return root, truth, result


@pytest.mark.parametrize('dataset,splits', [('caer', ('train', 'val', 'test')),
                                            ('caer_s', ('train', 'test'))])
def test_converter_writes_every_clip_with_its_folder_label(tmp_path, dataset, splits):
    root, truth, result = _convert(tmp_path, dataset)
    assert sorted(osp.basename(p) for p in result.outputs) == sorted(
        f'{dataset}_{s}.jsonl' for s in splits)
    for split in splits:
        records = read_jsonl(osp.join(root, 'annotations', f'{dataset}_{split}.jsonl'))
        assert {r['clip_id']: r['label'] for r in records} == truth[split]['written']
        for r in records:
            assert r['faces'] is None and osp.isfile(osp.join(root, r['scene']))
            assert '__MACOSX' not in r['scene'] and not osp.basename(r['scene']).startswith('._')
        counts = result.report.counts[split]
        assert counts['written'] == len(truth[split]['written'])
        assert counts[UNKNOWN_LABEL] == truth[split]['unknown']
        assert counts[UNREADABLE_SCENE] == truth[split]['unreadable']
    assert not result.report.check_balance()
    # the same stem in every class folder stays seven clips, not one
    train = read_jsonl(osp.join(root, 'annotations', f'{dataset}_train.jsonl'))
    assert sum(r['clip_id'].endswith('/0001') for r in train) == 7
    warnings = '\n'.join(str(i) for i in result.report.issues)
    assert "spelled 'Angry': read as Anger" in warnings
    assert 'macOS resource fork' in warnings and 'Contempt' in warnings


def test_class_words_and_spellings():
    assert class_names('caer') == class_names('caer_s') == CAER_CLASSES
    assert class_word('happy') == 'Happy' and class_word('Angry') == 'Anger'
    assert class_word('Contempt') is None and class_word('HAPPY ') == 'Happy'
    from mmengine.config import Config
    for name in ('caer', 'caer_s'):
        cfg = Config.fromfile(osp.join(ROOT, 'configs', '_base_', 'datasets', f'{name}.py'))
        assert tuple(cfg.class_names) == CAER_CLASSES
        assert set(cfg.polarity_map) == set(CAER_CLASSES)


def test_not_a_caer_tree_is_a_clear_error(tmp_path):
    (tmp_path / 'train' / 'stuff').mkdir(parents=True)
    result = convert_dataset('caer', str(tmp_path))
    assert result.exit_code == 2 and 'no CAER split folder found' in result.errors[0]
    assert not (tmp_path / 'annotations' / 'caer_train.jsonl').exists()


@pytest.mark.parametrize('dataset', ['caer', 'caer_s'])
def test_check_dataset_passes_on_the_converted_output(tmp_path, dataset, capsys):
    root, _, result = _convert(tmp_path, dataset)
    check = load_tool(osp.join(ROOT, 'tools', 'data', 'check_dataset.py'))
    for path in result.outputs:
        code = check.main([path, '--data-root', root, '--classes', ','.join(CAER_CLASSES),
                           '--min-frames', '1', '--no-progress'])
        out = capsys.readouterr().out
        assert code == 0, out
        assert '0 error(s)' in out


def test_a_caer_s_still_runs_through_the_pipeline_as_one_frame(tmp_path):
    from mmengine.config import Config
    from mmaction.registry import DATASETS

    from ous_mm.utils.config_switches import apply_config_switches
    root, truth, _ = _convert(tmp_path, 'caer_s')
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'ous', 'ous_vitl14_caer_s.py'))
    cfg.merge_from_dict({'test_dataloader.dataset.data_root': root, 'img_size': 64,
                         'face_detector': dict(type='OpenCVFaceDetector')})
    cfg = apply_config_switches(cfg)
    dataset = DATASETS.build(dict(cfg.test_dataloader.dataset, serialize_data=False))
    assert len(dataset) == len(truth['test']['written'])
    item = dataset[0]
    assert tuple(item['inputs'].shape) == (2, 1, 3, 64, 64)  # face + scene, T = clip_len = 1
    info = dataset.get_data_info(0)
    assert info['label_name'] == truth['test']['written'][info['clip_id']]
    assert item['data_samples'].gt_label.item() == CAER_CLASSES.index(info['label_name'])
