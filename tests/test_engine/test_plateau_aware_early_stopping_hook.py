"""The early stop never ends a run on the polarity plateau; off it, it is mmengine's rule."""
import logging
from types import SimpleNamespace

import pytest
from mmengine.hooks import EarlyStoppingHook

import ous_mm  # noqa: F401  (registration)
from ous_mm.engine.hooks import PlateauAwareEarlyStoppingHook


def _runner():
    return SimpleNamespace(epoch=0, train_loop=SimpleNamespace(stop_training=False),
                           logger=logging.getLogger('test'))


def _feed(hook, rows):
    runner = _runner()
    for epoch, (uar, plateau) in enumerate(rows, 1):
        runner.epoch = epoch
        hook.after_val_epoch(runner, {'dfer/UAR': uar, 'dfer/plateau': plateau})
        if runner.train_loop.stop_training:
            return epoch
    return None


def test_plateau_validations_do_not_count_toward_patience():
    rows = [(60.0, 0.0)] + [(42.9, 1.0)] * 20 + [(70.0, 0.0)]
    plain = EarlyStoppingHook(monitor='dfer/UAR', rule='greater', patience=5)
    aware = PlateauAwareEarlyStoppingHook(monitor='dfer/UAR', rule='greater', patience=5)
    assert _feed(plain, rows) == 6          # mmengine's hook ends the stuck run
    assert _feed(aware, rows) is None       # ours lets it leave the plateau
    assert aware.plateau_validations == 20
    assert aware.best_score == 70.0


@pytest.mark.parametrize('patience', [1, 3])
def test_off_the_plateau_it_is_mmengines_rule(patience):
    rows = [(50.0, 0.0), (60.0, 0.0), (59.0, 0.0), (58.0, 0.0), (61.0, 0.0), (60.0, 0.0)]
    plain = EarlyStoppingHook(monitor='dfer/UAR', rule='greater', patience=patience)
    aware = PlateauAwareEarlyStoppingHook(monitor='dfer/UAR', rule='greater', patience=patience)
    assert _feed(plain, rows) == _feed(aware, rows)
