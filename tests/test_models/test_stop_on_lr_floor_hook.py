"""StopOnLRFloorHook with the paper's plateau schedule: stops once every LR < 1e-7."""
from types import SimpleNamespace

import pytest
import torch
from mmengine.optim import OptimWrapper
from mmengine.runner import BaseLoop

from mmaction.registry import HOOKS
from mmengine.registry import PARAM_SCHEDULERS


class _Loop(BaseLoop):
    stop_training = False

    def run(self):
        pass


def _runner(lrs):
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in lrs]
    optim = OptimWrapper(torch.optim.Adam([dict(params=[p], lr=lr) for p, lr in zip(params, lrs)]))
    runner = SimpleNamespace(optim_wrapper=optim, epoch=0)
    runner._train_loop = _Loop(runner, dataloader=[])
    return runner


def test_stops_only_when_every_lr_is_below_the_floor():
    hook = HOOKS.build(dict(type='StopOnLRFloorHook', min_lr=1e-7))
    runner = _runner([1e-8, 1e-6])
    hook.after_val_epoch(runner, {})
    assert runner._train_loop.stop_training is False
    runner = _runner([1e-8, 5e-8])
    hook.after_train_epoch(runner)
    assert runner._train_loop.stop_training is True


def test_plateau_schedule_reaches_the_floor_and_stops():
    """lr 0.002 / 3 every 6 flat epochs (patience 5): below 1e-7 after 10 reductions."""
    runner = _runner([0.002])
    scheduler = PARAM_SCHEDULERS.build(dict(
        type='ReduceOnPlateauLR', optimizer=runner.optim_wrapper, monitor='dfer/loss',
        rule='less', factor=1 / 3, patience=5, by_epoch=True))
    hook = HOOKS.build(dict(type='StopOnLRFloorHook', min_lr=1e-7))
    stopped_at = None
    for epoch in range(1, 200):
        runner.epoch = epoch
        scheduler.step({'dfer/loss': 1.0})  # the validation loss never improves
        hook.after_val_epoch(runner, {'dfer/loss': 1.0})
        if runner._train_loop.stop_training:
            stopped_at = epoch
            break
    lr = runner.optim_wrapper.get_lr()['lr'][0]
    assert lr < 1e-7 and lr * 3 >= 1e-7  # stopped at the first LR below the floor
    # the paper's rule needs 10 reductions, one per 6 flat epochs after the first: it
    # cannot fire within the 60 epochs of the paper's schedule (hence the early stop on
    # validation UAR the OUS schedules also ship, tests/test_foundation/test_stop_rules.py)
    assert stopped_at == 61


def test_standalone_validation_is_left_alone():
    hook = HOOKS.build(dict(type='StopOnLRFloorHook'))
    runner = SimpleNamespace(optim_wrapper=None, _train_loop=None, epoch=0)
    hook.after_val_epoch(runner, {})  # no train loop, no error
    with pytest.raises(ValueError):
        HOOKS.build(dict(type='StopOnLRFloorHook', min_lr=0))
