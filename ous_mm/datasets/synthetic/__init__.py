"""Synthetic scene-DFER data (drawn faces in drawn scenes) for tests, the demo and pretraining."""
from .corpus import (ATTRIBUTE_KEYS, CORPUS_SEED_DOMAIN, CORPUS_VERSION, corpus_rng, iter_corpus,
                     sample_corpus_item)
from .generator import (CLASS_NAMES, POLARITY_MAP, generate_dataset, plan_clips,
                        render_clip)

__all__ = [
    'ATTRIBUTE_KEYS', 'CORPUS_SEED_DOMAIN', 'CORPUS_VERSION', 'corpus_rng', 'iter_corpus',
    'sample_corpus_item', 'CLASS_NAMES', 'POLARITY_MAP', 'generate_dataset', 'plan_clips',
    'render_clip'
]
