"""Batch the packed face/scene clips and normalise them on the model's device."""
from collections.abc import Mapping, Sequence
from typing import Dict, Union

import torch
from mmaction.registry import MODELS
from mmengine.model import BaseDataPreprocessor
from open_clip.constants import OPENAI_DATASET_MEAN, OPENAI_DATASET_STD

FEATURE_KEYS = ('embed', 'early')


def _stack(values, what: str) -> torch.Tensor:
    if isinstance(values, torch.Tensor):
        return values
    if not isinstance(values, Sequence) or len(values) == 0:
        raise ValueError(f'FaceSceneDataPreprocessor: empty or invalid batch for {what}')
    shapes = {tuple(v.shape) for v in values}
    if len(shapes) != 1:
        raise ValueError(f'FaceSceneDataPreprocessor: samples of one batch differ in {what} '
                         f'shape {sorted(shapes)}; use the same clip_len and image size for '
                         'every sample')
    return torch.stack(list(values))


@MODELS.register_module()
class FaceSceneDataPreprocessor(BaseDataPreprocessor):
    """Stack per-sample ``(2, T, 3, H, W)`` uint8 clips to ``(B, 2, T, 3, H, W)`` float.

    The uint8 batch is moved to the device first (4x less transfer than float), then
    converted and normalised there with CLIP's mean/std (0-255 scale). Cached-feature
    batches (``inputs`` a dict with ``embed`` and ``early``, see
    ``tools/extract_features.py``) are stacked to ``(B, 2, T, D)`` / ``(B, 2, T, E)``
    and passed through unnormalised.

    Args:
        mean: per-channel RGB mean on the 0-255 scale (CLIP's by default).
        std: per-channel RGB std on the 0-255 scale (CLIP's by default).
        non_blocking: non-blocking host-to-device copies.
    """

    def __init__(self,
                 mean: Sequence[float] = tuple(255 * m for m in OPENAI_DATASET_MEAN),
                 std: Sequence[float] = tuple(255 * s for s in OPENAI_DATASET_STD),
                 non_blocking: bool = False) -> None:
        super().__init__(non_blocking=non_blocking)
        if len(mean) != 3 or len(std) != 3:
            raise ValueError('mean and std need 3 (RGB) values each')
        # broadcast over (B, stream, T, C, H, W)
        self.register_buffer('mean', torch.tensor(mean, dtype=torch.float32).view(1, 1, 1, 3, 1, 1),
                             persistent=False)
        self.register_buffer('std', torch.tensor(std, dtype=torch.float32).view(1, 1, 1, 3, 1, 1),
                             persistent=False)

    def _stack_features(self, inputs) -> Dict[str, torch.Tensor]:
        if isinstance(inputs, Mapping):  # pseudo_collate: dict of per-sample lists
            per_key = {k: inputs[k] for k in inputs}
        else:  # a list of per-sample dicts
            per_key = {k: [sample[k] for sample in inputs] for k in inputs[0]}
        missing = [k for k in FEATURE_KEYS if k not in per_key]
        if missing:
            raise KeyError(f'cached-feature inputs lack {missing} (need {FEATURE_KEYS})')
        out = {k: _stack(per_key[k], f'feature `{k}`').float() for k in FEATURE_KEYS}
        for key, value in out.items():
            if value.dim() != 4:
                raise ValueError(f'cached feature `{key}` must be (B, streams, T, C), '
                                 f'got {tuple(value.shape)}')
        return out

    def forward(self, data: dict, training: bool = False) -> dict:
        """Stack, move to the device and normalise one batch from the dataloader."""
        data = self.cast_data(data)
        inputs = data['inputs']
        is_features = isinstance(inputs, Mapping) or (
            isinstance(inputs, Sequence) and len(inputs) > 0 and isinstance(inputs[0], Mapping))
        if is_features:
            batch: Union[torch.Tensor, Dict[str, torch.Tensor]] = self._stack_features(inputs)
        else:
            clips = _stack(inputs, 'clip')
            if clips.dim() != 6 or clips.shape[3] != 3:
                raise ValueError('FaceSceneDataPreprocessor expects per-sample clips of shape '
                                 f'(2, T, 3, H, W) (face, scene), got batch {tuple(clips.shape)}')
            batch = (clips.float() - self.mean) / self.std
        return dict(inputs=batch, data_samples=data.get('data_samples', None))
