"""What a finished training run did, read from its work dir: the validation series,
the epoch of the best validation UAR, how long it sat on the polarity plateau.

Used by the variant benchmark (``tools/analysis_tools/benchmark_variants.py``) and the
demo to compare recipes by their training dynamics, not only their final score.
"""
import glob
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence


def validation_series(work_dir: str, prefix: str = 'dfer/') -> List[Dict[str, float]]:
    """Per-epoch validation metrics of every run under ``work_dir``, merged by epoch.

    Reads each ``<work_dir>/<timestamp>/vis_data/scalars.json`` (mmengine's
    ``LocalVisBackend``) in timestamp order; a resumed run's epochs replace the ones
    it repeats. Returns ``[{'epoch': n, 'UAR': ..., ...}]`` sorted by epoch, the
    metric names without ``prefix``.
    """
    by_epoch: Dict[int, Dict[str, float]] = {}
    for path in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(path, encoding='utf-8') as f:
            for lineno, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as err:
                    raise ValueError(f'{path}:{lineno}: not JSON ({err})') from None
                keys = [k for k in record if k.startswith(prefix)]
                if not keys or 'step' not in record:
                    continue
                row = {k[len(prefix):]: float(record[k]) for k in keys}
                row['epoch'] = int(record['step'])
                by_epoch[row['epoch']] = row
    return [by_epoch[e] for e in sorted(by_epoch)]


COMPETITION_KEYS = ('face_probe_acc', 'attn_face', 'attn_scene', 'attn_polarity', 'grad_face',
                    'grad_scene', 'grad_polarity', 'loss_face_aux')


def training_series(work_dir: str, keys=('global_switch', 'similarity_dist', 'face_erank',
                                         'face_spread', 'loss') + COMPETITION_KEYS
                    ) -> Dict[int, Dict[str, float]]:
    """Epoch means of logged training scalars (``keys``) of every run under ``work_dir``."""
    sums: Dict[int, Dict[str, List[float]]] = {}
    for path in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(path, encoding='utf-8') as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                record = json.loads(line)
                if 'epoch' not in record or 'iter' not in record:
                    continue
                epoch = sums.setdefault(int(record['epoch']), {})
                for key in keys:
                    if key in record:
                        epoch.setdefault(key, []).append(float(record[key]))
    return {e: {k: sum(v) / len(v) for k, v in d.items()} for e, d in sorted(sums.items())}


def _budget(work_dir: str) -> Optional[int]:
    """``train_cfg.max_epochs`` of the config mmengine dumped for a run (``WORK_DIR/<cfg>.py``,
    and ``<timestamp>/vis_data/config.py`` by its visualizer), the newest run first."""
    from mmengine.config import Config

    dumps = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'config.py')), reverse=True)
    for path in dumps + sorted(glob.glob(osp.join(work_dir, '*.py'))):
        try:
            return int(Config.fromfile(path).train_cfg.max_epochs)
        except Exception:  # not a dumped config (or one without an epoch budget)
            continue
    return None


def run_status(series_values: Sequence[float], epochs: int, max_epochs: Optional[int],
               ended_on_plateau: bool, window: int = 5, min_rise: float = 1.0) -> str:
    """How a run ended: ``'stuck'`` (its last validation is on the polarity plateau),
    ``'unfinished'`` (it used its whole epoch budget and its validation ``metric`` was
    still rising: the best of the last ``window`` epochs is more than ``min_rise`` points
    above the best before them), or ``'converged'``. A stuck or unfinished run is not a
    result to report as the recipe's figure.
    """
    if ended_on_plateau:
        return 'stuck'
    values = [v for v in series_values if v is not None]
    used_budget = max_epochs is not None and epochs >= max_epochs
    if used_budget and len(values) > window:
        if max(values[-window:]) > max(values[:-window]) + min_rise:
            return 'unfinished'
    return 'converged'


def summarize_run(work_dir: str, metric: str = 'UAR', near: float = 0.95,
                  max_epochs: Optional[int] = None) -> Dict[str, Optional[float]]:
    """Best validation ``metric``, its epoch, the epochs run and the plateau epochs.

    ``converged_epoch``: the first epoch whose ``metric`` reaches ``near`` x the best
    (the convergence measure of Table IV: the epoch of the best value alone swings
    with noise once a run has converged). ``plateau_epochs``: validations on the
    one-class-per-polarity plateau (``dfer/plateau``); ``ended_on_plateau``: the
    last validation was on it. ``status``: :func:`run_status`, with the epoch budget
    ``max_epochs`` (default: read from the config the run dumped).
    """
    series = validation_series(work_dir)
    if not series:
        raise ValueError(f'no validation metrics under {work_dir}/*/vis_data/scalars.json')
    best = max(series, key=lambda row: (row.get(metric, float('-inf')), -row['epoch']))
    converged = next(row['epoch'] for row in series
                     if row.get(metric, float('-inf')) >= near * best.get(metric, 0.0))
    plateau = [row for row in series if row.get('plateau', 0.0) >= 0.5]
    values = [row.get(metric) for row in series]
    ended = bool(series[-1].get('plateau', 0.0) >= 0.5)
    budget = max_epochs if max_epochs is not None else _budget(work_dir)
    return dict(best_val=best.get(metric), best_epoch=best['epoch'],
                converged_epoch=converged, epochs=series[-1]['epoch'],
                val_series=values, plateau_epochs=len(plateau), ended_on_plateau=ended,
                max_epochs=budget,
                status=run_status(values, series[-1]['epoch'], budget, ended))


def early_stop_epoch(values: Sequence[float], patience: int, min_delta: float = 0.1,
                     stopping_threshold: Optional[float] = None) -> int:
    """The epoch after which mmengine's ``EarlyStoppingHook(rule='greater')`` would have
    stopped a run whose validation series is ``values`` (``len(values)`` if never).

    The same rule as the hook: a validation counts as an improvement only when it exceeds
    the best so far by more than ``min_delta``; ``patience`` validations in a row without
    one stop the run; reaching ``stopping_threshold`` stops it at once. Replaying finished
    runs this way is how the shipped patience was chosen (docs/method.md, "Stop rule").
    """
    best, wait = float('-inf'), 0
    for epoch, value in enumerate(values, 1):
        if stopping_threshold is not None and value > stopping_threshold:
            return epoch
        if best + min_delta > value:
            wait += 1
            if wait >= patience:
                return epoch
        else:
            best, wait = value, 0
    return len(values)


def stop_rule_rows(series: Sequence[Sequence[float]], patiences: Sequence[int],
                   **rule) -> List[Dict[str, float]]:
    """For each patience: how the runs with these validation series would have ended.

    ``lost_runs``: runs whose best validation value up to the stop is below their best
    over the whole run (the checkpoint tested would change); ``max_lost``: the largest
    such loss; ``median_stop`` and ``mean_saved``: the epoch of the stop and the epochs
    saved per run."""
    rows = []
    for patience in patiences:
        stops = [early_stop_epoch(s, patience, **rule) for s in series]
        lost = [max(s) - max(s[:stop]) for s, stop in zip(series, stops)]
        ordered = sorted(stops)
        rows.append(dict(patience=patience, runs=len(series),
                         lost_runs=sum(x > 0 for x in lost), max_lost=max(lost, default=0.0),
                         median_stop=ordered[len(ordered) // 2] if ordered else 0,
                         mean_saved=(sum(len(s) - t for s, t in zip(series, stops))
                                     / max(1, len(series)))))
    return rows
