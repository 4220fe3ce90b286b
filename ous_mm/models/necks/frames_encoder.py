"""The trainable Frames Encoder f_f over the face frames (V_ft)."""
from typing import Optional

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import nn


@MODELS.register_module()
class FramesEncoder(BaseModule):
    """A small pre-norm temporal transformer over the T face frames.

    Learnable temporal position embeddings (linearly resampled when a clip has a
    different number of frames than ``max_frames``), ``num_layers`` PyTorch
    encoder layers (fused scaled-dot-product attention), a final LayerNorm and a
    residual connection to the input, so the output stays close to CLIP space at
    initialisation. Returns one token per frame: V_ft of shape ``(B, T, D)``.

    Args:
        dim: feature size D.
        num_layers: transformer layers.
        num_heads: attention heads (D must be divisible by it).
        mlp_ratio: hidden size of the feed-forward net / D.
        max_frames: length of the position-embedding table.
        dropout: dropout in the layers.
        init_cfg: mmengine init config.
    """

    def __init__(self, dim: int, num_layers: int = 2, num_heads: int = 8,
                 mlp_ratio: float = 4.0, max_frames: int = 16, dropout: float = 0.0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if dim % num_heads:
            raise ValueError(f'dim {dim} is not divisible by num_heads {num_heads}')
        self.pos_embed = nn.Parameter(torch.zeros(1, max_frames, dim))
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        layer = nn.TransformerEncoderLayer(
            dim, num_heads, dim_feedforward=int(dim * mlp_ratio), dropout=dropout,
            activation='gelu', batch_first=True, norm_first=True)
        self.layers = nn.TransformerEncoder(layer, num_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(dim)

    def _pos_embed(self, num_frames: int) -> torch.Tensor:
        if num_frames == self.pos_embed.shape[1]:
            return self.pos_embed
        resized = F.interpolate(self.pos_embed.transpose(1, 2), size=num_frames,
                                mode='linear', align_corners=False)
        return resized.transpose(1, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x (B, T, D)`` -> ``V_ft (B, T, D)``."""
        return x + self.norm(self.layers(x + self._pos_embed(x.shape[1])))
