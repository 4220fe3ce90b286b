"""Pretrain a small CLIP here, on CPU, for the paper's frozen-encoder regime.

No pretrained CLIP can be fetched offline, so this package draws an image-text
corpus (faces and scenes from the synthetic drawing code, templated captions),
trains an open_clip ``CLIP`` contrastively in a few minutes, and caches the
open_clip-format checkpoint (``ensure_pretrained_clip``), which the OUS configs
load through ``backbone.pretrained`` / ``cls_head.pretrained``.
docs/method.md, "The frozen-encoder regime on CPU", has the recipe and figures.
"""
from .captions import EXPRESSIONS, POLARITIES, caption, face_part_phrases
from .checkpoint import CorruptCacheWarning, clip_cache_root, read_card, verified_checkpoint
from .corpus import (CaptionedImages, Corpus, CorpusConfig, draw_corpus_item, render_corpus,
                     render_item)
from .evaluate import evaluate_clip, evaluate_on_synthetic_clips
from .pipeline import (build_clip, cache_key, ensure_pretrained_clip, load_clip,
                       pretrain_clip)
from .trainer import TrainConfig, TrainResult, contrastive_loss, train_contrastive

__all__ = [
    'EXPRESSIONS', 'POLARITIES', 'caption', 'face_part_phrases', 'CorruptCacheWarning',
    'clip_cache_root', 'read_card', 'verified_checkpoint', 'CaptionedImages',
    'Corpus', 'CorpusConfig', 'draw_corpus_item', 'render_corpus', 'render_item',
    'evaluate_clip', 'evaluate_on_synthetic_clips', 'build_clip', 'cache_key',
    'ensure_pretrained_clip', 'load_clip', 'pretrain_clip',
    'TrainConfig', 'TrainResult', 'contrastive_loss', 'train_contrastive'
]
