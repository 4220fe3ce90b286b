"""The OUS recognizer: shared CLIP encoder over face + scene, fusion neck, prompt head."""
import copy
import inspect
from typing import Dict, List, Optional, Tuple, Union

import torch
from mmaction.models.recognizers.base import BaseRecognizer
from mmaction.registry import MODELS
from mmaction.utils import OptSampleList, SampleList
from mmengine.logging import print_log

from ..losses.base import head_loss_traits


Inputs = Union[torch.Tensor, Dict[str, torch.Tensor]]


def _under(key: str, tower_prefix: str) -> bool:
    """Whether a (possibly wrapper-prefixed) state-dict key belongs to ``tower_prefix``."""
    return key.startswith(tower_prefix) or ('.' + tower_prefix) in key


def _default_arg(type_name: str, arg: str):
    """Default of ``arg`` in the registered class ``type_name`` (what an absent key means)."""
    param = inspect.signature(MODELS.get(type_name)).parameters.get(arg)
    return None if param is None else copy.deepcopy(param.default)


def _face_only_loss(loss: dict, has_polarity: bool) -> Tuple[dict, List[str]]:
    """A :class:`GlobalSwitchLoss` config without the terms a face-only model cannot feed.

    The similarity term (face vs scene) goes, the polarity term too when the
    neck has no Polarity Encoder, and a label-free scene-face contrastive term
    gives way to the ``classification`` term. When nothing but the
    classification term is left, that term alone is returned (L_ce, exactly
    the face-only ablation configs).
    """
    def term(key):
        return loss.get(key, _default_arg('GlobalSwitchLoss', key))

    loss, notes = copy.deepcopy(dict(loss)), []
    dropped = ['similarity'] + ([] if has_polarity else ['polarity'])
    for key in dropped:
        if term(key):
            loss[key] = None
            notes.append(f'cls_head.loss_cls.{key} -> None')
    if loss.get('classification'):  # the contrastive term is the label-free scene-face one
        loss['contrastive'], loss['classification'] = loss['classification'], None
        notes.append('cls_head.loss_cls.contrastive -> its classification term')
    others = [k for k, v in loss.items()
              if isinstance(v, dict) and k not in ('contrastive', 'similarity', 'polarity')]
    if term('polarity') or others:
        return loss, notes
    contrastive = dict(term('contrastive'))
    args = ', '.join(f'{k}={v!r}' for k, v in contrastive.items() if k != 'type')
    return contrastive, [f'cls_head.loss_cls GlobalSwitchLoss -> its classification term '
                         f'{contrastive.get("type")}({args})']


def face_only_rewrite(neck: dict, cls_head: dict) -> Tuple[dict, dict, List[str]]:
    """Drop what needs the scene from neck/head configs, so ``use_scene=False`` is one line.

    ``neck.polarity_source`` 'scene' / 'both' becomes None (no Polarity
    Encoder; 'face' is kept), and a :class:`GlobalSwitchLoss` loses the terms
    that need the scene (:func:`_face_only_loss`). Any OUS config thus gives
    exactly its face-only ablation. Returns the new configs and one note per change.
    """
    neck, cls_head = copy.deepcopy(dict(neck)), copy.deepcopy(dict(cls_head))
    notes = []
    source = neck.get('polarity_source', _default_arg(neck.get('type', 'TypeFusionNeck'),
                                                      'polarity_source'))
    if source in ('scene', 'both'):
        notes.append(f'neck.polarity_source {source!r} -> None')
        neck['polarity_source'] = source = None
    loss = cls_head.get('loss_cls')
    if isinstance(loss, dict) and loss.get('type') == 'GlobalSwitchLoss':
        cls_head['loss_cls'], loss_notes = _face_only_loss(loss, has_polarity=bool(source))
        notes += loss_notes
    return neck, cls_head, notes


def _drop_frozen_encoders(module, state_dict, prefix, local_metadata) -> None:
    """State-dict hook of a lean model: leave the frozen CLIP towers out."""
    for tower_prefix in module._frozen_encoders():
        for key in [k for k in state_dict if k.startswith(prefix + tower_prefix)]:
            del state_dict[key]


@MODELS.register_module()
class OUSRecognizer(BaseRecognizer):
    """Scene-guided DFER (OUS, Fig. 3) as an MMAction2 recognizer.

    ``inputs`` is ``(B, 2, T, 3, H, W)`` normalised frames (stream 0 face, 1 scene)
    or a cached-feature dict ``embed (B, 2, T, D)``, ``early (B, 2, T, E)``. Both
    streams go through the ONE shared backbone in a single batched call over
    ``N = B*2*T`` frames (without autograd when the backbone is frozen); cached
    features skip the backbone. ``use_scene=False`` is the face-only model: the
    scene stream is dropped before the backbone and the neck has none; the parts
    of the neck/loss config that need the scene are rewritten away with a logged
    note (:func:`face_only_rewrite`), so ``--cfg-options model.use_scene=False``
    turns any OUS config into its face-only baseline.

    The neck's sizes (``embed_dim``, ``early_dim``) and the head's ``in_channels``,
    ``arch``, ``pretrained`` and ``quick_gelu`` are filled in from the built
    backbone unless the config sets them, so a config names the CLIP arch once.

    Args:
        backbone: backbone config (:class:`CLIPVisionBackbone`).
        neck: neck config (:class:`TypeFusionNeck`).
        cls_head: head config (:class:`PromptContrastiveHead`).
        use_scene: False -> face-only model (the baseline without scene).
        save_frozen_encoders: keep the frozen CLIP towers in saved state dicts
            (default: self-contained checkpoints). False drops them (ViT-L/14 model
            weights shrink from 2.14 GB to 0.43 GB); such a checkpoint loads into
            a model whose towers were restored from ``backbone.pretrained`` first
            (:func:`ous_mm.apis.restore_frozen_encoders`, or ``init_weights()`` as
            the Runner runs it before training/resuming); loading it into towers
            that were not restored raises.
        scene_trains_tower: with a TRAINABLE vision tower (``backbone.frozen=False``,
            the tiny from-scratch demo regime), whether the scene stream's gradients
            train it too. False: the tower learns from the face stream alone (its scene
            outputs are detached), as it does in the face-only baseline, so the easy
            scene-polarity signal cannot take the tower over (docs/method.md,
            "Training dynamics"). No effect with the paper's frozen tower.
        data_preprocessor: defaults to :class:`FaceSceneDataPreprocessor`.
        train_cfg, test_cfg: kept for the MMAction2 interface.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 cls_head: dict,
                 use_scene: bool = True,
                 save_frozen_encoders: bool = True,
                 scene_trains_tower: bool = True,
                 data_preprocessor: Optional[dict] = None,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='FaceSceneDataPreprocessor')
        super().__init__(backbone=backbone, neck=None, cls_head=None, train_cfg=train_cfg,
                         test_cfg=test_cfg, data_preprocessor=data_preprocessor)
        self.use_scene = use_scene
        self.scene_trains_tower = scene_trains_tower

        neck = copy.deepcopy(dict(neck))
        if neck.get('use_scene', use_scene) != use_scene:
            raise ValueError(f'model.use_scene={use_scene} but model.neck.use_scene='
                             f'{neck["use_scene"]}: set only model.use_scene')
        if not use_scene:
            neck, cls_head, notes = face_only_rewrite(neck, cls_head)
            for note in notes:
                print_log(f'use_scene=False (face-only model): {note}', logger='current')
        neck['use_scene'] = use_scene
        self._fill(neck, 'embed_dim', self.backbone.embed_dim, 'neck')
        self._fill(neck, 'early_dim', self.backbone.early_dim, 'neck')
        self.neck = MODELS.build(neck)

        cls_head = copy.deepcopy(dict(cls_head))
        self._fill(cls_head, 'in_channels', self.neck.out_dim, 'cls_head')
        for key in ('arch', 'pretrained', 'quick_gelu'):
            cls_head.setdefault(key, getattr(self.backbone, key))
        self.cls_head = MODELS.build(cls_head)
        self._check_losses()
        self.save_frozen_encoders = save_frozen_encoders
        if not save_frozen_encoders:
            self._register_state_dict_hook(_drop_frozen_encoders)
            self.register_load_state_dict_post_hook(self._accept_lean_checkpoint)

    def _frozen_encoders(self) -> Dict[str, torch.nn.Module]:
        """State-dict prefix -> frozen tower (the ones lean checkpoints leave out)."""
        towers = {}
        if getattr(self.backbone, 'frozen', False):
            towers['backbone.visual.'] = self.backbone.visual
        towers['cls_head.text_encoder.'] = self.cls_head.text_encoder  # always frozen
        return towers

    def frozen_encoder_owners(self) -> Dict[str, torch.nn.Module]:
        """State-dict prefix of each frozen tower -> the module whose ``init_weights``
        loads it from ``pretrained`` (what :func:`ous_mm.apis.restore_frozen_encoders` calls)."""
        owners = {'backbone.visual.': self.backbone, 'cls_head.text_encoder.': self.cls_head}
        return {prefix: owners[prefix] for prefix in self._frozen_encoders()}

    def _accept_lean_checkpoint(self, module, incompatible_keys) -> None:
        """Load post-hook of a lean model: frozen-tower keys may be absent from a checkpoint
        when the towers hold their pretrained weights already; reads no file.

        Without restored towers it raises instead of leaving random towers in place
        (mmengine's loaders are non-strict and would only warn).
        """
        missing = incompatible_keys.missing_keys
        absent = {prefix: [k for k in missing if _under(k, prefix)]
                  for prefix in self._frozen_encoders()}
        absent = {prefix: keys for prefix, keys in absent.items() if keys}
        owners = self.frozen_encoder_owners()
        unrestored = [p for p in absent if not getattr(owners[p], 'pretrained_loaded', False)]
        if unrestored:
            raise RuntimeError(
                'this checkpoint was saved without the frozen CLIP towers '
                f'({", ".join(p.rstrip(".") for p in unrestored)}; save_frozen_encoders=False) '
                'and they were not restored first: call '
                'ous_mm.apis.restore_frozen_encoders(model) before loading it (tools/test.py, '
                'tools/train.py and init_ous_model do), which loads them from '
                'model.backbone.pretrained')
        for keys in absent.values():
            for key in keys:
                missing.remove(key)

    def _check_losses(self) -> None:
        """Fail at build time, not at the first step, when the loss needs a missing part."""
        loss = head_loss_traits(self.cls_head.loss_cls)
        if not self.use_scene and loss.needs_scene:
            raise ValueError('the face-only model (use_scene=False) has no scene features for '
                             'the similarity / scene_face losses; use a classification loss '
                             "(loss_cls=dict(type='ContrastiveLoss', mode='video_text'))")
        if self.use_scene and self.cls_head.uses_face_video and not self.neck.face_branch:
            raise ValueError('cls_head.face_aux_weight / face_residual read the face-only '
                             'fusion, which the neck computes only with neck.face_branch=True')
        if loss.needs_polarity and self.neck.polarity_encoder is None:
            raise ValueError('the loss has a polarity term but the neck has no Polarity Encoder '
                             '(polarity_source=None); set loss_cls.polarity=None')

    @staticmethod
    def _fill(cfg: dict, key: str, value: int, where: str) -> None:
        if cfg.get(key) is None:
            cfg[key] = value
        elif cfg[key] != value:
            raise ValueError(f'model.{where}.{key}={cfg[key]} does not match the backbone '
                             f'({value}); leave it unset to infer it')

    # -- features ----------------------------------------------------------------------
    def _backbone_features(self, inputs: Inputs) -> Tuple[torch.Tensor, torch.Tensor]:
        """Per-frame ``embed (B, S, T, D)`` and ``early (B, S, T, E)``, S = 2 or 1."""
        streams = 2 if self.use_scene else 1
        if isinstance(inputs, dict):  # cached features: no backbone
            embed, early = inputs['embed'], inputs['early']
            if embed.shape[1] < streams or early.shape[1] < streams:
                raise ValueError(f'cached features have {embed.shape[1]} stream(s), the model '
                                 f'needs {streams}')
            return embed[:, :streams], early[:, :streams]
        if inputs.dim() != 6 or inputs.shape[1] < streams:
            raise ValueError(f'OUSRecognizer expects (B, 2, T, 3, H, W) clips (face, scene), '
                             f'got {tuple(inputs.shape)}')
        clips = inputs[:, :streams]
        batch, _, frames = clips.shape[:3]
        embed, early = self.backbone(clips.flatten(0, 2))  # one call, N = B*S*T frames
        embed, early = (embed.view(batch, streams, frames, -1),
                        early.view(batch, streams, frames, -1))
        if streams == 2 and not self.scene_trains_tower and embed.requires_grad:
            embed = torch.cat([embed[:, :1], embed[:, 1:].detach()], dim=1)
            early = torch.cat([early[:, :1], early[:, 1:].detach()], dim=1)
        return embed, early

    def extract_feat(self, inputs: Inputs, stage: str = 'neck',
                     data_samples: OptSampleList = None, test_mode: bool = False,
                     **kwargs) -> Tuple[object, dict]:
        """Features up to ``stage``: ``'backbone'`` -> (embed, early); ``'neck'`` ->
        :class:`NeckOutputs`; ``'head'`` -> class scores ``(B, C)``."""
        embed, early = self._backbone_features(inputs)
        if stage == 'backbone':
            return (embed, early), {}
        outputs = self.neck(embed, early)
        if stage == 'neck':
            return outputs, {}
        if stage == 'head':
            return self.cls_head(outputs), {}
        raise ValueError(f'stage must be backbone, neck or head, got {stage!r}')

    # -- modes -------------------------------------------------------------------------
    def loss(self, inputs: Inputs, data_samples: SampleList, **kwargs) -> dict:
        """Loss dict of one batch (classification, and polarity/similarity per the loss cfg)."""
        outputs, _ = self.extract_feat(inputs, stage='neck')
        return self.cls_head.loss(outputs, data_samples)

    def predict(self, inputs: Inputs, data_samples: SampleList, **kwargs) -> SampleList:
        """``ActionDataSample``s with ``pred_score`` and ``pred_label`` set."""
        outputs, _ = self.extract_feat(inputs, stage='neck', test_mode=True)
        return self.cls_head.predict(outputs, data_samples)

    def _forward(self, inputs: Inputs, stage: str = 'head', **kwargs):
        """``tensor`` mode: class scores by default, or ``stage`` features."""
        feats, _ = self.extract_feat(inputs, stage=stage)
        return feats
