"""CLIPVisionBackbone: outputs, freezing, and loading open_clip weights in init_weights."""
import copy

import open_clip
import pytest
import torch

from mmaction.registry import MODELS

from .conftest import CLASS_NAMES, TINY_ARCH


def _backbone(**kwargs):
    cfg = dict(type='CLIPVisionBackbone', arch=copy.deepcopy(TINY_ARCH), early_layers=1)
    cfg.update(kwargs)
    return MODELS.build(cfg)


def test_outputs_match_open_clip_and_the_block_k_tokens():
    torch.manual_seed(0)
    backbone = _backbone(early_layers=1, early_pool='cls_mean')
    assert (backbone.embed_dim, backbone.early_dim) == (32, 64)
    x = torch.randn(5, 3, 32, 32)
    embed, early = backbone(x)
    assert embed.shape == (5, 32) and early.shape == (5, 64)
    visual = backbone.visual
    assert torch.allclose(embed, visual(x), atol=1e-5)  # the final CLIP embedding
    tokens = visual._embeds(x)
    tokens = visual.transformer.resblocks[0](tokens)    # after block K = 1
    assert torch.allclose(early, torch.cat([tokens[:, 0], tokens[:, 1:].mean(1)], -1), atol=1e-5)
    cls_only = _backbone(early_pool='cls')
    cls_only.load_state_dict(backbone.state_dict())
    assert cls_only.early_dim == 32
    assert torch.allclose(cls_only(x)[1], tokens[:, 0], atol=1e-5)


def test_chunked_pass_equals_one_pass():
    torch.manual_seed(0)
    one = _backbone()
    chunked = _backbone(max_frames_per_pass=2)
    chunked.load_state_dict(one.state_dict())
    x = torch.randn(5, 3, 32, 32)
    for a, b in zip(one(x), chunked(x)):
        assert torch.allclose(a, b, atol=1e-5)


def test_frozen_by_default_and_kept_in_eval_mode():
    backbone = _backbone()
    assert not any(p.requires_grad for p in backbone.parameters())
    backbone.train()
    assert backbone.training and not backbone.visual.training
    embed, _ = backbone(torch.randn(2, 3, 32, 32))
    assert not embed.requires_grad
    trainable = _backbone(frozen=False).train()
    assert trainable.visual.training and trainable(torch.randn(1, 3, 32, 32))[0].requires_grad


def test_invalid_arguments_are_reported():
    with pytest.raises(ValueError, match='early_layers'):
        _backbone(early_layers=3)  # the tiny tower has 2 blocks
    with pytest.raises(ValueError, match='unknown open_clip arch'):
        _backbone(arch='ViT-XXL-99')
    with pytest.raises(ValueError, match=r'\(N, 3, H, W\)'):
        _backbone()(torch.randn(1, 2, 3, 32, 32))
    with pytest.raises(ValueError, match='takes 32x32 frames, got 64x64'):
        _backbone()(torch.randn(1, 3, 64, 64))


@pytest.fixture
def clip_checkpoint(tmp_path):
    """A full open_clip CLIP state dict of the tiny arch, saved like open_clip does."""
    torch.manual_seed(1)
    clip = open_clip.CLIP(**copy.deepcopy(TINY_ARCH))
    path = tmp_path / 'tiny_clip.pt'
    torch.save(clip.state_dict(), path)
    return clip, str(path)


def test_pretrained_file_is_loaded_in_init_weights(clip_checkpoint):
    clip, path = clip_checkpoint
    backbone = _backbone(pretrained=path)
    # not loaded in __init__
    assert not torch.equal(backbone.visual.conv1.weight, clip.visual.conv1.weight)
    backbone.init_weights()
    ref = clip.visual.state_dict()
    for name, value in backbone.visual.state_dict().items():
        assert torch.equal(value, ref[name]), name
    assert not any(p.requires_grad for p in backbone.parameters())  # still frozen

    head = MODELS.build(dict(type='PromptContrastiveHead', class_names=CLASS_NAMES,
                             in_channels=32, arch=copy.deepcopy(TINY_ARCH), pretrained=path,
                             prompt_length=4))
    head.init_weights()
    full = clip.state_dict()
    for name, value in head.text_encoder.state_dict().items():
        assert torch.equal(value, full[name]), name


def test_wrong_or_missing_checkpoint_gives_a_clear_error(tmp_path, clip_checkpoint):
    missing = tmp_path / 'nope' / 'ViT-L-14.pt'
    with pytest.raises(FileNotFoundError, match='nope'):
        _backbone(pretrained=str(missing)).init_weights()

    garbage = tmp_path / 'garbage.pth'
    garbage.write_bytes(b'this is not a checkpoint')
    with pytest.raises(RuntimeError, match='garbage.pth'):
        _backbone(pretrained=str(garbage)).init_weights()

    other_arch = copy.deepcopy(TINY_ARCH)
    other_arch['vision_cfg']['width'] = 48
    other_arch['vision_cfg']['head_width'] = 16
    other = tmp_path / 'other_arch.pt'
    torch.save(open_clip.CLIP(**other_arch).state_dict(), other)
    with pytest.raises(RuntimeError, match='other_arch.pt does not fit the custom dict arch'):
        _backbone(pretrained=str(other)).init_weights()

    text_only = tmp_path / 'text_only.pt'
    torch.save({k: v for k, v in clip_checkpoint[0].state_dict().items()
                if not k.startswith('visual.')}, text_only)
    with pytest.raises(RuntimeError, match='no CLIP vision-tower weights'):
        _backbone(pretrained=str(text_only)).init_weights()

    with pytest.raises(ValueError, match='neither a file nor an open_clip tag'):
        _backbone(arch='ViT-B-16', pretrained='not-a-tag').init_weights()


def test_openai_style_torchscript_archive_loads(tmp_path, clip_checkpoint):
    """OpenAI's original ViT-L-14.pt is a TorchScript archive of the whole CLIP."""
    clip, _ = clip_checkpoint
    path = tmp_path / 'scripted.pt'
    torch.jit.save(torch.jit.script(clip.eval()), str(path))
    backbone = _backbone(pretrained=str(path))
    backbone.init_weights()
    assert torch.equal(backbone.visual.proj, clip.visual.proj)
    assert torch.equal(backbone.visual.conv1.weight, clip.visual.conv1.weight)
