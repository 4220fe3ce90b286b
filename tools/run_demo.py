"""`make demo`: does the scene help? OUS vs a face-only baseline on the synthetic set.

Stages (each a subprocess of the project's real tools, so the demo exercises
exactly what a user runs):

1. generate the synthetic scene-DFER set with ``tools/data/synthetic/generate.py``
   (cached: skipped when ``<data-root>/demo_generation.json`` records the same
   arguments);
2. train the demo OUS config and the face-only baseline with ``tools/train.py``,
   same data, schedule, seed and budget;
3. evaluate the best-on-validation checkpoint of each on the held-out test split
   with ``tools/test.py`` (``--dump`` for offline analysis);
4. print one comparison table (UAR, WAR, per-class recall) and the paths of the
   confusion-matrix images, and write ``<work-dir>/summary.json`` with the
   published checkpoints' sha256 (the model zoo's synthetic rows).

Examples::

    make demo                                  # seed 0
    python tools/run_demo.py --seed 1          # another seed
    python tools/run_demo.py --quick --work-dir /tmp/d --data-root /tmp/syn   # smoke run
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time
from typing import Dict, List, Optional

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
OUS_CONFIG = 'configs/ous/demo/ous_demo_synthetic.py'
FACE_ONLY_CONFIG = 'configs/ous/demo/face_only_demo_synthetic.py'
GENERATOR = 'tools/data/synthetic/generate.py'
# The synthetic set's class order (configs/_base_/datasets/synthetic.py).
DEFAULT_NUM_CLIPS = 420
DATA_SEED = 0  # the data set stays fixed across training seeds (and stays cached)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seed', type=int, default=0, help='training seed (both models)')
    parser.add_argument('--work-dir', default='work_dirs/demo',
                        help='root of the two runs (<work-dir>/seed<S>/{ous,face_only})')
    parser.add_argument('--data-root', default='data/synthetic',
                        help='where the synthetic set is generated (and cached)')
    parser.add_argument('--num-clips', type=int, default=DEFAULT_NUM_CLIPS,
                        help='clips to generate (split train/val/test by the generator)')
    parser.add_argument('--epochs', type=int, default=None,
                        help='override the demo configs\' max_epochs (both models)')
    parser.add_argument('--ous-config', default=OUS_CONFIG)
    parser.add_argument('--baseline-config', default=FACE_ONLY_CONFIG)
    parser.add_argument('--quick', action='store_true',
                        help='smoke run: 42 clips, 1 epoch (checks the plumbing, not accuracy)')
    parser.add_argument('--regenerate', action='store_true', help='ignore the data cache')
    args = parser.parse_args(argv)
    if args.quick:
        args.num_clips = min(args.num_clips, 42)
        args.epochs = 1 if args.epochs is None else args.epochs
    return args


def log(msg: str) -> None:
    print(f'[demo {time.strftime("%H:%M:%S")}] {msg}', flush=True)


def run(cmd: List[str], what: str) -> None:
    """Run a project tool; its own progress output (logger with ETA, bars) streams through."""
    env = dict(os.environ)
    env['PYTHONPATH'] = ROOT + os.pathsep + env.get('PYTHONPATH', '')
    log(f'{what}: {" ".join(cmd)}')
    start = time.time()
    proc = subprocess.run([sys.executable, *cmd], cwd=ROOT, env=env)
    if proc.returncode != 0:
        raise SystemExit(f'[demo] {what} failed (exit code {proc.returncode}); '
                         'see the output above')
    log(f'{what} done in {time.time() - start:.0f} s')


def ensure_data(args) -> None:
    """Generate the set unless it is there with the same generator arguments.

    The generator caches too; the stamp only saves starting it (a few seconds).
    """
    stamp = osp.join(args.data_root, 'demo_generation.json')
    wanted = dict(num_clips=args.num_clips, seed=DATA_SEED)
    complete = all(osp.isfile(osp.join(args.data_root, f))
                   for f in ('meta.json', 'train.jsonl', 'val.jsonl', 'test.jsonl'))
    if not args.regenerate and complete and osp.isfile(stamp):
        with open(stamp, encoding='utf-8') as f:
            if json.load(f) == wanted:
                log(f'synthetic set cached in {args.data_root} ({args.num_clips} clips)')
                return
    cmd = [GENERATOR, '--out', args.data_root, '--num-clips', str(args.num_clips),
           '--seed', str(DATA_SEED)]
    if args.regenerate:
        cmd.append('--force')
    run(cmd, 'generate the synthetic scene-DFER set')
    with open(stamp, 'w', encoding='utf-8') as f:
        json.dump(wanted, f)


def data_overrides(args) -> List[str]:
    opts = [f'{loader}.dataset.data_root={args.data_root}'
            for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')]
    if args.epochs is not None:
        opts.append(f'train_cfg.max_epochs={args.epochs}')
    return opts


def pick_checkpoint(work_dir: str) -> str:
    """Best-on-validation-UAR checkpoint (``save_best``), else the last one saved."""
    for pattern in ('best_dfer_UAR_*.pth', 'best_*.pth'):
        best = sorted(glob.glob(osp.join(work_dir, pattern)), key=osp.getmtime)
        if best:
            return best[-1]
    last = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(last):
        with open(last, encoding='utf-8') as f:
            path = f.read().strip()
        if osp.isfile(path):
            return path
    epochs = sorted(glob.glob(osp.join(work_dir, 'epoch_*.pth')), key=osp.getmtime)
    if not epochs:
        raise SystemExit(f'[demo] no checkpoint in {work_dir}')
    return epochs[-1]


def newest(pattern: str) -> Optional[str]:
    found = sorted(glob.glob(pattern), key=osp.getmtime)
    return found[-1] if found else None


def _load_module(name: str, *parts: str):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, osp.join(ROOT, *parts))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _checkpoint_utils():
    """``ous_mm/utils/checkpoint.py`` (plus the weights_only allow-list of
    ``ous_mm/compat.py``) without ``import ous_mm``, which would load the whole
    OpenMMLab stack into this driver process (half a minute on a busy 2-core
    machine) for one function that needs torch only."""
    _load_module('ous_compat', 'ous_mm', 'compat.py')
    return _load_module('ous_checkpoint_utils', 'ous_mm', 'utils', 'checkpoint.py')


def train_and_test(name: str, config: str, args, run_dir: str) -> Dict:
    """Train ``config``, test its best checkpoint, publish it; return its test metrics."""
    publish_checkpoint = _checkpoint_utils().publish_checkpoint
    work_dir = osp.join(run_dir, name)
    opts = data_overrides(args)
    run(['tools/train.py', config, '--work-dir', work_dir, '--seed', str(args.seed),
         '--cfg-options', *opts], f'train {name}')
    ckpt = pick_checkpoint(work_dir)
    test_dir = osp.join(work_dir, 'test')
    dump = osp.join(test_dir, 'predictions.pkl')
    run(['tools/test.py', config, ckpt, '--work-dir', test_dir, '--dump', dump,
         '--cfg-options', *[o for o in opts if not o.startswith('train_cfg')]],
        f'test {name}')
    cm_json = newest(osp.join(test_dir, '*', 'confusion_matrix', 'test.json'))
    if cm_json is None:
        raise SystemExit(f'[demo] tools/test.py wrote no confusion matrix under {test_dir}: '
                         'is DFERConfusionMatrixHook in the config\'s custom_hooks?')
    with open(cm_json, encoding='utf-8') as f:
        result = json.load(f)
    published = publish_checkpoint(ckpt, osp.join(run_dir, 'published'),
                                   name=f'{name}_demo_synthetic_seed{args.seed}')
    return dict(name=name, config=config, checkpoint=ckpt, dump=dump,
                confusion_json=cm_json, confusion_png=cm_json[:-5] + '.png',
                uar=result['metrics']['UAR'], war=result['metrics']['WAR'],
                recall=result['recall'], class_names=result['class_names'],
                published=published)


def print_table(results: List[Dict]) -> str:
    names = results[0]['class_names']
    short = [n[:8] for n in names]
    header = f'{"model":<11s}{"UAR":>7s}{"WAR":>7s} ' + ''.join(f'{s:>9s}' for s in short)
    lines = ['', 'Held-out test split, recall in % (UAR = mean per-class recall, '
             'WAR = accuracy)', header, '-' * len(header)]
    for res in results:
        recall = [res['recall'].get(n) for n in names]
        cells = ''.join('      n/a' if r is None else f'{r:9.1f}' for r in recall)
        lines.append(f'{res["name"]:<11s}{res["uar"]:7.2f}{res["war"]:7.2f} {cells}')
    lines.append('-' * len(header))
    if len(results) == 2:
        lines.append(f'OUS - face-only: UAR {results[0]["uar"] - results[1]["uar"]:+.2f}, '
                     f'WAR {results[0]["war"] - results[1]["war"]:+.2f} points')
    lines.append('Confusion matrices:')
    for res in results:
        lines.append(f'  {res["name"]:<10s} {res["confusion_png"]}')
    text = '\n'.join(lines)
    print(text, flush=True)
    return text


def main(argv=None):
    args = parse_args(argv)
    os.chdir(ROOT)
    start = time.time()
    ensure_data(args)
    run_dir = osp.join(args.work_dir, f'seed{args.seed}')
    results = [train_and_test('ous', args.ous_config, args, run_dir),
               train_and_test('face_only', args.baseline_config, args, run_dir)]
    table = print_table(results)
    elapsed = time.time() - start
    summary = dict(seed=args.seed, num_clips=args.num_clips, epochs=args.epochs,
                   elapsed_s=round(elapsed, 1), results=results, table=table)
    os.makedirs(run_dir, exist_ok=True)
    with open(osp.join(run_dir, 'summary.json'), 'w', encoding='utf-8') as f:
        json.dump(summary, f, indent=2)
    log(f'total {elapsed / 60:.1f} min; summary in {osp.join(run_dir, "summary.json")}')
    return summary


if __name__ == '__main__':
    main()
