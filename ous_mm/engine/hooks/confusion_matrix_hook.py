"""Hook that tells every :class:`DFERMetric` where to save its confusion matrix."""
import os.path as osp
from typing import Iterable

from mmengine.hooks import Hook

from mmaction.registry import HOOKS

from ...evaluation.dfer_metric import DFERMetric


def _dfer_metrics(evaluator) -> Iterable[DFERMetric]:
    for metric in getattr(evaluator, 'metrics', []) or []:
        if isinstance(metric, DFERMetric):
            yield metric


@HOOKS.register_module()
class DFERConfusionMatrixHook(Hook):
    """Point each ``DFERMetric`` at the run's log dir before it evaluates.

    A metric is built before the runner knows its work dir, so it cannot pick
    the folder itself. Before every validation epoch this hook sets the
    metric's ``out_dir`` to ``<work_dir>/<timestamp>/<subdir>`` (unless the
    config set one) and its file stem to ``val_epoch_<n>``; before testing, to
    ``test``. The result is, e.g.::

        work_dirs/ous_tiny/20260101_120000/confusion_matrix/val_epoch_3.png
        work_dirs/ous_tiny/20260101_120000/confusion_matrix/test.json

    Args:
        subdir (str): Folder name under the log dir. Defaults to
            ``'confusion_matrix'``.
    """

    priority = 'NORMAL'

    def __init__(self, subdir: str = 'confusion_matrix') -> None:
        self.subdir = subdir

    def _point(self, runner, evaluator, tag: str) -> None:
        for metric in _dfer_metrics(evaluator):
            if metric.out_dir is None or getattr(metric, '_out_dir_from_hook', False):
                metric.out_dir = osp.join(runner.log_dir, self.subdir)
                metric._out_dir_from_hook = True
            metric.file_tag = tag

    def before_val_epoch(self, runner) -> None:
        """Validation after epoch n (or a plain ``runner.val()``) writes ``val_epoch_<n>``."""
        self._point(runner, runner.val_evaluator, f'val_epoch_{runner.epoch}')

    def before_test_epoch(self, runner) -> None:
        """``tools/test.py`` writes ``test``."""
        self._point(runner, runner.test_evaluator, 'test')
