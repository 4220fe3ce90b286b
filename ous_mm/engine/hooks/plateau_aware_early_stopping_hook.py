"""Early stop on validation that never ends a run sitting on the polarity plateau."""
from typing import Dict, Optional

from mmaction.registry import HOOKS
from mmengine.hooks import EarlyStoppingHook
from mmengine.logging import print_log


@HOOKS.register_module()
class PlateauAwareEarlyStoppingHook(EarlyStoppingHook):
    """mmengine's ``EarlyStoppingHook`` whose patience ignores plateau validations.

    A run on the one-class-per-polarity plateau (``dfer/plateau`` = 1, set by
    :class:`DFERMetric`) has not failed to improve: it has not started reading faces.
    Stopping it there reports a stuck run as a result, so a plateau validation neither
    counts toward ``patience`` nor becomes the best score; the run goes on until it
    leaves the plateau (then the usual rule applies) or its epoch budget ends. The
    other arguments are ``EarlyStoppingHook``'s.

    Args:
        plateau_key: the metric flagging a plateau validation.
    """

    def __init__(self, *args, plateau_key: str = 'dfer/plateau', **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plateau_key = plateau_key
        self.plateau_validations = 0

    def after_val_epoch(self, runner, metrics: Optional[Dict[str, float]] = None) -> None:
        if metrics and metrics.get(self.plateau_key, 0.0) >= 0.5:
            self.plateau_validations += 1
            print_log(f'{type(self).__name__}: validation at epoch {runner.epoch} is on the '
                      'one-class-per-polarity plateau; it does not count toward the patience '
                      f'({self.wait_count}/{self.patience})', logger='current')
            return
        super().after_val_epoch(runner, metrics)
