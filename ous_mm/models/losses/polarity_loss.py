"""Eq. 1: scene-polarity cross-entropy for the Polarity Encoder."""
import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from torch import nn


@MODELS.register_module()
class PolarityLoss(nn.Module):
    """L_polarity = -sum_i y_i log(y_hat_i) (Eq. 1), averaged over the batch.

    Polarity ids: 0 positive, 1 neutral, 2 negative (``gt_polarity`` of a sample).

    Args:
        loss_weight: factor on the loss.
    """

    def __init__(self, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, polarity_logits: torch.Tensor, polarity_labels: torch.Tensor) -> torch.Tensor:
        """``polarity_logits (B, 3)``, ``polarity_labels (B,)`` -> scalar loss."""
        return self.loss_weight * F.cross_entropy(polarity_logits, polarity_labels.long())
