"""Confusion matrix: compute it, save it as JSON and as a PNG figure.

Shared by :class:`~ous_mm.evaluation.DFERMetric` (which writes the matrix of
every validation/test run into the work dir) and
``tools/analysis_tools/confusion_matrix.py`` (which redraws it from a
``tools/test.py --dump`` pickle), so both produce the same files.
"""
import json
import os
import os.path as osp
from typing import Dict, Optional, Sequence

import numpy as np


def confusion_matrix(labels: Sequence[int], preds: Sequence[int],
                     num_classes: int) -> np.ndarray:
    """Count matrix ``cm[true, pred]`` of shape ``(num_classes, num_classes)``.

    Raises:
        ValueError: when a label or prediction is outside ``[0, num_classes)``;
            that means the class list does not match the model or the data.
    """
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    preds = np.asarray(preds, dtype=np.int64).reshape(-1)
    if labels.shape != preds.shape:
        raise ValueError(f'{labels.size} labels but {preds.size} predictions')
    for name, values in (('label', labels), ('prediction', preds)):
        if values.size and (values.min() < 0 or values.max() >= num_classes):
            raise ValueError(
                f'a {name} id is outside [0, {num_classes}): got '
                f'{values.min()}..{values.max()}; do the class names match '
                'the model and the annotation?')
    cm = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(cm, (labels, preds), 1)
    return cm


def per_class_recall(cm: np.ndarray) -> np.ndarray:
    """Recall of every class (row-normalised diagonal); NaN for a class with no sample."""
    support = cm.sum(axis=1).astype(np.float64)
    with np.errstate(invalid='ignore', divide='ignore'):
        return np.where(support > 0, np.diag(cm) / np.maximum(support, 1), np.nan)


def save_confusion_matrix_json(cm: np.ndarray, class_names: Sequence[str],
                               path: str, extra: Optional[Dict] = None) -> str:
    """Write the count matrix, the class names and per-class recall as JSON."""
    recall = per_class_recall(cm)
    payload = dict(
        class_names=list(class_names),
        matrix=cm.astype(int).tolist(),
        rows='true class', columns='predicted class',
        support=cm.sum(axis=1).astype(int).tolist(),
        recall={n: (None if np.isnan(r) else float(r) * 100)
                for n, r in zip(class_names, recall)})
    if extra:
        payload.update(extra)
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(payload, f, indent=2)
    return path


def plot_confusion_matrix(cm: np.ndarray, class_names: Sequence[str], path: str,
                          title: str = 'Confusion matrix',
                          normalize: bool = True) -> str:
    """Draw the matrix as a PNG (row-normalised recall in percent by default).

    Uses a bare ``matplotlib.figure.Figure`` (Agg canvas) so it works on a
    headless node and never touches pyplot's global state.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    num = len(class_names)
    if cm.shape != (num, num):
        raise ValueError(f'confusion matrix is {cm.shape} but there are {num} class names')
    if normalize:
        support = cm.sum(axis=1, keepdims=True)
        shown = np.where(support > 0, cm / np.maximum(support, 1) * 100, 0.0)
    else:
        shown = cm.astype(np.float64)
    size = max(4.0, 0.6 * num + 2)
    fig = Figure(figsize=(size + 1, size))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(111)
    image = ax.imshow(shown, cmap='Blues', vmin=0, vmax=100 if normalize else None)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04,
                 label='% of the true class' if normalize else 'count')
    ax.set_xticks(range(num))
    ax.set_yticks(range(num))
    ax.set_xticklabels(class_names, rotation=45, ha='right')
    ax.set_yticklabels(class_names)
    ax.set_xlabel('predicted')
    ax.set_ylabel('true')
    ax.set_title(title)
    threshold = (shown.max() if shown.size else 0) / 2
    for i in range(num):
        for j in range(num):
            text = f'{shown[i, j]:.1f}' if normalize else f'{int(cm[i, j])}'
            ax.text(j, i, text, ha='center', va='center', fontsize=8,
                    color='white' if shown[i, j] > threshold else 'black')
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=100)
    return path
