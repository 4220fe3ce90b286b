"""The shared, frozen CLIP vision encoder f_V of OUS (paper Sec. III-D, Eq. 12)."""
from contextlib import nullcontext
from typing import Optional, Tuple

import torch
from mmaction.registry import MODELS
from mmengine.logging import print_log
from mmengine.model import BaseModule

from ous_mm.utils.clip_weights import read_clip_weights
from ous_mm.utils.precision import autocast_dtype_for, check_autocast_setting
from .fused_vit_blocks import optimize_vision_tower
from ..utils.open_clip_utils import (ArchType, arch_name, build_vision_tower, load_vision_tower,
                                     match_activation, resolve_model_cfg, resolve_quick_gelu)

EARLY_POOLS = ('cls_mean', 'cls', 'mean')


@MODELS.register_module()
class CLIPVisionBackbone(BaseModule):
    """open_clip ViT vision tower returning the final embedding and early-block features.

    Both the face and the scene frames go through this one encoder (weights shared).
    It is frozen by default, as in the paper: no parameter requires grad and the
    tower stays in eval mode even when the model is put in train mode, so dropout
    or patch dropout never switch on and no autograd graph is built.

    Args:
        arch: open_clip model name (``'ViT-L-14'``, ``'ViT-B-16'``) or a dict in the
            format of open_clip's ``model_configs/*.json`` (tiny towers for tests).
        pretrained: ``None`` (random init), an open_clip tag (``'openai'``) or a
            local checkpoint file (a full CLIP state dict; only ``visual.*`` is used).
            Read in :meth:`init_weights` only (:mod:`ous_mm.utils.clip_weights`).
        quick_gelu: use QuickGELU. ``None`` (recommended) takes it from the weights:
            the pretrained tag (``'openai'`` -> True, LAION tags -> False), OpenAI's
            TorchScript ``.pt`` (True, switched in :meth:`init_weights`), else the arch
            config (``'ViT-L-14-quickgelu'`` -> True). A value contradicting a known
            tag or file raises a ValueError. Set it only for a plain state-dict file of
            weights trained with QuickGELU.
        early_layers: K, the number of first transformer blocks whose output feeds
            the Polarity Encoder (paper: the first four blocks).
        early_pool: how the tokens after block K are pooled per frame:
            ``'cls_mean'`` (CLS token concatenated with the mean of the patch
            tokens; early_dim = 2 x width), ``'cls'`` or ``'mean'`` (width).
        frozen: freeze the tower (the paper's setting).
        max_frames_per_pass: run at most this many frames through the tower at a
            time (bounds activation memory for large ``B*2*T``); None = all at once.
        autocast_dtype: run the tower under ``torch.autocast``: ``'auto'`` (default)
            = bf16 on a CUDA device (fp16 on GPUs without bf16), none on the CPU
            (:func:`ous_mm.utils.precision.autocast_dtype_for`), for a frozen tower
            only (a trained one follows ``--amp``); ``'bf16'``/``'fp16'`` on any
            device; None = the input's precision (exact fp32 features).
            Outputs are float32 either way; bf16 embeddings stay within cosine
            0.999 of fp32 (docs/method.md, "Fast paths").
        fused_blocks: run the tower's blocks through :mod:`.fused_vit_blocks` (fused
            SDPA attention, folded QuickGELU): same parameters and outputs, faster.
        init_cfg: mmengine init config (not needed: the tower initialises itself).
    """

    def __init__(self,
                 arch: ArchType = 'ViT-L-14',
                 pretrained: Optional[str] = None,
                 quick_gelu: Optional[bool] = None,
                 early_layers: int = 4,
                 early_pool: str = 'cls_mean',
                 frozen: bool = True,
                 max_frames_per_pass: Optional[int] = None,
                 autocast_dtype: Optional[str] = 'auto',
                 fused_blocks: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if early_pool not in EARLY_POOLS:
            raise ValueError(f'early_pool must be one of {EARLY_POOLS}, got {early_pool!r}')
        check_autocast_setting(autocast_dtype)
        self.arch = arch
        self.pretrained = pretrained
        self.quick_gelu = quick_gelu  # the request; the head inherits it
        self.visual = build_vision_tower(arch, resolve_quick_gelu(arch, pretrained, quick_gelu))
        if fused_blocks:
            optimize_vision_tower(self.visual)
        num_blocks = len(self.visual.transformer.resblocks)
        if not 1 <= early_layers <= num_blocks:
            raise ValueError(f'early_layers={early_layers} but {arch_name(arch)} has '
                             f'{num_blocks} transformer blocks')
        self.early_layers = early_layers
        self.early_pool = early_pool
        self.frozen = frozen
        self.max_frames_per_pass = max_frames_per_pass
        self.autocast_dtype = autocast_dtype
        self.pretrained_loaded = False  # set by init_weights (lean checkpoints need it)
        width = self.visual.transformer.width
        self.embed_dim: int = int(resolve_model_cfg(arch)['embed_dim'])
        self.early_dim: int = 2 * width if early_pool == 'cls_mean' else width
        if frozen:
            for param in self.visual.parameters():
                param.requires_grad_(False)
            self.visual.eval()

    def init_weights(self) -> None:
        """Load the pretrained CLIP vision weights (the tower is random-init otherwise).

        The only place the backbone reads a file (or downloads a tag, once per node).
        """
        super().init_weights()
        if not self.pretrained:
            return
        weights = read_clip_weights(self.arch, self.pretrained)
        if match_activation(self.visual, weights.quick_gelu, self.quick_gelu, weights.path,
                            'model.backbone'):
            print_log(f'CLIPVisionBackbone: {weights.path} was trained with '
                      f'{"QuickGELU" if weights.quick_gelu else "GELU"}; switched the tower to it',
                      logger='current')
        load_vision_tower(self.visual, weights.state, weights.path, self.arch)
        self.pretrained_loaded = True
        print_log(f'CLIPVisionBackbone: loaded {arch_name(self.arch)} vision weights '
                  f'from {weights.path}', logger='current')

    def train(self, mode: bool = True) -> 'CLIPVisionBackbone':
        """Set train mode, but keep a frozen tower in eval mode."""
        super().train(mode)
        if self.frozen:
            self.visual.eval()
        return self

    def _encode(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        out = self.visual.forward_intermediates(
            x, indices=[self.early_layers - 1], output_fmt='NLC',
            output_extra_tokens=True)
        patches = out['image_intermediates'][0]          # (N, P, width) after block K
        cls = out['image_intermediates_prefix'][0][:, 0]  # (N, width)
        if self.early_pool == 'cls':
            early = cls
        elif self.early_pool == 'mean':
            early = patches.mean(dim=1)
        else:
            early = torch.cat([cls, patches.mean(dim=1)], dim=-1)
        return out['image_features'], early

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Encode frames.

        Args:
            x: normalised frames ``(N, 3, H, W)``, N = all frames of both streams.

        Returns:
            ``embed (N, embed_dim)``: the final projected CLIP embedding per frame;
            ``early (N, early_dim)``: pooled tokens after the first K blocks.
        """
        if x.dim() != 4:
            raise ValueError('CLIPVisionBackbone expects (N, 3, H, W) frames, '
                             f'got {tuple(x.shape)}')
        if x.shape[0] == 0:
            raise ValueError('CLIPVisionBackbone got no frames')
        expected = tuple(self.visual.image_size)
        if tuple(x.shape[-2:]) != expected:
            raise ValueError(f'{arch_name(self.arch)} takes {expected[0]}x{expected[1]} frames, got '
                             f'{x.shape[-2]}x{x.shape[-1]}: set the dataset config\'s img_size '
                             'to the encoder\'s image size')
        grad = torch.no_grad() if self.frozen else nullcontext()
        # 'auto' is for the frozen tower; a trained one follows the optim wrapper (--amp)
        auto_off = self.autocast_dtype == 'auto' and not self.frozen
        dtype = None if auto_off else autocast_dtype_for(self.autocast_dtype, x.device)
        cast = (torch.autocast(device_type=x.device.type, dtype=dtype)
                if dtype is not None else nullcontext())
        with grad, cast:
            step = self.max_frames_per_pass or x.shape[0]
            outs = [self._encode(chunk) for chunk in x.split(step)]
        embed = torch.cat([o[0] for o in outs]) if len(outs) > 1 else outs[0][0]
        early = torch.cat([o[1] for o in outs]) if len(outs) > 1 else outs[0][1]
        if dtype is not None:
            embed, early = embed.float(), early.float()
        return embed, early
