"""Classify the fused video feature against learnable-prompt class texts (Sec. III-C)."""
import math
from typing import Dict, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmaction.models.heads.base import BaseHead
from mmaction.registry import MODELS
from mmaction.utils import SampleList
from mmengine.logging import print_log
from torch import nn

from ous_mm.utils.clip_weights import read_clip_weights
from ..losses.base import head_loss_traits
from ..necks.type_fusion_neck import NeckOutputs
from ..utils.feature_stats import effective_rank, feature_spread
from ..utils.open_clip_utils import (ArchType, arch_name, build_text_tower, load_text_tower,
                                     match_activation, resolve_model_cfg, resolve_quick_gelu)
from .prompt_learner import PromptLearner


@MODELS.register_module()
class PromptContrastiveHead(BaseHead):
    """Cosine logits between the video feature and the prompted class texts.

    ``cls_score = exp(s) * cos(video, text_c)`` with a learnable logit scale ``s``
    (CLIP's init ln(1/0.07), clamped at ln(100) as in open_clip). The class texts
    come from :class:`PromptLearner` (Eq. 11) through the FROZEN open_clip text
    tower of the same arch (only ``token_embedding``, ``positional_embedding``,
    ``transformer``, ``ln_final``, ``text_projection`` and the causal mask are
    kept; parameter names as in an open_clip CLIP state dict under
    ``text_encoder.``). In eval mode the class text features are computed once
    and cached until the head goes back to train mode or the context vectors
    change (an optimizer step or a checkpoint load bumps their version).

    Args:
        class_names: class names in class-id order (the dataset config's ``class_names``).
        in_channels: size of the video feature (filled in by the recognizer).
        arch: open_clip arch of the text tower (defaults to the backbone's).
        pretrained: ``None``, an open_clip tag or a local CLIP checkpoint file;
            read in :meth:`init_weights` only.
        quick_gelu: as in :class:`CLIPVisionBackbone`.
        prompt_length: M context vectors (paper: 64; Table VI: 16/32/64).
        ctx_init_std: std of the context init.
        class_specific_context: one context per class (CoOp's CSC variant) instead
            of the paper's one shared context; lets random-init text towers (tiny
            test/demo configs) still give well-separated class features.
        logit_scale_init: initial ``s`` (ln(1/0.07)).
        learnable_logit_scale: train ``s`` (the temperature of Eq. 3).
        logit_scale_max: clamp of ``exp(s)``.
        loss_cls: the loss (interface: :class:`HeadLoss`): a label loss called as
            ``loss(cls_score, labels)`` (``ContrastiveLoss(mode='video_text')``, the
            "L_ce" of Tables IV-V) or a loss with ``uses_aux_outputs = True``
            (:class:`GlobalSwitchLoss`) that also receives the neck's aligned
            features and polarity logits.
        face_aux_weight: weight of an extra classification loss on the face-only
            prediction (the prompts applied to the neck's ``face_video``; deep
            supervision of the face path, ``loss_face_aux``). 0 = off (the paper).
        face_residual: the prediction is the face-only prediction plus the fused
            one (the fusion refines a face reading instead of replacing it).
            Both need a neck with ``face_branch=True`` (checked by the recognizer);
            a face-only model (no ``face_video``) has nothing to anchor and ignores them.
        num_classes: optional; checked against ``len(class_names)``.
        topk: top-k accuracies logged during training.
        average_clips: ``'prob'`` (softmax scores, default), ``'score'`` or None.
        init_cfg: mmengine init config.
    """

    def __init__(self,
                 class_names: Sequence[str],
                 in_channels: int,
                 arch: ArchType = 'ViT-L-14',
                 pretrained: Optional[str] = None,
                 quick_gelu: Optional[bool] = None,
                 prompt_length: int = 64,
                 ctx_init_std: float = 0.02,
                 class_specific_context: bool = False,
                 logit_scale_init: float = math.log(1 / 0.07),
                 learnable_logit_scale: bool = True,
                 logit_scale_max: float = 100.0,
                 loss_cls: dict = dict(type='ContrastiveLoss', mode='video_text'),
                 face_aux_weight: float = 0.0,
                 face_residual: bool = False,
                 num_classes: Optional[int] = None,
                 topk: Tuple[int, ...] = (1, ),
                 average_clips: Optional[str] = 'prob',
                 init_cfg: Optional[dict] = None) -> None:
        class_names = tuple(class_names or ())
        if face_aux_weight < 0:
            raise ValueError(f'face_aux_weight must be >= 0, got {face_aux_weight}')
        if num_classes is not None and num_classes != len(class_names):
            raise ValueError(f'num_classes={num_classes} but {len(class_names)} class_names')
        super().__init__(num_classes=len(class_names), in_channels=in_channels,
                         loss_cls=loss_cls, topk=topk, average_clips=average_clips,
                         init_cfg=init_cfg)
        self.class_names = class_names
        self.face_aux_weight = float(face_aux_weight)
        self.face_residual = face_residual
        self.arch = arch
        self.pretrained = pretrained
        self.quick_gelu = quick_gelu  # the request (None: from the weights)
        self.pretrained_loaded = False  # set by init_weights (lean checkpoints need it)
        embed_dim = int(resolve_model_cfg(arch)['embed_dim'])
        if embed_dim != in_channels:
            raise ValueError(f'the {arch_name(arch)} text embedding has {embed_dim} dims but the '
                             f'video feature has {in_channels}: use the backbone\'s arch')
        self.text_encoder = build_text_tower(arch, resolve_quick_gelu(arch, pretrained,
                                                                      quick_gelu))
        for param in self.text_encoder.parameters():
            param.requires_grad_(False)
        self.text_encoder.eval()
        self.prompt_learner = PromptLearner(self.text_encoder, arch, class_names,
                                            prompt_length, ctx_init_std,
                                            class_specific_context)
        self.logit_scale = nn.Parameter(torch.tensor(float(logit_scale_init)),
                                        requires_grad=learnable_logit_scale)
        self.logit_scale_max = math.log(logit_scale_max)
        self._text_cache: Optional[torch.Tensor] = None
        self._text_cache_key: Optional[tuple] = None

    # -- weights and modes -------------------------------------------------------------
    def init_weights(self) -> None:
        """Load the pretrained CLIP text weights (random-init text tower otherwise).

        The only place the head reads a file (or downloads a tag, once per node).
        """
        super().init_weights()
        self._text_cache = None
        if not self.pretrained:
            return
        weights = read_clip_weights(self.arch, self.pretrained)
        match_activation(self.text_encoder, weights.quick_gelu, self.quick_gelu, weights.path,
                         'model.cls_head')
        load_text_tower(self.text_encoder, weights.state, weights.path, self.arch)
        self.pretrained_loaded = True
        print_log(f'PromptContrastiveHead: loaded {arch_name(self.arch)} text weights from '
                  f'{weights.path}', logger='current')

    def train(self, mode: bool = True) -> 'PromptContrastiveHead':
        """Set the mode, keep the text tower in eval mode, drop cached text features."""
        super().train(mode)
        self.text_encoder.eval()
        self._text_cache = None
        return self

    # -- features ----------------------------------------------------------------------
    def class_text_features(self) -> torch.Tensor:
        """L2-normalised class text features ``(C, D)``, cached in eval mode."""
        if self.training:
            return F.normalize(self.prompt_learner(self.text_encoder), dim=-1)
        ctx = self.prompt_learner.ctx
        key = (ctx._version, ctx.data_ptr(), ctx.device, ctx.dtype)
        if self._text_cache is None or self._text_cache_key != key:
            with torch.no_grad():
                self._text_cache = F.normalize(self.prompt_learner(self.text_encoder), dim=-1)
            self._text_cache_key = key
        return self._text_cache

    @property
    def uses_face_video(self) -> bool:
        """Whether this head reads the neck's face-only feature (``face_video``)."""
        return self.face_aux_weight > 0 or self.face_residual

    def _scores(self, x: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        scale = self.logit_scale.clamp(max=self.logit_scale_max).exp()
        return scale * F.normalize(x, dim=-1) @ text.t().to(x.dtype)

    def _logits(self, feats: NeckOutputs, text: torch.Tensor
                ) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        """Class scores of the fused feature (plus the face-only ones with
        ``face_residual``) and the face-only scores when this head reads them."""
        score = self._scores(feats.video, text)
        face = None
        if feats.face_video is not None and self.uses_face_video:
            face = self._scores(feats.face_video, text)
            if self.face_residual:
                score = score + face
        return score, face

    def forward(self, x, **kwargs) -> torch.Tensor:
        """Video feature ``(B, D)`` or :class:`NeckOutputs` -> ``cls_score (B, C)``
        (scaled cosine logits; plus the face-only ones with ``face_residual``)."""
        text = self.class_text_features()  # once per call: the text tower runs in training
        if not isinstance(x, NeckOutputs):
            return self._scores(x, text)
        return self._logits(x, text)[0]

    # -- mmaction head template --------------------------------------------------------
    @staticmethod
    def _polarity_labels(data_samples: SampleList) -> Optional[torch.Tensor]:
        if not all('gt_polarity' in ds for ds in data_samples):
            return None
        return torch.stack([torch.as_tensor(ds.gt_polarity).reshape(()) for ds in data_samples])

    def loss(self, feats: NeckOutputs, data_samples: SampleList, **kwargs) -> Dict:
        """Loss dict for one batch, plus logged-only ``top1_acc`` and the face stream's
        collapse measures ``face_spread`` / ``face_erank`` (``ous_mm/models/utils/feature_stats.py``)."""
        text = self.class_text_features()
        cls_score, face_score = self._logits(feats, text)
        labels = torch.stack([ds.gt_label.reshape(()) for ds in data_samples]).to(cls_score.device)
        if head_loss_traits(self.loss_cls).uses_aux_outputs:
            polarity = self._polarity_labels(data_samples)
            losses = self.loss_cls(
                cls_score=cls_score, labels=labels, face_feat=feats.face,
                scene_feat=feats.scene, polarity_logits=feats.polarity_logits,
                polarity_labels=None if polarity is None else polarity.to(cls_score.device))
        else:
            losses = self.loss_cls(cls_score, labels)
        if not isinstance(losses, dict):
            losses = {'loss_cls': losses}
        if face_score is not None and self.face_aux_weight:
            losses['loss_face_aux'] = self.face_aux_weight * F.cross_entropy(face_score, labels)
        with torch.no_grad():
            ranked = cls_score.topk(max(self.topk), dim=-1).indices
            for k in self.topk:
                hit = (ranked[:, :k] == labels[:, None]).any(dim=-1).float().mean()
                losses[f'top{k}_acc'] = hit
            if feats.face.shape[0] > 1:  # collapse measures of the face stream (logged only)
                losses['face_spread'] = feature_spread(feats.face)
                losses['face_erank'] = effective_rank(feats.face)
            # how well the face features alone read the class: the prompts applied to
            # the face-only fusion, or to the mean face feature (a probe, no gradient)
            probe = face_score if face_score is not None else self._scores(feats.face, text)
            losses['face_probe_acc'] = (probe.argmax(dim=-1) == labels).float().mean()
            for name, share in (feats.attention or {}).items():
                losses[f'attn_{name}'] = share
        return losses

    def predict(self, feats: NeckOutputs, data_samples: SampleList, **kwargs) -> SampleList:
        """Set ``pred_score`` (softmax by default) and ``pred_label`` on each sample."""
        cls_score = self(feats)
        return self.predict_by_feat(cls_score, data_samples)
