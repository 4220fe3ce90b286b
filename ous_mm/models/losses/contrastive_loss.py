"""Eq. 3, both readings: video-vs-prompt classification and scene-vs-face InfoNCE."""
from typing import Optional

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS

from .base import HeadLoss

from ..utils.gather import gather_rows_with_grad

CONTRASTIVE_MODES = ('video_text', 'scene_face')


@MODELS.register_module()
class ContrastiveLoss(HeadLoss):
    """L_contrast of Eq. 3.

    The paper's text says the output features are contrasted with the learnable
    prompts, its formula contrasts scene and face features within the batch.

    * ``mode='video_text'`` (default): cross-entropy of the prompt-contrastive
      logits ``cls_score = exp(s) * cos(video, text_c)`` against the class label,
      i.e. Eq. 3 with the class text features as the candidates and the learnable
      temperature ``tau = 1 / exp(s)`` of the head. It is the only OUS term that
      carries class labels, hence the default; it is also the "L_ce" of Tables IV-V.
    * ``mode='scene_face'``: InfoNCE of Eq. 3 as written: row i contrasts scene
      feature i with every face feature j of the batch, positives on the
      diagonal, fixed ``temperature``. Carries no class label: use it inside
      :class:`GlobalSwitchLoss` together with a ``classification`` term.
      Under DDP the negatives are the GLOBAL batch: each rank all-gathers the
      face (and scene) features of every rank with gradient
      (:func:`~ous_mm.models.utils.gather.gather_rows_with_grad`) and averages
      over its own rows, so loss and gradients do not depend on the number of
      GPUs (equal per-rank batches, as mmengine's sampler gives; tested
      against one process on the same total batch).

    The sum over i of Eq. 3 is averaged (batch-size independent).

    Args:
        mode: ``'video_text'`` or ``'scene_face'``.
        temperature: tau of the ``scene_face`` mode.
        symmetric: ``scene_face`` only: also the face->scene direction (mean of both).
        loss_weight: factor on the loss.
    """

    def __init__(self, mode: str = 'video_text', temperature: float = 0.07,
                 symmetric: bool = False, loss_weight: float = 1.0) -> None:
        super().__init__()
        if mode not in CONTRASTIVE_MODES:
            raise ValueError(f'mode must be one of {CONTRASTIVE_MODES}, got {mode!r}')
        if temperature <= 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        self.mode = mode
        self.temperature = temperature
        self.symmetric = symmetric
        self.loss_weight = loss_weight

    @property
    def carries_labels(self) -> bool:
        """Whether this term trains the classifier (only ``video_text`` does)."""
        return self.mode == 'video_text'

    @property
    def needs_scene(self) -> bool:
        """``scene_face`` contrasts scene with face features."""
        return self.mode == 'scene_face'

    def forward(self, cls_score: Optional[torch.Tensor] = None,
                labels: Optional[torch.Tensor] = None,
                face_feat: Optional[torch.Tensor] = None,
                scene_feat: Optional[torch.Tensor] = None) -> torch.Tensor:
        """``video_text``: ``cls_score (B, C)``, ``labels (B,)``;
        ``scene_face``: ``face_feat (B, F)``, ``scene_feat (B, F)``."""
        if self.mode == 'video_text':
            if cls_score is None or labels is None:
                raise ValueError('ContrastiveLoss(video_text) needs cls_score and labels')
            return self.loss_weight * F.cross_entropy(cls_score, labels.long())
        if face_feat is None or scene_feat is None:
            raise ValueError('ContrastiveLoss(scene_face) needs face and scene features; '
                             'a face-only model (use_scene=False) cannot use it')
        scene = F.normalize(scene_feat, dim=-1)
        face = F.normalize(face_feat, dim=-1)
        all_face, offset = gather_rows_with_grad(face)  # negatives of every rank
        targets = offset + torch.arange(scene.shape[0], device=scene.device)
        loss = F.cross_entropy(scene @ all_face.t() / self.temperature, targets)  # sim/tau
        if self.symmetric:
            all_scene, _ = gather_rows_with_grad(scene)
            loss = 0.5 * (loss + F.cross_entropy(face @ all_scene.t() / self.temperature,
                                                 targets))
        return self.loss_weight * loss
