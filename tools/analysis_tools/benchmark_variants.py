"""Train OUS and a face-only baseline on every synthetic scene-DFER variant with ONE fixed
recipe per regime, several seeds, and tabulate test UAR/WAR, the epoch of the best
validation UAR and whether a run sat on the one-class-per-polarity plateau.

Regimes (docs/method.md, "Training dynamics"):

- ``trained``: the tiny CLIP tower trained from scratch with the rest of the model
  (``configs/ous/demo/{ous,face_only}_demo_synthetic.py``), end to end;
- ``frozen``: the paper's regime, a small CLIP pretrained here (``tools/pretrain_clip.py``)
  and kept frozen; the vision tower runs once per clip (``tools/extract_features.py``)
  and training reads the cached features (``configs/ous/demo/*_frozen_synthetic.py``).

Domain-shifted rows (docs/method.md, "Domain-shifted evaluation"): a variant whose
``VariantSpec.tower`` is ``'restricted'`` (the ``ood_*`` variants) is read in the frozen
regime by the tower pretrained on the restricted corpus (``tools/pretrain_clip.py
--corpus restricted``, cached beside the full one) and trained from scratch as usual in
the trained regime; its face crop margin (``VariantSpec.crop_margin``) goes into the
child config. The reports put these rows in their own tables.

Every run is a subprocess of the project's own ``tools/train.py`` and ``tools/test.py``
(what a user runs), with a child config written next to its work dir; a finished run
leaves ``result.json`` and is skipped when the command is repeated (resumable).

Examples::

    python tools/analysis_tools/benchmark_variants.py --regimes trained --variants base subtle \
        --seeds 0 1 2 --out work_dirs/variants
    python tools/analysis_tools/benchmark_variants.py --models ous face_only ous_lce ous_avgpool \
        --regimes frozen --out work_dirs/table4          # Table IV on the family
    python tools/analysis_tools/benchmark_variants.py --regimes frozen trained \
        --variants ood_faces ood_scenes ood_both ood_both_small --out work_dirs/ood
"""
import argparse
import glob
import json
import os
import os.path as osp
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Optional, Sequence

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)

RECIPES = {
    'trained': dict(ous='configs/ous/demo/ous_demo_synthetic.py',
                    face_only='configs/ous/demo/face_only_demo_synthetic.py'),
    'frozen': dict(ous='configs/ous/demo/ous_frozen_synthetic.py',
                   face_only='configs/ous/demo/face_only_frozen_synthetic.py'),
}
# Model variants on top of a regime's OUS recipe: config lines appended to the child config.
MODEL_EDITS = {
    'ous': '',
    'face_only': None,  # the regime's face-only config
    'ous_lce': "model = dict(cls_head=dict(loss_cls=dict(_delete_=True, type='ContrastiveLoss', "
               "mode='video_text')))\n",
    'ous_avgpool': "model = dict(neck=dict(fusion='avgpool'))\n",
    'ous_lce_avgpool': "model = dict(neck=dict(fusion='avgpool'), cls_head=dict(loss_cls=dict("
                       "_delete_=True, type='ContrastiveLoss', mode='video_text')))\n",
}
SPLITS = ('train', 'val', 'test')
#: report tables: rows of variants read by the full tower, then the domain-shifted ones
DOMAINS = ('in_distribution', 'ood')


def tower_of(meta: Dict) -> str:
    """The pretraining corpus whose tower reads a variant in the frozen regime
    (``VariantSpec.tower``; absent from the meta.json of earlier variants: 'full')."""
    return meta.get('spec', {}).get('tower', 'full')


def domain_of(meta: Dict) -> str:
    return 'in_distribution' if tower_of(meta) == 'full' else 'ood'


def log(msg: str) -> None:
    print(f'[variants {time.strftime("%H:%M:%S")}] {msg}', flush=True)


def run_tool(args: List[str], log_file: str, threads: int = 1) -> None:
    """Run a project tool as a subprocess, its output into ``log_file``; raise on failure."""
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''),
               OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    os.makedirs(osp.dirname(log_file), exist_ok=True)
    with open(log_file, 'a', encoding='utf-8') as out:
        proc = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, stdout=out,
                              stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        with open(log_file, encoding='utf-8', errors='replace') as f:
            tail = f.read()[-3000:]
        raise RuntimeError(f'{" ".join(args[:2])} failed (exit {proc.returncode}); '
                           f'log {log_file}:\n{tail}')


def ensure_variant(name: str, data_root: str, num_clips: int, seed: int) -> Dict:
    """Generate (or find cached) variant ``name``; return its meta.json."""
    from ous_mm.datasets.synthetic import generate_dataset

    return generate_dataset(osp.join(data_root, f'synthetic_{name}'), num_clips=num_clips,
                            seed=seed, variant=name, progress=False)


def child_config(path: str, base: str, data_dir: str, meta: Dict, extra: str = '',
                 feature_root: Optional[str] = None) -> str:
    """Write a config that points ``base`` at a variant's data (and its polarity map)."""
    lines = [f'_base_ = [{osp.join(ROOT, base)!r}]',
             f'class_names = {tuple(meta["class_names"])!r}',
             f'polarity_map = {dict(meta["polarity_map"])!r}']
    for split in SPLITS:
        lines.append(f'{split}_dataloader = dict(dataset=dict(data_root={data_dir!r}, '
                     f'class_names=class_names, polarity_map=polarity_map))')
    if feature_root is not None:  # train from the frozen tower's cached features
        lines.append(f'feature_cache = {feature_root!r}')
    margin = meta.get('spec', {}).get('crop_margin')
    if margin is not None:  # the variant's crop (VariantSpec.crop_margin; absent: the config's)
        lines.append(f'face_crop = dict(margin={margin!r})')
    lines.append('model = dict(cls_head=dict(class_names=class_names))')
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines) + '\n' + extra)
    return path


def best_checkpoint(work_dir: str) -> str:
    found = sorted(glob.glob(osp.join(work_dir, 'best_dfer_UAR_*.pth')), key=osp.getmtime)
    if not found:
        found = sorted(glob.glob(osp.join(work_dir, 'epoch_*.pth')), key=osp.getmtime)
    if not found:
        raise RuntimeError(f'no checkpoint in {work_dir}')
    return found[-1]


def run_one(job: Dict) -> Dict:
    """Train + test one (regime, variant, model, seed); return (and save) its result."""
    from ous_mm.evaluation.plateau import polarity_plateau
    from ous_mm.evaluation.run_summary import summarize_run, training_series

    work_dir = job['work_dir']
    result_path = osp.join(work_dir, 'result.json')
    if osp.isfile(result_path):  # done before; the summary is re-read from its logs
        with open(result_path, encoding='utf-8') as f:
            return {**json.load(f), **summarize_run(work_dir)}
    start = time.time()
    log_file = osp.join(work_dir, 'run.log')
    cfg = job['config']
    opts = list(job.get('cfg_options', []))
    run_tool(['tools/train.py', cfg, '--work-dir', work_dir, '--seed', str(job['seed']),
              *(['--cfg-options', *opts] if opts else [])], log_file, job['threads'])
    ckpt = best_checkpoint(work_dir)
    test_dir = osp.join(work_dir, 'test')
    test_opts = [o for o in opts if not o.startswith('train_cfg')]
    run_tool(['tools/test.py', cfg, ckpt, '--work-dir', test_dir,
              *(['--cfg-options', *test_opts] if test_opts else [])], log_file, job['threads'])
    cm_files = sorted(glob.glob(osp.join(test_dir, '*', 'confusion_matrix', 'test.json')))
    with open(cm_files[-1], encoding='utf-8') as f:
        test = json.load(f)
    plateau = polarity_plateau(test['matrix'], test['class_names'], job['polarity_map'])
    series = training_series(work_dir)
    result = dict(
        regime=job['regime'], variant=job['variant'], model=job['model'], seed=job['seed'],
        test_uar=test['metrics']['UAR'], test_war=test['metrics']['WAR'],
        test_plateau=bool(plateau['plateau']), recall=test['recall'],
        confusion_png=cm_files[-1][:-5] + '.png',
        **summarize_run(work_dir), checkpoint=ckpt,
        train=dict(series), wall_s=round(time.time() - start, 1))
    for ckpt_file in glob.glob(osp.join(work_dir, '*.pth')):
        if not job.get('keep_checkpoints'):
            os.remove(ckpt_file)
    with open(result_path, 'w', encoding='utf-8') as f:
        json.dump(result, f, indent=1)
    return result


def extract_features(config: str, feature_root: str, log_file: str, views: int,
                     pretrained: str, threads: int) -> None:
    """Cache the frozen tower's features of every split (skipped when complete)."""
    for split in SPLITS:  # extract_features.py resumes a store and skips a complete one
        out = osp.join(feature_root, split)
        run_tool(['tools/extract_features.py', config, '--out', out, '--split', split,
                  '--views', str(views if split == 'train' else 1), '--num-workers', '1',
                  '--cfg-options', f'model.backbone.pretrained={pretrained}'],
                 log_file, threads)


def pretrained_clip(log_file: str, corpus: str = 'full') -> str:
    """The small CLIP of the frozen regime: ``tools/pretrain_clip.py`` (trained once, then
    cached in ``~/.cache/ous-mm/clip``; seconds on a cache hit); ``corpus``: the tower of
    the full or the restricted corpus (``--corpus``)."""
    run_tool(['tools/pretrain_clip.py', *(['--corpus', corpus] if corpus != 'full' else [])],
             log_file)
    with open(log_file, encoding='utf-8') as f:
        paths = [line.split('checkpoint:', 1)[1].strip() for line in f
                 if line.startswith('checkpoint:')]
    if not paths or not osp.isfile(paths[-1]):
        raise RuntimeError(f'tools/pretrain_clip.py printed no checkpoint; see {log_file}')
    return paths[-1]


def mean_sd(values: Sequence[float]) -> str:
    if not values:
        return 'n/a'
    if len(values) == 1:
        return f'{values[0]:.1f}'
    return f'{statistics.mean(values):.1f} ± {statistics.stdev(values):.1f}'


# A run whose best validation UAR never got more than this many points (4 clips of 84)
# above the one-class-per-polarity plateau is counted as stuck there, even when its last
# predictions wander just off the exact plateau pattern (frozen `subtle` seed 1: 21
# validations on it, best 44.0, ended_on_plateau False).
STUCK_MARGIN = 5.0


def summarize(results: List[Dict], metas: Dict[str, Dict]) -> Dict:
    """Per (regime, variant): model means over seeds, OUS - face-only margin, verdicts."""
    table = {}
    for res in results:
        key = (res['regime'], res['variant'])
        table.setdefault(key, {}).setdefault(res['model'], []).append(res)
    rows = []
    for (regime, variant), models in sorted(table.items()):
        caps = metas[variant]['caps']
        row = dict(regime=regime, variant=variant, domain=domain_of(metas[variant]),
                   tower=tower_of(metas[variant]) if regime == 'frozen' else 'from scratch',
                   face_only_cap=caps['face_only'].get('test'),
                   plateau_uar=caps['scene_only'].get('test'),
                   hard=metas[variant]['spec'].get('hard', False),
                   holdout=metas[variant]['spec'].get('holdout', False), models={})
        for model, runs in models.items():
            uars = [r['test_uar'] for r in runs]
            row['models'][model] = dict(
                seeds=[r['seed'] for r in runs], test_uar=uars,
                test_war=[r['test_war'] for r in runs],
                mean_uar=statistics.mean(uars),
                best_epoch=[r['best_epoch'] for r in runs],
                converged_epoch=[r['converged_epoch'] for r in runs],
                plateau_runs=sum(r['ended_on_plateau'] or r['test_plateau'] for r in runs),
                stuck_runs=sum(r['best_val'] <= row['plateau_uar'] + STUCK_MARGIN for r in runs),
                unfinished_runs=sum(r.get('status') == 'unfinished' for r in runs),
                plateau_epochs=[r['plateau_epochs'] for r in runs])
        if 'ous' in row['models'] and 'face_only' in row['models']:
            ous, face = row['models']['ous']['mean_uar'], row['models']['face_only']['mean_uar']
            row['margin'] = ous - face
            below_cap = face < row['face_only_cap'] - 1.0
            row['face_only_below_cap'] = below_cap
            row['meets_target'] = (row['margin'] >= 10.0) if below_cap else (row['margin'] >= 0)
        rows.append(row)
    return dict(rows=rows, tables={d: [r for r in rows if r['domain'] == d] for d in DOMAINS})


def domain_title(regime: str, domain: str) -> str:
    """The table heading: ``Regime: frozen`` as before, then the domain-shifted rows."""
    if domain == 'in_distribution':
        return f'Regime: {regime}'
    tower = 'the tower of the restricted corpus' if regime == 'frozen' else 'from scratch'
    return f'Regime: {regime}, domain-shifted (ood_* variants; tower: {tower})'


def markdown(summary: Dict, models: Sequence[str]) -> str:
    """The variant table as Markdown (per regime: the in-distribution rows, then the
    domain-shifted ones in a table of their own)."""
    out = []
    for regime, domain in [(g, d) for g in sorted({r['regime'] for r in summary['rows']})
                           for d in DOMAINS]:
        rows = [r for r in summary['rows'] if r['regime'] == regime
                and r.get('domain', 'in_distribution') == domain]
        if not rows:
            continue
        out += [f'\n**{domain_title(regime, domain)}**\n',
                '| variant | face-only cap | plateau | ' + ' | '.join(
                    f'{m} UAR' for m in models) + ' | OUS - face-only | best epoch (OUS) | '
                'plateau runs | OUS stuck | unfinished runs | target |',
                '|---|---|---|' + '---|' * len(models) + '---|---|---|---|---|---|']
        for row in rows:
            flags = ''.join([' (hard)' if row['hard'] else '', ' (holdout)' if row['holdout'] else ''])
            cells = [mean_sd(row['models'][m]['test_uar']) if m in row['models'] else 'n/a'
                     for m in models]
            ous = row['models'].get('ous', {})
            plateau = sum(m['plateau_runs'] for m in row['models'].values())
            total = sum(len(m['seeds']) for m in row['models'].values())
            unfinished = sum(m.get('unfinished_runs', 0) for m in row['models'].values())
            margin = f'{row["margin"]:+.1f}' if 'margin' in row else 'n/a'
            target = {True: 'yes', False: 'NO'}.get(row.get('meets_target'), 'n/a')
            out.append(f'| {row["variant"]}{flags} | {row["face_only_cap"]:.1f} | '
                       f'{row["plateau_uar"]:.1f} | ' + ' | '.join(cells) +
                       f' | {margin} | {",".join(map(str, ous.get("best_epoch", [])))} | '
                       f'{plateau}/{total} | {ous.get("stuck_runs", 0)}/{len(ous.get("seeds", []))} | '
                       f'{unfinished}/{total} | {target} |')
    return '\n'.join(out) + '\n'


def convergence_markdown(summary: Dict, models: Sequence[str]) -> str:
    """Table IV's convergence claim on the family: per regime and model, the mean test
    UAR and the mean epoch at which validation UAR first reached 95 % of its best."""
    out = ['\n**Convergence** (mean over variants and seeds; converged = first epoch at 95 % '
           'of the best validation UAR)\n',
           '| regime | model | test UAR | converged epoch | best-val epoch | runs |',
           '|---|---|---|---|---|---|']
    for regime in sorted({r['regime'] for r in summary['rows']}):
        for model in models:
            cells = [r['models'][model] for r in summary['rows']
                     if r['regime'] == regime and model in r['models']]
            if not cells:
                continue
            uar = [u for c in cells for u in c['test_uar']]
            conv = [e for c in cells for e in c['converged_epoch']]
            best = [e for c in cells for e in c['best_epoch']]
            out.append(f'| {regime} | {model} | {statistics.mean(uar):.1f} | '
                       f'{statistics.mean(conv):.1f} | {statistics.mean(best):.1f} | {len(uar)} |')
    return '\n'.join(out) + '\n'


STOP_PATIENCES = (4, 6, 8, 10, 12, 15, 20)


def stop_rule_markdown(results: List[Dict]) -> str:
    """The stop rule replayed on these runs (``early_stop_epoch``): per regime and
    patience of ``EarlyStoppingHook(dfer/UAR)``, how many runs would have tested another
    checkpoint (a lower best validation UAR) and how many epochs it saves."""
    from ous_mm.evaluation.run_summary import stop_rule_rows
    out = ['\n**Stop rule** (EarlyStoppingHook on dfer/UAR, min_delta 0.1, replayed on the '
           'validation series of these runs; "runs changed": the best validation UAR before '
           'the stop is lower than over the whole run)\n',
           '| regime | patience | runs changed | largest loss (UAR) | median stop epoch | '
           'epochs saved per run | runs |', '|---|---|---|---|---|---|---|']
    for regime in sorted({r['regime'] for r in results}):
        series = [r['val_series'] for r in results
                  if r['regime'] == regime and r.get('val_series')]
        for row in stop_rule_rows(series, STOP_PATIENCES):
            out.append(f'| {regime} | {row["patience"]} | {row["lost_runs"]} | '
                       f'{row["max_lost"]:.1f} | {row["median_stop"]} | '
                       f'{row["mean_saved"]:.1f} | {row["runs"]} |')
    return '\n'.join(out) + '\n'


def feature_dir(args, variant: str) -> str:
    """Where a variant's frozen-tower features are cached (shared by every recipe)."""
    root = args.feature_root or osp.join(args.out, 'frozen')
    return osp.abspath(osp.join(root, variant, 'features'))


def plan_jobs(args, metas: Dict[str, Dict], pretrained: Optional[Dict[str, str]]) -> List[Dict]:
    """``pretrained``: tower name -> checkpoint (a plain path is the full tower's)."""
    towers = pretrained if isinstance(pretrained, dict) else {'full': pretrained}
    jobs = []
    for regime in args.regimes:
        for variant in args.variants:
            data_dir = osp.abspath(osp.join(args.data_root, f'synthetic_{variant}'))
            run_root = osp.abspath(osp.join(args.out, regime, variant))
            feature_root = feature_dir(args, variant) if regime == 'frozen' else None
            for model in args.models:
                edit = MODEL_EDITS[model]
                base = RECIPES[regime]['face_only' if edit is None else 'ous']
                cfg = child_config(osp.join(run_root, 'configs', f'{model}.py'), base, data_dir,
                                   metas[variant], edit or '', feature_root)
                opts = list(args.cfg_options or [])
                if edit is not None:
                    opts += list(args.ous_options or [])
                if regime == 'frozen':
                    opts.append(f'model.backbone.pretrained={towers[tower_of(metas[variant])]}')
                for seed in args.seeds:
                    jobs.append(dict(regime=regime, variant=variant, model=model, seed=seed,
                                     config=cfg, cfg_options=opts, threads=args.threads,
                                     polarity_map=metas[variant]['polarity_map'],
                                     work_dir=osp.join(
                                         osp.abspath(osp.join(args.baseline_from, regime, variant))
                                         if args.baseline_from and edit is None else run_root,
                                         model, f'seed{seed}'),
                                     feature_root=feature_root,
                                     keep_checkpoints=args.keep_checkpoints))
    return jobs


def parse_args(argv=None):
    from ous_mm.datasets.synthetic import VARIANTS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--variants', nargs='+', default=sorted(VARIANTS),
                        help='variant names (default: all; see generate.py --list-variants)')
    parser.add_argument('--regimes', nargs='+', choices=sorted(RECIPES), default=['trained'])
    parser.add_argument('--models', nargs='+', choices=sorted(MODEL_EDITS),
                        default=['ous', 'face_only'])
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument('--out', default='work_dirs/variants')
    parser.add_argument('--data-root', default='data', help='variants go to <root>/synthetic_<name>')
    parser.add_argument('--num-clips', type=int, default=420)
    parser.add_argument('--data-seed', type=int, default=0)
    parser.add_argument('--jobs', type=int, default=2, help='runs at once (1 thread each)')
    parser.add_argument('--threads', type=int, default=1, help='torch threads per run')
    parser.add_argument('--views', type=int, default=4, help='cached views per training clip')
    parser.add_argument('--pretrained', default=None,
                        help='frozen regime: the pretrained CLIP file (default: '
                        'ensure_pretrained_clip(), trained once and cached)')
    parser.add_argument('--pretrained-restricted', default=None,
                        help='frozen regime, ood_* variants: the CLIP file pretrained on the '
                        'restricted corpus (default: tools/pretrain_clip.py --corpus '
                        'restricted, trained once and cached)')
    parser.add_argument('--cfg-options', nargs='+', default=None,
                        help='key=value overrides applied to every run (the recipe under test)')
    parser.add_argument('--ous-options', nargs='+', default=None,
                        help='key=value overrides of the OUS models only (not face-only)')
    parser.add_argument('--baseline-from', default=None,
                        help='take (and write) the face-only runs under this --out of another '
                        'benchmark: the baseline does not change with the OUS recipe')
    parser.add_argument('--feature-root', default=None,
                        help='frozen regime: cache features in <root>/<variant>/features '
                        '(default: under --out); recipes that share the pretrained tower '
                        'share the cache')
    parser.add_argument('--keep-checkpoints', action='store_true')
    return parser.parse_args(argv)


def run_benchmark(args) -> Dict:
    os.chdir(ROOT)
    metas = {}
    for variant in args.variants:
        metas[variant] = ensure_variant(variant, args.data_root, args.num_clips, args.data_seed)
        log(f'variant {variant}: data in {osp.join(args.data_root, "synthetic_" + variant)}')
    pretrained = {}
    if 'frozen' in args.regimes:
        for tower in sorted({tower_of(metas[v]) for v in args.variants}):
            given = args.pretrained if tower == 'full' else getattr(args, f'pretrained_{tower}')
            pretrained[tower] = given or pretrained_clip(osp.join(
                args.out, 'pretrain_clip.log' if tower == 'full' else f'pretrain_clip_{tower}.log'),
                tower)
            log(f'pretrained CLIP ({tower} corpus): {pretrained[tower]}')
        for variant in args.variants:
            run_root = osp.abspath(osp.join(args.out, 'frozen', variant))
            cfg = child_config(osp.join(run_root, 'configs', 'extract.py'),
                               RECIPES['frozen']['ous'], osp.abspath(
                                   osp.join(args.data_root, f'synthetic_{variant}')),
                               metas[variant])
            log(f'variant {variant}: caching frozen-tower features')
            extract_features(cfg, feature_dir(args, variant),
                             osp.join(run_root, 'extract.log'), args.views,
                             pretrained[tower_of(metas[variant])],
                             max(1, args.jobs * args.threads))
    jobs = plan_jobs(args, metas, pretrained)
    log(f'{len(jobs)} runs, {args.jobs} at a time')

    failures = []

    def _run(job):
        try:
            res = run_one(job)
        except Exception as err:  # keep the other runs going; reported at the end
            failures.append(f'{job["work_dir"]}: {err}')
            log(f'FAILED {job["work_dir"]}: {str(err).splitlines()[0]}')
            return None
        log(f'{job["regime"]:8s} {job["variant"]:18s} {job["model"]:10s} seed {job["seed"]}: '
            f'test UAR {res["test_uar"]:.1f} (best val epoch {res["best_epoch"]}'
            f'{", PLATEAU" if res["ended_on_plateau"] or res["test_plateau"] else ""})')
        return res

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = [res for res in pool.map(_run, jobs) if res is not None]
    summary = summarize(results, metas)
    summary.update(results=results, args=vars(args))
    text = (markdown(summary, args.models) + convergence_markdown(summary, args.models)
            + stop_rule_markdown(results))
    os.makedirs(args.out, exist_ok=True)
    with open(osp.join(args.out, 'variants.json'), 'w', encoding='utf-8') as f:
        json.dump(summary, f, indent=1)
    with open(osp.join(args.out, 'variants.md'), 'w', encoding='utf-8') as f:
        f.write(text)
    summary['markdown'] = text
    summary['failures'] = failures
    return summary


def main(argv=None):
    summary = run_benchmark(parse_args(argv))
    print(summary['markdown'])
    if summary['failures']:
        raise SystemExit('failed runs:\n' + '\n'.join(summary['failures']))


if __name__ == '__main__':
    main()
