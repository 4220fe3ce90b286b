"""Eq. 14: the scene summary V_st as the mean over frames."""
import torch
from mmaction.registry import MODELS
from torch import nn


@MODELS.register_module()
class FramesMean(nn.Module):
    """V_st = (1/T) sum_t V_s(t) (Eq. 14): the scene changes little over a clip."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x (B, T, D)`` -> ``(B, D)``."""
        return x.mean(dim=1)
