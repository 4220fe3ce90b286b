"""CoOp-style learnable prompts through a frozen open_clip text encoder (Eq. 11)."""
from typing import Sequence

import torch
from open_clip.tokenizer import SimpleTokenizer
from torch import nn

from ..utils.open_clip_utils import resolve_model_cfg

CONTEXT_PLACEHOLDER = 'X'


class PromptLearner(nn.Module):
    """Class text features from ``[V]_1 ... [V]_M [CLASS].`` (Eq. 11).

    The M context vectors are shared by all classes (CoOp's unified context) and
    live in the word-embedding space of the text encoder. Each class prompt is
    tokenised once as ``"X X ... X <class name>."``; at every call the token
    embeddings are looked up in the (frozen) encoder, positions 1..M are replaced
    by the context vectors, and the sequence goes through the encoder up to the
    longest end-of-text token only (positions after it cannot change the
    end-of-text feature under the causal mask, so truncating gives the same
    features for a fraction of the cost).

    Args:
        text_encoder: an open_clip ``TextTransformer`` (kept frozen by the head).
        arch: the open_clip arch of the encoder (for the tokenizer's context length).
        class_names: one name per class, in class-id order.
        prompt_length: M, the number of learnable context vectors.
        ctx_init_std: std of the Gaussian init of the context vectors (CoOp: 0.02).
        class_specific: one context per class (CoOp's CSC) instead of one shared.
    """

    def __init__(self, text_encoder: nn.Module, arch, class_names: Sequence[str],
                 prompt_length: int = 64, ctx_init_std: float = 0.02,
                 class_specific: bool = False) -> None:
        super().__init__()
        if prompt_length < 1:
            raise ValueError(f'prompt_length must be >= 1, got {prompt_length}')
        if not class_names:
            raise ValueError('PromptLearner needs class_names (the dataset config\'s class_names)')
        text_cfg = resolve_model_cfg(arch)['text_cfg']
        context_length = int(text_cfg.get('context_length', 77))
        if getattr(text_encoder, 'pool_type', 'argmax') != 'argmax':
            raise ValueError('only open_clip text towers pooled at the end-of-text token '
                             "(pool_type='argmax', CLIP's) are supported")
        self.prompt_length = prompt_length
        self.class_names = tuple(str(n) for n in class_names)
        width = text_encoder.token_embedding.weight.shape[1]
        # CoOp's unified context (one [V]_1..[V]_M for all classes, Eq. 11) or its
        # class-specific variant (CSC: one context per class).
        shape = (len(self.class_names), prompt_length, width) if class_specific else (
            prompt_length, width)
        self.ctx = nn.Parameter(torch.empty(*shape))
        nn.init.normal_(self.ctx, std=ctx_init_std)

        tokenizer = SimpleTokenizer(context_length=context_length)
        prefix = ' '.join([CONTEXT_PLACEHOLDER] * prompt_length)
        prompts = [f'{prefix} {name.replace("_", " ")}.' for name in self.class_names]
        for name, prompt in zip(self.class_names, prompts):
            needed = len(tokenizer.encode(prompt)) + 2  # + start/end of text
            if needed > context_length:
                raise ValueError(f'prompt of class {name!r} needs {needed} tokens with '
                                 f'{prompt_length} context vectors; the text context length '
                                 f'is {context_length}: shorten prompt_length')
        ids = tokenizer(prompts)  # (C, context_length), SOT ... EOT 0 ...
        eot = ids.argmax(dim=-1)  # EOT has the largest id in CLIP's vocabulary
        placeholder = tokenizer.encode(CONTEXT_PLACEHOLDER)
        if len(placeholder) != 1 or not bool((ids[:, 1:1 + prompt_length] == placeholder[0]).all()):
            raise RuntimeError('tokenizer did not map the context placeholders to one token each')
        self.register_buffer('token_ids', ids, persistent=False)
        self.register_buffer('eot_index', eot, persistent=False)
        self.seq_len = int(eot.max().item()) + 1

    def forward(self, text_encoder: nn.Module) -> torch.Tensor:
        """Return the class text features ``(C, embed_dim)`` (not normalised)."""
        length = self.seq_len
        ids = self.token_ids[:, :length]
        tokens = text_encoder.token_embedding(ids)                          # (C, L, W)
        ctx = self.ctx.to(tokens.dtype)
        if ctx.dim() == 2:  # unified context, shared by every class
            ctx = ctx.unsqueeze(0).expand(tokens.shape[0], -1, -1)
        tokens = torch.cat([tokens[:, :1], ctx, tokens[:, 1 + self.prompt_length:]], dim=1)
        x = tokens + text_encoder.positional_embedding[:length].to(tokens.dtype)
        mask = text_encoder.attn_mask
        if mask is not None:
            mask = mask[:length, :length]
        x = text_encoder.transformer(x, attn_mask=mask)
        x = text_encoder.ln_final(x)
        x = x[torch.arange(x.shape[0], device=x.device), self.eot_index]
        proj = text_encoder.text_projection
        if proj is None:
            return x
        return proj(x) if isinstance(proj, nn.Linear) else x @ proj
