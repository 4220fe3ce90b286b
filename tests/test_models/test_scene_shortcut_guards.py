"""The switches that keep the scene from drowning the face (docs/method.md, "Scene shortcut"):
each test fails when its switch does nothing."""
import copy

import pytest
import torch

from mmaction.registry import MODELS

from .conftest import build_tiny_model, make_batch, tiny_model_cfg


def _build(neck=None, head=None, use_scene=True, seed=0):
    cfg = tiny_model_cfg()
    cfg['neck'].update(neck or {})
    cfg['cls_head'].update(head or {})
    cfg['use_scene'] = use_scene
    torch.manual_seed(seed)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def _neck_inputs(model, seed=0):
    batch = model.data_preprocessor(make_batch(batch=6, seed=seed), training=True)
    (embed, early), _ = model.extract_feat(batch['inputs'], stage='backbone')
    return batch, embed, early


def test_face_branch_is_the_fusion_of_the_face_tokens_alone():
    model = _build(neck=dict(face_branch=True))
    model.eval()
    _, embed, early = _neck_inputs(model)
    with torch.no_grad():
        out = model.neck(embed, early)
        # change the scene: the fused feature moves, the face-only one does not
        embed2 = embed.clone()
        embed2[:, 1] = torch.randn_like(embed2[:, 1])
        early2 = early.clone()
        early2[:, 1] = torch.randn_like(early2[:, 1])
        out2 = model.neck(embed2, early2)
    assert out.face_video is not None
    assert torch.allclose(out.face_video, out2.face_video, atol=1e-6)
    assert not torch.allclose(out.video, out2.video, atol=1e-4)


def test_scene_dropout_hides_scene_and_polarity_from_dropped_clips():
    model = _build(neck=dict(scene_dropout=0.5, face_branch=True))
    batch = model.data_preprocessor(make_batch(batch=16), training=True)
    (embed, early), _ = model.extract_feat(batch['inputs'], stage='backbone')
    model.train()
    torch.manual_seed(3)
    out = model.neck(embed, early)
    # a dropped clip's fused feature IS its face-only fusion; a kept one is not
    same = (out.video - out.face_video).abs().amax(dim=1) < 1e-5
    assert 0 < int(same.sum()) < len(same)
    model.eval()  # never at test time
    with torch.no_grad():
        out_eval = model.neck(embed, early)
    assert not ((out_eval.video - out_eval.face_video).abs().amax(dim=1) < 1e-5).any()


def test_scene_dropout_is_refused_out_of_range():
    with pytest.raises(ValueError, match='scene_dropout'):
        _build(neck=dict(scene_dropout=1.0))


def test_face_aux_loss_trains_the_face_prediction():
    model = _build(neck=dict(face_branch=True), head=dict(face_aux_weight=0.5))
    batch = model.data_preprocessor(make_batch(batch=4), training=True)
    losses = model.loss(**batch)
    assert 'loss_face_aux' in losses and losses['loss_face_aux'] > 0
    plain = _build(neck=dict(face_branch=True), head=dict(face_aux_weight=0.0))
    assert 'loss_face_aux' not in plain.loss(**plain.data_preprocessor(make_batch(batch=4),
                                                                       training=True))


def test_face_residual_adds_the_face_only_scores():
    model = _build(neck=dict(face_branch=True), head=dict(face_residual=True))
    model.eval()
    assert model.cls_head.face_residual
    _, embed, early = _neck_inputs(model)
    with torch.no_grad():
        out = model.neck(embed, early)
        text = model.cls_head.class_text_features()
        fused_only = model.cls_head._scores(out.video, text)
        face_only = model.cls_head._scores(out.face_video, text)
        assert torch.allclose(model.cls_head(out), fused_only + face_only, atol=1e-5)


def test_head_anchor_without_face_branch_is_refused_at_build_time():
    with pytest.raises(ValueError, match='face_branch'):
        _build(neck=dict(face_branch=False), head=dict(face_aux_weight=1.0))


def test_face_only_model_ignores_the_anchor_switches():
    """An OUS config with the guards turns into its face-only twin with use_scene=False alone,
    and that twin is the plain face-only model (no doubled loss or scores)."""
    guarded = _build(neck=dict(face_branch=True, scene_dropout=0.3),
                     head=dict(face_aux_weight=1.0, face_residual=True), use_scene=False)
    plain = _build(neck=dict(face_branch=False, scene_dropout=0.0),
                   head=dict(face_aux_weight=0.0, face_residual=False), use_scene=False)
    plain.load_state_dict(guarded.state_dict())
    batch = guarded.data_preprocessor(make_batch(batch=4), training=True)
    torch.manual_seed(0)
    a = guarded.loss(**copy.deepcopy(batch))
    torch.manual_seed(0)
    b = plain.loss(**copy.deepcopy(batch))
    assert 'loss_face_aux' not in a
    assert torch.allclose(a['loss_contrast' if 'loss_contrast' in a else 'loss_cls'],
                          b['loss_contrast' if 'loss_contrast' in b else 'loss_cls'])


def test_attention_shares_and_gradient_norms_are_measured():
    model = _build(neck=dict(measure_attention=True))
    batch = model.data_preprocessor(make_batch(batch=4), training=True)
    losses = model.loss(**batch)
    shares = [float(losses[f'attn_{k}']) for k in ('face', 'scene', 'polarity')]
    assert all(0.0 < s < 1.0 for s in shares)
    assert sum(shares) == pytest.approx(1.0, abs=1e-4)
    assert 0.0 <= float(losses['face_probe_acc']) <= 1.0
    total = sum(v for k, v in losses.items() if k.startswith('loss'))
    total.backward()
    assert set(model.neck.last_grad_norms) == {'face', 'scene', 'polarity'}
    assert all(v > 0 for v in model.neck.last_grad_norms.values())


def test_measured_attention_computes_the_same_fusion():
    """The explicit attention used for measuring gives the fused kernel's result."""
    fast = _build(neck=dict(measure_attention=False))
    slow = _build(neck=dict(measure_attention=True))
    slow.load_state_dict(fast.state_dict())
    fast.eval()
    slow.eval()
    _, embed, early = _neck_inputs(fast)
    with torch.no_grad():
        assert torch.allclose(fast.neck(embed, early).video, slow.neck(embed, early).video,
                              atol=1e-5)


def test_shipped_configs_inherit_the_guards_and_the_paper_config_has_none():
    from mmengine.config import Config

    from .conftest import REPO

    for name in ('ous_vitl14_dfew.py', 'ous_vitl14_ferv39k.py', 'ous_vitl14_mafw.py',
                 'demo/ous_frozen_synthetic.py', 'demo/ous_demo_synthetic.py'):
        model = Config.fromfile(str(REPO / 'configs' / 'ous' / name)).model
        assert model.neck.face_branch and model.neck.scene_dropout > 0, name
        assert model.cls_head.face_aux_weight > 0 and model.cls_head.face_residual, name
    paper = Config.fromfile(str(REPO / 'configs/ous/ablations/ous_vitl14_dfew_paper.py')).model
    assert not paper.neck.face_branch and paper.neck.scene_dropout == 0
    assert paper.cls_head.face_aux_weight == 0 and not paper.cls_head.face_residual
