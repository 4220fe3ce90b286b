"""The stop rules end REAL short runs: the paper's LR floor and the early stop on
validation UAR (the rule the OUS schedules ship with, docs/method.md)."""
import glob
import os.path as osp

from mmengine.config import Config

import ous_mm  # noqa: F401

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOY = osp.join(ROOT, 'tests', 'test_evaluation', 'configs', 'toy_dfer_metric.py')


def _train(tmp_path, **overrides):
    from mmaction.registry import RUNNERS
    cfg = Config.fromfile(TOY)
    cfg.merge_from_dict(overrides)
    cfg.work_dir = str(tmp_path)
    cfg.default_hooks.checkpoint.max_keep_ckpts = 20
    cfg.train_cfg.max_epochs = 10
    runner = RUNNERS.build(cfg) if 'runner_type' in cfg else __import__(
        'mmengine').runner.Runner.from_cfg(cfg)
    runner.train()
    return sorted(int(osp.basename(p)[6:-4]) for p in glob.glob(osp.join(tmp_path, 'epoch_*.pth')))


def test_lr_floor_stops_the_run_once_every_lr_is_below_it(tmp_path):
    # lr 0.05 -> 5e-5 after epoch 1 -> 5e-8 after epoch 2: below the 1e-7 floor
    epochs = _train(tmp_path, param_scheduler=[dict(type='MultiStepLR', milestones=[1, 2],
                                                    gamma=1e-3, by_epoch=True)],
                    custom_hooks=[dict(type='StopOnLRFloorHook', min_lr=1e-7)])
    assert epochs == [1, 2]


def test_early_stop_on_uar_stops_after_patience_validations_without_gain(tmp_path):
    # lr 0: the model never changes, so UAR never improves after epoch 1
    epochs = _train(tmp_path, optim_wrapper=dict(optimizer=dict(lr=0.0)),
                    custom_hooks=[dict(type='EarlyStoppingHook', monitor='dfer/UAR',
                                       rule='greater', patience=3)])
    assert epochs == [1, 2, 3, 4]


def test_the_shipped_stop_rule_can_fire_within_the_shipped_schedule():
    """Issue 12: the paper's LR floor needs more epochs than the schedule has; the early
    stop it ships beside it must be able to end a run before max_epochs."""
    import math
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'ous', 'ous_vitl14_dfew.py'))
    epochs = cfg.train_cfg.max_epochs
    (plateau, ) = cfg.param_scheduler
    floor = next(h for h in cfg.custom_hooks if h.type == 'StopOnLRFloorHook')
    reductions = math.ceil(math.log(cfg.optim_wrapper.optimizer.lr / floor.min_lr)
                           / math.log(1 / plateau.factor))
    # the earliest LR-floor stop is after epoch (patience + 1) * reductions: not before the end
    assert (plateau.patience + 1) * reductions >= epochs
    early = next(h for h in cfg.custom_hooks if h.type == 'PlateauAwareEarlyStoppingHook')
    assert early.monitor == 'dfer/UAR' and early.patience + 1 < epochs
    demo = Config.fromfile(osp.join(ROOT, 'configs', 'ous', 'demo', 'ous_frozen_synthetic.py'))
    assert early in demo.custom_hooks and early.patience + 1 < demo.train_cfg.max_epochs
