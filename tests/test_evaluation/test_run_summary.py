"""Run summaries from a work dir: series merged across resumed runs, best / converged epochs."""
import json
import random

import pytest

from ous_mm.evaluation.run_summary import (early_stop_epoch, run_status, stop_rule_rows,
                                           summarize_run, training_series, validation_series)


def _write(path, rows):
    path.parent.mkdir(parents=True)
    path.write_text(''.join(json.dumps(r) + '\n' for r in rows))


def test_series_merge_runs_and_summaries(tmp_path):
    first = [dict(epoch=1, iter=1, loss=2.0, global_switch=1.0),
             dict(epoch=1, iter=2, loss=1.0, global_switch=0.0),
             {'dfer/UAR': 40.0, 'dfer/plateau': 1.0, 'step': 1},
             {'dfer/UAR': 42.0, 'dfer/plateau': 1.0, 'step': 2}]
    # resumed from epoch 1: its epoch 2 replaces the first run's
    second = [{'dfer/UAR': 80.0, 'dfer/plateau': 0.0, 'step': 2},
              {'dfer/UAR': 90.0, 'dfer/plateau': 0.0, 'step': 3},
              {'dfer/UAR': 86.0, 'dfer/plateau': 0.0, 'step': 4}]
    _write(tmp_path / '20260101_000000' / 'vis_data' / 'scalars.json', first)
    _write(tmp_path / '20260102_000000' / 'vis_data' / 'scalars.json', second)
    assert [r['UAR'] for r in validation_series(str(tmp_path))] == [40.0, 80.0, 90.0, 86.0]
    assert training_series(str(tmp_path)) == {1: dict(loss=1.5, global_switch=0.5)}
    summary = summarize_run(str(tmp_path))
    assert summary == dict(best_val=90.0, best_epoch=3, converged_epoch=3, epochs=4,
                           val_series=[40.0, 80.0, 90.0, 86.0],
                           plateau_epochs=1, ended_on_plateau=False, max_epochs=None,
                           status='converged')
    assert summarize_run(str(tmp_path), near=0.85)['converged_epoch'] == 2
    # the budget is read from the config mmengine dumps into the run's log folder
    (tmp_path / '20260102_000000' / 'vis_data' / 'config.py').write_text(
        'train_cfg = dict(max_epochs=4)\n')
    assert summarize_run(str(tmp_path))['max_epochs'] == 4


@pytest.mark.parametrize('values, epochs, budget, plateau, status', [
    ([40, 50, 60, 70, 80, 81, 82, 83, 84, 90], 10, 10, False, 'unfinished'),  # still rising
    ([40, 70, 90, 90, 89, 90, 90, 89, 90, 90], 10, 10, False, 'converged'),   # flat at the end
    ([40, 50, 60, 70, 80, 81, 82, 83, 84, 90], 10, 30, False, 'converged'),   # stopped early
    ([40, 43, 43, 43, 43, 43, 43, 43, 43, 43], 10, 10, True, 'stuck'),
    ([40, 50, 60, 70, 80, 81, 82, 83, 84, 90], 10, None, False, 'converged'),  # budget unknown
])
def test_run_status(values, epochs, budget, plateau, status):
    assert run_status(values, epochs, budget, plateau) == status


def test_no_metrics_and_bad_lines_name_the_file(tmp_path):
    with pytest.raises(ValueError, match='no validation metrics'):
        summarize_run(str(tmp_path))
    _write(tmp_path / 'run' / 'vis_data' / 'scalars.json', [])
    (tmp_path / 'run' / 'vis_data' / 'scalars.json').write_text('{"step": 1, "dfer/UAR": 1}\n{bad\n')
    with pytest.raises(ValueError, match=r'scalars\.json:2'):
        validation_series(str(tmp_path))


class _Loop:
    stop_training = False


class _Runner:
    def __init__(self):
        import logging
        self.train_loop = _Loop()
        self.logger = logging.getLogger('test-early-stop')


@pytest.mark.parametrize('patience', [1, 2, 3, 5])
@pytest.mark.parametrize('threshold', [None, 99.0])
def test_early_stop_replay_matches_mmengines_hook(patience, threshold):
    """The replay used to choose the patience stops where the real hook stops."""
    from mmengine.hooks import EarlyStoppingHook
    rng = random.Random(patience)
    for _ in range(30):
        series = [round(rng.uniform(10, 100), 1) for _ in range(rng.randint(1, 25))]
        series += [series[-1]] * rng.randint(0, 3)  # ties (min_delta) and flat ends
        hook = EarlyStoppingHook('dfer/UAR', rule='greater', patience=patience,
                                 stopping_threshold=threshold)
        runner = _Runner()
        stopped = len(series)
        for epoch, value in enumerate(series, 1):
            hook.after_val_epoch(runner, {'dfer/UAR': value})
            if runner.train_loop.stop_training:
                stopped = epoch
                break
        assert early_stop_epoch(series, patience, stopping_threshold=threshold) == stopped


def test_stop_rule_rows_count_changed_runs():
    climbing = [10.0 * i for i in range(1, 11)]          # best at the end
    early = [50.0, 60.0, 60.0, 60.0, 60.0, 60.0, 60.0]   # best at epoch 2
    late_jump = [50.0, 50.0, 50.0, 50.0, 80.0]           # a patience-3 stop misses the jump
    rows = {r['patience']: r for r in stop_rule_rows([climbing, early, late_jump], [3, 4])}
    assert rows[3]['lost_runs'] == 1 and rows[3]['max_lost'] == pytest.approx(30.0)
    assert rows[4]['lost_runs'] == 0
    # patience 3: early stops at epoch 5 (2 saved), late_jump at 4 (1 saved), climbing never
    assert rows[3]['mean_saved'] == pytest.approx((0 + 2 + 1) / 3)
