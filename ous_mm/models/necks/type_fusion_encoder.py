"""The Type Fusion Encoder: N cross-type attention blocks with one shared Q_learn."""
from typing import Optional

import torch
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import nn

from .cross_type_attention import CrossTypeAttentionBlock

QUERY_MODES = ('shared_residual', 'chain', 'shared_parallel')


@MODELS.register_module()
class TypeFusionEncoder(BaseModule):
    """Fuse face, scene and polarity tokens with learnable queries (Sec. III-B).

    ONE set of ``num_queries`` learnable queries Q_learn, drawn from
    N(query_mean, query_std^2) (Eq. 6), is shared by all ``num_blocks`` blocks.
    How it passes between blocks (``query_mode``):

    * ``'shared_residual'`` (default): block 1 attends with Q_learn, block i+1
      with ``Q_learn + output_i``: every block sees the shared Q_learn (as the
      paper says) and the blocks still refine one another (DETR-style).
    * ``'chain'``: Q_learn enters block 1 only, block i's output is block i+1's query.
    * ``'shared_parallel'``: every block attends with Q_learn alone; the block
      outputs are averaged.

    The fused video feature is the mean of the final query tokens.

    Args:
        dim: token width D.
        num_blocks: N cross-type attention blocks (paper: 12).
        num_queries: number of learnable query tokens.
        num_heads: attention heads.
        mlp_ratio: MLP hidden size / D.
        query_mode: see above.
        query_mean: mu of Eq. 6.
        query_std: sigma of Eq. 6.
        dropout: attention / MLP dropout.
        residual: residual connections inside the blocks (not in the paper).
        init_cfg: mmengine init config.
    """

    def __init__(self, dim: int, num_blocks: int = 12, num_queries: int = 8,
                 num_heads: int = 8, mlp_ratio: float = 4.0,
                 query_mode: str = 'shared_residual', query_mean: float = 0.0,
                 query_std: float = 0.02, dropout: float = 0.0, residual: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if query_mode not in QUERY_MODES:
            raise ValueError(f'query_mode must be one of {QUERY_MODES}, got {query_mode!r}')
        if num_blocks < 1 or num_queries < 1:
            raise ValueError('num_blocks and num_queries must be >= 1')
        self.query_mode = query_mode
        self.query_mean = query_mean
        self.query_std = query_std
        self.queries = nn.Parameter(torch.empty(num_queries, dim))             # Q_learn
        nn.init.normal_(self.queries, mean=query_mean, std=query_std)          # Eq. 6
        self.blocks = nn.ModuleList([
            CrossTypeAttentionBlock(dim, num_heads, mlp_ratio, dropout, residual)
            for _ in range(num_blocks)
        ])

    def forward(self, kv: torch.Tensor, kv_mask: Optional[torch.Tensor] = None,
                need_weights: bool = False):
        """``kv (B, L, D)`` = concat(V_ft, V_st, V_pol) -> fused feature ``(B, D)``.

        ``kv_mask (B, L)``: tokens each sample may attend to (True). With
        ``need_weights`` also returns the attention weights ``(B, L)`` averaged over
        blocks, heads and queries (how much of the fused feature each token supplies).
        """
        q_learn = self.queries.unsqueeze(0).expand(kv.shape[0], -1, -1)
        weights = []

        def run(block, query):
            out = block(query, kv, kv_mask, need_weights)
            if need_weights:
                out, w = out
                weights.append(w.mean(dim=(1, 2)))
            return out

        if self.query_mode == 'shared_parallel':
            out = torch.stack([run(block, q_learn) for block in self.blocks]).mean(dim=0)
        else:
            out = run(self.blocks[0], q_learn)
            for block in self.blocks[1:]:
                query = q_learn + out if self.query_mode == 'shared_residual' else out
                out = run(block, query)
        video = out.mean(dim=1)
        return (video, torch.stack(weights).mean(dim=0)) if need_weights else video
