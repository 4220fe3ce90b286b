"""Run summaries from a work dir: series merged across resumed runs, best / converged epochs."""
import json

import pytest

from ous_mm.evaluation.run_summary import summarize_run, training_series, validation_series


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
                           plateau_epochs=1, ended_on_plateau=False)
    assert summarize_run(str(tmp_path), near=0.85)['converged_epoch'] == 2


def test_no_metrics_and_bad_lines_name_the_file(tmp_path):
    with pytest.raises(ValueError, match='no validation metrics'):
        summarize_run(str(tmp_path))
    _write(tmp_path / 'run' / 'vis_data' / 'scalars.json', [])
    (tmp_path / 'run' / 'vis_data' / 'scalars.json').write_text('{"step": 1, "dfer/UAR": 1}\n{bad\n')
    with pytest.raises(ValueError, match=r'scalars\.json:2'):
        validation_series(str(tmp_path))
