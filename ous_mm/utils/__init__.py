"""Utilities: safe, hash-verified checkpoint loading and model-zoo look-up."""
from .checkpoint import (CheckpointError, file_sha256, get_state_dict,
                         load_checkpoint_strict, publish_checkpoint, safe_torch_load,
                         sha256_from_filename, verify_sha256)
from .model_zoo import find_zoo_model, load_metafiles, resolve_zoo_checkpoint

__all__ = [
    'CheckpointError', 'file_sha256', 'get_state_dict', 'load_checkpoint_strict',
    'publish_checkpoint', 'safe_torch_load', 'sha256_from_filename', 'verify_sha256',
    'find_zoo_model', 'load_metafiles', 'resolve_zoo_checkpoint'
]
