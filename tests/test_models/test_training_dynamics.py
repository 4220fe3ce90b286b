"""The measured training-dynamics switches: smoothed/synchronised alpha switch,
similarity stop-gradient, variance floor, collapse measures."""
import os
import socket

import pytest
import torch
import torch.multiprocessing as mp

from mmaction.registry import MODELS
from ous_mm.models.utils.feature_stats import effective_rank, feature_spread


def _inputs(scale: float):
    """GlobalSwitchLoss inputs whose L_global grows with ``scale`` (contrast term only)."""
    return dict(cls_score=torch.tensor([[0.0, scale], [scale, 0.0]], requires_grad=True),
                labels=torch.tensor([0, 1]),
                face_feat=torch.tensor([[1.0, 0.0], [0.0, 1.0]], requires_grad=True),
                scene_feat=torch.tensor([[1.0, 0.0], [0.0, 1.0]], requires_grad=True),
                polarity_logits=torch.tensor([[9.0, 0.0, 0.0], [0.0, 0.0, 9.0]]),
                polarity_labels=torch.tensor([0, 2]))


def _value(scale: float) -> float:
    return MODELS.build(dict(type='GlobalSwitchLoss', alpha=0.0))(**_inputs(scale))[
        'global_value'].item()


def _switches(loss, scales):
    return [loss(**_inputs(s))['global_switch'].item() for s in scales]


def test_per_batch_switch_flips_on_one_low_batch_but_ema_does_not():
    high, low = 3.0, -3.0
    alpha = (_value(high) + _value(low)) / 2
    literal = MODELS.build(dict(type='GlobalSwitchLoss', alpha=alpha, smoothing=None))
    assert _switches(literal, [high, low, high]) == [1.0, 0.0, 1.0]
    smoothed = MODELS.build(dict(type='GlobalSwitchLoss', alpha=alpha, momentum=0.9))
    assert _switches(smoothed, [high, low, high]) == [1.0, 1.0, 1.0]
    # a sustained drop turns it off, and it stays off at the value that turned it off
    assert _switches(smoothed, [low] * 30)[-1] == 0.0


def test_hysteresis_needs_a_margin_to_switch_back_on():
    low, mid, high = -3.0, 0.0, 3.0
    alpha = (_value(low) + _value(mid)) / 2
    margin = (_value(high) - _value(mid)) / 2 + (_value(mid) - alpha)  # mid < alpha + margin < high
    loss = MODELS.build(dict(type='GlobalSwitchLoss', alpha=alpha, smoothing=None,
                             hysteresis=margin))
    assert _switches(loss, [mid, low, mid, mid, high]) == [1.0, 0.0, 0.0, 0.0, 1.0]


def test_switch_state_is_saved_and_restored_and_frozen_in_eval():
    loss = MODELS.build(dict(type='GlobalSwitchLoss', alpha=_value(0.0), smoothing=None))
    _switches(loss, [-3.0])
    state = loss.state_dict()
    assert state['switch_on'].item() is False and state['smoothed'].item() == pytest.approx(
        _value(-3.0))
    fresh = MODELS.build(dict(type='GlobalSwitchLoss', alpha=_value(0.0), smoothing=None))
    fresh.load_state_dict(state)
    fresh.eval()
    assert _switches(fresh, [3.0]) == [0.0]  # evaluation never moves the switch


def _rank_decisions(rank: int, port: int, results) -> None:
    import torch.distributed as dist

    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}', rank=rank,
                            world_size=2)
    high, low = 3.0, -3.0
    alpha = (_value(high) * 0.75 + _value(low) * 0.25)  # mean of the two ranks is below
    out = {}
    for sync in (True, False):
        loss = MODELS.build(dict(type='GlobalSwitchLoss', alpha=alpha, smoothing=None,
                                 sync=sync))
        out[sync] = _switches(loss, [high if rank == 0 else low])[0]
    results[rank] = out
    dist.destroy_process_group()


def test_switch_decision_is_the_same_on_every_rank():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    results = mp.Manager().dict()
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    mp.spawn(_rank_decisions, args=(port, results), nprocs=2, join=True)
    assert results[0][True] == results[1][True] == 0.0   # synchronised: one decision
    assert results[0][False] != results[1][False]        # per process: they disagree


@pytest.mark.parametrize('side', [None, 'face', 'scene'])
def test_similarity_stop_grad_moves_only_the_other_side(side):
    face = torch.tensor([[1.0, 0.0]], requires_grad=True)
    scene = torch.tensor([[1.0, 1.0]], requires_grad=True)
    loss = MODELS.build(dict(type='SimilarityLoss', stop_grad=side))(face, scene)
    assert loss.item() == pytest.approx(1 - 2 ** -0.5, rel=1e-6)
    loss.backward()
    assert (face.grad is None) == (side == 'face')
    assert (scene.grad is None) == (side == 'scene')
    with pytest.raises(ValueError, match='stop_grad'):
        MODELS.build(dict(type='SimilarityLoss', stop_grad='both'))


def test_variance_loss_is_zero_when_spread_and_pushes_a_collapsed_batch_apart():
    loss = MODELS.build(dict(type='VarianceLoss', target=0.5))
    torch.manual_seed(0)
    assert loss(torch.randn(256, 16)).item() == 0.0
    collapsed = (torch.ones(8, 16) + 0.01 * torch.randn(8, 16)).requires_grad_()
    value = loss(collapsed)
    assert value.item() > 0.3
    value.backward()
    stepped = collapsed - 1.0 * collapsed.grad
    assert loss(stepped).item() < value.item()


def test_collapse_measures():
    torch.manual_seed(0)
    spread = torch.randn(64, 32)
    assert feature_spread(spread).item() == pytest.approx(1.0, abs=0.1)
    assert effective_rank(spread).item() > 20
    # three directions only (one per polarity) plus tiny noise
    rank3 = torch.randn(3, 32)[torch.arange(64) % 3] + 1e-4 * torch.randn(64, 32)
    assert effective_rank(rank3).item() < 3.0
    assert feature_spread(torch.ones(8, 32)).item() == pytest.approx(0.0, abs=1e-6)


def test_head_logs_face_collapse_measures(tiny_model):
    from tests.test_models.conftest import make_batch

    batch = tiny_model.data_preprocessor(make_batch(batch=4), training=True)
    losses = tiny_model(**batch, mode='loss')
    assert 0.0 < losses['face_spread'].item() < 2.0
    assert 1.0 <= losses['face_erank'].item() <= 4.0
    assert not losses['face_erank'].requires_grad


def test_scene_stream_can_be_kept_from_training_a_trainable_tower():
    from tests.test_models.conftest import build_tiny_model, make_batch

    for trains in (True, False):
        torch.manual_seed(0)
        model = build_tiny_model(scene_trains_tower=trains)
        model.backbone.frozen = False
        for p in model.backbone.parameters():
            p.requires_grad_(True)
        model.train()
        data = model.data_preprocessor(make_batch(batch=2), True)
        (embed, early), _ = model.extract_feat(data['inputs'], stage='backbone')
        # a scene-only quantity moves the tower only when the scene trains it
        (embed[:, 1].sum() + early[:, 1].sum()).backward(retain_graph=True)
        grad = model.backbone.visual.conv1.weight.grad
        assert (grad is not None and grad.abs().sum() > 0) == trains
        model.zero_grad()
        embed[:, 0].sum().backward()  # the face stream always trains it
        assert model.backbone.visual.conv1.weight.grad.abs().sum() > 0
