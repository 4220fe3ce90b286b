"""Stop training once the learning rate has decayed below a floor (paper: 1e-7)."""
from typing import Dict, Optional

from mmaction.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.runner import BaseLoop


@HOOKS.register_module()
class StopOnLRFloorHook(Hook):
    """End training when every learning rate is below ``min_lr``.

    The paper counts training as converged when ``ReduceOnPlateauLR`` has brought
    the rate below 1e-7. The check runs after each validation epoch (when the
    plateau scheduler has just stepped) and after each training epoch (runs
    without validation); it sets ``runner.train_loop.stop_training``, so the
    current epoch finishes, checkpoints are written and the loop exits.

    Args:
        min_lr: the floor; training stops when all LRs are strictly below it.
    """

    priority = 'LOWEST'  # after ParamSchedulerHook has stepped

    def __init__(self, min_lr: float = 1e-7) -> None:
        if min_lr <= 0:
            raise ValueError(f'min_lr must be > 0, got {min_lr}')
        self.min_lr = min_lr

    def _check(self, runner) -> None:
        train_loop = getattr(runner, '_train_loop', None)
        if not isinstance(train_loop, BaseLoop) or not hasattr(runner.optim_wrapper, 'get_lr'):
            return  # a stand-alone val/test run: nothing to stop
        # {'lr': [...], 'base_lr': [...]}, or '<name>.lr' keys for several optimizers;
        # 'base_lr' is the configured (never scheduled) rate and must not count.
        lrs = runner.optim_wrapper.get_lr()
        values = [lr for key, group in lrs.items() if key == 'lr' or key.endswith('.lr')
                  for lr in group]
        if values and all(lr < self.min_lr for lr in values):
            train_loop.stop_training = True
            print_log(f'StopOnLRFloorHook: every learning rate ({max(values):.3g} at most) is '
                      f'below {self.min_lr:g}; stopping after epoch {runner.epoch}.',
                      logger='current')

    def after_train_epoch(self, runner) -> None:
        self._check(runner)

    def after_val_epoch(self, runner, metrics: Optional[Dict[str, float]] = None) -> None:
        self._check(runner)
