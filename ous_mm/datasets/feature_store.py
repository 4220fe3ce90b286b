"""Memory-mapped store of frozen-encoder features, keyed by clip id.

OUS freezes its CLIP vision encoder, which is nearly all of the compute of a
training step. ``tools/extract_features.py`` runs it once per clip (and per
augmented view) and writes the outputs here, so that training reads a few KB
per clip instead of decoding video and running a ViT on ``2 x T`` frames.

On-disk format (one directory; every array is a standard ``.npy`` file, so
``np.load(path, mmap_mode='r')`` opens it without reading it)::

    STORE/
      index.json   {"format": "ous-feature-store", "version": 1,
                    "clip_ids": [...],          # row r of every array = clip_ids[r]
                    "num_views": K, "dtype": "float16",
                    "shapes": {"embed": [N, K, 2, T, D], "early": [N, K, 2, T, E]},
                    "meta": {...}}              # config, split, pipeline, ... (free form)
      embed.npy    (N, K, 2, T, D)  final projected embedding per frame;
                                     stream 0 = face clip, 1 = scene clip
      early.npy    (N, K, 2, T, E)  pooled output of the first blocks (polarity encoder)
      done.npy     (N, K) bool       which (clip, view) rows are written
      face_fallback.npy (N, K) bool  the face stream of that view is the documented
                                     centre-crop fallback (no face found)

``embed``/``early`` are allocated on the first write (their last dimensions come
from the backbone). ``done`` is flushed only after the feature rows it marks, so
an interrupted extraction never marks a row that is not on disk; re-running the
extraction resumes at the first missing row. A store written by several
processes is a set of such directories (one per rank) that :func:`merge_stores`
combines into one.
"""
import json
import os
import os.path as osp
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

STORE_FORMAT = 'ous-feature-store'
STORE_VERSION = 1
ARRAY_NAMES = ('embed', 'early')
INDEX_FILE = 'index.json'
DONE_FILE = 'done.npy'
FALLBACK_FILE = 'face_fallback.npy'


class FeatureStoreError(RuntimeError):
    """A missing, incomplete or inconsistent feature store; the message names it."""


def _write_json_atomic(path: str, obj: dict) -> None:
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(obj, f)
    os.replace(tmp, path)


def _read_index(path: str) -> dict:
    index_path = osp.join(path, INDEX_FILE)
    if not osp.isfile(index_path):
        raise FeatureStoreError(
            f'{path}: not a feature store (no {INDEX_FILE}); create it with '
            f'`python tools/extract_features.py CONFIG --out {path}`')
    try:
        with open(index_path) as f:
            index = json.load(f)
    except json.JSONDecodeError as err:
        raise FeatureStoreError(f'{index_path}: corrupt index ({err.msg})') from None
    if index.get('format') != STORE_FORMAT or index.get('version') != STORE_VERSION:
        raise FeatureStoreError(
            f'{index_path}: expected format {STORE_FORMAT!r} version {STORE_VERSION}, '
            f'got {index.get("format")!r} version {index.get("version")!r}')
    return index


class FeatureStoreWriter:
    """Create or reopen a store for writing; resumable.

    Args:
        path: Store directory.
        clip_ids: The clips this store holds, in row order. Reopening an
            existing store with different ids is refused (it would silently mix
            two datasets).
        num_views: Feature views per clip (augmented copies; 1 without augmentation).
        dtype: Storage dtype; ``float16`` halves the disk and page-cache
            footprint and is exact enough for features fed to a trained head.
        meta: Free-form provenance (config, split, pipeline) saved in the index.
    """

    def __init__(self, path: str, clip_ids: Sequence[str], num_views: int = 1,
                 dtype: str = 'float16', meta: Optional[dict] = None):
        if num_views < 1:
            raise ValueError(f'num_views must be >= 1, got {num_views}')
        clip_ids = [str(c) for c in clip_ids]
        if len(set(clip_ids)) != len(clip_ids):
            dup = sorted({c for c in clip_ids if clip_ids.count(c) > 1})[:5]
            raise FeatureStoreError(f'{path}: duplicate clip ids, e.g. {dup}')
        self.path = path
        os.makedirs(path, exist_ok=True)
        index_path = osp.join(path, INDEX_FILE)
        if osp.isfile(index_path):
            index = _read_index(path)
            if index['clip_ids'] != clip_ids or index['num_views'] != num_views \
                    or index['dtype'] != np.dtype(dtype).name:
                raise FeatureStoreError(
                    f'{path}: exists with other clips, views or dtype '
                    f'({len(index["clip_ids"])} clips x {index["num_views"]} views '
                    f'{index["dtype"]}, asked {len(clip_ids)} x {num_views} '
                    f'{np.dtype(dtype).name}); use another --out or delete it')
            self.index = index
        else:
            self.index = dict(format=STORE_FORMAT, version=STORE_VERSION,
                              clip_ids=clip_ids, num_views=num_views,
                              dtype=np.dtype(dtype).name, shapes={}, meta=meta or {})
            _write_json_atomic(index_path, self.index)
        self.row_of = {c: i for i, c in enumerate(clip_ids)}
        done_path = osp.join(path, DONE_FILE)
        fallback_path = osp.join(path, FALLBACK_FILE)
        if osp.isfile(done_path) and self.index['shapes']:  # resume; else stale files
            self.done = np.load(done_path, mmap_mode='r+')
            self.face_fallback = np.load(fallback_path, mmap_mode='r+')
        else:
            self.face_fallback = np.lib.format.open_memmap(
                fallback_path, mode='w+', dtype=np.bool_, shape=(len(clip_ids), num_views))
            self.done = np.lib.format.open_memmap(
                done_path, mode='w+', dtype=np.bool_, shape=(len(clip_ids), num_views))
        self.arrays: Dict[str, np.memmap] = {}
        self._unflushed: List[Tuple[int, int]] = []
        for name in ARRAY_NAMES:
            if name in self.index['shapes']:
                self.arrays[name] = np.load(osp.join(path, name + '.npy'), mmap_mode='r+')

    @property
    def num_clips(self) -> int:
        return len(self.index['clip_ids'])

    def pending(self) -> List[Tuple[int, int]]:
        """(row, view) pairs not written yet, in order."""
        rows, views = np.nonzero(~np.asarray(self.done))
        return list(zip(rows.tolist(), views.tolist()))

    def _allocate(self, features: Dict[str, np.ndarray]) -> None:
        n, k = self.num_clips, self.index['num_views']
        for name in ARRAY_NAMES:
            shape = (n, k) + tuple(features[name].shape)
            self.arrays[name] = np.lib.format.open_memmap(
                osp.join(self.path, name + '.npy'), mode='w+',
                dtype=np.dtype(self.index['dtype']), shape=shape)
            self.index['shapes'][name] = list(shape)
        _write_json_atomic(osp.join(self.path, INDEX_FILE), self.index)

    def write(self, row: int, view: int, embed: np.ndarray, early: np.ndarray,
              face_fallback: bool = False) -> None:
        """Write one clip view: ``embed (2, T, D)``, ``early (2, T, E)``.

        ``face_fallback`` records that the face stream is the centre-crop fallback
        (``FaceSceneSplit``), so cached runs still report it. The row is marked done
        at the next :meth:`flush`.
        """
        features = dict(embed=np.asarray(embed), early=np.asarray(early))
        if not self.arrays:
            self._allocate(features)
        for name, value in features.items():
            expected = tuple(self.index['shapes'][name][2:])
            if value.shape != expected:
                raise FeatureStoreError(
                    f'{self.path}: {name} of clip {self.index["clip_ids"][row]!r} has shape '
                    f'{value.shape}, the store holds {expected} (same config and '
                    f'clip_len as the first clips?)')
            self.arrays[name][row, view] = value
        self.face_fallback[row, view] = bool(face_fallback)
        self._unflushed.append((row, view))

    def flush(self) -> None:
        """Flush written features to disk, then mark their rows done."""
        if not self._unflushed:
            return
        for arr in self.arrays.values():
            arr.flush()
        self.face_fallback.flush()
        for row, view in self._unflushed:
            self.done[row, view] = True
        self.done.flush()
        self._unflushed = []


class FeatureStore:
    """Read-only view of a complete store (what training reads).

    Opening memory-maps the arrays; nothing is read until a clip is asked for,
    so every dataloader worker can open its own copy cheaply (the page cache is
    shared). Opening is lazy in :class:`LoadCachedFeatures` for that reason.

    Args:
        path: Store directory.
        allow_incomplete: Open a store whose extraction has not finished;
            asking for a missing row still raises.
    """

    def __init__(self, path: str, allow_incomplete: bool = False):
        self.path = path
        self.index = _read_index(path)
        if not self.index['shapes']:
            raise FeatureStoreError(f'{path}: empty store (no clip was extracted yet)')
        self.row_of = {c: i for i, c in enumerate(self.index['clip_ids'])}
        self.done = np.load(osp.join(path, DONE_FILE), mmap_mode='r')
        self.arrays = {name: np.load(osp.join(path, name + '.npy'), mmap_mode='r')
                       for name in ARRAY_NAMES}
        self.face_fallback = np.load(osp.join(path, FALLBACK_FILE), mmap_mode='r')
        if not allow_incomplete and not bool(np.all(self.done)):
            missing = int((~np.asarray(self.done)).sum())
            raise FeatureStoreError(
                f'{path}: incomplete store, {missing} clip views missing; finish it by '
                're-running the same tools/extract_features.py command (it resumes)')

    @property
    def num_views(self) -> int:
        return int(self.index['num_views'])

    @property
    def clip_ids(self) -> List[str]:
        return self.index['clip_ids']

    def __len__(self) -> int:
        return len(self.index['clip_ids'])

    def __contains__(self, clip_id) -> bool:
        return str(clip_id) in self.row_of

    def get(self, clip_id, view: int = 0) -> Dict[str, np.ndarray]:
        """Features of one clip view as float32 arrays ``(2, T, D)``, ``(2, T, E)``."""
        row = self.row_of.get(str(clip_id))
        if row is None:
            raise FeatureStoreError(
                f'{self.path}: no features for clip {clip_id!r}; the store was extracted '
                f'from another split or dataset (split={self.index["meta"].get("split")!r})')
        if not 0 <= view < self.num_views:
            raise FeatureStoreError(
                f'{self.path}: view {view} asked, the store holds {self.num_views}')
        if not self.done[row, view]:
            raise FeatureStoreError(
                f'{self.path}: clip {clip_id!r} view {view} was never extracted')
        return {name: np.array(arr[row, view], dtype=np.float32)
                for name, arr in self.arrays.items()}

    def is_face_fallback(self, clip_id, view: int = 0) -> bool:
        """Whether the face stream of this clip view was the centre-crop fallback."""
        return bool(self.face_fallback[self.row_of[str(clip_id)], view])


def merge_stores(parts: Iterable[str], out: str, clip_ids: Sequence[str],
                 meta: Optional[dict] = None) -> FeatureStore:
    """Merge per-rank stores into one store at ``out`` with rows in ``clip_ids`` order.

    Every (clip, view) must be done in at least one part (the first one wins);
    a missing one raises, naming up to five of them.
    """
    parts = [FeatureStore(p, allow_incomplete=True) for p in parts]
    if not parts:
        raise FeatureStoreError(f'{out}: nothing to merge')
    first = parts[0]
    num_views, dtype = first.num_views, first.index['dtype']
    for part in parts[1:]:
        if part.num_views != num_views or part.index['dtype'] != dtype or \
                part.index['shapes']['embed'][2:] != first.index['shapes']['embed'][2:]:
            raise FeatureStoreError(f'{part.path}: views/dtype/shape differ from {first.path}')
    writer = FeatureStoreWriter(out, clip_ids, num_views, dtype, meta=meta or first.index['meta'])
    missing = []
    for row, view in writer.pending():
        clip_id = writer.index['clip_ids'][row]
        for part in parts:
            prow = part.row_of.get(clip_id)
            if prow is not None and part.done[prow, view]:
                writer.write(row, view, part.arrays['embed'][prow, view],
                             part.arrays['early'][prow, view],
                             face_fallback=part.face_fallback[prow, view])
                break
        else:
            missing.append((clip_id, view))
    writer.flush()
    if missing:
        raise FeatureStoreError(
            f'{out}: {len(missing)} clip views are in no part, e.g. {missing[:5]}; '
            're-run the extraction (it resumes) before merging')
    return FeatureStore(out)
