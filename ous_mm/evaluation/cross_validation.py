"""The k-fold protocol of DFEW / MAFW (and the single split of FERV39k) as data.

What ``tools/cross_validate.py`` needs and nothing that runs a process: which folds
a config has, the ``--cfg-options`` that select one, where its feature stores are,
which checkpoint of a finished training is tested, what a test run measured, and the
mean +- sd table over folds with the paper's row beside it.

Why the fold is passed as ``{train,val,test}_dataloader.dataset.fold=K`` and not
``fold=K``: a dataset's own ``fold`` wins over the top-level key
(:mod:`ous_mm.utils.config_switches`), so the per-dataset form selects the fold
whatever a child config wrote.
"""
import copy
import glob
import json
import math
import os.path as osp
import statistics
from typing import Dict, List, Optional, Sequence

SPLITS = ('train', 'val', 'test')
#: what a finished fold's result holds besides the metrics (the table's provenance)
RESULT_FILE = 'result.json'


class CrossValidationError(RuntimeError):
    """A config or work dir the protocol cannot run on (the message names the file)."""


def _name(cfg) -> str:
    return getattr(cfg, 'filename', None) or 'config'


def _datasets(cfg, split: str) -> List[dict]:
    loader = cfg.get(f'{split}_dataloader') or {}
    out, dataset = [], loader.get('dataset')
    while isinstance(dataset, dict):
        out.append(dataset)
        dataset = dataset.get('dataset')
    return out


def config_folds(cfg) -> List[Optional[int]]:
    """The folds of ``cfg``: ``[1, ..., num_folds]`` when its annotation files name a
    ``{fold}`` (DFEW, MAFW), else ``[None]`` (one official split: FERV39k, CAER)."""
    folded = any('{fold}' in str(d.get('ann_file', ''))
                 for split in SPLITS for d in _datasets(cfg, split))
    if not folded:
        return [None]
    num = cfg.get('num_folds')
    if not isinstance(num, int) or num < 1:
        raise CrossValidationError(
            f'{_name(cfg)}: its annotation files have a {{fold}} but the config sets no '
            '`num_folds` (the dataset configs dfew.py / mafw.py set 5); pass the folds '
            'explicitly (--folds 1 2 3)')
    return list(range(1, num + 1))


def fold_name(fold: Optional[int]) -> str:
    """Folder and table name of a fold: ``fold3``, or ``split`` for a one-split set."""
    return 'split' if fold is None else f'fold{fold}'


def fold_cfg_options(fold: Optional[int]) -> List[str]:
    """``--cfg-options`` items that select ``fold`` in all three datasets."""
    if fold is None:
        return []
    return [f'{split}_dataloader.dataset.fold={fold}' for split in SPLITS]


def options_dict(items: Sequence[str]) -> Dict[str, object]:
    """``['a.b=1', ...]`` as mmengine's ``DictAction`` reads them (values parsed)."""
    from mmengine.config import DictAction
    out: Dict[str, object] = {}
    for item in items:
        key, sep, value = item.partition('=')
        if not sep:
            raise CrossValidationError(f'--cfg-options item {item!r} is not KEY=VALUE')
        out[key] = DictAction._parse_iterable(value)
    return out


def fold_feature_stores(cfg, fold: Optional[int], root: str) -> Dict[str, str]:
    """Split -> feature store of ``fold`` under ``root`` (what training reads with
    ``feature_cache=root``), by :func:`ous_mm.utils.config_switches.feature_store_dirs`."""
    from ous_mm.utils.config_switches import apply_config_switches, feature_store_dirs
    cfg = copy.deepcopy(cfg)
    if fold is not None:
        cfg.merge_from_dict(options_dict(fold_cfg_options(fold)))
    cfg.feature_cache = None  # the end-to-end datasets; only the store layout is wanted
    return feature_store_dirs(apply_config_switches(cfg), root)


def extraction_jobs(stores: Dict[str, str]) -> List[Dict[str, str]]:
    """One ``(split, out)`` per distinct store: validation sharing the test store
    (DFEW, MAFW, FERV39k) is extracted once."""
    jobs, seen = [], set()
    for split in SPLITS:
        out = stores.get(split)
        if out is not None and out not in seen:
            seen.add(out)
            jobs.append(dict(split=split, out=out))
    return jobs


def best_checkpoint(train_dir: str, metric: str = 'dfer/loss') -> Dict[str, str]:
    """The checkpoint a fold is tested with: the best by validation ``metric`` (default
    the paper's lowest loss: ``best_dfer_loss_epoch_<n>.pth``, mmengine's name), else any
    other ``best_*.pth``, else the last epoch's (a run without validation); newest first."""
    tag = metric.replace('/', '_')
    for kind, pattern in ((f'best by validation {metric}', f'best_{tag}_*.pth'),
                          ('best by validation', 'best_*.pth'), ('last epoch', 'epoch_*.pth')):
        found = sorted(glob.glob(osp.join(train_dir, pattern)), key=_epoch_order)
        if found:
            return dict(path=found[-1], kind=kind)
    raise CrossValidationError(f'{train_dir}: training finished but left no checkpoint '
                               '(best_*.pth or epoch_*.pth)')


def _epoch_order(path: str):
    digits = ''.join(c if c.isdigit() else ' ' for c in osp.basename(path)).split()
    return (int(digits[-1]) if digits else -1, osp.getmtime(path))


def read_test_result(test_dir: str) -> Dict:
    """UAR, WAR, per-class recall and support of the newest test run under ``test_dir``
    (``<timestamp>/confusion_matrix/test.json``, written by ``DFERConfusionMatrixHook``)."""
    found = sorted(glob.glob(osp.join(test_dir, '*', 'confusion_matrix', 'test.json')))
    if not found:
        raise CrossValidationError(
            f'{test_dir}: tools/test.py wrote no confusion_matrix/test.json; the config needs '
            "DFERMetric and the DFERConfusionMatrixHook of configs/_base_/default_runtime.py")
    path = found[-1]
    with open(path, encoding='utf-8') as f:
        data = json.load(f)
    try:
        return dict(UAR=float(data['metrics']['UAR']), WAR=float(data['metrics']['WAR']),
                    recall=dict(data['recall']), support=list(data['support']),
                    class_names=list(data['class_names']), confusion_json=path)
    except (KeyError, TypeError, ValueError) as err:
        raise CrossValidationError(f'{path}: not a DFERMetric test result ({err})') from None


def _mean_sd(values: Sequence[float]) -> Dict[str, Optional[float]]:
    values = [v for v in values if v is not None and not math.isnan(v)]
    if not values:
        return dict(mean=None, sd=None, n=0)
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return dict(mean=statistics.fmean(values), sd=sd, n=len(values))


def summarize_folds(config: str, folds: Sequence[Optional[int]], results: Dict[str, Dict],
                    paper: Optional[Dict] = None) -> Dict:
    """The table: every planned fold (finished or missing), mean +- sd (sample sd) of
    UAR, WAR and each class's recall over the finished ones, and the paper's row."""
    names = [fold_name(f) for f in folds]
    done = [results[n] for n in names if n in results]
    class_names: List[str] = done[0]['class_names'] if done else []
    mean = dict(UAR=_mean_sd([r['UAR'] for r in done]), WAR=_mean_sd([r['WAR'] for r in done]),
                recall={c: _mean_sd([r['recall'].get(c) for r in done]) for c in class_names})
    return dict(config=config, folds=names, finished=[n for n in names if n in results],
                missing=[n for n in names if n not in results], class_names=class_names,
                per_fold={n: results[n] for n in names if n in results}, mean=mean,
                paper=paper)


def paper_row(config: str, root: Optional[str] = None) -> Optional[Dict]:
    """The model zoo's paper figures of ``config`` (its metafile row, when the row's
    ``Source`` is the paper), or None (ablations without figures, own configs)."""
    from ous_mm.utils.model_zoo import load_metafiles
    name = osp.splitext(osp.basename(config))[0]
    for row in load_metafiles(root):
        if row.get('Name') != name:
            continue
        for res in row.get('Results') or []:
            source = str(res.get('Source') or '')
            metrics = res.get('Metrics') or {}
            if source.lower().startswith('paper') and metrics.get('UAR') is not None:
                return dict(UAR=metrics.get('UAR'), WAR=metrics.get('WAR'),
                            source=source, dataset=res.get('Dataset'))
    return None


def _fmt(value: Optional[float]) -> str:
    return '-' if value is None or (isinstance(value, float) and math.isnan(value)) \
        else f'{value:.2f}'


def _fmt_ms(stat: Dict) -> str:
    if stat['mean'] is None:
        return '-'
    return f'{stat["mean"]:.2f} ± {stat["sd"]:.2f}'


def results_markdown(summary: Dict) -> str:
    """``results.md``: one row per fold, the mean ± sd row, the paper's row, and the
    checkpoint and config of each fold."""
    classes = summary['class_names']
    head = ['fold', 'UAR', 'WAR'] + classes
    lines = [f'# Cross-validation: `{summary["config"]}`', '',
             f'Finished {len(summary["finished"])} of {len(summary["folds"])} '
             f'({", ".join(summary["folds"])}); UAR / WAR / per-class recall in %, test split '
             'of each fold, best-by-validation checkpoint.', '',
             '| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for name in summary['folds']:
        r = summary['per_fold'].get(name)
        if r is None:
            lines.append('| ' + ' | '.join([name, 'not run yet'] + [''] * (len(head) - 2)) + ' |')
            continue
        lines.append('| ' + ' | '.join([name, _fmt(r['UAR']), _fmt(r['WAR'])]
                                       + [_fmt(r['recall'].get(c)) for c in classes]) + ' |')
    m = summary['mean']
    if summary['finished']:
        lines.append('| ' + ' | '.join(
            [f'**mean ± sd** (n={m["UAR"]["n"]})', _fmt_ms(m['UAR']), _fmt_ms(m['WAR'])]
            + [_fmt_ms(m['recall'][c]) for c in classes]) + ' |')
    paper = summary.get('paper')
    if paper:
        lines.append('| ' + ' | '.join([f'paper ({paper["source"]})', _fmt(paper['UAR']),
                                        _fmt(paper['WAR'])] + ['-'] * len(classes)) + ' |')
    lines += ['', '| fold | checkpoint | tested | config |', '|---|---|---|---|']
    for name, r in summary['per_fold'].items():
        lines.append(f'| {name} | `{r["checkpoint"]}` | {r["checkpoint_kind"]} | '
                     f'`{r["config"]}` {" ".join(r["cfg_options"])} |')
    return '\n'.join(lines) + '\n'
