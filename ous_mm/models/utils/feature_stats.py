"""Collapse measures of a batch of features (logged during training)."""
import torch
import torch.nn.functional as F


@torch.no_grad()
def feature_spread(feat: torch.Tensor) -> torch.Tensor:
    """Mean per-dimension std of the L2-normalised features, times sqrt(D).

    About 1 for directions spread uniformly over the sphere, 0 when the batch has
    collapsed to one direction. ``feat (B, D)``, B >= 2.
    """
    x = F.normalize(feat.float(), dim=-1)
    return x.std(dim=0).mean() * feat.shape[-1] ** 0.5


@torch.no_grad()
def effective_rank(feat: torch.Tensor) -> torch.Tensor:
    """exp(entropy) of the normalised singular values of the centred, L2-normalised batch.

    Between 1 (every clip has the same direction up to a shift along one axis) and
    min(B, D); a face stream pulled onto a scene that only carries polarity drops
    towards the number of polarities. ``feat (B, D)``, B >= 2.
    """
    x = F.normalize(feat.float(), dim=-1)
    x = x - x.mean(dim=0, keepdim=True)
    s = torch.linalg.svdvals(x)
    p = s / s.sum().clamp_min(1e-12)
    entropy = -(p * torch.log(p.clamp_min(1e-12))).sum()
    return entropy.exp()
