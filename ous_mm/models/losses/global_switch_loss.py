"""Eq. 4: the alpha switch between the global three-term loss and contrast alone."""
from typing import Dict, Optional

import torch
import torch.distributed as torch_dist
from mmaction.registry import MODELS
from mmengine.logging import MessageHub, print_log

from .base import HeadLoss, head_loss_traits

SMOOTHING = (None, 'ema')


@MODELS.register_module()
class GlobalSwitchLoss(HeadLoss):
    """L_global = L_similarity + L_polarity + L_contrast while it exceeds ``alpha``,
    L_contrast alone below (Eq. 4).

    All three terms are computed every training step; the switch decides which of
    them give gradient. The paper compares "the loss value" with alpha and leaves
    open which value; comparing each batch's own value (``smoothing=None``) makes the
    switch flip from batch to batch whenever L_global sits near alpha, which it does
    on the one-class-per-polarity plateau (mean cross-entropy ~ 1.0 for the 7 DFEW
    classes). So by default the decision is taken on an exponential moving average
    of the detached L_global, averaged over all processes first (every rank takes
    the same decision), with optional hysteresis: the switch turns off when the
    smoothed value falls to ``alpha`` or below and on again only above
    ``alpha + hysteresis``. Transitions are logged with the iteration. The state
    (smoothed value, switch) is kept in buffers, so it is saved in checkpoints and
    continues after ``--resume``. ``smoothing=None, hysteresis=0, sync=False`` is the
    per-batch, per-process reading.

    Logged (no gradient): ``global_value`` (the smoothed L_global), ``global_switch``
    (1 = three terms, 0 = contrast alone), ``similarity_dist``, ``polarity_ce``.

    Args:
        alpha: threshold on L_global (not given in the paper; docs/method.md).
        contrastive: config of the L_contrast term (:class:`ContrastiveLoss`).
        similarity: config of the L_similarity term, or None to drop it.
        polarity: config of the L_polarity term, or None to drop it.
        classification: an always-on classification term, required when
            ``contrastive`` is the label-free ``scene_face`` InfoNCE (e.g.
            ``dict(type='ContrastiveLoss', mode='video_text')``); must be None
            with ``video_text``, which already is the classification loss. It is
            not part of the L_global compared with alpha (Eq. 4 has three terms).
        face_variance: optional always-on term on the face features against their
            collapse (:class:`VarianceLoss`); not part of L_global.
        smoothing: None (each batch's value) or ``'ema'``.
        momentum: EMA momentum (weight of the previous smoothed value).
        hysteresis: margin above alpha needed to switch back on.
        sync: average the value over all processes before deciding.
    """

    uses_aux_outputs = True

    def __init__(self,
                 alpha: float = 1.0,
                 contrastive: dict = dict(type='ContrastiveLoss', mode='video_text'),
                 similarity: Optional[dict] = dict(type='SimilarityLoss'),
                 polarity: Optional[dict] = dict(type='PolarityLoss'),
                 classification: Optional[dict] = None,
                 face_variance: Optional[dict] = None,
                 smoothing: Optional[str] = 'ema',
                 momentum: float = 0.9,
                 hysteresis: float = 0.0,
                 sync: bool = True) -> None:
        super().__init__()
        if smoothing not in SMOOTHING:
            raise ValueError(f'smoothing must be one of {SMOOTHING}, got {smoothing!r}')
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f'momentum must be in [0, 1), got {momentum}')
        if hysteresis < 0:
            raise ValueError(f'hysteresis must be >= 0, got {hysteresis}')
        self.alpha = float(alpha)
        self.smoothing = smoothing
        self.momentum = float(momentum)
        self.hysteresis = float(hysteresis)
        self.sync = sync
        self.contrastive = MODELS.build(contrastive)
        self.similarity = MODELS.build(similarity) if similarity else None
        self.polarity = MODELS.build(polarity) if polarity else None
        self.classification = MODELS.build(classification) if classification else None
        self.face_variance = MODELS.build(face_variance) if face_variance else None
        carries = head_loss_traits(self.contrastive).carries_labels
        if not carries and self.classification is None:
            raise ValueError('GlobalSwitchLoss: the scene_face contrastive term carries no '
                             'class labels; add classification=dict(type=\'ContrastiveLoss\', '
                             'mode=\'video_text\')')
        if carries and self.classification is not None:
            raise ValueError('GlobalSwitchLoss: contrastive is already the video_text '
                             'classification loss; leave classification=None')
        self.register_buffer('smoothed', torch.tensor(0.0))
        self.register_buffer('updates', torch.tensor(0))  # decisions taken so far
        self.register_buffer('switch_on', torch.tensor(True))

    @property
    def needs_scene(self) -> bool:
        """True when a term compares face and scene features."""
        return (self.similarity is not None
                or head_loss_traits(self.contrastive).needs_scene)

    @property
    def needs_polarity(self) -> bool:
        return self.polarity is not None

    def _mean_over_processes(self, value: torch.Tensor) -> torch.Tensor:
        if (self.sync and torch_dist.is_available() and torch_dist.is_initialized()
                and torch_dist.get_world_size() > 1):
            value = value.clone()
            torch_dist.all_reduce(value)
            value /= torch_dist.get_world_size()
        return value

    def _decide(self, value: torch.Tensor) -> bool:
        """Update the smoothed L_global and the switch (training only); return the switch."""
        if not self.training:
            return bool(self.switch_on)
        value = float(self._mean_over_processes(value.detach().float()))
        if self.smoothing == 'ema' and int(self.updates) > 0:
            value = self.momentum * float(self.smoothed) + (1.0 - self.momentum) * value
        self.smoothed.fill_(value)
        self.updates += 1
        was_on = bool(self.switch_on)
        now_on = value > self.alpha + (self.hysteresis if not was_on else 0.0)
        if now_on != was_on:
            self.switch_on.fill_(now_on)
            step = MessageHub.get_current_instance().get_info('iter')
            print_log(f'GlobalSwitchLoss: L_global {"above" if now_on else "at or below"} '
                      f'alpha={self.alpha:g} (smoothed {value:.4f}) at iter {step}: '
                      f'{"all three terms" if now_on else "L_contrast alone"} from now on',
                      logger='current')
        return now_on

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
        total = contrast.detach() + sum(v.detach() for v in optional.values())
        switch_on = self._decide(total)

        losses = {'loss_contrast': contrast}
        if self.classification is not None:
            losses['loss_cls'] = self.classification(cls_score=cls_score, labels=labels)
        if self.face_variance is not None:
            losses['loss_face_variance'] = self.face_variance(face_feat)
        if 'similarity' in optional:
            losses['similarity_dist'] = optional['similarity'].detach()
            if switch_on:
                losses['loss_similarity'] = optional['similarity']
        if 'polarity' in optional:
            losses['polarity_ce'] = optional['polarity'].detach()
            if switch_on:
                losses['loss_polarity'] = optional['polarity']
        losses['global_value'] = self.smoothed.detach().clone()
        losses['global_switch'] = torch.tensor(float(switch_on), device=contrast.device)
        return losses
