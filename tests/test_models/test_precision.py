"""Precision defaults: bf16 on CUDA (faked device), exact fp32 on the CPU, --amp in bf16."""
import copy

import pytest
import torch
import torch.nn.functional as F

from mmaction.registry import MODELS
from ous_mm.utils.precision import (amp_optim_wrapper, autocast_dtype_for,
                                    default_compute_dtype, enable_tf32)

from .conftest import TINY_ARCH

# bf16 keeps 8 mantissa bits: measured on this tiny tower (3 seeds x 16 frames) the
# worst per-frame cosine to fp32 was 0.99993 and the relative L2 error 1.0 %
# (ViT-B/16 random weights, benchmarks/README.md: cosine >= 0.9990). The bounds
# leave ~3x room and still fail for fp16-free garbage or a wrong-precision tower.
BF16_MIN_COSINE = 0.999
BF16_MAX_REL_L2 = 0.03


def _fake_cuda(monkeypatch, bf16: bool):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(torch.cuda, 'is_bf16_supported', lambda *a, **k: bf16)


def test_auto_is_bf16_on_cuda_fp16_on_old_gpus_and_exact_on_cpu(monkeypatch):
    assert autocast_dtype_for('auto', 'cpu') is None
    assert default_compute_dtype('cpu') == torch.float32
    assert autocast_dtype_for('bf16', 'cpu') == torch.bfloat16
    assert autocast_dtype_for(None, 'cuda:0') is None
    _fake_cuda(monkeypatch, bf16=True)
    assert autocast_dtype_for('auto', 'cuda:1') == torch.bfloat16
    assert default_compute_dtype('cuda') == torch.bfloat16
    _fake_cuda(monkeypatch, bf16=False)  # e.g. V100
    assert autocast_dtype_for('auto', 'cuda') == torch.float16
    with pytest.raises(ValueError, match='autocast_dtype'):
        autocast_dtype_for('fp8', 'cpu')
    with pytest.raises(ValueError, match='autocast_dtype'):
        _backbone(autocast_dtype='fp8')


def test_amp_is_bf16_without_loss_scaling_where_supported(monkeypatch):
    base = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=0.002))
    _fake_cuda(monkeypatch, bf16=True)
    amp = amp_optim_wrapper(base)
    assert amp == dict(type='AmpOptimWrapper', optimizer=dict(type='Adam', lr=0.002),
                       dtype='bfloat16', loss_scale=dict(enabled=False))
    assert base['type'] == 'OptimWrapper'  # the input is not modified
    _fake_cuda(monkeypatch, bf16=False)
    assert amp_optim_wrapper(base)['dtype'] == 'float16'
    assert amp_optim_wrapper(base)['loss_scale'] == 'dynamic'
    assert amp_optim_wrapper(dict(base, dtype='float16'), bf16=True)['loss_scale'] == 'dynamic'
    with pytest.raises(ValueError, match='OptimWrapper'):
        amp_optim_wrapper(dict(type='DeepSpeedOptimWrapper'))


def test_tf32_only_with_cuda(monkeypatch):
    before = torch.get_float32_matmul_precision()
    try:
        torch.set_float32_matmul_precision('highest')
        monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
        assert enable_tf32() is False
        assert torch.get_float32_matmul_precision() == 'highest'
        monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
        assert enable_tf32() is True
        assert torch.get_float32_matmul_precision() == 'high'
    finally:
        torch.set_float32_matmul_precision(before)


def _backbone(**kwargs):
    cfg = dict(type='CLIPVisionBackbone', arch=copy.deepcopy(TINY_ARCH), early_layers=1)
    cfg.update(kwargs)
    return MODELS.build(cfg)


def test_backbone_default_is_exact_on_cpu_and_bf16_when_the_device_says_so(monkeypatch):
    from ous_mm.models.backbones import clip_vision_backbone
    torch.manual_seed(0)
    exact = _backbone(autocast_dtype=None)
    default = _backbone()
    default.load_state_dict(exact.state_dict())
    assert default.autocast_dtype == 'auto'
    x = torch.randn(3, 3, 32, 32)
    ref = exact(x)
    for a, b in zip(ref, default(x)):
        assert torch.equal(a, b)  # CPU: no autocast
    # a device for which 'auto' means bf16 (what a CUDA device with bf16 answers)
    monkeypatch.setattr(clip_vision_backbone, 'autocast_dtype_for',
                        lambda setting, device: torch.bfloat16 if setting == 'auto' else None)
    for a, b in zip(ref, default(x)):
        assert b.dtype == torch.float32 and not torch.equal(a, b)
    trainable = _backbone(frozen=False)
    trainable.load_state_dict(exact.state_dict())
    for a, b in zip(ref, trainable(x)):  # 'auto' leaves a trained tower to --amp: fp32
        torch.testing.assert_close(b, a, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_bf16_features_are_close_to_fp32(seed):
    torch.manual_seed(seed)
    exact = _backbone(autocast_dtype=None)
    fast = _backbone(autocast_dtype='bf16')
    fast.load_state_dict(exact.state_dict())
    x = torch.randn(16, 3, 32, 32)
    for a, b in zip(exact(x), fast(x)):
        assert b.dtype == torch.float32
        assert not torch.equal(a, b)  # it did run in bf16
        assert F.cosine_similarity(a, b, dim=-1).min() >= BF16_MIN_COSINE
        assert (b - a).norm() / a.norm() <= BF16_MAX_REL_L2
