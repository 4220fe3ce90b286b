"""The image-text corpus the tiny CLIP is pretrained on: drawn faces in drawn scenes.

Why a separate corpus: the evaluation sets (``tools/data/synthetic/generate.py``)
must stay unseen. Corpus items are single still frames drawn by the synthetic
corpus API from BROADER random parameters (any intensity of an expression,
blends, ambiguous faces, face and frame sizes, background people, ...), seeded
from their own seed domain: item ``i`` of corpus seed ``s`` uses
``np.random.default_rng([*PRETRAIN_SEED_DOMAIN, s, i])`` (six 32-bit words; every
evaluation clip stream has at most three, ``[seed, index(, tag)]``), so no corpus
item replays an evaluation clip. The held-out items (zero-shot figures) are the
items after the training ones in the same stream.

:func:`draw_corpus_item` is the one place that knows what draws an item; the
views, captions (:mod:`.captions`) and the Dataset only read its attribute dict
(the keys documented in ``ous_mm/datasets/synthetic/corpus.py``).
"""
from dataclasses import asdict, dataclass
from multiprocessing import Pool
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch
from torch.utils.data import Dataset

from ..datasets.face_track import crop_resize, square_region
from .captions import caption

# the generator family's corpus API (styles, scene kinds, distractors, degradations)
from ..datasets.synthetic import sample_corpus_item
from ..datasets.synthetic.corpus_content import get_content

#: Bump when how items are viewed or captioned changes (part of the cache key, with the code).
CORPUS_VERSION = 1
#: First four entropy words of every item generator (ASCII "OUSPRETRAIN" + 1).
PRETRAIN_SEED_DOMAIN = (0x4F555350, 0x52455452, 0x41494E00, 0x00000001)
SPLITS = ('train', 'heldout')
#: A face crop needs at least this many face pixels in the frame to show its parts.
MIN_FACE_PIXELS = 16


def corpus_source() -> str:
    """Which drawing code makes the items (recorded in the pretraining card)."""
    return f'{sample_corpus_item.__module__}.sample_corpus_item'


def draw_corpus_item(rng: np.random.Generator, size: int,
                     content: str = 'full') -> Tuple[np.ndarray, Dict]:
    """One corpus frame (RGB uint8, ``size`` x ``size``) and its attributes.

    The adapter onto the synthetic drawing code (``sample_corpus_item``): switching
    the drawing code is a change of this function only. ``content``: what the corpus
    draws (``ous_mm/datasets/synthetic/corpus_content.py``: 'full' or 'restricted').
    """
    return sample_corpus_item(rng, size, content)


@dataclass(frozen=True)
class CorpusConfig:
    """What the corpus is (every field is part of the pretraining cache key).

    Args:
        num_items: training items (each one view of one drawn frame).
        heldout_items: items of the held-out split (zero-shot / linear-probe figures).
        seed: corpus seed (the seed domain keeps it disjoint from evaluation sets).
        image_size: side of the images the tower sees (the OUS configs' ``img_size``).
        face_share: share of items that are face crops (the rest are whole frames).
        margin: crop margin around the face box (``FaceSceneSplit.margin`` of the configs).
        frame_sizes: range of the drawn frame side before cropping / resizing.
        captions_per_item: caption variants drawn per item (one is picked per step).
        content: what the items draw: 'full' (every face style) or 'restricted' (no
            shaded faces; the tower of the domain-shifted ``ood_*`` variants). Left out
            of :meth:`as_dict` when 'full', so the full corpus keys its tower as before.
    """
    num_items: int = 8000
    heldout_items: int = 1000
    seed: int = 0
    image_size: int = 64
    face_share: float = 0.65
    margin: float = 0.1
    frame_sizes: Tuple[int, int] = (64, 160)
    captions_per_item: int = 4
    version: int = CORPUS_VERSION
    content: str = 'full'

    def __post_init__(self):
        get_content(self.content)  # an unknown content stops here, with the known ones

    def as_dict(self) -> Dict:
        out = asdict(self)
        if out['content'] == 'full':
            del out['content']
        return out


def item_rng(seed: int, index: int, *extra: int) -> np.random.Generator:
    """The generator of corpus item ``index`` (see the module doc for the seed domain)."""
    return np.random.default_rng([*PRETRAIN_SEED_DOMAIN, seed, index, *extra])


def render_item(cfg: CorpusConfig, index: int) -> Tuple[np.ndarray, str, Dict]:
    """Image (``image_size`` square, uint8 RGB), view and attributes of item ``index``.

    A face view is cropped as :class:`FaceSceneSplit` crops a face (square around
    the box with ``margin``, zero-padded, resized); a scene view is the whole frame
    resized. An item drawn for a face view whose face is smaller than
    :data:`MIN_FACE_PIXELS` becomes a scene view (its crop would show no face parts).
    """
    rng = item_rng(cfg.seed, index)
    size = int(rng.integers(cfg.frame_sizes[0], cfg.frame_sizes[1] + 1))
    want_face = rng.random() < cfg.face_share
    frame, attrs = draw_corpus_item(rng, size, cfg.content)
    x1, y1, x2, y2 = attrs['face_box']
    view = 'face' if want_face and min(x2 - x1, y2 - y1) >= MIN_FACE_PIXELS else 'scene'
    s = cfg.image_size
    if view == 'face':
        cx, cy, side = square_region(attrs['face_box'], cfg.margin)
        image = crop_resize(frame, cx, cy, side, s)
    else:
        interp = cv2.INTER_AREA if size > s else cv2.INTER_LINEAR
        image = cv2.resize(frame, (s, s), interpolation=interp)
    return image, view, attrs


def _render_job(job):
    cfg, index = job
    return render_item(cfg, index)


@dataclass
class Corpus:
    """Rendered items: indices, images ``(N, S, S, 3)`` uint8, views, attributes."""
    indices: List[int]
    images: np.ndarray
    views: List[str]
    attributes: List[Dict]

    def __len__(self) -> int:
        return len(self.views)


def render_corpus(cfg: CorpusConfig, split: str = 'train', num_items: Optional[int] = None,
                  workers: int = 1) -> Corpus:
    """Draw the items of ``split``: ``train`` = items ``0 .. num_items - 1``, ``heldout`` = the
    ``heldout_items`` after them (never trained on). ``num_items`` overrides the count.

    Items depend only on (seed, index), whatever ``workers`` is.
    """
    if split not in SPLITS:
        raise ValueError(f'split must be one of {SPLITS}, got {split!r}')
    start = 0 if split == 'train' else cfg.num_items
    if num_items is None:
        num_items = cfg.num_items if split == 'train' else cfg.heldout_items
    jobs = [(cfg, start + i) for i in range(num_items)]
    if workers > 1:
        with Pool(workers) as pool:
            rows = pool.map(_render_job, jobs, chunksize=max(1, min(256, len(jobs) // workers)))
    else:
        rows = [_render_job(job) for job in jobs]
    images = np.stack([r[0] for r in rows]) if rows else np.zeros(
        (0, cfg.image_size, cfg.image_size, 3), np.uint8)
    return Corpus(indices=[j[1] for j in jobs], images=images, views=[r[1] for r in rows],
                  attributes=[r[2] for r in rows])


def tokenize(texts: Sequence[str], context_length: int = 77) -> torch.Tensor:
    """CLIP token ids ``(N, L)``, cut after the longest end-of-text token.

    Positions after a sequence's end-of-text token do not change its CLIP text
    feature (causal mask, pooled at end-of-text), so shorter batches are exact.
    """
    from open_clip.tokenizer import SimpleTokenizer
    tokenizer = SimpleTokenizer(context_length=context_length)
    for text in texts:
        if len(tokenizer.encode(text)) + 2 > context_length:
            raise ValueError(f'caption longer than the text context ({context_length} tokens): '
                             f'{text!r}')
    ids = tokenizer(list(texts))
    length = int(ids.argmax(dim=-1).max().item()) + 1  # end-of-text has the largest id
    return ids[:, :length].contiguous()


class CaptionedImages(Dataset):
    """A rendered corpus as a torch Dataset of (image, caption tokens).

    Each item holds ``captions_per_item`` caption variants (deterministic per item);
    ``__getitem__`` returns the uint8 image ``(3, S, S)`` and all variants' tokens
    ``(K, L)``; the trainer picks one variant per step with its own generator.
    """

    def __init__(self, corpus: Corpus, cfg: CorpusConfig, context_length: int = 77) -> None:
        k = cfg.captions_per_item
        if k < 1:
            raise ValueError('captions_per_item must be >= 1')
        self.captions: List[List[str]] = []
        for index, view, attrs in zip(corpus.indices, corpus.views, corpus.attributes):
            rng = item_rng(cfg.seed, index, 1)
            self.captions.append([caption(attrs, view, rng) for _ in range(k)])
        flat = tokenize([c for caps in self.captions for c in caps], context_length)
        self.tokens = flat.view(len(corpus), k, -1)
        self.images = torch.from_numpy(np.ascontiguousarray(corpus.images)).permute(0, 3, 1, 2)

    def __len__(self) -> int:
        return self.images.shape[0]

    def __getitem__(self, index: int) -> Tuple[torch.Tensor, torch.Tensor]:
        return self.images[index], self.tokens[index]
