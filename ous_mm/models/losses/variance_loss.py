"""A variance floor on a batch of features, against their collapse (VICReg's variance term)."""
import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from torch import nn


@MODELS.register_module()
class VarianceLoss(nn.Module):
    """``mean_d relu(target - std_d)`` over the L2-normalised features of a batch.

    A term that keeps the face features spread out while Eq. 2 pulls them towards the
    scene: it is zero while every dimension varies across the batch at least as much
    as ``target`` and grows as the batch collapses to one point. The features are
    normalised first (Eq. 2 and the prompt head only see directions), and ``target``
    is relative to the ``1 / sqrt(D)`` per-dimension std of directions spread
    uniformly over the sphere.

    Args:
        target: the floor, as a fraction of ``1 / sqrt(D)``.
        loss_weight: factor on the loss.
        eps: added to the variance before the square root.
    """

    def __init__(self, target: float = 0.5, loss_weight: float = 1.0,
                 eps: float = 1e-4) -> None:
        super().__init__()
        if target <= 0:
            raise ValueError(f'target must be > 0, got {target}')
        self.target = target
        self.loss_weight = loss_weight
        self.eps = eps

    def forward(self, feat: torch.Tensor) -> torch.Tensor:
        """``feat (B, D)`` -> scalar loss (0 for a batch of one clip)."""
        if feat.shape[0] < 2:
            return feat.sum() * 0.0
        x = F.normalize(feat, dim=-1)
        std = torch.sqrt(x.var(dim=0) + self.eps * self.eps)
        floor = self.target / feat.shape[-1] ** 0.5
        return self.loss_weight * F.relu(floor - std).mean() * feat.shape[-1] ** 0.5
