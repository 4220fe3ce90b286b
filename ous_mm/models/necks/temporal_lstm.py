"""Eq. 13: LSTM early fusion of the per-frame CLIP features over time."""
from typing import Optional, Tuple

import torch
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import nn

LSTM_MODES = ('shared', 'joint')


@MODELS.register_module()
class TemporalLSTM(BaseModule):
    """LSTM over the T frames of each stream (the paper's Eq. 13 with an LSTM cell).

    * ``mode='shared'`` (default): one LSTM, the same weights for both streams; the
      face sequence and the scene sequence are separate sequences (stacked on the
      batch axis, one call). Matches Fig. 3 ("temporal relationships are initially
      fused via LSTM").
    * ``mode='joint'``: one LSTM over the per-frame concatenation ``[face_t; scene_t]``
      whose output is split back: face and scene mix already here (early fusion).

    With ``residual=True`` the LSTM output is added to its input, so the CLIP
    features (comparable with CLIP text features) stay the backbone of the stream.

    Args:
        dim: feature size D of each stream.
        num_layers: stacked LSTM layers.
        mode: ``'shared'`` or ``'joint'``.
        residual: add the input to the LSTM output.
        dropout: dropout between stacked LSTM layers.
        init_cfg: mmengine init config.
    """

    def __init__(self, dim: int, num_layers: int = 1, mode: str = 'shared',
                 residual: bool = True, dropout: float = 0.0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if mode not in LSTM_MODES:
            raise ValueError(f'mode must be one of {LSTM_MODES}, got {mode!r}')
        self.mode = mode
        self.residual = residual
        width = dim if mode == 'shared' else 2 * dim
        self.lstm = nn.LSTM(width, width, num_layers=num_layers, batch_first=True,
                            dropout=dropout if num_layers > 1 else 0.0)

    def _run(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(x)
        return x + out if self.residual else out

    def forward(self, face: torch.Tensor, scene: Optional[torch.Tensor] = None
                ) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        """``face (B, T, D)``, ``scene (B, T, D)`` or None -> the same shapes."""
        if scene is None:
            if self.mode == 'joint':
                raise ValueError("TemporalLSTM(mode='joint') needs the scene stream")
            return self._run(face), None
        if self.mode == 'shared':
            out = self._run(torch.cat([face, scene], dim=0))
            return out[:face.shape[0]], out[face.shape[0]:]
        out = self._run(torch.cat([face, scene], dim=-1))
        return out[..., :face.shape[-1]], out[..., face.shape[-1]:]
