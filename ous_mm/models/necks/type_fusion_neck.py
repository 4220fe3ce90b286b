"""The OUS neck: temporal encoding, alignment, polarity and type fusion (Fig. 3)."""
from typing import Dict, NamedTuple, Optional

import torch
from mmaction.registry import MODELS
from mmengine.model import BaseModule

POLARITY_SOURCES = ('scene', 'face', 'both', None)
FUSIONS = ('tfe', 'avgpool')


class NeckOutputs(NamedTuple):
    """What the head and the losses need from the neck.

    Attributes:
        video: fused video feature ``(B, D)``, classified by the prompt head.
        face: aligned face feature ``(B, D)`` (mean over frames), for Eq. 2/3.
        scene: aligned scene feature ``(B, D)``, None for a face-only model.
        polarity_logits: ``(B, 3)`` for Eq. 1, None without Polarity Encoder.
        face_video: the same fusion over the face tokens alone ``(B, D)``
            (``face_branch=True`` with a scene stream), else None.
        attention: share of the TFE's attention each token type receives
            (``face`` / ``scene`` / ``polarity``, scalars averaged over the batch;
            ``measure_attention=True``), else None. Logged, no gradient.
    """
    video: torch.Tensor
    face: torch.Tensor
    scene: Optional[torch.Tensor]
    polarity_logits: Optional[torch.Tensor]
    face_video: Optional[torch.Tensor] = None
    attention: Optional[Dict[str, torch.Tensor]] = None


def _part(default_type: str, cfg: Optional[dict], **dims) -> torch.nn.Module:
    """Build a part: the user's cfg over ``type=default_type`` plus the inferred sizes."""
    merged = dict(type=default_type)
    merged.update(cfg or {})
    for key, value in dims.items():
        merged.setdefault(key, value)
    return MODELS.build(merged)


@MODELS.register_module()
class TypeFusionNeck(BaseModule):
    """Face/scene per-frame CLIP features -> one fused video feature.

    Data flow (``embed (B, S, T, D)``, ``early (B, S, T, E)``, S = 2 streams,
    index 0 face, 1 scene; S = 1 for a face-only model)::

        face, scene = TemporalLSTM(face, scene)              # Eq. 13
        V_ft  = FramesEncoder(face)          (B, T, D)
        V_st  = FramesMean(scene)            (B, D)          # Eq. 14
        V_ft, V_st = FeatureAlignment(V_ft, V_st)            # conv + FC, Eq. 2
        V_pol, polarity_logits = PolarityEncoder(early[source])   # Eq. 1
        video = TypeFusionEncoder(concat(V_ft, V_st, V_pol))       # Eq. 5-10, 15
              | mean(mean_t V_ft, V_st)      (fusion='avgpool', the ablation)
        face_video = TypeFusionEncoder(V_ft) | mean_t V_ft   (face_branch=True)

    Guarding the face against the scene (not in the paper; docs/method.md, "Scene
    shortcut"): the scene's polarity is an easier signal than the face, and a fused
    model trained on it can learn to read faces more slowly than a face-only model.
    ``face_branch`` also fuses the face tokens ALONE with the same weights, for a
    face-only prediction the head can supervise and add to the fused one;
    ``scene_dropout`` hides the scene and polarity tokens from the fusion for that
    share of the training clips (per clip), so the fusion must also classify from the
    face. Gradient norms reaching each stream's tokens are kept in
    :attr:`last_grad_norms` during training (``measure_attention``), for
    :class:`FusionCompetitionHook` to log.

    Args:
        embed_dim: D, the backbone's embedding size (filled in by the recognizer).
        early_dim: E, the backbone's early-feature size (filled in by the recognizer).
        use_scene: False gives the face-only model (no scene stream anywhere).
        polarity_source: stream(s) whose early features feed the Polarity
            Encoder: ``'scene'`` (default: polarity is a property of the scene),
            ``'face'``, ``'both'`` or None (no Polarity Encoder, no V_pol).
        fusion: ``'tfe'`` (Type Fusion Encoder) or ``'avgpool'`` (Tables IV-V).
        face_branch: also output ``face_video`` (no effect without the scene: the
            fused feature of a face-only model is the face feature already).
        scene_dropout: training-time probability, per clip, that the fusion sees the
            face tokens only (no effect without the scene, so an OUS config's face-only
            twin stays ``use_scene=False`` alone).
        measure_attention: report the attention share of each token type and keep
            per-stream gradient norms (logged only; explicit attention instead of the
            fused kernel, which returns no weights).
        lstm, frames_encoder, frames_mean, alignment, polarity_encoder, tfe:
            configs of the parts (``type`` may be swapped; sizes are filled in).
        init_cfg: mmengine init config.
    """

    def __init__(self,
                 embed_dim: int,
                 early_dim: int,
                 use_scene: bool = True,
                 polarity_source: Optional[str] = 'scene',
                 fusion: str = 'tfe',
                 lstm: Optional[dict] = None,
                 frames_encoder: Optional[dict] = None,
                 frames_mean: Optional[dict] = None,
                 alignment: Optional[dict] = None,
                 polarity_encoder: Optional[dict] = None,
                 tfe: Optional[dict] = None,
                 face_branch: bool = False,
                 scene_dropout: float = 0.0,
                 measure_attention: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not 0.0 <= scene_dropout < 1.0:
            raise ValueError(f'scene_dropout must be in [0, 1), got {scene_dropout}')

        if polarity_source not in POLARITY_SOURCES:
            raise ValueError(f'polarity_source must be one of {POLARITY_SOURCES}, '
                             f'got {polarity_source!r}')
        if fusion not in FUSIONS:
            raise ValueError(f'fusion must be one of {FUSIONS}, got {fusion!r}')
        if not use_scene and polarity_source in ('scene', 'both'):
            raise ValueError(f'polarity_source={polarity_source!r} needs the scene stream; '
                             "a face-only model takes 'face' or None")
        self.embed_dim = embed_dim
        self.out_dim = embed_dim
        self.use_scene = use_scene
        self.polarity_source = polarity_source
        self.fusion = fusion
        self.face_branch = face_branch
        self.scene_dropout = scene_dropout
        self.measure_attention = measure_attention
        self.last_grad_norms: Dict[str, float] = {}
        self.lstm = _part('TemporalLSTM', lstm, dim=embed_dim)
        self.frames_encoder = _part('FramesEncoder', frames_encoder, dim=embed_dim)
        self.frames_mean = _part('FramesMean', frames_mean) if use_scene else None
        self.alignment = _part('FeatureAlignment', alignment, dim=embed_dim)
        self.polarity_encoder = (
            _part('PolarityEncoder', polarity_encoder, in_dim=early_dim, dim=embed_dim)
            if polarity_source else None)
        self.tfe = _part('TypeFusionEncoder', tfe, dim=embed_dim) if fusion == 'tfe' else None

    def _polarity_input(self, early: torch.Tensor) -> torch.Tensor:
        if self.polarity_source == 'face':
            return early[:, 0]
        if self.polarity_source == 'scene':
            return early[:, 1]
        return early[:, :2].flatten(1, 2)  # both: (B, 2T, E)

    def forward(self, embed: torch.Tensor, early: torch.Tensor) -> NeckOutputs:
        """``embed (B, S, T, D)``, ``early (B, S, T, E)`` -> :class:`NeckOutputs`."""
        streams = 2 if self.use_scene else 1
        if embed.dim() != 4 or embed.shape[1] < streams:
            raise ValueError(f'TypeFusionNeck(use_scene={self.use_scene}) needs embed of shape '
                             f'(B, {streams}, T, D), got {tuple(embed.shape)}')
        face = embed[:, 0]
        scene = embed[:, 1] if self.use_scene else None
        face, scene = self.lstm(face, scene)                          # Eq. 13
        face_tokens = self.frames_encoder(face)                       # V_ft
        scene_vec = self.frames_mean(scene) if self.use_scene else None  # V_st, Eq. 14
        face_tokens, scene_vec = self.alignment(face_tokens, scene_vec)
        face_vec = face_tokens.mean(dim=1)

        pol_tokens = pol_logits = None
        if self.polarity_encoder is not None:
            pol_tokens, pol_logits = self.polarity_encoder(self._polarity_input(early))

        keep = None  # (B,) clips whose fusion sees the scene and polarity tokens
        if self.training and self.scene_dropout and scene_vec is not None:
            keep = torch.rand(face_tokens.shape[0], device=face_tokens.device) >= self.scene_dropout
        parts = dict(face=face_tokens, scene=None if scene_vec is None else scene_vec.unsqueeze(1),
                     polarity=pol_tokens)
        parts = {k: v for k, v in parts.items() if v is not None}
        if self.training and self.measure_attention:
            self._watch_gradients(parts)

        attention = face_video = None
        if self.fusion == 'tfe':
            kv = torch.cat(list(parts.values()), dim=1)
            mask = None
            if keep is not None:
                mask = torch.ones(kv.shape[:2], dtype=torch.bool, device=kv.device)
                mask[:, face_tokens.shape[1]:] = keep[:, None]
            out = self.tfe(kv, mask, need_weights=self.measure_attention)
            video = out
            if self.measure_attention:
                video, weights = out
                attention, start = {}, 0
                for name, tokens in parts.items():
                    share = weights[:, start:start + tokens.shape[1]].sum(dim=1)
                    attention[name] = share.mean().detach()
                    start += tokens.shape[1]
            if self.face_branch and scene_vec is not None:
                face_video = self.tfe(face_tokens)
        else:  # average pooling of face and scene features (the ablation)
            video = face_vec if scene_vec is None else (face_vec + scene_vec) / 2
            if keep is not None:
                video = torch.where(keep[:, None], video, face_vec)
            if self.face_branch and scene_vec is not None:
                face_video = face_vec
        return NeckOutputs(video=video, face=face_vec, scene=scene_vec,
                           polarity_logits=pol_logits, face_video=face_video,
                           attention=attention)

    def _watch_gradients(self, parts: Dict[str, torch.Tensor]) -> None:
        """Keep the mean per-clip norm of the gradient reaching each stream's tokens."""
        self.last_grad_norms = {}
        for name, tokens in parts.items():
            if tokens.requires_grad:
                def keep_norm(grad, name=name):
                    self.last_grad_norms[name] = float(grad.flatten(1).norm(dim=1).mean())
                tokens.register_hook(keep_norm)
