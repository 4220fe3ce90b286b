"""Warn when validation sits on the one-class-per-polarity plateau."""
from typing import Dict, Optional

from mmaction.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.logging import print_log


@HOOKS.register_module()
class PolarityPlateauHook(Hook):
    """Log a warning when ``dfer/plateau`` has been 1 for ``patience`` validations.

    :class:`DFERMetric` sets ``plateau`` when the validation predictions are one
    class per polarity group (a model that reads the scene's polarity but not the
    face; UAR = #polarities / #classes). A run can stay there for its whole
    schedule and still look like it trains (the loss is far below chance), so the
    hook says so in the log, once when the plateau has lasted ``patience``
    validations and again when the run leaves it.

    Args:
        patience: consecutive plateau validations before the warning.
        key: the metric to watch.
    """

    priority = 'LOW'

    def __init__(self, patience: int = 3, key: str = 'dfer/plateau') -> None:
        if patience < 1:
            raise ValueError(f'patience must be >= 1, got {patience}')
        self.patience = patience
        self.key = key
        self.streak = 0
        self.warned = False

    def after_val_epoch(self, runner, metrics: Optional[Dict[str, float]] = None) -> None:
        if not metrics or self.key not in metrics:
            return
        if metrics[self.key] >= 0.5:
            self.streak += 1
        else:
            if self.warned:
                print_log(f'PolarityPlateauHook: validation left the one-class-per-polarity '
                          f'plateau at epoch {runner.epoch} after {self.streak} epochs on it.',
                          logger='current')
            self.streak = 0
            self.warned = False
        if self.streak == self.patience and not self.warned:
            self.warned = True
            print_log(
                f'PolarityPlateauHook: validation has predicted one class per polarity for '
                f'{self.streak} epochs (epoch {runner.epoch}): the model reads the scene\'s '
                'polarity but not the face. Usual causes: the face stream collapsed onto the '
                'scene (see face_erank / similarity_dist in the log; SimilarityLoss(stop_grad='
                "'face')), a learning rate too high for the trainable parts, or faces the "
                'vision tower cannot read (docs/method.md, "Training dynamics").',
                logger='current', level=30)
