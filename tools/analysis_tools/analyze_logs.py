"""Loss and accuracy curves of a training run (like Fig. 6 of the OUS paper).

Reads ``vis_data/scalars.json`` that mmengine's ``LocalVisBackend`` writes under
``WORK_DIR/<timestamp>/``: every run of the work dir, oldest first, merged by
iteration and epoch (a run resumed with ``--resume`` writes a new timestamp
folder and continues the curves; where runs overlap, the later one wins). One
run with ``--run``; a ``scalars.json`` path works too. Draws two panels: every
``loss*`` key of the training iterations plus the validation ``dfer/loss``, and
the validation UAR/WAR (plus any training ``*acc*`` key).

MMAction2's command form (``analyze_logs.py plot_curve ...``)::

    python tools/analysis_tools/analyze_logs.py plot_curve work_dirs/ous_tiny --out curves.png
"""
import argparse
import glob
import json
import os.path as osp
from collections import defaultdict
from typing import Dict, List, Sequence, Tuple, Union


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest='command', required=True)
    curve = commands.add_parser('plot_curve', help='loss and accuracy curves of a run')
    curve.add_argument('work_dir', help='a work dir, a run dir in it, or a scalars.json')
    curve.add_argument('--run', default=None,
                       help='one timestamp folder (default: all runs of the work dir, merged)')
    curve.add_argument('--out', default=None,
                       help='PNG path (default: <work dir or run dir>/curves.png)')
    return parser.parse_args(argv)


def find_scalars(path: str, run: str = None) -> List[str]:
    """The ``scalars.json`` files to plot: every run of a work dir (timestamp folders,
    oldest first), or the one of ``run`` / of a run dir / the file itself."""
    if osp.isfile(path):
        return [path]
    if run is not None:
        path = osp.join(path, run)
    direct = osp.join(path, 'vis_data', 'scalars.json')
    if osp.isfile(direct):
        return [direct]
    found = sorted(glob.glob(osp.join(path, '*', 'vis_data', 'scalars.json')))
    if not found:
        raise SystemExit(f'no vis_data/scalars.json under {path}: was it a training work dir '
                         'with the LocalVisBackend (configs/_base_/default_runtime.py)?')
    return found


def _read_records(path: str) -> List[dict]:
    with open(path, encoding='utf-8', errors='replace') as f:
        lines = f.read().splitlines()
    records = []
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as err:
            if lineno == len(lines):
                break  # the last line of a run killed while logging it
            raise SystemExit(f'{path}:{lineno}: not JSON ({err})') from None
    return records


def read_scalars(paths: Union[str, Sequence[str]]) -> Tuple[Dict[str, List[Tuple[float, float]]],
                                                          Dict[str, List[Tuple[float, float]]]]:
    """Training and validation series ``{key: [(x, value), ...]}``, x in iterations.

    ``paths``: one ``scalars.json`` or several runs of one work dir, oldest
    first; records are merged by iteration (training) and epoch (validation),
    a later run replacing what an earlier, killed run logged for the same step.
    Validation lines are logged per epoch; their x is the last training
    iteration of that epoch so both panels share one axis.
    """
    by_iter: Dict[int, dict] = {}
    by_epoch: Dict[int, dict] = {}
    for path in ([paths] if isinstance(paths, str) else paths):
        for record in _read_records(path):
            if 'lr' in record or 'iter' in record:
                by_iter[int(record.get('iter', record.get('step', 0)))] = record
            else:
                by_epoch[int(record.get('step', 0))] = record
    train_lines = [by_iter[k] for k in sorted(by_iter)]
    val_lines = [by_epoch[k] for k in sorted(by_epoch)]
    epoch_end: Dict[int, int] = {}
    for rec in train_lines:
        if 'epoch' in rec:
            epoch_end[int(rec['epoch'])] = max(epoch_end.get(int(rec['epoch']), 0),
                                               int(rec.get('iter', rec.get('step', 0))))
    train, val = defaultdict(list), defaultdict(list)
    for rec in train_lines:
        x = rec.get('iter', rec.get('step'))
        for key, value in rec.items():
            if isinstance(value, (int, float)) and ('loss' in key or 'acc' in key):
                train[key].append((x, value))
    for rec in val_lines:
        step = int(rec.get('step', 0))
        x = epoch_end.get(step, step)
        for key, value in rec.items():
            if key != 'step' and isinstance(value, (int, float)):
                val[key].append((x, value))
    return dict(train), dict(val)


def plot(train, val, out: str, title: str = '') -> str:
    """Two panels (loss, accuracy) saved as PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.2))
    FigureCanvasAgg(fig)
    ax_loss, ax_acc = fig.add_subplot(121), fig.add_subplot(122)
    for key, points in sorted(train.items()):
        if 'loss' in key:
            xs, ys = zip(*points)
            ax_loss.plot(xs, ys, label=f'train {key}', lw=1.2 if key == 'loss' else 0.8)
        elif 'acc' in key:
            xs, ys = zip(*points)
            if max(ys) <= 1.0:  # mmaction logs training accuracy as a fraction
                ys = [y * 100 for y in ys]
            ax_acc.plot(xs, ys, label=f'train {key} (%)', lw=0.8)
    for key, points in sorted(val.items()):
        xs, ys = zip(*points)
        if key.endswith('loss'):
            ax_loss.plot(xs, ys, 'o-', label=f'val {key}')
        elif key.endswith(('UAR', 'WAR')) or 'acc' in key:
            ax_acc.plot(xs, ys, 'o-', label=f'val {key}')
    ax_loss.set_title('Loss')
    ax_acc.set_title('Accuracy (%)')
    for ax in (ax_loss, ax_acc):
        ax.set_xlabel('iteration')
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend(fontsize=7)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    return out


def main(argv=None):
    args = parse_args(argv)
    scalars = find_scalars(args.work_dir, args.run)
    train, val = read_scalars(scalars)
    if not train and not val:
        raise SystemExit(f'{", ".join(scalars)}: no loss/accuracy values')
    run_dir = osp.dirname(osp.dirname(scalars[0]))
    folder = run_dir if len(scalars) == 1 else osp.dirname(run_dir)
    out = args.out or osp.join(folder, 'curves.png')
    plot(train, val, out, title=osp.relpath(folder))
    print(f'{len(train)} training and {len(val)} validation series from '
          f'{len(scalars)} run(s): {", ".join(scalars)}')
    print(f'saved {out}')
    return out


if __name__ == '__main__':
    main()
