"""FaceFallbackLoggerHook counts fallback clips from the batches the main process sees."""
import logging
from types import SimpleNamespace

from mmaction.structures import ActionDataSample
from mmengine.logging import MessageHub

import ous_mm  # noqa: F401
from mmaction.registry import HOOKS


def _batch(flags):
    return dict(inputs=[], data_samples=[ActionDataSample(metainfo=dict(face_fallback=f))
                                         for f in flags])


def test_counts_per_epoch_and_resets(caplog):
    hook = HOOKS.build(dict(type='FaceFallbackLoggerHook', warn_ratio=0.2))
    logger = logging.getLogger('ous_test_fallback_hook')  # caplog sees plain loggers
    runner = SimpleNamespace(logger=logger,
                             message_hub=MessageHub.get_instance('ous_test_fallback_hook'))
    with caplog.at_level(logging.INFO):
        hook.after_train_iter(runner, 0, _batch([True, False, False]))
        hook.after_train_iter(runner, 1, _batch([True, False]))
        hook.after_train_epoch(runner)
    assert '[train] face_fallback: 2 of 5 clips (40.0%)' in caplog.text
    assert any(r.levelno == logging.WARNING for r in caplog.records)  # 40% > 20%
    assert runner.message_hub.get_scalar('train/face_fallback_ratio').current() == 0.4
    caplog.clear()
    with caplog.at_level(logging.INFO):
        hook.after_val_iter(runner, 0, _batch([False, False]))
        hook.after_val_epoch(runner)
    assert '[val] face_fallback: 0 of 2 clips (0.0%)' in caplog.text
