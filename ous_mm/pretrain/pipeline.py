"""Pretrain a small CLIP on the generated corpus, or return the cached one.

:func:`ensure_pretrained_clip` is what ``tools/pretrain_clip.py`` and the demo
call: it returns the path of an open_clip-format checkpoint that the OUS configs
load through ``backbone.pretrained`` / ``cls_head.pretrained``. The cache key
is a hash of everything that decides the weights: the arch, the corpus config
(with its version), the training config, the source code of the corpus /
caption / trainer / drawing modules, and the torch and open_clip versions.
"""
import glob
import hashlib
import json
import os
import os.path as osp
import platform
import time
from typing import Callable, Dict, Optional, Tuple

import open_clip
import torch

from ..datasets import synthetic
from ..models.utils.open_clip_utils import ArchType, resolve_model_cfg
from .checkpoint import cached_checkpoint, clip_cache_root, write_entry
from .corpus import CaptionedImages, CorpusConfig, corpus_source, render_corpus
from .evaluate import evaluate_clip
from .trainer import TrainConfig, train_contrastive

#: Source files that decide the weights (their text is hashed into the cache key): the
#: drawing code of the synthetic package and this package's corpus, captions and trainer.
WEIGHT_DEFINING_SOURCES = (osp.join(osp.dirname(synthetic.__file__), '*.py'),
                           osp.join(osp.dirname(__file__), '*.py'))

Log = Optional[Callable[[str], None]]
StepHook = Optional[Callable[[int, float, float], None]]


def build_clip(arch: ArchType) -> open_clip.CLIP:
    """A random-init open_clip ``CLIP`` of ``arch`` (a model name or a model-config dict)."""
    return open_clip.CLIP(**resolve_model_cfg(arch))


def load_clip(arch: ArchType, path: str) -> open_clip.CLIP:
    """A CLIP of ``arch`` with the weights of an open_clip state-dict file (strict), in eval mode."""
    model = build_clip(arch)
    model.load_state_dict(torch.load(path, map_location='cpu', weights_only=True), strict=True)
    return model.eval()


def code_version() -> str:
    """sha256 (16 hex) of the source files in :data:`WEIGHT_DEFINING_SOURCES`."""
    digest = hashlib.sha256()
    for pattern in WEIGHT_DEFINING_SOURCES:
        for path in sorted(glob.glob(pattern)):
            digest.update(osp.basename(path).encode('utf-8'))
            with open(path, 'rb') as f:
                digest.update(f.read())
    return digest.hexdigest()[:16]


def cache_key(arch: ArchType, corpus_cfg: CorpusConfig, train_cfg: TrainConfig) -> Tuple[str, Dict]:
    """The cache key (16 hex) and the dict it hashes."""
    torch_version = '.'.join(torch.__version__.split('+')[0].split('.')[:2])
    keyed = dict(arch=resolve_model_cfg(arch), corpus=corpus_cfg.as_dict(),
                 train=train_cfg.as_dict(), code=code_version(), torch=torch_version,
                 open_clip=open_clip.__version__)
    blob = json.dumps(keyed, sort_keys=True, default=list).encode('utf-8')
    return hashlib.sha256(blob).hexdigest()[:16], keyed


def pretrain_clip(arch: ArchType, corpus_cfg: CorpusConfig, train_cfg: TrainConfig,
                  workers: int = 1, log: Log = None,
                  on_step: StepHook = None) -> Tuple[open_clip.CLIP, Dict]:
    """Render the corpus, train a CLIP contrastively, evaluate it on held-out items.

    Returns the trained model and its card (arch, corpus, training args, timings,
    final loss, zero-shot and linear-probe accuracies in percent). Uses the
    caller's torch threads (``tools/pretrain_clip.py`` sets 1: on a busy 2-core
    machine two threads were 8x slower per step, measured).
    """
    say = log or (lambda msg: None)
    image_size = int(resolve_model_cfg(arch)['vision_cfg']['image_size'])
    if corpus_cfg.image_size != image_size:
        raise ValueError(f'the corpus images are {corpus_cfg.image_size} px but the arch\'s '
                         f'vision tower takes {image_size} px: set CorpusConfig.image_size')
    start = time.perf_counter()
    say(f'rendering {corpus_cfg.num_items} + {corpus_cfg.heldout_items} corpus items')
    train_items = render_corpus(corpus_cfg, 'train', workers=workers)
    heldout = render_corpus(corpus_cfg, 'heldout', workers=workers)
    dataset = CaptionedImages(train_items, corpus_cfg,
                              int(resolve_model_cfg(arch)['text_cfg'].get('context_length', 77)))
    render_s = time.perf_counter() - start
    say(f'corpus ready in {render_s:.1f} s; training {train_cfg.steps} steps of '
        f'{train_cfg.batch_size} pairs')
    torch.manual_seed(train_cfg.seed)
    model = build_clip(arch)
    result = train_contrastive(model, dataset, train_cfg, on_step)
    say(f'trained in {result.seconds:.1f} s, final loss {result.final_loss:.3f}; evaluating')
    metrics = evaluate_clip(model, heldout)
    card = dict(
        arch=resolve_model_cfg(arch), quick_gelu=bool(resolve_model_cfg(arch).get('quick_gelu', False)),
        corpus=corpus_cfg.as_dict(), corpus_source=corpus_source(), train=train_cfg.as_dict(),
        wall_seconds=round(time.perf_counter() - start, 1), render_seconds=round(render_s, 1),
        train_seconds=round(result.seconds, 1), final_loss=round(result.final_loss, 4),
        first_loss=round(result.losses[0], 4), metrics={k: round(v, 2) if isinstance(v, float)
                                                        else v for k, v in metrics.items()},
        torch_threads=torch.get_num_threads(), machine=platform.machine(),
        torch=torch.__version__, open_clip=open_clip.__version__,
        created=time.strftime('%Y-%m-%dT%H:%M:%S'))
    return model, card


def ensure_pretrained_clip(arch: ArchType, corpus_cfg: Optional[CorpusConfig] = None,
                           train_cfg: Optional[TrainConfig] = None,
                           cache_root: Optional[str] = None, force: bool = False,
                           workers: Optional[int] = None, log: Log = None,
                           on_step: StepHook = None) -> str:
    """Path of the pretrained CLIP checkpoint for these arguments, training it if not cached.

    Args:
        arch: open_clip arch (model name or model-config dict; the OUS configs' arch).
        corpus_cfg / train_cfg: corpus and training arguments (defaults: the shipped recipe).
        cache_root: cache directory (default :func:`clip_cache_root`).
        force: retrain even when a valid entry exists.
        workers: processes rendering the corpus (does not change the result; default:
            up to 2, the CPUs of the machine the demo targets).
        log / on_step: progress callbacks (messages; ``(step, loss, lr)``).

    A cached entry is verified (sha256 against its card) before it is returned;
    a corrupt entry is discarded with a :class:`CorruptCacheWarning` and retrained.
    """
    corpus_cfg = corpus_cfg or CorpusConfig()
    train_cfg = train_cfg or TrainConfig()
    say = log or (lambda msg: None)
    key, keyed = cache_key(arch, corpus_cfg, train_cfg)
    entry = osp.join(cache_root or clip_cache_root(), key)
    if not force:
        found = cached_checkpoint(entry)
        if found is not None:
            say(f'cached pretrained CLIP: {found}')
            return found
    workers = workers or min(2, os.cpu_count() or 1)
    model, card = pretrain_clip(arch, corpus_cfg, train_cfg, workers, log, on_step)
    card.update(key=key, code=keyed['code'])
    path = write_entry(entry, model.state_dict(), card, replace=force)
    say(f'saved {path}')
    return path
