"""Each OUS loss against a hand computation; the alpha switch on both sides."""
import math

import pytest
import torch

from mmaction.registry import MODELS


def _ce(logits, label):
    """-log softmax(logits)[label], by hand."""
    exps = [math.exp(v) for v in logits]
    return -math.log(exps[label] / sum(exps))


def test_polarity_loss_is_cross_entropy():
    logits = torch.tensor([[2.0, 0.5, -1.0], [0.0, 1.0, 3.0]])
    labels = torch.tensor([0, 1])
    expected = (_ce([2.0, 0.5, -1.0], 0) + _ce([0.0, 1.0, 3.0], 1)) / 2
    loss = MODELS.build(dict(type='PolarityLoss'))(logits, labels)
    assert loss.item() == pytest.approx(expected, rel=1e-6)
    weighted = MODELS.build(dict(type='PolarityLoss', loss_weight=0.5))(logits, labels)
    assert weighted.item() == pytest.approx(expected / 2, rel=1e-6)


def test_similarity_loss_is_one_minus_cosine():
    face = torch.tensor([[1.0, 0.0], [1.0, 1.0]])
    scene = torch.tensor([[0.0, 2.0], [2.0, 2.0]])
    # clip 0: orthogonal -> 1; clip 1: parallel -> 0
    loss = MODELS.build(dict(type='SimilarityLoss'))(face, scene)
    assert loss.item() == pytest.approx(0.5, abs=1e-6)
    face = torch.tensor([[3.0, 4.0]])
    scene = torch.tensor([[4.0, 3.0]])
    assert MODELS.build(dict(type='SimilarityLoss'))(face, scene).item() == \
        pytest.approx(1 - 24 / 25, abs=1e-6)


def test_contrastive_video_text_is_ce_of_scaled_cosine_logits():
    cls_score = torch.tensor([[1.0, 2.0, 0.5], [0.2, 0.1, 3.0]])
    labels = torch.tensor([1, 0])
    expected = (_ce([1.0, 2.0, 0.5], 1) + _ce([0.2, 0.1, 3.0], 0)) / 2
    loss = MODELS.build(dict(type='ContrastiveLoss', mode='video_text'))(cls_score, labels)
    assert loss.item() == pytest.approx(expected, rel=1e-6)


def test_contrastive_scene_face_is_infonce_of_eq3():
    face = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    scene = torch.tensor([[2.0, 0.0], [1.0, 1.0], [0.0, -1.0]])
    tau = 0.5

    def cos(a, b):
        return float(a @ b / (a.norm() * b.norm()))

    expected = 0.0
    for i in range(3):  # -log exp(sim(s_i, f_i)/tau) / sum_j exp(sim(s_i, f_j)/tau)
        row = [cos(scene[i], face[j]) / tau for j in range(3)]
        expected += _ce(row, i)
    expected /= 3
    loss = MODELS.build(dict(type='ContrastiveLoss', mode='scene_face', temperature=tau))(
        face_feat=face, scene_feat=scene)
    assert loss.item() == pytest.approx(expected, rel=1e-5)
    with pytest.raises(ValueError, match='scene'):
        MODELS.build(dict(type='ContrastiveLoss', mode='scene_face'))(face_feat=face)


def _switch_inputs():
    return dict(
        cls_score=torch.tensor([[2.0, 0.0], [0.0, 1.0]], requires_grad=True),
        labels=torch.tensor([0, 1]),
        face_feat=torch.tensor([[1.0, 0.0], [0.0, 1.0]], requires_grad=True),
        scene_feat=torch.tensor([[0.0, 1.0], [0.0, 1.0]]),
        polarity_logits=torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], requires_grad=True),
        polarity_labels=torch.tensor([0, 2]))


def _terms():
    contrast = (_ce([2.0, 0.0], 0) + _ce([0.0, 1.0], 1)) / 2
    similarity = (1.0 + 0.0) / 2
    polarity = _ce([1.0, 0.0, 0.0], 0)  # both rows give the same value
    return contrast, similarity, polarity


def test_global_switch_above_alpha_sums_all_three_terms():
    contrast, similarity, polarity = _terms()
    total = contrast + similarity + polarity
    loss = MODELS.build(dict(type='GlobalSwitchLoss', alpha=total - 0.1))
    out = loss(**_switch_inputs())
    assert out['global_switch'].item() == 1.0
    assert out['loss_contrast'].item() == pytest.approx(contrast, rel=1e-6)
    assert out['loss_similarity'].item() == pytest.approx(similarity, rel=1e-6)
    assert out['loss_polarity'].item() == pytest.approx(polarity, rel=1e-6)
    summed = sum(v for k, v in out.items() if 'loss' in k)  # what mmengine optimises
    assert summed.item() == pytest.approx(total, rel=1e-6)


def test_global_switch_below_alpha_keeps_contrast_only():
    contrast, similarity, polarity = _terms()
    total = contrast + similarity + polarity
    inputs = _switch_inputs()
    out = MODELS.build(dict(type='GlobalSwitchLoss', alpha=total + 0.1))(**inputs)
    assert out['global_switch'].item() == 0.0
    assert [k for k in out if 'loss' in k] == ['loss_contrast']
    # the other terms are still logged, detached
    assert out['similarity_dist'].item() == pytest.approx(similarity, rel=1e-6)
    assert out['polarity_ce'].item() == pytest.approx(polarity, rel=1e-6)
    assert not out['polarity_ce'].requires_grad
    sum(v for k, v in out.items() if 'loss' in k).backward()
    assert inputs['polarity_logits'].grad is None and inputs['face_feat'].grad is None
    assert inputs['cls_score'].grad is not None


def test_global_switch_scene_face_needs_a_classification_term():
    with pytest.raises(ValueError, match='classification'):
        MODELS.build(dict(type='GlobalSwitchLoss',
                          contrastive=dict(type='ContrastiveLoss', mode='scene_face')))
    with pytest.raises(ValueError, match='classification=None'):
        MODELS.build(dict(type='GlobalSwitchLoss',
                          classification=dict(type='ContrastiveLoss', mode='video_text')))
    loss = MODELS.build(dict(
        type='GlobalSwitchLoss', alpha=0.0,
        contrastive=dict(type='ContrastiveLoss', mode='scene_face', temperature=1.0),
        classification=dict(type='ContrastiveLoss', mode='video_text')))
    out = loss(**_switch_inputs())
    assert out['loss_cls'].item() == pytest.approx(_terms()[0], rel=1e-6)
    assert {'loss_contrast', 'loss_similarity', 'loss_polarity'} <= set(out)


def test_global_switch_reports_missing_inputs_clearly():
    inputs = _switch_inputs()
    inputs['polarity_labels'] = None
    with pytest.raises(ValueError, match='gt_polarity'):
        MODELS.build(dict(type='GlobalSwitchLoss'))(**inputs)
    inputs = _switch_inputs()
    inputs['scene_feat'] = None
    with pytest.raises(ValueError, match='face-only'):
        MODELS.build(dict(type='GlobalSwitchLoss'))(**inputs)
