"""Build single open_clip towers and load open_clip weights into them.

OUS uses one CLIP model split in two: the vision tower in
:class:`~ous_mm.models.backbones.CLIPVisionBackbone`, the text tower in
:class:`~ous_mm.models.heads.PromptContrastiveHead`. Building only the tower each
part needs (with open_clip's own tower builders, the ones ``open_clip.CLIP`` calls)
halves the peak memory of building ViT-L/14 twice. Parameter names stay those of
an open_clip ``CLIP`` state dict (``visual.*`` and the top-level text keys), so any
open_clip / OpenAI checkpoint loads without renaming.
"""
import copy
import os
import os.path as osp
from collections.abc import Mapping
from typing import Dict, Optional, Union

import open_clip
import torch
from open_clip import factory as open_clip_factory
from open_clip import model as open_clip_model
from open_clip import pretrained as open_clip_pretrained
from torch import nn

ArchType = Union[str, Mapping]

# Keys of an open_clip ``CLIP`` state dict that belong to the text tower.
TEXT_TOWER_KEYS = ('token_embedding.', 'positional_embedding', 'transformer.',
                   'ln_final.', 'text_projection')
VISION_TOWER_PREFIX = 'visual.'


def _to_plain(obj):
    """ConfigDict / Mapping -> nested plain dicts (open_clip's dataclasses want dicts)."""
    if isinstance(obj, Mapping):
        return {k: _to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_plain(v) for v in obj)
    return obj


def arch_name(arch: ArchType) -> str:
    """A short printable name for an arch (the open_clip name or ``custom``)."""
    return arch if isinstance(arch, str) else 'custom dict arch'


def resolve_model_cfg(arch: ArchType) -> dict:
    """The open_clip model config (``embed_dim``, ``vision_cfg``, ``text_cfg``) of ``arch``.

    Args:
        arch: an open_clip model name (``'ViT-L-14'``, ``'ViT-B-16'``) or a dict in
            the format of open_clip's ``model_configs/*.json``.
    """
    if isinstance(arch, str):
        cfg = open_clip.get_model_config(arch)
        if cfg is None:
            raise ValueError(f'unknown open_clip arch {arch!r}; names open_clip knows: '
                             f'{open_clip.list_models()}')
        return cfg
    if isinstance(arch, Mapping):
        cfg = copy.deepcopy(_to_plain(arch))
        missing = [k for k in ('embed_dim', 'vision_cfg', 'text_cfg') if k not in cfg]
        if missing:
            raise ValueError(f'a dict arch needs the open_clip model-config keys {missing}')
        return cfg
    raise TypeError(f'arch must be an open_clip model name or a dict, got {type(arch)}')


def _is_tag(arch: ArchType, pretrained: Optional[str]) -> bool:
    return (isinstance(arch, str) and bool(pretrained)
            and bool(open_clip_pretrained.get_pretrained_cfg(arch, pretrained)))


def resolve_quick_gelu(arch: ArchType, pretrained: Optional[str],
                       quick_gelu: Optional[bool]) -> bool:
    """Whether the towers use QuickGELU (OpenAI weights were trained with it).

    An explicit ``quick_gelu`` wins; else the pretrained tag's setting (``'openai'``
    -> True); else the arch config's ``quick_gelu`` (False for plain ``ViT-L-14``).
    A local OpenAI checkpoint file needs ``quick_gelu=True`` set in the config.
    """
    if quick_gelu is not None:
        return bool(quick_gelu)
    cfg = resolve_model_cfg(arch)
    if _is_tag(arch, pretrained):
        tag_cfg = open_clip_pretrained.get_pretrained_cfg(arch, pretrained)
        return bool(tag_cfg.get('quick_gelu', cfg.get('quick_gelu', False)))
    return bool(cfg.get('quick_gelu', False))


def build_vision_tower(arch: ArchType, quick_gelu: bool) -> nn.Module:
    """The open_clip ``VisionTransformer`` of ``arch`` (random init)."""
    cfg = resolve_model_cfg(arch)
    visual = open_clip_model._build_vision_tower(cfg['embed_dim'], cfg['vision_cfg'],
                                                 quick_gelu=quick_gelu)
    if not isinstance(visual, open_clip.transformer.VisionTransformer):
        raise ValueError(f'{arch_name(arch)}: only ViT vision towers are supported '
                         f'(the Polarity Encoder reads transformer blocks), got '
                         f'{type(visual).__name__}')
    return visual


def build_text_tower(arch: ArchType, quick_gelu: bool) -> nn.Module:
    """The open_clip ``TextTransformer`` of ``arch`` (random init)."""
    cfg = resolve_model_cfg(arch)
    if cfg['text_cfg'].get('hf_model_name'):
        raise ValueError(f'{arch_name(arch)} uses a HuggingFace text tower; the prompt '
                         'head needs an open_clip TextTransformer')
    return open_clip_model._build_text_tower(cfg['embed_dim'], cfg['text_cfg'],
                                             quick_gelu=quick_gelu)


def resolve_checkpoint_file(arch: ArchType, pretrained: str) -> str:
    """A local file for ``pretrained``: an existing path, or a downloaded open_clip tag."""
    expanded = osp.expanduser(str(pretrained))
    if osp.isfile(expanded):
        return expanded
    if _is_tag(arch, pretrained):
        tag_cfg = open_clip_pretrained.get_pretrained_cfg(arch, pretrained)
        try:
            path = open_clip_pretrained.download_pretrained(tag_cfg)
        except Exception as exc:  # offline cluster nodes, proxies, ...
            raise RuntimeError(
                f'could not fetch the open_clip weights {arch}/{pretrained} ({exc}). '
                'Download them once on a machine with internet (open_clip caches them in '
                '~/.cache) and set `pretrained` to the local file path.') from exc
        if not path or not osp.isfile(path):
            raise RuntimeError(f'open_clip returned no file for {arch}/{pretrained}')
        return path
    looks_like_path = (os.sep in str(pretrained)
                       or str(pretrained).endswith(('.pt', '.pth', '.bin', '.safetensors')))
    if looks_like_path:
        raise FileNotFoundError(f'pretrained CLIP weights file not found: {pretrained}')
    tags = (open_clip.list_pretrained_tags_by_model(arch) if isinstance(arch, str) else [])
    raise ValueError(f'pretrained={pretrained!r} is neither a file nor an open_clip tag of '
                     f'{arch_name(arch)} (tags: {tags})')


def load_open_clip_state_dict(path: str) -> Dict[str, torch.Tensor]:
    """Read a full open_clip/OpenAI CLIP state dict from ``path`` (tensors only).

    Plain state dicts and ``{'state_dict': ...}`` checkpoints are unpickled with
    ``weights_only=True``; OpenAI's original ``.pt`` files are TorchScript archives
    and are read with ``torch.jit.load``.
    """
    try:
        state = open_clip_factory.load_state_dict(path, device='cpu', weights_only=True)
    except Exception as exc:
        try:
            state = torch.jit.load(path, map_location='cpu').state_dict()
        except Exception:
            raise RuntimeError(f'cannot read CLIP weights from {path}: {exc}') from exc
    if not isinstance(state, Mapping) or not state:
        raise RuntimeError(f'{path} holds no state dict (got {type(state).__name__})')
    state = dict(state)
    for key in ('input_resolution', 'context_length', 'vocab_size'):
        state.pop(key, None)
    # open_clip's CustomTextCLIP layout keeps the text tower under ``text.``
    if any(k.startswith('text.') for k in state):
        state = {(k[len('text.'):] if k.startswith('text.') else k): v
                 for k, v in state.items()}
    return state


def _load_tower(tower: nn.Module, tower_state: dict, path: str, what: str) -> None:
    try:
        tower.load_state_dict(tower_state, strict=True)
    except RuntimeError as exc:
        raise RuntimeError(f'{path} does not fit the {what}: {exc}') from exc


def load_vision_tower(visual: nn.Module, state: dict, path: str, arch: ArchType) -> None:
    """Copy the ``visual.*`` weights of ``state`` into ``visual`` (strict).

    The patch-grid positional embedding is resized (bicubic, open_clip's helper) when
    the tower's image size differs from the checkpoint's.
    """
    tower_state = {k[len(VISION_TOWER_PREFIX):]: v for k, v in state.items()
                   if k.startswith(VISION_TOWER_PREFIX)}
    if not tower_state:
        raise RuntimeError(f'{path} holds no CLIP vision-tower weights (no `visual.*` keys; '
                           f'first keys: {list(state)[:5]})')
    holder = nn.Module()
    holder.visual = visual
    prefixed = {'visual.positional_embedding': tower_state.get('positional_embedding')}
    if prefixed['visual.positional_embedding'] is not None:
        open_clip_model.resize_pos_embed(prefixed, holder)
        tower_state['positional_embedding'] = prefixed['visual.positional_embedding']
    _load_tower(visual, tower_state, path, f'{arch_name(arch)} vision tower')


def load_text_tower(text: nn.Module, state: dict, path: str, arch: ArchType) -> None:
    """Copy the text-tower weights of ``state`` into ``text`` (strict)."""
    tower_state = {k: v for k, v in state.items() if k.startswith(TEXT_TOWER_KEYS)}
    if not tower_state:
        raise RuntimeError(f'{path} holds no CLIP text-tower weights (no `transformer.*`, '
                           f'`token_embedding.*` keys; first keys: {list(state)[:5]})')
    _load_tower(text, tower_state, path, f'{arch_name(arch)} text tower')
