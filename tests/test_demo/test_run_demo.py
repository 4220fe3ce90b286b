"""tools/run_demo.py: the two demo configs share one budget; table, checkpoint choice, cache."""
import importlib.util
import json
import os
import time

import pytest
from mmengine.config import Config

import ous_mm  # noqa: F401

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUS = os.path.join(ROOT, 'configs', 'ous', 'demo', 'ous_demo_synthetic.py')
FACE = os.path.join(ROOT, 'configs', 'ous', 'demo', 'face_only_demo_synthetic.py')


def _run_demo():
    spec = importlib.util.spec_from_file_location(
        'run_demo', os.path.join(ROOT, 'tools', 'run_demo.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_demo_configs_differ_only_in_the_scene_stream():
    ous, face = Config.fromfile(OUS), Config.fromfile(FACE)
    for key in ('train_cfg', 'optim_wrapper', 'param_scheduler', 'train_dataloader',
                'val_dataloader', 'test_dataloader', 'default_hooks', 'custom_hooks',
                'randomness'):
        assert ous.get(key) == face.get(key), key
    assert ous.model.use_scene and not face.model.use_scene
    assert face.model.neck.polarity_source is None
    assert ous.model.backbone == face.model.backbone
    # the demo picks its checkpoint by validation UAR
    assert ous.default_hooks.checkpoint.save_best == 'dfer/UAR'
    assert ous.default_hooks.checkpoint.rule == 'greater'


def test_pick_checkpoint_prefers_best_uar(tmp_path):
    demo = _run_demo()
    for name in ('epoch_3.pth', 'best_dfer_loss_epoch_2.pth', 'best_dfer_UAR_epoch_1.pth'):
        (tmp_path / name).write_bytes(b'x')
        time.sleep(0.01)
    assert demo.pick_checkpoint(str(tmp_path)).endswith('best_dfer_UAR_epoch_1.pth')
    os.remove(tmp_path / 'best_dfer_UAR_epoch_1.pth')
    os.remove(tmp_path / 'best_dfer_loss_epoch_2.pth')
    assert demo.pick_checkpoint(str(tmp_path)).endswith('epoch_3.pth')
    with pytest.raises(SystemExit, match='no checkpoint'):
        demo.pick_checkpoint(str(tmp_path / 'empty'))


def test_table_has_uar_war_recall_delta_and_paths(capsys):
    demo = _run_demo()
    names = ['Happy', 'Sad']
    rows = [dict(name='ous', uar=80.0, war=82.5, recall={'Happy': 90.0, 'Sad': 70.0},
                 class_names=names, confusion_png='/w/ous/test.png'),
            dict(name='face_only', uar=60.0, war=61.0, recall={'Happy': 100.0, 'Sad': 20.0},
                 class_names=names, confusion_png='/w/face/test.png')]
    text = demo.print_table(rows)
    assert 'UAR' in text and 'WAR' in text and 'Happy' in text
    assert 'ous          80.00  82.50      90.0     70.0' in text
    assert 'UAR +20.00, WAR +21.50 points' in text
    assert '/w/ous/test.png' in text and '/w/face/test.png' in text


def test_cached_data_is_not_regenerated(tmp_path, monkeypatch):
    demo = _run_demo()
    root = tmp_path / 'syn'
    root.mkdir()
    for name in ('meta.json', 'train.jsonl', 'val.jsonl', 'test.jsonl'):
        (root / name).write_text('{}')
    (root / 'demo_generation.json').write_text(json.dumps(dict(num_clips=42, seed=0)))
    calls = []
    monkeypatch.setattr(demo, 'run', lambda cmd, what: calls.append(cmd))
    args = demo.parse_args(['--data-root', str(root), '--num-clips', '42'])
    demo.ensure_data(args)
    assert calls == []
    args = demo.parse_args(['--data-root', str(root), '--num-clips', '84'])
    demo.ensure_data(args)
    assert calls and '--num-clips' in calls[0] and '84' in calls[0]
