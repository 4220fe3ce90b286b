"""One cross-type attention block of the Type Fusion Encoder (Eq. 5, 7-10, 15)."""
import math
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from einops import rearrange
from torch import nn


class CrossTypeAttentionBlock(nn.Module):
    """Queries attend to LayerNorm'd face/scene/polarity tokens.

    Unlike a transformer block (attention, then norm, then FFN on a residual
    stream) the keys/values are normalised *before* attention::

        KV_norm = LayerNorm(KV)                                  # Eq. 5
        O_attn  = LayerNorm(Attention(Q, KV_norm, KV_norm))      # Eq. 7, 15
        O_ff    = W2 ReLU(W1 O_attn + b1) + b2                   # Eq. 8-9
        O_final = LayerNorm(O_ff)                                # Eq. 10

    Attention is multi-head with the usual q/k/v/out projections and runs through
    the fused ``scaled_dot_product_attention`` (softmax(Q K^T / sqrt(d_k)) V).
    The paper's equations have no residual connections (``residual=False``,
    default); ``residual=True`` adds ``Q`` before Eq. 7 and ``O_attn`` before Eq. 10.

    ``kv_mask (B, L)`` (True = attend) hides tokens per sample (modality dropout);
    ``need_weights=True`` computes the same attention explicitly and also returns its
    weights ``(B, heads, Q, L)``, for measuring which token types the queries read.

    Args:
        dim: token width D.
        num_heads: attention heads (D must be divisible by it).
        mlp_ratio: MLP hidden size / D.
        dropout: attention and MLP dropout.
        residual: add residual connections (not in the paper).
    """

    def __init__(self, dim: int, num_heads: int = 8, mlp_ratio: float = 4.0,
                 dropout: float = 0.0, residual: bool = False) -> None:
        super().__init__()
        if dim % num_heads:
            raise ValueError(f'dim {dim} is not divisible by num_heads {num_heads}')
        self.num_heads = num_heads
        self.residual = residual
        self.dropout = dropout
        self.kv_norm = nn.LayerNorm(dim)
        self.q_proj = nn.Linear(dim, dim)
        self.k_proj = nn.Linear(dim, dim)
        self.v_proj = nn.Linear(dim, dim)
        self.out_proj = nn.Linear(dim, dim)
        self.attn_norm = nn.LayerNorm(dim)
        hidden = int(dim * mlp_ratio)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(inplace=True),
                                 nn.Dropout(dropout), nn.Linear(hidden, dim))
        self.out_norm = nn.LayerNorm(dim)

    def forward(self, query: torch.Tensor, kv: torch.Tensor,
                kv_mask: Optional[torch.Tensor] = None, need_weights: bool = False):
        """``query (B, Q, D)``, ``kv (B, L, D)`` -> ``O_final (B, Q, D)`` (and the
        attention weights when ``need_weights``)."""
        kv = self.kv_norm(kv)                                                  # Eq. 5
        q = rearrange(self.q_proj(query), 'b q (head d) -> b head q d', head=self.num_heads)
        k = rearrange(self.k_proj(kv), 'b l (head d) -> b head l d', head=self.num_heads)
        v = rearrange(self.v_proj(kv), 'b l (head d) -> b head l d', head=self.num_heads)
        mask = None if kv_mask is None else kv_mask[:, None, None, :].to(torch.bool)
        weights = None
        if need_weights:
            logits = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
            if mask is not None:
                logits = logits.masked_fill(~mask, float('-inf'))
            weights = logits.softmax(dim=-1)
            drop = self.dropout if self.training else 0.0
            attn = F.dropout(weights, p=drop) @ v if drop else weights @ v
        else:
            attn = F.scaled_dot_product_attention(                             # Eq. 15
                q, k, v, attn_mask=mask, dropout_p=self.dropout if self.training else 0.0)
        attn = self.out_proj(rearrange(attn, 'b head q d -> b q (head d)'))
        o_attn = self.attn_norm(attn + query if self.residual else attn)       # Eq. 7
        o_ff = self.mlp(o_attn)                                                # Eq. 8-9
        out = self.out_norm(o_ff + o_attn if self.residual else o_ff)          # Eq. 10
        return (out, weights) if need_weights else out
