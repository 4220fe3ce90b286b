"""The one-class-per-polarity plateau: detected in the metric, warned about by the hook."""
from types import SimpleNamespace

import numpy as np
import pytest

from mmaction.registry import HOOKS, METRICS
from ous_mm.engine.hooks import polarity_plateau_hook
from ous_mm.evaluation import plateau_uar, polarity_plateau

CLASSES = ('Happy', 'Sad', 'Neutral', 'Angry', 'Surprise', 'Disgust', 'Fear')
POLARITY = dict(Happy='positive', Neutral='neutral', Surprise='neutral', Sad='negative',
                Angry='negative', Disgust='negative', Fear='negative')
GROUP_PICK = {'positive': 0, 'neutral': 2, 'negative': 1}  # Happy, Neutral, Sad


def _plateau_cm(per_class: int = 12) -> np.ndarray:
    cm = np.zeros((7, 7), int)
    for i, name in enumerate(CLASSES):
        cm[i, GROUP_PICK[POLARITY[name]]] = per_class
    return cm


def test_plateau_uar_counts_polarity_groups():
    assert plateau_uar(CLASSES, POLARITY) == pytest.approx(300 / 7)
    surprise_positive = dict(POLARITY, Surprise='positive')
    assert plateau_uar(CLASSES, surprise_positive) == pytest.approx(300 / 7)
    two_groups = {c: ('positive' if c == 'Happy' else 'negative') for c in CLASSES}
    assert plateau_uar(CLASSES, two_groups) == pytest.approx(200 / 7)


def test_one_class_per_polarity_is_the_plateau_and_a_good_model_is_not():
    out = polarity_plateau(_plateau_cm(), CLASSES, POLARITY)
    assert out == dict(plateau=1.0, plateau_uar=pytest.approx(300 / 7), pred_classes=3.0,
                       polarity_acc=1.0)
    assert polarity_plateau(np.eye(7, dtype=int) * 12, CLASSES, POLARITY)['plateau'] == 0.0
    # two negative classes predicted: not the plateau, even at a low UAR
    cm = _plateau_cm()
    cm[3, 1], cm[3, 3] = 0, 12
    assert polarity_plateau(cm, CLASSES, POLARITY)['plateau'] == 0.0
    # three classes of which two are of the wrong polarity: a collapsed model that does
    # not read the polarity (an untrained face-only model), not the plateau
    cm = np.zeros((7, 7), int)
    for i in range(7):
        cm[i, (0, 1, 2)[i % 3]] = 12
    assert polarity_plateau(cm, CLASSES, POLARITY)['polarity_acc'] < 0.8
    assert polarity_plateau(cm, CLASSES, POLARITY)['plateau'] == 0.0
    # a stray prediction (< 2 %) does not hide the plateau
    cm = _plateau_cm()
    cm[3, 1], cm[3, 3] = 11, 1
    assert polarity_plateau(cm, CLASSES, POLARITY)['plateau'] == 1.0


def test_metric_reports_the_plateau_when_it_knows_the_polarity_map():
    metric = METRICS.build(dict(type='DFERMetric'))
    metric.dataset_meta = dict(classes=CLASSES, polarity=POLARITY)
    cm = _plateau_cm(2)
    results = [dict(pred=np.eye(7, dtype=np.float32)[p], label=t)
               for t in range(7) for p in range(7) for _ in range(cm[t, p])]
    metrics = metric.compute_metrics(results)
    assert metrics['plateau'] == 1.0 and metrics['pred_classes'] == 3.0
    assert metrics['UAR'] == pytest.approx(300 / 7)
    metric.dataset_meta = dict(classes=CLASSES)
    assert 'plateau' not in metric.compute_metrics(results)


def test_hook_warns_once_after_patience_and_when_leaving(monkeypatch):
    said = []
    monkeypatch.setattr(polarity_plateau_hook, 'print_log',
                        lambda msg, **kw: said.append((msg, kw.get('level'))))
    hook = HOOKS.build(dict(type='PolarityPlateauHook', patience=2))
    runner = SimpleNamespace(epoch=0)
    for epoch, flag in enumerate([1, 1, 1, 1, 0, 1], start=1):
        runner.epoch = epoch
        hook.after_val_epoch(runner, {'dfer/plateau': float(flag)})
    warnings = [m for m, level in said if level == 30]
    assert len(warnings) == 1 and 'epoch 2' in warnings[0] and 'polarity' in warnings[0]
    assert any('left' in m and 'epoch 5' in m for m, _ in said)
    hook.after_val_epoch(runner, {'dfer/UAR': 50.0})  # no plateau key: nothing to do
    assert len(said) == 2
