"""TypeFusionNeck and its parts against the equations they implement."""
import pytest
import torch
import torch.nn.functional as F

from mmaction.registry import MODELS
from ous_mm.models.necks import CrossTypeAttentionBlock

D, E = 16, 24


def _neck(**kwargs):
    cfg = dict(type='TypeFusionNeck', embed_dim=D, early_dim=E,
               frames_encoder=dict(num_layers=1, num_heads=2, max_frames=4),
               tfe=dict(num_blocks=2, num_queries=3, num_heads=2))
    cfg.update(kwargs)
    return MODELS.build(cfg)


def test_cross_type_block_follows_eq_5_to_10():
    torch.manual_seed(0)
    block = CrossTypeAttentionBlock(D, num_heads=1, mlp_ratio=2.0).eval()
    query, kv = torch.randn(2, 3, D), torch.randn(2, 5, D)
    kv_norm = F.layer_norm(kv, (D, ), block.kv_norm.weight, block.kv_norm.bias)       # Eq. 5
    q, k, v = block.q_proj(query), block.k_proj(kv_norm), block.v_proj(kv_norm)
    attn = torch.softmax(q @ k.transpose(1, 2) / D ** 0.5, dim=-1) @ v                 # Eq. 15
    o_attn = block.attn_norm(block.out_proj(attn))                                      # Eq. 7
    o_ff = block.mlp[3](torch.relu(block.mlp[0](o_attn)))                               # Eq. 8-9
    expected = block.out_norm(o_ff)                                                     # Eq. 10
    assert torch.allclose(block(query, kv), expected, atol=1e-5)


def test_tfe_shares_one_gaussian_query_set():
    torch.manual_seed(0)
    tfe = MODELS.build(dict(type='TypeFusionEncoder', dim=64, num_blocks=3, num_queries=64,
                            num_heads=2, query_std=0.05, query_mean=0.1))
    queries = [n for n, _ in tfe.named_parameters() if 'queries' in n]
    assert queries == ['queries']  # ONE set, shared by all blocks
    assert tfe.queries.mean().item() == pytest.approx(0.1, abs=0.01)          # Eq. 6
    assert tfe.queries.std().item() == pytest.approx(0.05, rel=0.1)
    kv = torch.randn(2, 7, 64)
    outs = {}
    for mode in ('shared_residual', 'chain', 'shared_parallel'):
        tfe.query_mode = mode
        outs[mode] = tfe(kv)
        assert outs[mode].shape == (2, 64)
    assert not torch.allclose(outs['shared_residual'], outs['chain'])
    tfe.query_mode = 'shared_parallel'
    q = tfe.queries.expand(2, -1, -1)
    manual = torch.stack([b(q, kv) for b in tfe.blocks]).mean(0).mean(1)
    assert torch.allclose(outs['shared_parallel'], manual, atol=1e-6)


def test_neck_outputs_and_fusion_switch():
    torch.manual_seed(0)
    embed, early = torch.randn(2, 2, 4, D), torch.randn(2, 2, 4, E)
    out = _neck()(embed, early)
    assert out.video.shape == out.face.shape == out.scene.shape == (2, D)
    assert out.polarity_logits.shape == (2, 3)

    pooled = _neck(fusion='avgpool')
    assert pooled.tfe is None
    out = pooled(embed, early)
    assert torch.allclose(out.video, (out.face + out.scene) / 2)

    # Eq. 14: the scene summary is the frame mean of the (LSTM'd) scene stream
    neck = _neck()
    _, scene = neck.lstm(embed[:, 0], embed[:, 1])
    assert torch.allclose(neck.frames_mean(scene), scene.mean(1))


def test_polarity_source_selects_the_stream():
    torch.manual_seed(0)
    embed, early = torch.randn(2, 2, 4, D), torch.randn(2, 2, 4, E)
    neck = _neck(polarity_source='scene')
    base = neck(embed, early).polarity_logits
    changed_face = early.clone()
    changed_face[:, 0] = torch.randn(2, 4, E)
    assert torch.allclose(neck(embed, changed_face).polarity_logits, base)
    changed_scene = early.clone()
    changed_scene[:, 1] = torch.randn(2, 4, E)
    assert not torch.allclose(neck(embed, changed_scene).polarity_logits, base)
    assert _neck(polarity_source=None)(embed, early).polarity_logits is None


def test_face_only_neck_and_invalid_switches():
    torch.manual_seed(0)
    neck = _neck(use_scene=False, polarity_source='face')
    out = neck(torch.randn(2, 1, 3, D), torch.randn(2, 1, 3, E))  # 3 frames != max_frames
    assert out.scene is None and out.video.shape == (2, D)
    with pytest.raises(ValueError, match='needs the scene stream'):
        _neck(use_scene=False)  # polarity_source='scene'
    with pytest.raises(ValueError, match='fusion'):
        _neck(fusion='concat')
    with pytest.raises(ValueError, match=r'\(B, 2, T, D\)'):
        _neck()(torch.randn(2, 1, 3, D), torch.randn(2, 1, 3, E))
    joint = _neck(use_scene=False, polarity_source=None, lstm=dict(mode='joint'))
    with pytest.raises(ValueError, match='joint'):
        joint(torch.randn(2, 1, 3, D), torch.randn(2, 1, 3, E))
