"""Build an OUS model from a config (and a checkpoint) for inference."""
import logging
import os.path as osp
import warnings
from typing import List, Optional, Union

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from ous_mm.utils import apply_config_switches, load_checkpoint_strict, resolve_zoo_model
from ous_mm.utils.class_identity import check_class_identity


def class_names_of(cfg: Config) -> Optional[List[str]]:
    """Class names of a config: ``class_names``, else the test/val dataset's argument."""
    names = cfg.get('class_names', None)
    if names is None:
        for loader in ('test_dataloader', 'val_dataloader', 'train_dataloader'):
            dataset = (cfg.get(loader) or {}).get('dataset') or {}
            names = dataset.get('class_names') or (dataset.get('metainfo') or {}).get('classes')
            if names:
                break
    return list(names) if names else None


def _quiet_init_weights(model: torch.nn.Module) -> None:
    """``init_weights()`` without mmengine's one INFO line per parameter."""
    from mmengine.logging import MMLogger

    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        model.init_weights()
    finally:
        logger.setLevel(level)


def restore_frozen_encoders(model: torch.nn.Module) -> List[str]:
    """Load the frozen CLIP towers of a lean model from ``pretrained``, before a checkpoint.

    A model built with ``save_frozen_encoders=False`` saves checkpoints without its
    frozen vision and text towers. Such a checkpoint loads only into towers that
    hold their pretrained weights already, so every tool that loads one calls this
    first (``init_ous_model``, ``tools/test.py``; training gets it from the Runner's
    ``init_weights()`` call). It runs the towers' owners' ``init_weights()``, the one
    place weights are read; towers loaded already and self-contained models are left
    alone (no file is read).

    Args:
        model: an :class:`~ous_mm.models.OUSRecognizer` (or a DDP wrapper of one).

    Returns:
        The towers restored (``'backbone.visual'``, ``'cls_head.text_encoder'``).

    Raises:
        RuntimeError: a lean model without a ``pretrained`` source to restore from.
    """
    from mmengine.model import is_model_wrapper
    if is_model_wrapper(model):
        model = model.module
    if getattr(model, 'save_frozen_encoders', True) or not hasattr(model,
                                                                   'frozen_encoder_owners'):
        return []
    restored = []
    for prefix, owner in model.frozen_encoder_owners().items():
        if getattr(owner, 'pretrained_loaded', False):
            continue
        if not getattr(owner, 'pretrained', None):
            raise RuntimeError(
                f'{prefix.rstrip(".")}: the model saves checkpoints without its frozen CLIP '
                'towers (save_frozen_encoders=False) but has no `pretrained` weights to '
                'restore them from: set model.backbone.pretrained to the CLIP weights used '
                'in training')
        _quiet_init_weights(owner)
        restored.append(prefix.rstrip('.'))
    return restored


def init_ous_model(config: Union[str, Config],
                   checkpoint: Optional[str] = None,
                   device: Union[str, torch.device] = 'cpu',
                   sha256: Optional[str] = None) -> torch.nn.Module:
    """Build the recognizer of ``config`` in eval mode, with the weights of ``checkpoint``.

    Args:
        config: Config file, :class:`mmengine.Config`, or the ``Name`` of a
            model-zoo entry (``configs/**/metafile.yml``), whose config and
            sha256-verified checkpoint are then used.
        checkpoint: Checkpoint file (a training checkpoint or a published
            one). ``None`` keeps random/pretrained init (``init_weights()``),
            which is what tests and smoke runs want; a warning says so.
        device: Where to put the model.
        sha256: Expected sha256 of ``checkpoint`` (or a prefix of >= 8 hex);
            OpenMMLab-style names ``xxx-<sha256[:8]>.pth`` are verified anyway.

    Returns:
        The model, with ``model.cfg`` (the config) and ``model.class_names``.

    Raises:
        ous_mm.utils.CheckpointError: a checkpoint that is missing, fails its
            hash, is not a safe weights-only pickle, or does not match the
            model built from the config (missing/unexpected keys, shapes).
        ous_mm.utils.class_identity.ClassIdentityError: the config, the model and the
            checkpoint disagree on the class names, their order or the polarity map.
    """
    import ous_mm  # noqa: F401  (registration, idempotent)
    from mmaction.registry import MODELS

    if isinstance(config, str) and not osp.isfile(config):
        # a zoo name or zoo-relative config path (installed package data, then the source tree)
        name = config
        config, checkpoint, sha256 = resolve_zoo_model(config, checkpoint, sha256)
        from mmengine.logging import print_log
        print_log(f'model zoo {name}: config {config}, checkpoint {checkpoint}'
                  + (f' (sha256 {sha256})' if sha256 else ''), logger='current')
    cfg = config if isinstance(config, Config) else Config.fromfile(config)
    cfg = apply_config_switches(cfg)  # override keys given (clip_len=..., ...) into the pipelines
    # sub-module types (data preprocessor, ...) resolve in the config's scope
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    model = MODELS.build(cfg.model)
    meta = {}
    if checkpoint is None:
        warnings.warn('init_ous_model: no checkpoint given, the predictions come from an '
                      'untrained model', stacklevel=2)
        _quiet_init_weights(model)
    else:
        restore_frozen_encoders(model)  # lean checkpoints lack the frozen towers
        meta = load_checkpoint_strict(model, checkpoint, map_location='cpu', sha256=sha256)
    check_class_identity(model=model, checkpoint_meta=meta, checkpoint=checkpoint,
                         config_classes=class_names_of(cfg),
                         config_polarity=cfg.get('polarity_map'))
    model.cfg = cfg
    names = class_names_of(cfg)
    dataset_meta = meta.get('dataset_meta') if isinstance(meta, dict) else None
    if not names and isinstance(dataset_meta, dict) and dataset_meta.get('classes'):
        names = list(dataset_meta['classes'])
    model.class_names = names
    model.to(device)
    model.eval()
    return model
