"""The whole k-fold protocol as one command: per fold (DFEW, MAFW: 5; FERV39k, CAER: one
split) cache the frozen encoder's features (when training reads them), train, test the
best-by-validation checkpoint; then write ``results.json`` and ``results.md`` (per-fold
UAR / WAR / per-class recall, mean ± sd over folds, each fold's checkpoint and config,
and the paper's row for the OUS configs).

    python tools/cross_validate.py configs/ous/ous_vitl14_dfew.py --work-dir work_dirs/cv_dfew
    python tools/cross_validate.py CONFIG --jobs 2                 # two folds at a time
    python tools/cross_validate.py CONFIG --feature-cache data/features/dfew_vitl14
    python tools/cross_validate.py CONFIG --folds 2 3              # some folds only
    bash tools/slurm_cross_validate.sh PARTITION JOB CONFIG WORK_DIR   # one slurm task per fold

Every step is a subprocess of the project's own ``tools/extract_features.py``,
``tools/train.py`` and ``tools/test.py`` (what a user runs by hand), the fold chosen
with ``--cfg-options {train,val,test}_dataloader.dataset.fold=K``. Re-running the same
command resumes: a finished fold (``<work_dir>/fold<K>/result.json``) is skipped, a
killed training resumes from its last checkpoint (``tools/train.py --resume``), a
killed extraction from its last flush. The logic lives in
:mod:`ous_mm.evaluation.cross_validation`; the protocol in docs/data.md.
"""
import argparse
import json
import os
import os.path as osp
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Optional

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

TRAIN_DONE = 'train_finished'  # marker: tools/train.py returned 0 in this fold's train dir
PROVENANCE = 'fold.json'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='k-fold train + test of an OUS config')
    parser.add_argument('config', help='the config (end to end, or one that sets feature_cache)')
    parser.add_argument('--work-dir', help='default: work_dirs/cross_validate/<config name>')
    parser.add_argument('--folds', type=int, nargs='+',
                        help='run these folds only (default: all of the config)')
    parser.add_argument('--fold-index', type=int,
                        help='run only the I-th (0-based) of the folds to run (a slurm array task)')
    parser.add_argument('--jobs', type=int, default=1, help='folds run at the same time')
    parser.add_argument('--feature-cache', metavar='ROOT',
                        help='cache the frozen encoder\'s features per fold under ROOT and '
                        'train from them (default: the config\'s own feature_cache, if any)')
    parser.add_argument('--views', type=int, default=1,
                        help='augmented views per training clip when caching')
    parser.add_argument('--best-metric', default='dfer/loss',
                        help="validation metric whose best checkpoint is tested (default: the "
                        "paper's lowest validation loss; 'dfer/UAR' for the best UAR)")
    parser.add_argument('--seed', type=int, default=0, help='training seed of every fold')
    parser.add_argument('--amp', action='store_true', help='tools/train.py --amp')
    parser.add_argument('--cfg-options', nargs='+', default=[], metavar='KEY=VALUE',
                        help='passed to every step, e.g. model.backbone.pretrained=FILE')
    parser.add_argument('--dry-run', action='store_true',
                        help='print each fold\'s commands, run nothing')
    parser.add_argument('--summarize', action='store_true',
                        help='only (re)write results.json / results.md from finished folds')
    parser.add_argument('--list-folds', action='store_true',
                        help='print the number of folds to run (what --fold-index '
                        'indexes) and exit')
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error('--jobs must be >= 1')
    if args.views < 1:
        parser.error('--views must be >= 1')
    return args


class Plan:
    """What every fold runs: the config, the user's options, the cache root."""

    def __init__(self, args) -> None:
        from mmengine.config import Config

        from ous_mm.evaluation.cross_validation import (CrossValidationError, config_folds,
                                                        options_dict)
        # absolute: the steps run from the repository root, the user from anywhere
        self.config = osp.abspath(args.config)
        self.cfg = Config.fromfile(self.config)
        self.user_options = list(args.cfg_options)
        if self.user_options:
            self.cfg.merge_from_dict(options_dict(self.user_options))
        cache = args.feature_cache or self.cfg.get('feature_cache') or None
        self.feature_cache = osp.abspath(cache) if cache else None
        self.work_dir = osp.abspath(args.work_dir or osp.join(
            'work_dirs', 'cross_validate', osp.splitext(osp.basename(args.config))[0]))
        self.seed, self.views, self.amp = args.seed, args.views, args.amp
        self.best_metric = args.best_metric
        try:
            planned = config_folds(self.cfg)
        except CrossValidationError:
            if not args.folds:  # a {fold} config without num_folds: the folds must be given
                raise
            planned = list(args.folds)
        if args.folds:
            if planned == [None]:
                raise SystemExit(f'error: {args.config} has one split (no {{fold}} in its '
                                 'annotation files); --folds does not apply')
            unknown = sorted(set(args.folds) - set(planned))
            if unknown:
                raise SystemExit(f'error: --folds {unknown}: {args.config} has folds {planned}')
        # the table covers every fold of the config (finished ones from earlier runs too)
        self.all_folds = planned
        if args.folds:
            planned = list(dict.fromkeys(args.folds))
        self.requested = planned
        if args.fold_index is not None:
            if not 0 <= args.fold_index < len(planned):
                raise SystemExit(f'error: --fold-index {args.fold_index} outside 0..'
                                 f'{len(planned) - 1} (folds: {planned})')
            planned = [planned[args.fold_index]]
        self.folds = planned

    def provenance(self) -> Dict:
        """What must be equal for a finished fold to count in this run's table."""
        return dict(config=self.config, cfg_options=self.user_options,
                    feature_cache=self.feature_cache, seed=self.seed, views=self.views,
                    amp=self.amp, best_metric=self.best_metric)


def run_tool(args: List[str], log_file: str) -> None:
    """Run a project tool (its output into ``log_file``); raise with the log's tail."""
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''))
    os.makedirs(osp.dirname(log_file), exist_ok=True)
    with open(log_file, 'a', encoding='utf-8') as out:
        out.write(f'$ {" ".join(shlex.quote(a) for a in args)}\n')
        out.flush()
        proc = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, stdout=out,
                              stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        with open(log_file, encoding='utf-8', errors='replace') as f:
            tail = f.read()[-3000:]
        raise RuntimeError(f'{args[0]} failed (exit {proc.returncode}); log {log_file}:\n{tail}')


def log(msg: str) -> None:
    print(f'[cross_validate] {msg}', flush=True)


def fold_steps(plan: Plan, fold: Optional[int]) -> Dict:
    """The fold's directories, options and the commands before the test."""
    from ous_mm.evaluation.cross_validation import (extraction_jobs, fold_cfg_options,
                                                    fold_feature_stores, fold_name)
    fold_dir = osp.join(plan.work_dir, fold_name(fold))
    options = fold_cfg_options(fold) + plan.user_options
    extract = []
    if plan.feature_cache:
        stores = fold_feature_stores(plan.cfg, fold, plan.feature_cache)
        for job in extraction_jobs(stores):
            views = plan.views if job['split'] == 'train' else 1
            extract.append(['tools/extract_features.py', plan.config, '--out', job['out'],
                            '--split', job['split'], '--views', str(views),
                            '--cfg-options', *options, 'feature_cache=None'])
        options = options + [f'feature_cache={plan.feature_cache}']
    train_dir, test_dir = osp.join(fold_dir, 'train'), osp.join(fold_dir, 'test')
    train = ['tools/train.py', plan.config, '--work-dir', train_dir, '--seed', str(plan.seed),
             '--resume', *(['--amp'] if plan.amp else []), '--cfg-options', *options]
    return dict(name=fold_name(fold), dir=fold_dir, train_dir=train_dir, test_dir=test_dir,
                options=options, extract=extract, train=train)


def test_command(plan: Plan, steps: Dict, checkpoint: str) -> List[str]:
    return ['tools/test.py', plan.config, checkpoint, '--work-dir', steps['test_dir'],
            '--cfg-options', *steps['options']]


def check_provenance(plan: Plan, steps: Dict) -> None:
    """A fold folder belongs to one config and set of options; reusing it for another
    would mix two experiments in one table."""
    from ous_mm.evaluation.cross_validation import CrossValidationError
    from ous_mm.datasets.layouts.records import write_text_atomic
    path = osp.join(steps['dir'], PROVENANCE)
    want = plan.provenance()
    if osp.isfile(path):
        with open(path, encoding='utf-8') as f:
            have = json.load(f)
        if have != want:
            diff = {k: (have.get(k), v) for k, v in want.items() if have.get(k) != v}
            raise CrossValidationError(
                f'{path}: this fold was run with other settings {diff} (was, now); use '
                'another --work-dir or remove the folder')
        return
    write_text_atomic(path, json.dumps(want, indent=1) + '\n')


def run_fold(plan: Plan, fold: Optional[int]) -> Dict:
    """Extract (if cached), train (resuming), test; the fold's result (also saved)."""
    from ous_mm.datasets.layouts.records import write_text_atomic
    from ous_mm.evaluation.cross_validation import RESULT_FILE, best_checkpoint, read_test_result
    steps = fold_steps(plan, fold)
    result_path = osp.join(steps['dir'], RESULT_FILE)
    check_provenance(plan, steps)
    if osp.isfile(result_path):
        log(f'{steps["name"]}: finished before, skipped ({result_path})')
        with open(result_path, encoding='utf-8') as f:
            return json.load(f)
    log_file = osp.join(steps['dir'], 'run.log')
    for cmd in steps['extract']:  # a complete store is a no-op; a partial one resumes
        log(f'{steps["name"]}: caching {cmd[cmd.index("--split") + 1]} features -> '
            f'{cmd[cmd.index("--out") + 1]}')
        run_tool(cmd, log_file)
    if not osp.isfile(osp.join(steps['train_dir'], TRAIN_DONE)):
        log(f'{steps["name"]}: training (resumes from its last checkpoint) -> {steps["train_dir"]}')
        run_tool(steps['train'], log_file)
        write_text_atomic(osp.join(steps['train_dir'], TRAIN_DONE), 'tools/train.py returned 0\n')
    ckpt = best_checkpoint(steps['train_dir'], plan.best_metric)
    log(f'{steps["name"]}: testing {ckpt["path"]} ({ckpt["kind"]})')
    run_tool(test_command(plan, steps, ckpt['path']), log_file)
    result = dict(fold=fold, **read_test_result(steps['test_dir']), checkpoint=ckpt['path'],
                  checkpoint_kind=ckpt['kind'], config=plan.config,
                  cfg_options=steps['options'], log=log_file)
    write_text_atomic(result_path, json.dumps(result, indent=1) + '\n')
    log(f'{steps["name"]}: UAR {result["UAR"]:.2f} WAR {result["WAR"]:.2f}')
    return result


def write_summary(plan: Plan) -> Dict:
    """results.json + results.md from every finished fold of the full plan."""
    from ous_mm.datasets.layouts.records import write_text_atomic
    from ous_mm.evaluation.cross_validation import (RESULT_FILE, fold_name, paper_row,
                                                    results_markdown, summarize_folds)
    results = {}
    for fold in plan.all_folds:
        path = osp.join(plan.work_dir, fold_name(fold), RESULT_FILE)
        if osp.isfile(path):
            with open(path, encoding='utf-8') as f:
                results[fold_name(fold)] = json.load(f)
    summary = summarize_folds(plan.config, plan.all_folds, results, paper_row(plan.config))
    write_text_atomic(osp.join(plan.work_dir, 'results.json'), json.dumps(summary, indent=1) + '\n')
    write_text_atomic(osp.join(plan.work_dir, 'results.md'), results_markdown(summary))
    return summary


def dry_run(plan: Plan) -> None:
    for fold in plan.folds:
        steps = fold_steps(plan, fold)
        for cmd in steps['extract'] + [steps['train'],
                                       test_command(plan, steps, '<best checkpoint>')]:
            print(f'{steps["name"]}: python {" ".join(shlex.quote(a) for a in cmd)}')


def main(argv=None) -> int:
    args = parse_args(argv)
    import ous_mm  # noqa: F401  (registration, upstream fixes)
    from ous_mm.evaluation.cross_validation import CrossValidationError
    try:
        plan = Plan(args)
        if args.list_folds:
            print(len(plan.requested))
            return 0
        if args.dry_run:
            dry_run(plan)
            return 0
        failures = []
        if not args.summarize:
            log(f'{plan.config}: folds {[f for f in plan.folds]} -> {plan.work_dir} '
                f'({args.jobs} at a time)')

            def one(fold):
                try:
                    run_fold(plan, fold)
                except (RuntimeError, CrossValidationError) as err:
                    failures.append(str(err))
                    log(f'fold {fold} FAILED: {err}')

            with ThreadPoolExecutor(max_workers=args.jobs) as pool:
                list(pool.map(one, plan.folds))
        summary = write_summary(plan)
    except CrossValidationError as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    m = summary['mean']
    log(f'{len(summary["finished"])}/{len(summary["folds"])} folds finished; '
        + (f'UAR {m["UAR"]["mean"]:.2f} ± {m["UAR"]["sd"]:.2f}, '
           f'WAR {m["WAR"]["mean"]:.2f} ± {m["WAR"]["sd"]:.2f}; ' if summary['finished'] else '')
        + f'table: {osp.join(plan.work_dir, "results.md")}')
    if failures:
        print(f'error: {len(failures)} fold(s) failed; re-run the same command to resume',
              file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
