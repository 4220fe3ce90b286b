"""Eq. 4: the alpha switch between the global three-term loss and contrast alone."""
from typing import Dict, Optional

import torch
from mmaction.registry import MODELS
from torch import nn


@MODELS.register_module()
class GlobalSwitchLoss(nn.Module):
    """L_global = L_similarity + L_polarity + L_contrast while it exceeds ``alpha``,
    L_contrast alone below (Eq. 4).

    The comparison is made every training step on the *detached* value of this
    step's L_global (all three terms are always computed; the decision carries no
    gradient), per process (no cross-GPU synchronisation). Below ``alpha`` the
    polarity and similarity terms are left out of the loss dict (their values are
    still logged as ``polarity_ce`` / ``similarity_dist``), so they give no gradient.
    ``global_switch`` (1 = global, 0 = contrast only) is logged each step.
    ``alpha`` is not given in the paper: it is the config entry
    ``model.cls_head.loss_cls.alpha``.

    Args:
        alpha: threshold on L_global.
        contrastive: config of the L_contrast term (:class:`ContrastiveLoss`).
        similarity: config of the L_similarity term, or None to drop it.
        polarity: config of the L_polarity term, or None to drop it.
        classification: an always-on classification term, required when
            ``contrastive`` is the label-free ``scene_face`` InfoNCE (e.g.
            ``dict(type='ContrastiveLoss', mode='video_text')``); must be None
            with ``video_text``, which already is the classification loss. It is
            not part of the L_global compared with alpha (Eq. 4 has three terms).
    """

    uses_aux_outputs = True  # the head passes neck outputs and polarity labels

    def __init__(self,
                 alpha: float = 1.0,
                 contrastive: dict = dict(type='ContrastiveLoss', mode='video_text'),
                 similarity: Optional[dict] = dict(type='SimilarityLoss'),
                 polarity: Optional[dict] = dict(type='PolarityLoss'),
                 classification: Optional[dict] = None) -> None:
        super().__init__()
        self.alpha = float(alpha)
        self.contrastive = MODELS.build(contrastive)
        self.similarity = MODELS.build(similarity) if similarity else None
        self.polarity = MODELS.build(polarity) if polarity else None
        self.classification = MODELS.build(classification) if classification else None
        carries = getattr(self.contrastive, 'carries_labels', True)
        if not carries and self.classification is None:
            raise ValueError('GlobalSwitchLoss: the scene_face contrastive term carries no '
                             'class labels; add classification=dict(type=\'ContrastiveLoss\', '
                             'mode=\'video_text\')')
        if carries and self.classification is not None:
            raise ValueError('GlobalSwitchLoss: contrastive is already the video_text '
                             'classification loss; leave classification=None')

    @property
    def needs_scene(self) -> bool:
        """True when a term compares face and scene features."""
        return self.similarity is not None or not getattr(self.contrastive, 'carries_labels', True)

    def forward(self,
                cls_score: torch.Tensor,
                labels: torch.Tensor,
                face_feat: Optional[torch.Tensor] = None,
                scene_feat: Optional[torch.Tensor] = None,
                polarity_logits: Optional[torch.Tensor] = None,
                polarity_labels: Optional[torch.Tensor] = None) -> Dict[str, torch.Tensor]:
        """Return the loss dict (keys with ``loss`` are summed by mmengine)."""
        contrast = self.contrastive(cls_score=cls_score, labels=labels,
                                    face_feat=face_feat, scene_feat=scene_feat)
        total = contrast
        optional = {}
        if self.similarity is not None:
            if face_feat is None or scene_feat is None:
                raise ValueError('SimilarityLoss needs the scene stream; a face-only model '
                                 '(use_scene=False) must drop it (similarity=None)')
            optional['similarity'] = self.similarity(face_feat, scene_feat)
        if self.polarity is not None:
            if polarity_logits is None:
                raise ValueError('PolarityLoss needs polarity logits: the neck has no '
                                 'Polarity Encoder (polarity_source=None)')
            if polarity_labels is None:
                raise ValueError('PolarityLoss needs `gt_polarity` in every data sample: give '
                                 'the dataset a `polarity_map`')
            optional['polarity'] = self.polarity(polarity_logits, polarity_labels)
        for value in optional.values():
            total = total + value
        switch_on = bool(total.detach() > self.alpha)

        losses = {'loss_contrast': contrast}
        if self.classification is not None:
            losses['loss_cls'] = self.classification(cls_score=cls_score, labels=labels)
        if 'similarity' in optional:
            losses['similarity_dist'] = optional['similarity'].detach()
            if switch_on:
                losses['loss_similarity'] = optional['similarity']
        if 'polarity' in optional:
            losses['polarity_ce'] = optional['polarity'].detach()
            if switch_on:
                losses['loss_polarity'] = optional['polarity']
        losses['global_switch'] = torch.tensor(float(switch_on), device=contrast.device)
        return losses
