"""Numeric precision defaults: bf16 for the frozen encoder and ``--amp``, TF32 on CUDA.

One place decides which reduced precision a device gets, so the backbone, the
feature extraction tool and the training tool agree:

* frozen encoder (``CLIPVisionBackbone(autocast_dtype='auto')``): bf16 autocast on a
  CUDA device that supports it (fp16 on older GPUs), exact fp32 on the CPU;
* ``--amp`` training (:func:`amp_optim_wrapper`): mmengine's ``AmpOptimWrapper`` in
  bf16 where supported, without loss scaling (bf16 has fp32's exponent range), fp16
  with dynamic loss scaling elsewhere;
* fp32 matmuls on CUDA (the trainable neck and head) use TF32 tensor cores
  (:func:`enable_tf32`), as they do by default in most training frameworks.
"""
import copy
from typing import Mapping, Optional, Union

import torch

AUTOCAST_SETTINGS = {None: None, 'auto': 'auto', 'bf16': torch.bfloat16,
                     'fp16': torch.float16}


def cuda_bf16_supported() -> bool:
    """Whether the current CUDA device computes bf16 natively (Ampere and newer)."""
    return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())


def check_autocast_setting(setting: Optional[str]) -> None:
    """Raise a ValueError naming the choices for an unknown ``autocast_dtype``."""
    if setting not in AUTOCAST_SETTINGS:
        raise ValueError(f'autocast_dtype must be one of {list(AUTOCAST_SETTINGS)}, '
                         f'got {setting!r}')


def autocast_dtype_for(setting: Optional[str],
                       device: Union[str, torch.device]) -> Optional[torch.dtype]:
    """The autocast dtype of ``setting`` on ``device`` (None = run in the input's dtype).

    ``'auto'`` is bf16 on a CUDA device with native bf16, fp16 on an older CUDA
    device, and None (exact fp32) on any other device.
    """
    check_autocast_setting(setting)
    value = AUTOCAST_SETTINGS[setting]
    if value != 'auto':
        return value
    if torch.device(device).type != 'cuda':
        return None
    return torch.bfloat16 if cuda_bf16_supported() else torch.float16


def default_compute_dtype(device: Union[str, torch.device]) -> torch.dtype:
    """dtype a frozen tower is cast to for feature extraction: bf16 on CUDA, fp32 elsewhere."""
    if torch.device(device).type == 'cuda':
        return torch.bfloat16 if cuda_bf16_supported() else torch.float16
    return torch.float32


def enable_tf32() -> bool:
    """Let fp32 matmuls use TF32 tensor cores on CUDA (no-op without CUDA).

    Returns whether it was enabled. TF32 keeps fp32's range with a 10-bit
    mantissa; it affects only fp32 matmuls/convolutions on Ampere and newer GPUs.
    """
    if not torch.cuda.is_available():
        return False
    torch.set_float32_matmul_precision('high')
    torch.backends.cudnn.allow_tf32 = True
    return True


def amp_optim_wrapper(optim_wrapper: Mapping, bf16: Optional[bool] = None) -> dict:
    """``optim_wrapper`` config turned into mmengine's ``AmpOptimWrapper`` (what ``--amp`` sets).

    Args:
        optim_wrapper: the config's ``optim_wrapper`` (type ``OptimWrapper`` or
            ``AmpOptimWrapper``).
        bf16: use bf16; None = where the CUDA device supports it.

    Returns:
        A new dict: ``dtype='bfloat16'`` and no loss scaling (``loss_scale=dict(
        enabled=False)``), or ``dtype='float16'`` with dynamic loss scaling. An
        explicit ``dtype``/``loss_scale`` already in the config is kept.
    """
    cfg = copy.deepcopy(dict(optim_wrapper))
    kind = cfg.get('type', 'OptimWrapper')
    if kind not in ('OptimWrapper', 'AmpOptimWrapper'):
        raise ValueError(f'--amp works with OptimWrapper or AmpOptimWrapper, the config has {kind}')
    if bf16 is None:
        bf16 = cuda_bf16_supported()
    cfg['type'] = 'AmpOptimWrapper'
    cfg.setdefault('dtype', 'bfloat16' if bf16 else 'float16')
    cfg.setdefault('loss_scale', dict(enabled=False) if cfg['dtype'] == 'bfloat16' else 'dynamic')
    return cfg
