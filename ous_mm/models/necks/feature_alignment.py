"""The convolution + fully connected alignment of face and scene features."""
from typing import Optional, Tuple

import torch
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import nn


@MODELS.register_module()
class FeatureAlignment(BaseModule):
    """Map V_ft and V_st into one latent space (trained by the similarity loss).

    * convolution: a temporal ``Conv1d`` (kernel ``kernel_size``, same padding) over
      the face frame tokens, added residually (the scene is one vector after Eq. 14,
      so only the face has a time axis to convolve);
    * fully connected: one ``Linear`` shared by both streams, so the two land in
      the same space by construction and the similarity loss only has to close
      the remaining gap.

    Args:
        dim: feature size D.
        kernel_size: temporal kernel of the face convolution (odd).
        init_cfg: mmengine init config.
    """

    def __init__(self, dim: int, kernel_size: int = 3, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if kernel_size % 2 == 0:
            raise ValueError(f'kernel_size must be odd, got {kernel_size}')
        self.face_conv = nn.Conv1d(dim, dim, kernel_size, padding=kernel_size // 2)
        self.fc = nn.Linear(dim, dim)

    def forward(self, face_tokens: torch.Tensor, scene: Optional[torch.Tensor] = None
                ) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        """``face_tokens (B, T, D)``, ``scene (B, D)`` -> aligned, same shapes."""
        face = face_tokens + self.face_conv(face_tokens.transpose(1, 2)).transpose(1, 2)
        face = self.fc(face)
        return face, (self.fc(scene) if scene is not None else None)
