"""Feature extraction: one GPU per torchrun rank, strict checkpoints, dtype defaults."""
import copy
from pathlib import Path

import open_clip
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner.checkpoint import save_checkpoint

import ous_mm  # noqa: F401
from mmaction.registry import MODELS
from ous_mm.apis.features import (ExtractOptions, build_frozen_encoder, resolve_compute_dtype,
                                  resolve_device)
from ous_mm.utils import CheckpointError

init_default_scope('mmaction')
torch.set_num_threads(1)
REPO = Path(__file__).resolve().parents[2]
TINY = dict(embed_dim=32,
            vision_cfg=dict(image_size=32, layers=2, width=32, patch_size=16, head_width=16),
            text_cfg=dict(context_length=77, vocab_size=49408, width=32, heads=2, layers=1))


def test_each_torchrun_rank_gets_its_local_gpu():
    assert resolve_device(None, local_rank=3, world=8, cuda_count=8) == 'cuda:3'
    assert resolve_device('cuda', local_rank=1, world=2, cuda_count=2) == 'cuda:1'
    assert resolve_device(None, local_rank=0, world=1, cuda_count=0) == 'cpu'
    assert resolve_device('cpu', local_rank=1, world=2, cuda_count=2) == 'cpu'
    assert resolve_device('cuda:1', local_rank=0, world=1, cuda_count=2) == 'cuda:1'
    with pytest.raises(ValueError, match='every rank'):  # was: every rank on GPU 0
        resolve_device('cuda:0', local_rank=1, world=2, cuda_count=2)
    with pytest.raises(ValueError, match='LOCAL_RANK 2 but only 2'):
        resolve_device('cuda', local_rank=2, world=4, cuda_count=2)
    with pytest.raises(RuntimeError, match='no CUDA device'):
        resolve_device('cuda', local_rank=0, world=1, cuda_count=0)


def test_compute_dtype_defaults(monkeypatch):
    assert resolve_compute_dtype('auto', 'cpu') == torch.float32
    assert resolve_compute_dtype('bfloat16', 'cpu') == torch.bfloat16
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(torch.cuda, 'is_bf16_supported', lambda *a, **k: True)
    assert resolve_compute_dtype('auto', 'cuda:0') == torch.bfloat16
    with pytest.raises(ValueError, match='compute_dtype'):
        ExtractOptions(compute_dtype='int8')


@pytest.fixture
def tiny_cfg(tmp_path):
    torch.manual_seed(0)
    clip_path = tmp_path / 'clip.pt'
    torch.save(open_clip.CLIP(**copy.deepcopy(TINY)).state_dict(), clip_path)
    cfg = Config.fromfile(str(REPO / 'configs/ous/ous_tiny_synthetic.py'))
    cfg.model.backbone.arch = copy.deepcopy(TINY)
    cfg.model.backbone.early_layers = 1
    cfg.model.backbone.pretrained = str(clip_path)
    cfg.model.neck.frames_encoder.max_frames = 4
    return cfg


def test_checkpoint_loads_strictly(tiny_cfg, tmp_path):
    model = MODELS.build(tiny_cfg.model)
    state = model.state_dict()
    ok = tmp_path / 'ok.pth'
    save_checkpoint({'state_dict': state}, str(ok))
    _, backbone = build_frozen_encoder(tiny_cfg, str(ok), 'cpu')
    assert torch.equal(backbone.visual.conv1.weight, state['backbone.visual.conv1.weight'])
    bad = tmp_path / 'other_model.pth'
    broken = {k: v for k, v in state.items() if not k.startswith('neck.tfe.')}
    broken['neck.extra.weight'] = torch.zeros(1)
    save_checkpoint({'state_dict': broken}, str(bad))
    with pytest.raises(CheckpointError, match=r'missing keys \[neck\.tfe.*unexpected keys '
                                              r'\[neck\.extra\.weight'):
        build_frozen_encoder(tiny_cfg, str(bad), 'cpu')


def test_lean_checkpoint_is_the_documented_exception(tiny_cfg, tmp_path):
    tiny_cfg.model.save_frozen_encoders = False
    model = MODELS.build(tiny_cfg.model)
    model.init_weights()
    lean = tmp_path / 'lean.pth'
    save_checkpoint({'state_dict': model.state_dict()}, str(lean))
    assert not any(k.startswith('backbone.visual.') for k in model.state_dict())
    _, backbone = build_frozen_encoder(tiny_cfg, str(lean), 'cpu')
    # the towers come from the config's pretrained CLIP file
    assert torch.equal(backbone.visual.conv1.weight, model.backbone.visual.conv1.weight)
