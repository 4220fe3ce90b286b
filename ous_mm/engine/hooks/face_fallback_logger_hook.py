"""Count clips whose face stream fell back to the centre crop, per epoch."""
from typing import Optional, Sequence

from mmaction.registry import HOOKS
from mmengine.hooks import Hook


@HOOKS.register_module()
class FaceFallbackLoggerHook(Hook):
    """Log how many clips of an epoch / validation / test run had no face.

    ``FaceSceneSplit`` marks such clips with ``face_fallback=True`` in the sample's
    metainfo; the batches reach the main process, so counting here works with
    any number of dataloader workers (a counter inside the transform would not).
    Logged as ``face_fallback: K of N clips (P%)`` and, for training, put in the
    message hub as ``train/face_fallback_ratio``.

    Args:
        warn_ratio (float): log at WARNING level when the share exceeds this.
    """

    priority = 'LOW'

    def __init__(self, warn_ratio: float = 0.05) -> None:
        self.warn_ratio = warn_ratio
        self._counts = {}

    @staticmethod
    def _count(data_batch) -> Sequence[int]:
        samples = (data_batch or {}).get('data_samples', []) if isinstance(data_batch, dict) else []
        fallback = sum(bool(s.metainfo.get('face_fallback', False)) for s in samples)
        return fallback, len(samples)

    def _add(self, mode: str, data_batch) -> None:
        k, n = self._count(data_batch)
        old = self._counts.get(mode, (0, 0))
        self._counts[mode] = (old[0] + k, old[1] + n)

    def _report(self, runner, mode: str) -> None:
        k, n = self._counts.pop(mode, (0, 0))
        if n == 0:
            return
        ratio = k / n
        level = 'WARNING' if ratio > self.warn_ratio else 'INFO'
        runner.logger.log(
            30 if level == 'WARNING' else 20,
            f'[{mode}] face_fallback: {k} of {n} clips ({100 * ratio:.1f}%) had no face '
            'and used the centre crop')
        if mode == 'train':
            runner.message_hub.update_scalar('train/face_fallback_ratio', ratio)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs: Optional[dict] = None) -> None:
        self._add('train', data_batch)

    def after_val_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        self._add('val', data_batch)

    def after_test_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        self._add('test', data_batch)

    def after_train_epoch(self, runner) -> None:
        self._report(runner, 'train')

    def after_val_epoch(self, runner, metrics=None) -> None:
        self._report(runner, 'val')

    def after_test_epoch(self, runner, metrics=None) -> None:
        self._report(runner, 'test')
