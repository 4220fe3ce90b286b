"""Utilities: safe, hash-verified checkpoint loading, model-zoo look-up, config switches."""
from .checkpoint import (CheckpointError, file_sha256, get_state_dict,
                         load_checkpoint_strict, publish_checkpoint, safe_torch_load,
                         sha256_from_filename, verify_sha256)
from .config_switches import ConfigSwitchError, apply_config_switches, feature_store_dirs
from .model_zoo import (find_zoo_config, find_zoo_model, load_metafiles, resolve_zoo_checkpoint,
                        resolve_zoo_model, zoo_roots)

__all__ = [
    'CheckpointError', 'file_sha256', 'get_state_dict', 'load_checkpoint_strict',
    'publish_checkpoint', 'safe_torch_load', 'sha256_from_filename', 'verify_sha256',
    'ConfigSwitchError', 'apply_config_switches', 'feature_store_dirs', 'find_zoo_config',
    'find_zoo_model', 'load_metafiles', 'resolve_zoo_checkpoint', 'resolve_zoo_model', 'zoo_roots'
]
