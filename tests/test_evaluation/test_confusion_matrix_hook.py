"""DFERMetric inside a real Runner: files per validation epoch and test, best-UAR checkpoint."""
import glob
import json
import os

from mmengine.config import Config
from mmengine.runner import Runner

import ous_mm  # noqa: F401

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOY = os.path.join(ROOT, 'tests', 'fixtures', 'configs', 'toy_classifier.py')


def test_runner_writes_confusion_matrices_and_keeps_best_uar(tmp_path):
    cfg = Config.fromfile(TOY)
    cfg.work_dir = str(tmp_path)
    cfg.val_evaluator = dict(type='DFERMetric')
    cfg.test_evaluator = dict(type='DFERMetric')
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1,
                                        save_best='dfer/UAR', rule='greater')
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.test()
    assert {'dfer/UAR', 'dfer/WAR', 'dfer/loss', 'dfer/recall_a'} <= set(metrics)

    cm_dir = glob.glob(os.path.join(str(tmp_path), '*', 'confusion_matrix'))
    assert len(cm_dir) == 1
    names = sorted(os.listdir(cm_dir[0]))
    assert names == ['test.json', 'test.png', 'val_epoch_1.json', 'val_epoch_1.png',
                     'val_epoch_2.json', 'val_epoch_2.png']
    test_cm = json.load(open(os.path.join(cm_dir[0], 'test.json')))
    assert test_cm['class_names'] == ['a', 'b', 'c']          # from the dataset metainfo
    assert sum(map(sum, test_cm['matrix'])) == 24              # every test sample counted
    assert test_cm['metrics']['UAR'] == metrics['dfer/UAR']
    assert glob.glob(os.path.join(str(tmp_path), 'best_dfer_UAR_epoch_*.pth'))

    # the logged validation loss is the measured one, not a running mean over epochs
    scalars = glob.glob(os.path.join(str(tmp_path), '*', 'vis_data', 'scalars.json'))[0]
    val_lines = [json.loads(line) for line in open(scalars) if 'dfer/loss' in line]
    per_epoch = [json.load(open(os.path.join(cm_dir[0], f'val_epoch_{e}.json')))['metrics']
                 for e in (1, 2)]
    assert [round(v['dfer/loss'], 4) for v in val_lines] == \
        [round(m['loss'], 4) for m in per_epoch]
