"""UAR / WAR metric of Dynamic Facial Expression Recognition."""
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from mmaction.registry import METRICS

from .confusion_matrix import (confusion_matrix, per_class_recall,
                               plot_confusion_matrix, save_confusion_matrix_json)
from .plateau import polarity_plateau


def _to_numpy(value: Any) -> np.ndarray:
    if hasattr(value, 'detach'):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def scores_to_log_probs(scores: np.ndarray) -> np.ndarray:
    """Log-probabilities from a ``(N, C)`` score matrix.

    Recognizers in MMAction2 emit softmax probabilities as ``pred_score``
    (``average_clips='prob'``), but a head configured with
    ``average_clips='score'`` emits logits. Rows that are non-negative and sum
    to 1 are taken as probabilities, anything else as logits, so the loss is a
    real cross-entropy in both cases.
    """
    scores = scores.astype(np.float64)
    is_prob = (scores.min() >= 0) and np.allclose(scores.sum(axis=1), 1.0, atol=1e-3)
    if is_prob:
        return np.log(np.clip(scores, 1e-12, 1.0))
    shifted = scores - scores.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


@METRICS.register_module()
class DFERMetric(BaseMetric):
    """UAR, WAR, per-class recall, validation loss and confusion matrix.

    DFER benchmarks are heavily imbalanced (DFEW has 145 Disgust clips next to
    2,669 Neutral ones), so papers report both the unweighted average recall
    (UAR, mean of per-class recalls: every class counts the same) and the
    weighted average recall (WAR, plain accuracy). Both are in percent.

    Metrics (with the default prefix ``dfer/``):

    - ``UAR``, ``WAR``: percent.
    - ``recall_<class name>``: percent, for every class with at least one sample
      (a class absent from the evaluated split has no recall and is skipped,
      also in the UAR mean, with a warning).
    - ``loss``: mean cross-entropy of the predicted scores against the labels,
      the validation loss a ``ReduceOnPlateauLR(monitor='dfer/loss')`` or a
      ``CheckpointHook(save_best='dfer/loss')`` watches.
    - ``pred_classes``: how many classes receive predictions.
    - ``polarity_acc`` (percent) and ``plateau`` (1 / 0), when the dataset metainfo
      has a ``polarity`` map: how often the predicted class has the true polarity, and
      whether the
      predictions are the one-class-per-polarity solution
      (:func:`ous_mm.evaluation.plateau.polarity_plateau`);
      :class:`PolarityPlateauHook` warns when it lasts.

    Pick the best checkpoint with ``save_best='dfer/UAR', rule='greater'``
    (mmengine cannot infer the rule from the name ``UAR``) or
    ``save_best='dfer/loss'`` (rule ``less`` inferred).

    Under DDP, mmengine gathers every rank's results before
    :meth:`compute_metrics`, which runs on rank 0 only; the files are written
    there.

    Args:
        out_dir (str, optional): Where to write the confusion matrix
            (``<file_tag>.json`` and ``<file_tag>.png``). ``None`` writes nothing,
            unless :class:`DFERConfusionMatrixHook` fills it with
            ``<work_dir>/<timestamp>/confusion_matrix`` at run time.
        file_tag (str): File stem of the confusion matrix files; the hook sets it
            to ``val_epoch_<n>`` / ``test``. Defaults to ``'confusion_matrix'``.
        class_names (Sequence[str], optional): Class names when the dataset has
            no ``classes`` in its metainfo. By default the names come from
            ``dataset_meta['classes']``; ``class_<i>`` when neither exists.
        collect_device (str): Device used to gather results across ranks.
        collect_dir (str, optional): Directory for gathering on CPU.
        prefix (str, optional): Metric name prefix, ``'dfer'`` by default.
    """

    default_prefix: Optional[str] = 'dfer'

    def __init__(self,
                 out_dir: Optional[str] = None,
                 file_tag: str = 'confusion_matrix',
                 class_names: Optional[Sequence[str]] = None,
                 collect_device: str = 'cpu',
                 collect_dir: Optional[str] = None,
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, collect_dir=collect_dir,
                         prefix=prefix)
        self.out_dir = out_dir
        self.file_tag = file_tag
        self.class_names = list(class_names) if class_names is not None else None
        #: the last computed confusion matrix (counts), for hooks and tests
        self.last_confusion_matrix: Optional[np.ndarray] = None
        #: paths of the files written by the last evaluation
        self.last_files: Dict[str, str] = {}

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Keep the score vector and the label of every sample (as numpy, on CPU)."""
        for sample in data_samples:
            if 'pred_score' not in sample:
                raise KeyError('DFERMetric needs `pred_score` in every data sample; '
                               f'got keys {sorted(sample)}')
            label = _to_numpy(sample['gt_label']).reshape(-1)
            if label.size != 1:
                raise ValueError('DFERMetric expects one class id per clip, got '
                                 f'gt_label of shape {label.shape}')
            self.results.append(dict(
                pred=_to_numpy(sample['pred_score']).astype(np.float32).reshape(-1),
                label=int(label[0])))

    def resolve_class_names(self, num_classes: int) -> List[str]:
        """Class names: dataset metainfo, then the constructor argument, then ``class_<i>``."""
        names = None
        if self.dataset_meta and self.dataset_meta.get('classes'):
            names = list(self.dataset_meta['classes'])
        elif self.class_names is not None:
            names = self.class_names
        if names is None:
            return [f'class_{i}' for i in range(num_classes)]
        if len(names) != num_classes:
            raise ValueError(
                f'{len(names)} class names {names} but the model predicts '
                f'{num_classes} scores per clip: the model config and the '
                'dataset config disagree on the class set')
        return [str(n) for n in names]

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """UAR/WAR/per-class recall/loss from all gathered results; writes the matrix."""
        if not results:
            raise ValueError('DFERMetric got no results: the evaluated split is empty')
        scores = np.stack([r['pred'] for r in results])
        labels = np.array([r['label'] for r in results], dtype=np.int64)
        num_classes = scores.shape[1]
        names = self.resolve_class_names(num_classes)
        preds = scores.argmax(axis=1)
        cm = confusion_matrix(labels, preds, num_classes)
        recall = per_class_recall(cm)
        present = ~np.isnan(recall)
        if not present.all():
            missing = [n for n, p in zip(names, present) if not p]
            print_log(f'DFERMetric: no sample of {missing} in this split; they are '
                      'left out of UAR and of the per-class recall', logger='current',
                      level=30)
        log_probs = scores_to_log_probs(scores)
        metrics: Dict[str, float] = dict(
            UAR=float(recall[present].mean() * 100),
            WAR=float((preds == labels).mean() * 100),
            loss=float(-log_probs[np.arange(len(labels)), labels].mean()))
        for name, value, ok in zip(names, recall, present):
            if ok:
                metrics[f'recall_{name}'] = float(value * 100)
        polarity_map = (self.dataset_meta or {}).get('polarity')
        if polarity_map:
            plateau = polarity_plateau(cm, names, polarity_map)
            metrics.update(plateau=plateau['plateau'], pred_classes=plateau['pred_classes'],
                           polarity_acc=100.0 * plateau['polarity_acc'])
        else:
            metrics['pred_classes'] = float((cm.sum(axis=0) > 0).sum())
        self.last_confusion_matrix = cm
        self.last_files = {}
        if self.out_dir is not None:
            stem = osp.join(self.out_dir, self.file_tag)
            summary = {k: metrics[k] for k in ('UAR', 'WAR', 'loss')}
            self.last_files = dict(
                json=save_confusion_matrix_json(cm, names, stem + '.json',
                                                extra=dict(metrics=summary)),
                png=plot_confusion_matrix(
                    cm, names, stem + '.png',
                    title=f'{self.file_tag}: UAR {metrics["UAR"]:.2f} '
                          f'WAR {metrics["WAR"]:.2f}'))
            print_log(f'DFERMetric: confusion matrix saved to {stem}.png / .json',
                      logger='current')
        return metrics
