"""fused_vit_blocks: fused blocks keep parameters and outputs of the open_clip tower."""
import copy

import pytest
import torch
from open_clip.transformer import ResidualAttentionBlock

import ous_mm  # noqa: F401
from ous_mm.models.backbones import CLIPVisionBackbone
from ous_mm.models.backbones.fused_vit_blocks import (FusedResidualAttentionBlock,
                                                     optimize_vision_tower)

torch.set_num_threads(1)
ARCH = dict(embed_dim=32,
            vision_cfg=dict(image_size=32, layers=2, width=64, patch_size=8, head_width=16),
            text_cfg=dict(context_length=77, vocab_size=49408, width=32, heads=2, layers=1))


def _pair(quick_gelu):
    torch.manual_seed(0)
    plain = CLIPVisionBackbone(arch=copy.deepcopy(ARCH), pretrained=None,
                               quick_gelu=quick_gelu, early_layers=1).eval()
    fused = copy.deepcopy(plain)
    optimize_vision_tower(fused.visual)
    return plain, fused


@pytest.mark.parametrize('quick_gelu', [True, False])
def test_fused_tower_same_state_dict_and_outputs(quick_gelu):
    plain, fused = _pair(quick_gelu)
    assert all(type(b) is FusedResidualAttentionBlock for b in fused.visual.transformer.resblocks)
    assert all(type(b) is ResidualAttentionBlock for b in plain.visual.transformer.resblocks)
    sd_plain, sd_fused = plain.state_dict(), fused.state_dict()
    assert list(sd_plain) == list(sd_fused)
    assert all(torch.equal(sd_plain[k], sd_fused[k]) for k in sd_plain)  # weights untouched
    x = torch.randn(3, 3, 32, 32)
    with torch.inference_mode():
        (e1, m1), (e2, m2) = plain(x), fused(x)
    torch.testing.assert_close(e2, e1, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(m2, m1, rtol=1e-5, atol=1e-5)


def test_fused_blocks_backpropagate_like_the_original():
    """A trainable tower (frozen=False ablations) gets the same gradients."""
    torch.manual_seed(0)
    plain = CLIPVisionBackbone(arch=copy.deepcopy(ARCH), pretrained=None, quick_gelu=True,
                               early_layers=1, frozen=False).train()
    fused = copy.deepcopy(plain)
    optimize_vision_tower(fused.visual)
    x = torch.randn(2, 3, 32, 32)
    for model in (plain, fused):
        embed, early = model(x)
        (embed.square().sum() + early.sum()).backward()
    for (name, p1), (_, p2) in zip(plain.named_parameters(), fused.named_parameters()):
        torch.testing.assert_close(p2.grad, p1.grad, rtol=1e-4, atol=1e-5, msg=name)


def test_bf16_cast_is_close_to_fp32_and_bad_input():
    """The tower cast once to bf16 (what extract_features does on CUDA) vs the fp32 tower."""
    plain, fused = _pair(True)
    optimize_vision_tower(fused.visual, dtype=torch.bfloat16)
    assert fused.visual.conv1.weight.dtype == torch.bfloat16
    x = torch.randn(8, 3, 32, 32)
    with torch.inference_mode():
        ref, _ = plain(x)
        embed, _ = fused(x.to(torch.bfloat16))
    assert embed.dtype == torch.bfloat16
    embed = embed.float()
    # bf16 weights AND activations (ViT-B/16 random weights: cosine 0.99995, L2 0.95 %)
    assert torch.nn.functional.cosine_similarity(embed, ref, dim=-1).min() >= 0.998
    assert (embed - ref).norm() / ref.norm() <= 0.05
    with pytest.raises(TypeError, match='VisionTransformer'):
        optimize_vision_tower(torch.nn.Linear(2, 2))


def test_backbone_config_flag_gives_the_same_features():
    torch.manual_seed(0)
    plain = CLIPVisionBackbone(arch=copy.deepcopy(ARCH), pretrained=None, early_layers=1).eval()
    torch.manual_seed(0)
    fused = CLIPVisionBackbone(arch=copy.deepcopy(ARCH), pretrained=None, early_layers=1,
                               fused_blocks=True).eval()
    assert type(fused.visual.transformer.resblocks[0]) is FusedResidualAttentionBlock
    fused.load_state_dict(plain.state_dict())  # checkpoints load across the flag
    x = torch.randn(2, 3, 32, 32)
    with torch.inference_mode():
        for a, b in zip(plain(x), fused(x)):
            torch.testing.assert_close(b, a, rtol=1e-5, atol=1e-5)
