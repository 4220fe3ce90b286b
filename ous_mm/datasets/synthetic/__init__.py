"""Synthetic scene-DFER data (drawn faces in drawn scenes): a family of variants for tests,
the demo and experiments, and a still-image corpus for pretraining a small CLIP."""
from .caps import design_caps, max_uar
from .corpus import (ATTRIBUTE_KEYS, CORPUS_SEED_DOMAIN, CORPUS_VERSION, corpus_rng, iter_corpus,
                     sample_corpus_item)
from .generator import (CLASS_NAMES, POLARITY_MAP, default_out, generate_dataset, plan_clips,
                        render_clip, render_clip_with_info, resolve_spec, variant_meta,
                        variant_summary)
from .spec import VariantSpec
from .variants import VARIANTS, get_variant

__all__ = [
    'design_caps', 'max_uar', 'ATTRIBUTE_KEYS', 'CORPUS_SEED_DOMAIN', 'CORPUS_VERSION',
    'corpus_rng', 'iter_corpus', 'sample_corpus_item', 'CLASS_NAMES', 'POLARITY_MAP',
    'default_out', 'generate_dataset', 'plan_clips', 'render_clip', 'render_clip_with_info',
    'resolve_spec', 'variant_meta', 'variant_summary', 'VariantSpec', 'VARIANTS', 'get_variant'
]
