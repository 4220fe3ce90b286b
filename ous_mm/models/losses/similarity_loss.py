"""Eq. 2: cosine distance that pulls the aligned face and scene features together."""
import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from torch import nn


@MODELS.register_module()
class SimilarityLoss(nn.Module):
    """L_similarity = 1 - cos(V_f, V_s) (Eq. 2), per clip, averaged over the batch.

    The sums of Eq. 2 run over the feature dimension of one clip (the cosine of the
    clip's face and scene vectors); the batch mean makes the scale independent of B.

    Args:
        loss_weight: factor on the loss.
        eps: numerical floor of the norms.
    """

    def __init__(self, loss_weight: float = 1.0, eps: float = 1e-8) -> None:
        super().__init__()
        self.loss_weight = loss_weight
        self.eps = eps

    def forward(self, face_feat: torch.Tensor, scene_feat: torch.Tensor) -> torch.Tensor:
        """``face_feat (B, F)``, ``scene_feat (B, F)`` -> scalar loss."""
        cosine = F.cosine_similarity(face_feat, scene_feat, dim=-1, eps=self.eps)
        return self.loss_weight * (1.0 - cosine).mean()
