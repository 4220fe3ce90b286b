"""Draw the confusion matrix (and print UAR/WAR) of a ``tools/test.py --dump`` pickle.

Examples::

    python tools/test.py CONFIG CKPT --dump work_dirs/x/preds.pkl
    python tools/analysis/plot_confusion_matrix.py work_dirs/x/preds.pkl \
        --config CONFIG --out work_dirs/x/cm.png
    python tools/analysis/plot_confusion_matrix.py preds.pkl --classes Happy Sad Neutral ...
"""
import argparse
import os.path as osp
import sys

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('dump', help='pickle written by tools/test.py --dump')
    names = parser.add_mutually_exclusive_group()
    names.add_argument('--classes', nargs='+', help='class names in label-id order')
    names.add_argument('--config', help='take the class names from this config '
                       '(its `class_names`, or test_dataloader.dataset.class_names)')
    parser.add_argument('--out', default=None,
                        help='PNG path (default: next to the dump, <dump>_cm.png); '
                        'a .json with the counts is written beside it')
    parser.add_argument('--counts', action='store_true',
                        help='show counts instead of row-normalised percentages')
    parser.add_argument('--title', default=None)
    return parser.parse_args(argv)


def class_names_from_config(path: str):
    """``class_names`` of a config: top-level variable, else the test dataset's argument."""
    from mmengine.config import Config

    cfg = Config.fromfile(path)
    names = cfg.get('class_names', None)
    if names is None:
        names = cfg.get('test_dataloader', {}).get('dataset', {}).get('class_names')
    if names is None:
        raise SystemExit(f'{path} defines no `class_names`; pass --classes instead')
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

    scores, labels = load_dump(args.dump)
    num_classes = scores.shape[1]
    if args.classes:
        names = list(args.classes)
    elif args.config:
        names = class_names_from_config(args.config)
    else:
        names = [f'class_{i}' for i in range(num_classes)]
    if len(names) != num_classes:
        raise SystemExit(f'{len(names)} class names but the dump has {num_classes} '
                         'scores per clip')
    cm = confusion_matrix(labels, scores.argmax(1), num_classes)
    recall = per_class_recall(cm)
    uar = float(np.nanmean(recall) * 100)
    war = float(np.trace(cm) / cm.sum() * 100)
    out = args.out or osp.splitext(args.dump)[0] + '_cm.png'
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
