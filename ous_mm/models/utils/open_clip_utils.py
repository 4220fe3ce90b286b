"""Build single open_clip towers and load open_clip weights into them.

OUS uses one CLIP model split in two: the vision tower in
:class:`~ous_mm.models.backbones.CLIPVisionBackbone`, the text tower in
:class:`~ous_mm.models.heads.PromptContrastiveHead`. Building only the tower each
part needs (with open_clip's own tower builders, the ones ``open_clip.CLIP`` calls)
halves the peak memory of building ViT-L/14 twice. Parameter names stay those of
an open_clip ``CLIP`` state dict (``visual.*`` and the top-level text keys), so any
open_clip / OpenAI checkpoint loads without renaming. Nothing here reads a file: the
state dicts come from :func:`ous_mm.utils.clip_weights.read_clip_weights`, which the
towers' owners call in ``init_weights()`` only.
"""
import copy
from collections.abc import Mapping
from typing import Optional, Union

import open_clip
from open_clip import model as open_clip_model
from open_clip.transformer import QuickGELU
from torch import nn

from ous_mm.utils.clip_weights import tag_config

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


def resolve_quick_gelu(arch: ArchType, pretrained: Optional[str],
                       quick_gelu: Optional[bool]) -> bool:
    """Whether the towers use QuickGELU (OpenAI weights were trained with it, LAION ones not).

    ``None`` takes it from the weights: the pretrained tag's setting (``'openai'``,
    ``'metaclip_400m'`` -> True; ``'laion2b_s32b_b82k'`` -> False), else the arch config
    (``'ViT-L-14-quickgelu'`` -> True, ``'ViT-L-14'`` -> False; a local file is checked
    again when :func:`match_activation` sees it). An explicit value that contradicts a
    known tag or a ``-quickgelu`` arch name raises a ValueError: the features of a tower
    with the wrong activation are silently wrong.
    """
    tag = tag_config(arch, pretrained)
    known = bool(tag.get('quick_gelu', False)) if tag else None
    source = f'the open_clip weights {arch}/{pretrained}'
    if known is None and isinstance(arch, str) and arch.endswith('-quickgelu'):
        known, source = True, f'the arch name {arch!r}'
    if quick_gelu is not None and known is not None and bool(quick_gelu) != known:
        raise ValueError(
            f'quick_gelu={quick_gelu} but {source} use '
            f'{"QuickGELU" if known else "GELU"} (quick_gelu={known}): remove quick_gelu from '
            'the config (it is read from the weights) or name weights trained with it')
    if quick_gelu is not None:
        return bool(quick_gelu)
    if known is not None:
        return known
    return bool(resolve_model_cfg(arch).get('quick_gelu', False))


def uses_quick_gelu(tower: nn.Module) -> bool:
    """Whether the MLPs of an open_clip tower use QuickGELU."""
    return any(isinstance(m, QuickGELU) for m in tower.modules())


def match_activation(tower: nn.Module, trained_quick_gelu: Optional[bool],
                     requested: Optional[bool], path: str, what: str) -> bool:
    """Give ``tower`` the activation its weights were trained with; returns whether it changed.

    Args:
        tower: an open_clip vision or text tower.
        trained_quick_gelu: what the weight file says (None: it does not say).
        requested: the config's ``quick_gelu`` (None: not set).
        path: the weight file, for messages.
        what: ``'model.backbone'`` / ``'model.cls_head'``, for messages.

    Raises:
        ValueError: the config set the other activation explicitly.
    """
    if trained_quick_gelu is None:
        return False
    if requested is not None and bool(requested) != trained_quick_gelu:
        raise ValueError(
            f'{what}.quick_gelu={requested} but {path} was trained with '
            f'{"QuickGELU" if trained_quick_gelu else "GELU"}: remove quick_gelu from the config')
    if uses_quick_gelu(tower) == trained_quick_gelu:
        return False
    act = QuickGELU if trained_quick_gelu else nn.GELU
    for module in list(tower.modules()):
        for name, child in module.named_children():
            if isinstance(child, (nn.GELU, QuickGELU)):
                setattr(module, name, act())
    return True


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
