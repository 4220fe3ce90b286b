"""DFERMetric against hand-computed UAR / WAR / per-class recall / loss."""
import json
import math

import numpy as np
import pytest
import torch

import ous_mm  # noqa: F401
from mmaction.registry import METRICS

from ous_mm.evaluation import DFERMetric, confusion_matrix, scores_to_log_probs

CLASSES = ('Happy', 'Sad', 'Neutral')


def _samples(probs, labels):
    return [dict(pred_score=torch.tensor(p, dtype=torch.float32),
                 gt_label=torch.tensor([label])) for p, label in zip(probs, labels)]


# 6 clips: true Happy x3, Sad x2, Neutral x1
PROBS = [
    [0.7, 0.2, 0.1],  # Happy -> Happy
    [0.6, 0.3, 0.1],  # Happy -> Happy
    [0.2, 0.5, 0.3],  # Happy -> Sad
    [0.1, 0.8, 0.1],  # Sad -> Sad
    [0.5, 0.4, 0.1],  # Sad -> Happy
    [0.2, 0.2, 0.6],  # Neutral -> Neutral
]
LABELS = [0, 0, 0, 1, 1, 2]


def _evaluate(metric, probs=PROBS, labels=LABELS):
    metric.process(None, _samples(probs, labels))
    return metric.compute_metrics(metric.results)


def test_uar_war_recall_loss_match_hand_computation(tmp_path):
    metric = METRICS.build(dict(type='DFERMetric', out_dir=str(tmp_path)))
    metric.dataset_meta = dict(classes=CLASSES)
    out = _evaluate(metric)
    # recall: Happy 2/3, Sad 1/2, Neutral 1/1; UAR = mean; WAR = 4/6
    assert out['recall_Happy'] == pytest.approx(200 / 3)
    assert out['recall_Sad'] == pytest.approx(50.0)
    assert out['recall_Neutral'] == pytest.approx(100.0)
    assert out['UAR'] == pytest.approx((200 / 3 + 50 + 100) / 3)
    assert out['WAR'] == pytest.approx(400 / 6)
    expected_loss = -np.mean([math.log(p[y]) for p, y in zip(PROBS, LABELS)])
    assert out['loss'] == pytest.approx(expected_loss, rel=1e-5)

    cm_json = json.loads((tmp_path / 'confusion_matrix.json').read_text())
    assert cm_json['class_names'] == list(CLASSES)
    assert cm_json['matrix'] == [[2, 1, 0], [1, 1, 0], [0, 0, 1]]
    assert cm_json['metrics']['UAR'] == pytest.approx(out['UAR'])
    png = (tmp_path / 'confusion_matrix.png').read_bytes()
    assert png[:8] == b'\x89PNG\r\n\x1a\n' and len(png) > 1000


def test_evaluate_adds_prefix_and_logits_are_softmaxed():
    metric = DFERMetric(class_names=CLASSES)
    logits = [[2.0, 0.0, -1.0], [0.0, 3.0, 0.0]]
    metric.process(None, _samples(logits, [0, 2]))
    out = metric.evaluate(2)
    assert set(out) >= {'dfer/UAR', 'dfer/WAR', 'dfer/loss', 'dfer/recall_Happy'}
    # Sad has no sample: not in the per-class recall nor in UAR
    assert 'dfer/recall_Sad' not in out
    assert out['dfer/UAR'] == pytest.approx(50.0)
    x = np.array(logits)
    logp = x - np.log(np.exp(x).sum(1, keepdims=True))
    assert out['dfer/loss'] == pytest.approx(-(logp[0, 0] + logp[1, 2]) / 2, rel=1e-5)


def test_class_count_mismatch_is_a_clear_error():
    metric = DFERMetric()
    metric.dataset_meta = dict(classes=('a', 'b'))
    metric.process(None, _samples(PROBS[:2], [0, 1]))
    with pytest.raises(ValueError, match='class names'):
        metric.compute_metrics(metric.results)


def test_confusion_matrix_rejects_out_of_range_ids():
    with pytest.raises(ValueError, match='outside'):
        confusion_matrix([0, 3], [0, 1], 3)


def test_log_probs_of_probabilities_and_logits():
    p = np.array([[0.25, 0.75]])
    assert np.allclose(scores_to_log_probs(p), np.log(p))
    z = np.array([[1.0, 1.0]])
    assert np.allclose(scores_to_log_probs(z), np.log([[0.5, 0.5]]))
