"""Eq. 2: cosine distance that pulls the aligned face and scene features together."""
from typing import Optional

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from torch import nn

STOP_GRAD_SIDES = (None, 'face', 'scene')


@MODELS.register_module()
class SimilarityLoss(nn.Module):
    """L_similarity = 1 - cos(V_f, V_s) (Eq. 2), per clip, averaged over the batch.

    The sums of Eq. 2 run over the feature dimension of one clip (the cosine of the
    clip's face and scene vectors); the batch mean makes the scale independent of B.

    ``stop_grad`` says which side the loss must not move. With gradient to both
    sides (None, Eq. 2 as written) the face features can be pulled onto the scene
    features, which carry the polarity only: the face stream then loses what tells
    the classes of one polarity apart and training ends on the one-class-per-polarity
    plateau (measured; docs/method.md, "Training dynamics"). ``'face'`` detaches the
    face side: the scene (and the shared alignment layer) move towards the face, the
    face stream is shaped by classification alone. ``'scene'`` detaches the scene
    side (the face moves towards the scene).

    Args:
        loss_weight: factor on the loss.
        stop_grad: None, ``'face'`` or ``'scene'``: the side given no gradient.
        eps: numerical floor of the norms.
    """

    def __init__(self, loss_weight: float = 1.0, stop_grad: Optional[str] = None,
                 eps: float = 1e-8) -> None:
        super().__init__()
        if stop_grad not in STOP_GRAD_SIDES:
            raise ValueError(f'stop_grad must be one of {STOP_GRAD_SIDES}, got {stop_grad!r}')
        self.loss_weight = loss_weight
        self.stop_grad = stop_grad
        self.eps = eps

    def forward(self, face_feat: torch.Tensor, scene_feat: torch.Tensor) -> torch.Tensor:
        """``face_feat (B, F)``, ``scene_feat (B, F)`` -> scalar loss."""
        if self.stop_grad == 'face':
            face_feat = face_feat.detach()
        elif self.stop_grad == 'scene':
            scene_feat = scene_feat.detach()
        cosine = F.cosine_similarity(face_feat, scene_feat, dim=-1, eps=self.eps)
        return self.loss_weight * (1.0 - cosine).mean()
