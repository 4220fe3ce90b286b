"""The Polarity Encoder: scene polarity from early CLIP blocks (V_pol, Eq. 1 logits)."""
from typing import Optional, Tuple

import torch
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import nn


@MODELS.register_module()
class PolarityEncoder(BaseModule):
    """Encode the pooled output of the first K vision blocks into polarity tokens.

    Per frame: LayerNorm (the raw residual stream of early CLIP blocks has a few
    very large channels) -> Linear -> GELU -> Linear to D: one V_pol token per
    frame. The polarity classifier (positive / neutral / negative, trained by
    Eq. 1) reads the mean of the tokens.

    Args:
        in_dim: early feature size E of the backbone.
        dim: token size D (the fusion width).
        num_polarities: number of polarity classes (3).
        init_cfg: mmengine init config.
    """

    def __init__(self, in_dim: int, dim: int, num_polarities: int = 3,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.encoder = nn.Sequential(nn.LayerNorm(in_dim), nn.Linear(in_dim, dim), nn.GELU(),
                                     nn.Linear(dim, dim))
        self.classifier = nn.Linear(dim, num_polarities)

    def forward(self, early: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """``early (B, L, E)`` (L frames) -> ``V_pol (B, L, D)``, ``logits (B, 3)``."""
        tokens = self.encoder(early)
        return tokens, self.classifier(tokens.mean(dim=1))
