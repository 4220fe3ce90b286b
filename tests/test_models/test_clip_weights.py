"""CLIP weights: the activation follows the weights; a tag fails fast and clearly offline."""
import copy
import os
import socket
import time

import open_clip
import pytest
import torch
from mmengine.config import Config
from open_clip.transformer import QuickGELU

from mmaction.registry import MODELS
from ous_mm.models.utils import resolve_quick_gelu, uses_quick_gelu
from ous_mm.utils import clip_weights
from ous_mm.utils.clip_weights import ClipWeightsError, resolve_clip_file

from .conftest import REPO, TINY_ARCH
from .dist_workers import HUB_REPO, fake_hub_file


# ----------------------------------------------------------------------------- activation
def test_quick_gelu_comes_from_the_tag_and_a_contradiction_is_an_error():
    assert resolve_quick_gelu('ViT-L-14', 'openai', None) is True
    assert resolve_quick_gelu('ViT-L-14', 'laion2b_s32b_b82k', None) is False
    assert resolve_quick_gelu('ViT-L-14', 'metaclip_400m', None) is True
    assert resolve_quick_gelu('ViT-L-14-quickgelu', None, None) is True
    assert resolve_quick_gelu('ViT-L-14', None, None) is False
    with pytest.raises(ValueError, match='laion2b_s32b_b82k use GELU'):
        resolve_quick_gelu('ViT-L-14', 'laion2b_s32b_b82k', True)
    with pytest.raises(ValueError, match='use QuickGELU'):
        resolve_quick_gelu('ViT-L-14', 'openai', False)
    with pytest.raises(ValueError, match='arch name'):
        resolve_quick_gelu('ViT-L-14-quickgelu', None, False)


def test_the_paper_config_gets_its_activation_from_the_tag():
    """A LAION tag in the ViT-L/14 config must not build QuickGELU (it did: quick_gelu=True)."""
    backbone = Config.fromfile(str(REPO / 'configs/ous/ous_vitl14_dfew.py')).model.backbone
    assert resolve_quick_gelu(backbone.arch, backbone.pretrained, backbone.get('quick_gelu'))
    assert not resolve_quick_gelu(backbone.arch, 'laion2b_s32b_b82k', backbone.get('quick_gelu'))
    # built (no file read at build time) with another tag: GELU in both towers
    vitb = MODELS.build(dict(type='CLIPVisionBackbone', arch='ViT-B-16',
                             pretrained='laion2b_s34b_b88k'))
    assert not uses_quick_gelu(vitb.visual)


def _scripted_openai_style_clip(tmp_path):
    arch = copy.deepcopy(TINY_ARCH)
    torch.manual_seed(1)
    clip = open_clip.CLIP(**arch, quick_gelu=True).eval()
    path = tmp_path / 'ViT-tiny.pt'
    torch.jit.save(torch.jit.script(clip), str(path))
    return clip, str(path)


def test_openai_torchscript_file_switches_the_towers_to_quick_gelu(tmp_path):
    clip, path = _scripted_openai_style_clip(tmp_path)
    cfg = dict(type='CLIPVisionBackbone', arch=copy.deepcopy(TINY_ARCH), early_layers=1,
               pretrained=path, autocast_dtype=None)
    backbone = MODELS.build(cfg)
    assert not uses_quick_gelu(backbone.visual)  # the dict arch says GELU until the file is read
    backbone.init_weights()
    assert uses_quick_gelu(backbone.visual)
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(backbone(x)[0], clip.encode_image(x), rtol=1e-5, atol=1e-5)
    head = MODELS.build(dict(type='PromptContrastiveHead', class_names=('a', 'b'),
                             in_channels=32, arch=copy.deepcopy(TINY_ARCH), pretrained=path,
                             prompt_length=2))
    head.init_weights()
    assert uses_quick_gelu(head.text_encoder)
    wrong = MODELS.build(dict(cfg, quick_gelu=False))
    with pytest.raises(ValueError, match='trained with QuickGELU'):
        wrong.init_weights()


def test_plain_state_dict_keeps_the_configured_activation(tmp_path):
    torch.manual_seed(2)
    path = tmp_path / 'plain.pt'
    torch.save(open_clip.CLIP(**copy.deepcopy(TINY_ARCH)).state_dict(), path)
    for quick_gelu in (True, False):
        backbone = MODELS.build(dict(type='CLIPVisionBackbone', arch=copy.deepcopy(TINY_ARCH),
                                     early_layers=1, pretrained=str(path),
                                     quick_gelu=quick_gelu))
        backbone.init_weights()
        assert uses_quick_gelu(backbone.visual) is quick_gelu
        assert any(isinstance(m, QuickGELU) for m in backbone.visual.modules()) is quick_gelu


# ----------------------------------------------------------------------------- caches, offline
@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    """An empty HF_HOME; no other cache or endpoint variables."""
    for name in ('HF_HUB_CACHE', 'HUGGINGFACE_HUB_CACHE', 'HF_HUB_OFFLINE', 'TRANSFORMERS_OFFLINE',
                 'HF_ENDPOINT', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY'):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('HF_HOME', str(tmp_path / 'hf_home'))
    return tmp_path / 'hf_home' / 'hub'


def test_offline_tag_fails_fast_naming_the_real_cache(empty_cache, monkeypatch):
    monkeypatch.setenv('HF_HUB_OFFLINE', '1')
    backbone = MODELS.build(dict(type='CLIPVisionBackbone', arch='ViT-B-16', pretrained='openai'))
    start = time.monotonic()
    with pytest.raises(ClipWeightsError) as info:
        backbone.init_weights()
    assert time.monotonic() - start < 5
    message = str(info.value)
    assert str(empty_cache / 'models--timm--vit_base_patch16_clip_224.openai') in message
    for hint in ('HF_HUB_OFFLINE', 'HF_HOME', 'model.backbone.pretrained='):
        assert hint in message


def test_unreachable_hub_fails_fast(empty_cache, monkeypatch):
    with socket.socket() as s:  # a port nobody listens on: connection refused at once
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    monkeypatch.setenv('HF_ENDPOINT', f'http://127.0.0.1:{port}')
    start = time.monotonic()
    with pytest.raises(ClipWeightsError, match=f'127.0.0.1:{port} is not reachable'):
        resolve_clip_file('ViT-B-16', 'openai')
    assert time.monotonic() - start < 5


def test_proxy_is_what_the_probe_connects_to(monkeypatch):
    monkeypatch.delenv('no_proxy', raising=False)
    monkeypatch.delenv('NO_PROXY', raising=False)
    monkeypatch.setenv('HTTPS_PROXY', 'http://proxy.example:3128')
    cfg = clip_weights.tag_config('ViT-B-16', 'openai')
    assert clip_weights._source_host(cfg) == ('proxy.example', 3128)


def test_cached_tag_is_used_offline(empty_cache, monkeypatch):
    monkeypatch.setenv('HF_HUB_OFFLINE', '1')
    path = fake_hub_file(empty_cache, HUB_REPO)
    assert resolve_clip_file('ViT-B-16', 'openai') == path
    monkeypatch.setenv('HF_HUB_CACHE', str(empty_cache.parent / 'elsewhere'))  # HF_HUB_CACHE wins
    with pytest.raises(ClipWeightsError, match='elsewhere'):
        resolve_clip_file('ViT-B-16', 'openai')
