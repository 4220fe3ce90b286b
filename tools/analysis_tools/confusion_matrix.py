"""Draw the confusion matrix (and print UAR/WAR) of a checkpoint or a ``--dump`` pickle.

MMAction2's argument order: CONFIG, then a checkpoint (``.pth``: the test split is
run first, as ``tools/test.py`` would) or the pickle of ``tools/test.py --dump``.

Examples::

    python tools/analysis_tools/confusion_matrix.py CONFIG work_dirs/x/best_dfer_UAR_epoch_N.pth
    python tools/test.py CONFIG CKPT --dump work_dirs/x/preds.pkl
    python tools/analysis_tools/confusion_matrix.py CONFIG work_dirs/x/preds.pkl \
        --out work_dirs/x/cm.png
"""
import argparse
import os.path as osp
import sys
import tempfile

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def parse_args(argv=None):
    from mmengine.config import DictAction

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='the config (class names; the test split for a checkpoint)')
    parser.add_argument('ckpt_or_result',
                        help='a checkpoint (.pth) or the pickle of tools/test.py --dump (.pkl)')
    parser.add_argument('--out', default=None,
                        help='PNG path (default: next to the pickle or checkpoint, <name>_cm.png); '
                        'a .json with the counts is written beside it')
    parser.add_argument('--counts', action='store_true',
                        help='show counts instead of row-normalised percentages')
    parser.add_argument('--title', default=None)
    parser.add_argument('--work-dir', default=None,
                        help='checkpoint only: where the test run logs (default: a temp dir)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default=None,
                        help='override config entries, as in tools/test.py')
    return parser.parse_args(argv)


def predict(config: str, checkpoint: str, cfg_options=None, work_dir=None) -> str:
    """Run the config's test split with ``checkpoint``; the path of the dumped pickle."""
    from ous_mm.apis import build_runner
    from ous_mm.apis.config import load_config
    from ous_mm.datasets.missing_data import missing_data_message

    cfg = load_config(config, cfg_options)
    message = missing_data_message(cfg, ('test', ))
    if message is not None:
        raise SystemExit(message)
    out_dir = tempfile.mkdtemp(prefix='ous_cm_')
    dump = osp.join(out_dir, 'preds.pkl')
    evaluator = cfg.test_evaluator
    cfg.test_evaluator = [*(evaluator if isinstance(evaluator, (list, tuple)) else [evaluator]),
                          dict(type='DumpResults', out_file_path=dump)]
    cfg.load_from = checkpoint
    cfg.work_dir = work_dir or osp.join(out_dir, 'work_dir')
    build_runner(cfg, restore_encoders=True).test()
    return dump


def class_names_from_config(path: str):
    """``class_names`` of a config: top-level variable, else the test dataset's argument."""
    from mmengine.config import Config

    cfg = Config.fromfile(path)
    names = cfg.get('class_names', None)
    if names is None:
        names = cfg.get('test_dataloader', {}).get('dataset', {}).get('class_names')
    if names is None:
        raise SystemExit(f'{path} defines no `class_names` (nor test_dataloader.dataset.class_names)')
    return list(names)


def load_dump(path: str):
    """Scores ``(N, C)`` and labels ``(N,)`` from a DumpResults pickle."""
    import mmengine

    if not osp.isfile(path):
        raise SystemExit(f'dump file not found: {path}')
    results = mmengine.load(path)
    if not isinstance(results, list) or not results:
        raise SystemExit(f'{path} holds no predictions (expected a non-empty list)')
    scores, labels = [], []
    for i, item in enumerate(results):
        if not isinstance(item, dict) or 'pred_score' not in item or 'gt_label' not in item:
            raise SystemExit(f'{path}: entry {i} has no pred_score/gt_label; '
                             'was it written by tools/test.py --dump?')
        scores.append(np.asarray(item['pred_score'], dtype=np.float64).reshape(-1))
        labels.append(int(np.asarray(item['gt_label']).reshape(-1)[0]))
    return np.stack(scores), np.array(labels)


def main(argv=None):
    args = parse_args(argv)
    from ous_mm.evaluation import (confusion_matrix, per_class_recall,
                                   plot_confusion_matrix, save_confusion_matrix_json)

    target = args.ckpt_or_result
    if not osp.isfile(target):
        raise SystemExit(f'not found: {target}')
    is_pickle = target.endswith(('.pkl', '.pickle'))
    dump = target if is_pickle else predict(args.config, target, args.cfg_options,
                                            args.work_dir)
    scores, labels = load_dump(dump)
    num_classes = scores.shape[1]
    names = class_names_from_config(args.config)
    if len(names) != num_classes:
        raise SystemExit(f'{args.config} has {len(names)} class names but {target} has '
                         f'{num_classes} scores per clip')
    cm = confusion_matrix(labels, scores.argmax(1), num_classes)
    recall = per_class_recall(cm)
    uar = float(np.nanmean(recall) * 100)
    war = float(np.trace(cm) / cm.sum() * 100)
    out = args.out or osp.splitext(target)[0] + '_cm.png'
    plot_confusion_matrix(cm, names, out, normalize=not args.counts,
                          title=args.title or f'UAR {uar:.2f}  WAR {war:.2f}')
    json_path = save_confusion_matrix_json(cm, names, osp.splitext(out)[0] + '.json',
                                           extra=dict(metrics=dict(UAR=uar, WAR=war)))
    print(f'{len(labels)} clips  UAR {uar:.2f}  WAR {war:.2f}')
    for name, r in zip(names, recall):
        print(f'  {name:<16s} ' + ('   n/a' if np.isnan(r) else f'{r * 100:6.2f}'))
    print(f'saved {out} and {json_path}')
    return cm


if __name__ == '__main__':
    main()
