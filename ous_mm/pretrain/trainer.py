"""CLIP image-text contrastive training (InfoNCE, learnable logit scale) of an open_clip CLIP.

Written for a few minutes on a few CPU cores: the text tower runs only up to the
batch's longest caption (exact under the causal mask) and AdamW is the fused kernel.
Identical captions in a batch (a templated corpus repeats "a photo of a happy
face") need no special targets: identical texts have identical features, so
CLIP's one-hot loss equals the loss with the duplicates as shared positives.
"""
import math
import time
from dataclasses import asdict, dataclass, field
from typing import Callable, Dict, List, Optional

import torch
import torch.nn.functional as F
from open_clip.constants import OPENAI_DATASET_MEAN, OPENAI_DATASET_STD
from open_clip.transformer import text_global_pool
from torch import nn
from torch.utils.data import DataLoader, Dataset

LOGIT_SCALE_MAX = math.log(100.0)  # open_clip's clamp


@dataclass(frozen=True)
class TrainConfig:
    """Contrastive training arguments (every field is part of the cache key).

    Args:
        steps: optimizer steps.
        batch_size: image-text pairs per step (the InfoNCE negatives).
        lr: peak AdamW learning rate (linear warm-up, cosine decay to 0).
        warmup_steps: linear warm-up steps.
        weight_decay: AdamW weight decay of the 2-D weights (not of gains,
            biases, embeddings' 1-D parts or the logit scale, as open_clip).
        flip: random horizontal flips (OUS trains with ``FaceSceneFlip``).
        seed: torch seed (init, batch order, caption choice, flips).
    """
    steps: int = 600
    batch_size: int = 128
    lr: float = 3e-3
    warmup_steps: int = 50
    weight_decay: float = 0.1
    flip: bool = True
    seed: int = 0

    def as_dict(self) -> Dict:
        return asdict(self)


@dataclass
class TrainResult:
    """Loss per step, wall time of the loop, final loss (mean of the last 20 steps)."""
    losses: List[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def final_loss(self) -> float:
        tail = self.losses[-20:]
        return float(sum(tail) / len(tail)) if tail else float('nan')


def normalize_images(images: torch.Tensor) -> torch.Tensor:
    """uint8 ``(N, 3, H, W)`` -> float, CLIP mean/std (as ``FaceSceneDataPreprocessor``)."""
    mean = torch.tensor(OPENAI_DATASET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(OPENAI_DATASET_STD).view(1, 3, 1, 1)
    return (images.float() / 255.0 - mean) / std


def encode_text(model: nn.Module, tokens: torch.Tensor) -> torch.Tensor:
    """``CLIP.encode_text`` for token ids cut to length ``L <= context_length``."""
    length = tokens.shape[1]
    x = model.token_embedding(tokens) + model.positional_embedding[:length]
    x = model.transformer(x, attn_mask=model.attn_mask[:length, :length])
    x = model.ln_final(x)
    x = text_global_pool(x, tokens, model.text_pool_type)
    proj = model.text_projection
    return proj(x) if isinstance(proj, nn.Linear) else x @ proj


def contrastive_loss(model: nn.Module, images: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
    """Symmetric CLIP InfoNCE of a batch (normalised images, token ids ``(B, L)``)."""
    img = F.normalize(model.encode_image(images), dim=-1)
    txt = F.normalize(encode_text(model, tokens), dim=-1)
    logits = model.logit_scale.clamp(max=LOGIT_SCALE_MAX).exp() * img @ txt.t()
    target = torch.arange(len(tokens))
    return (F.cross_entropy(logits, target) + F.cross_entropy(logits.t(), target)) / 2


def _param_groups(model: nn.Module, weight_decay: float):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        plain = p.ndim < 2 or 'logit_scale' in name or 'ln' in name or 'bias' in name
        (no_decay if plain else decay).append(p)
    return [dict(params=decay, weight_decay=weight_decay),
            dict(params=no_decay, weight_decay=0.0)]


def lr_at(step: int, cfg: TrainConfig) -> float:
    """Linear warm-up to ``cfg.lr``, then cosine decay to 0 at ``cfg.steps``."""
    if step < cfg.warmup_steps:
        return cfg.lr * (step + 1) / cfg.warmup_steps
    progress = (step - cfg.warmup_steps) / max(cfg.steps - cfg.warmup_steps, 1)
    return 0.5 * cfg.lr * (1 + math.cos(math.pi * min(progress, 1.0)))


def train_contrastive(model: nn.Module, dataset: Dataset, cfg: TrainConfig,
                      progress: Optional[Callable[[int, float, float], None]] = None
                      ) -> TrainResult:
    """Train ``model`` (an open_clip ``CLIP``) in place on ``(image, caption tokens)`` pairs.

    Args:
        model: the CLIP to train (both towers and the logit scale).
        dataset: items ``(uint8 image (3, S, S), tokens (K, L))``, e.g.
            :class:`~ous_mm.pretrain.corpus.CaptionedImages`.
        cfg: training arguments.
        progress: called as ``progress(step, loss, lr)`` every step (tools print).
    """
    if len(dataset) < 2:
        raise ValueError('contrastive training needs at least 2 items')
    batch_size = min(cfg.batch_size, len(dataset))
    gen = torch.Generator().manual_seed(cfg.seed)
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, drop_last=True,
                        generator=gen, num_workers=0)
    # fused=True: one kernel for all parameters (7x faster than the default on CPU here)
    optimizer = torch.optim.AdamW(_param_groups(model, cfg.weight_decay), lr=cfg.lr,
                                  betas=(0.9, 0.98), eps=1e-6, fused=True)
    model.train()
    result = TrainResult()
    start = time.perf_counter()
    step = 0
    while step < cfg.steps:
        for images, tokens in loader:
            if step >= cfg.steps:
                break
            pick = torch.randint(tokens.shape[1], (tokens.shape[0],), generator=gen)
            tokens = tokens[torch.arange(tokens.shape[0]), pick]
            tokens = tokens[:, :int(tokens.argmax(dim=-1).max()) + 1]
            if cfg.flip:
                flip = torch.rand(images.shape[0], generator=gen) < 0.5
                images = torch.where(flip[:, None, None, None], images.flip(-1), images)
            lr = lr_at(step, cfg)
            for group in optimizer.param_groups:
                group['lr'] = lr
            loss = contrastive_loss(model, normalize_images(images), tokens)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            result.losses.append(float(loss.detach()))
            if progress is not None:
                progress(step, result.losses[-1], lr)
            step += 1
    result.seconds = time.perf_counter() - start
    model.eval()
    return result
