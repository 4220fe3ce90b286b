"""What a finished training run did, read from its work dir: the validation series,
the epoch of the best validation UAR, how long it sat on the polarity plateau.

Used by the variant benchmark (``tools/analysis/benchmark_variants.py``) and the
demo to compare recipes by their training dynamics, not only their final score.
"""
import glob
import json
import os.path as osp
from typing import Dict, List, Optional


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


def training_series(work_dir: str, keys=('global_switch', 'similarity_dist', 'face_erank',
                                         'face_spread', 'loss')) -> Dict[int, Dict[str, float]]:
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


def summarize_run(work_dir: str, metric: str = 'UAR',
                  near: float = 0.95) -> Dict[str, Optional[float]]:
    """Best validation ``metric``, its epoch, the epochs run and the plateau epochs.

    ``converged_epoch``: the first epoch whose ``metric`` reaches ``near`` x the best
    (the convergence measure of Table IV: the epoch of the best value alone swings
    with noise once a run has converged). ``plateau_epochs``: validations on the
    one-class-per-polarity plateau (``dfer/plateau``); ``ended_on_plateau``: the
    last validation was on it.
    """
    series = validation_series(work_dir)
    if not series:
        raise ValueError(f'no validation metrics under {work_dir}/*/vis_data/scalars.json')
    best = max(series, key=lambda row: (row.get(metric, float('-inf')), -row['epoch']))
    converged = next(row['epoch'] for row in series
                     if row.get(metric, float('-inf')) >= near * best.get(metric, 0.0))
    plateau = [row for row in series if row.get('plateau', 0.0) >= 0.5]
    return dict(best_val=best.get(metric), best_epoch=best['epoch'],
                converged_epoch=converged, epochs=series[-1]['epoch'],
                plateau_epochs=len(plateau),
                ended_on_plateau=bool(series[-1].get('plateau', 0.0) >= 0.5))
