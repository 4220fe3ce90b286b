"""OUSRecognizer end to end on the tiny CLIP: loss/predict modes, one optimizer step,
the single batched backbone call, cached features, the face-only switch."""
import pytest
import torch
from mmengine.optim import OptimWrapper

from mmaction.registry import MODELS

from .conftest import build_tiny_model, make_batch, tiny_model_cfg

TRAINABLE_PARTS = {
    'context vectors': 'cls_head.prompt_learner.ctx',
    'learnable queries': 'neck.tfe.queries',
    'LSTM': 'neck.lstm.',
    'frames encoder': 'neck.frames_encoder.',
    'polarity encoder': 'neck.polarity_encoder.',
    'TFE blocks': 'neck.tfe.blocks.',
    'alignment': 'neck.alignment.',
    'logit scale': 'cls_head.logit_scale',
}


def _record_backbone_calls(model):
    calls = []
    model.backbone.register_forward_hook(
        lambda module, args, out: calls.append((tuple(args[0].shape), out[0].requires_grad)))
    return calls


def test_loss_and_predict_modes(tiny_model):
    data = tiny_model.data_preprocessor(make_batch(batch=2, frames=3), True)
    assert data['inputs'].shape == (2, 2, 3, 3, 32, 32) and data['inputs'].dtype == torch.float32
    losses = tiny_model(**data, mode='loss')
    assert {'loss_contrast', 'top1_acc', 'global_switch'} <= set(losses)
    assert all(torch.isfinite(v).all() for v in losses.values())

    tiny_model.eval()
    with torch.no_grad():
        samples = tiny_model(**tiny_model.data_preprocessor(make_batch(), False), mode='predict')
        logits = tiny_model(data['inputs'], mode='tensor')
    assert logits.shape == (2, 7)
    for sample, row in zip(samples, logits):
        assert sample.pred_score.shape == (7, )
        assert sample.pred_score.sum().item() == pytest.approx(1.0, abs=1e-5)
        assert torch.allclose(sample.pred_score, row.softmax(-1), atol=1e-6)
        assert sample.pred_label.item() == int(row.argmax())


def test_one_step_updates_every_trainable_part_and_no_frozen_weight():
    torch.manual_seed(0)
    cfg = tiny_model_cfg()
    cfg['cls_head']['loss_cls']['alpha'] = 0.0  # global loss on: all three terms train
    model = MODELS.build(cfg)
    model.init_weights()
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    frozen = set(before) - trainable
    assert frozen and all(n.startswith(('backbone.', 'cls_head.text_encoder.')) for n in frozen)
    assert not any(n.startswith(('backbone.', 'cls_head.text_encoder.')) for n in trainable)

    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-3))
    log_vars = model.train_step(make_batch(batch=3, frames=3), optim)
    assert log_vars['global_switch'] == 1.0 and 'loss_polarity' in log_vars

    changed = {n for n, p in model.named_parameters() if not torch.equal(p, before[n])}
    for part, prefix in TRAINABLE_PARTS.items():
        names = [n for n in trainable if n.startswith(prefix)]
        assert names, f'no trainable parameter for {part}'
        unchanged = [n for n in names if n not in changed]
        assert not unchanged, f'{part}: not updated by one step: {unchanged}'
    assert changed == trainable
    for name in frozen:  # bit-identical
        assert torch.equal(dict(model.named_parameters())[name], before[name]), name


def test_frozen_backbone_stays_in_eval_mode_and_builds_no_graph(tiny_model):
    tiny_model.train()
    assert tiny_model.neck.training and not tiny_model.backbone.visual.training
    assert not tiny_model.cls_head.text_encoder.training
    calls = _record_backbone_calls(tiny_model)
    data = tiny_model.data_preprocessor(make_batch(batch=2, frames=3), True)
    tiny_model(**data, mode='loss')
    assert calls == [((2 * 2 * 3, 3, 32, 32), False)]  # ONE call, N = B*2*T, no autograd


def test_cached_features_skip_the_backbone_and_match_the_raw_path(tiny_model):
    tiny_model.eval()
    batch = make_batch(batch=2, frames=3)
    raw = tiny_model.data_preprocessor(batch, False)
    with torch.no_grad():
        (embed, early), _ = tiny_model.extract_feat(raw['inputs'], stage='backbone')
        expected = tiny_model(**raw, mode='predict')
    cached = dict(inputs=[dict(embed=embed[i], early=early[i]) for i in range(2)],
                  data_samples=make_batch(batch=2, frames=3)['data_samples'])
    calls = _record_backbone_calls(tiny_model)
    data = tiny_model.data_preprocessor(cached, False)
    assert data['inputs']['embed'].shape == (2, 2, 3, 32)
    with torch.no_grad():
        got = tiny_model(**data, mode='predict')
    assert calls == []
    for a, b in zip(got, expected):
        assert torch.allclose(a.pred_score, b.pred_score, atol=1e-5)
    # training from cached features works too
    tiny_model.train()
    losses = tiny_model(**tiny_model.data_preprocessor(cached, True), mode='loss')
    assert torch.isfinite(losses['loss_contrast'])


def test_face_only_model_has_no_scene_stream():
    torch.manual_seed(0)
    model = build_tiny_model('configs/ous/face_only_tiny_synthetic.py')
    assert model.use_scene is False and model.neck.frames_mean is None
    assert model.neck.polarity_encoder is None
    calls = _record_backbone_calls(model)
    data = model.data_preprocessor(make_batch(batch=2, frames=3), True)
    losses = model(**data, mode='loss')
    assert calls[0][0][0] == 2 * 1 * 3  # face frames only
    assert [k for k in losses if 'loss' in k] == ['loss_cls']
    outputs, _ = model.extract_feat(data['inputs'], stage='neck')
    assert outputs.scene is None and outputs.polarity_logits is None
    # the scene frames cannot influence a face-only prediction
    model.eval()
    other = data['inputs'].clone()
    other[:, 1] = torch.randn_like(other[:, 1])
    with torch.no_grad():
        assert torch.equal(model(data['inputs'], mode='tensor'), model(other, mode='tensor'))


def test_bad_inputs_and_configs_fail_clearly(tiny_model):
    with pytest.raises(ValueError, match=r'\(2, T, 3, H, W\)'):
        tiny_model.data_preprocessor(dict(inputs=[torch.zeros(3, 3, 32, 32, dtype=torch.uint8)],
                                          data_samples=None))
    with pytest.raises(ValueError, match='differ'):
        tiny_model.data_preprocessor(dict(inputs=[
            torch.zeros(2, 3, 3, 32, 32, dtype=torch.uint8),
            torch.zeros(2, 4, 3, 32, 32, dtype=torch.uint8)], data_samples=None))
    cfg = tiny_model_cfg()
    cfg['neck']['use_scene'] = False
    with pytest.raises(ValueError, match='use_scene'):
        MODELS.build(cfg)
    cfg = tiny_model_cfg()
    cfg['neck']['polarity_source'] = None
    with pytest.raises(ValueError, match='no Polarity Encoder'):
        MODELS.build(cfg)
    # the scene-vs-face InfoNCE needs scene features: a face-only model refuses it (HeadLoss)
    cfg = tiny_model_cfg()
    cfg.update(use_scene=False)
    cfg['neck']['polarity_source'] = None
    cfg['cls_head']['loss_cls'] = dict(type='ContrastiveLoss', mode='scene_face')
    with pytest.raises(ValueError, match='no scene features'):
        MODELS.build(cfg)
    cfg = tiny_model_cfg()
    cfg['neck']['embed_dim'] = 999
    with pytest.raises(ValueError, match='embed_dim'):
        MODELS.build(cfg)
    # a dataset without polarity labels cannot train the polarity term
    data = tiny_model.data_preprocessor(make_batch(with_polarity=False), True)
    with pytest.raises(ValueError, match='gt_polarity'):
        tiny_model(**data, mode='loss')


def test_model_init_weights_loads_both_towers_from_one_clip_file(tmp_path):
    import copy

    import open_clip

    from .conftest import TINY_ARCH
    torch.manual_seed(3)
    clip = open_clip.CLIP(**copy.deepcopy(TINY_ARCH))
    path = tmp_path / 'clip.pt'
    torch.save({'state_dict': clip.state_dict()}, path)  # a wrapped checkpoint
    cfg = tiny_model_cfg()
    cfg['backbone']['pretrained'] = str(path)  # the head inherits it
    model = MODELS.build(cfg)
    assert model.cls_head.pretrained == str(path)
    model.init_weights()  # what the Runner calls before training
    full = clip.state_dict()
    for name, value in model.backbone.visual.state_dict().items():
        assert torch.equal(value, full['visual.' + name]), name
    for name, value in model.cls_head.text_encoder.state_dict().items():
        assert torch.equal(value, full[name]), name
