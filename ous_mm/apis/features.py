"""Run the frozen CLIP vision encoder once over a dataset and cache its outputs.

The library side of ``tools/extract_features.py`` (the tool parses arguments and
prints). OUS never trains its vision encoder, so encoding every frame again in
each of 60 epochs is wasted work: :func:`extract_features` writes, per clip (and
per augmented view), the backbone outputs the rest of the model needs -- the
final per-frame embedding and the early-block features of the Polarity Encoder,
for the face and the scene stream -- into a memory-mapped store
(:mod:`ous_mm.datasets.feature_store`).

Distributed: each rank encodes the rows ``rank::world`` into its own part
``OUT/parts/rank{r}-of{w}``; rank 0 merges them. A re-run resumes (also with
another number of processes). Each view runs the pipeline under its own seed
(:func:`view_seed`), so a resumed or resharded run draws the same views.
"""
import os
import os.path as osp
import random
import shutil
import time
import zlib
from dataclasses import asdict, dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.dist import barrier, get_dist_info, is_main_process
from mmengine.logging import print_log

from ous_mm.utils.precision import default_compute_dtype

SPLIT_LOADERS = dict(train='train_dataloader', val='val_dataloader', test='test_dataloader')
COMPUTE_DTYPES = ('auto', 'float32', 'bfloat16', 'float16')


@dataclass
class ExtractOptions:
    """What to extract and how (the flags of ``tools/extract_features.py``).

    ``pipeline='auto'`` runs the split's own pipeline (random augmentation for
    train); ``compute_dtype='auto'`` is bf16 on CUDA and fp32 on the CPU
    (:func:`ous_mm.utils.precision.default_compute_dtype`); ``device=None`` is
    ``cuda:<LOCAL_RANK>`` when CUDA is available, else the CPU (:func:`resolve_device`).
    """
    split: str = 'train'
    views: int = 1
    pipeline: str = 'auto'
    checkpoint: Optional[str] = None
    batch_size: int = 8
    num_workers: int = 2
    store_dtype: str = 'float16'
    compute_dtype: str = 'auto'
    fused: bool = True
    device: Optional[str] = None
    seed: int = 0
    flush_every: int = 16

    def __post_init__(self):
        if self.views < 1:
            raise ValueError(f'views must be >= 1, got {self.views}')
        if self.split not in SPLIT_LOADERS:
            raise ValueError(f'split must be one of {tuple(SPLIT_LOADERS)}, got {self.split!r}')
        if self.compute_dtype not in COMPUTE_DTYPES:
            raise ValueError(f'compute_dtype must be one of {COMPUTE_DTYPES}')


# ----------------------------------------------------------------------- devices and dtypes
def resolve_device(requested: Optional[str], local_rank: int, world: int,
                   cuda_count: Optional[int] = None) -> str:
    """The device this process encodes on.

    ``None``/``'cuda'`` -> ``cuda:<local_rank>`` (each torchrun process on its own
    GPU; CPU when CUDA is absent and nothing was asked); ``'cpu'`` -> CPU; an
    explicit ``'cuda:N'`` is honoured for one process and refused for several
    (every rank would land on GPU N).
    """
    cuda_count = torch.cuda.device_count() if cuda_count is None else cuda_count
    if requested is None:
        requested = 'cuda' if cuda_count > 0 else 'cpu'
    kind = torch.device(requested)
    if kind.type != 'cuda':
        return str(kind)
    if cuda_count == 0:
        raise RuntimeError(f'--device {requested}: no CUDA device is visible to this process')
    if kind.index is not None:
        if world > 1:
            raise ValueError(f'--device {requested} with {world} processes would put every rank '
                             'on that GPU: pass --device cuda (rank r uses cuda:<LOCAL_RANK>), '
                             'and choose GPUs with CUDA_VISIBLE_DEVICES')
        if kind.index >= cuda_count:
            raise ValueError(f'--device {requested}: only {cuda_count} CUDA device(s) visible')
        return str(kind)
    if local_rank >= cuda_count:
        raise ValueError(f'LOCAL_RANK {local_rank} but only {cuda_count} CUDA device(s) are '
                         'visible: start at most one process per GPU')
    return f'cuda:{local_rank}'


def resolve_compute_dtype(name: str, device: str) -> torch.dtype:
    """``'auto'`` -> bf16 on CUDA (fp16 without bf16 support), fp32 elsewhere."""
    if name == 'auto':
        return default_compute_dtype(device)
    return getattr(torch, name)


# ----------------------------------------------------------------------- dataset side
def view_seed(seed: int, clip_id: str, view: int) -> int:
    """Seed of one (clip, view): fixed, so a resumed or resharded run draws the same views."""
    return zlib.crc32(f'{seed}/{clip_id}/{view}'.encode()) & 0x7FFFFFFF


class ClipViewDataset(torch.utils.data.Dataset):
    """(row, view) items of a dataset; each view runs the pipeline under its own seed.

    ``prepare_data`` is called directly: mmengine's ``__getitem__`` would silently
    replace a failing clip by a random other one, which would store features
    under the wrong clip id.
    """

    def __init__(self, dataset, clip_ids: Sequence[str], items: Sequence[Tuple[int, int]],
                 seed: int):
        self.dataset, self.clip_ids, self.items, self.seed = dataset, clip_ids, items, seed

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> dict:
        row, view = self.items[i]
        clip_id = self.clip_ids[row]
        s = view_seed(self.seed, clip_id, view)
        random.seed(s)
        np.random.seed(s)
        torch.manual_seed(s)
        data = self.dataset.prepare_data(row)
        if data is None:
            raise RuntimeError(f'the pipeline returned None for clip {clip_id!r} (row {row})')
        got = data['data_samples'].metainfo.get('clip_id', clip_id)
        if str(got) != clip_id:
            raise RuntimeError(f'row {row}: expected clip {clip_id!r}, pipeline gave {got!r}')
        return dict(row=row, view=view, data=data)


def collate_views(batch: List[dict]) -> dict:
    """Batch of :class:`ClipViewDataset` items: rows, views and the collated samples."""
    return dict(rows=[b['row'] for b in batch], views=[b['view'] for b in batch],
                data=pseudo_collate([b['data'] for b in batch]))


def dataset_clip_ids(dataset) -> List[str]:
    """Clip ids in dataset order, from the annotations (no video is read)."""
    dataset.full_init()
    ids = []
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        if 'clip_id' not in info:
            raise KeyError(f'{type(dataset).__name__} item {i} has no `clip_id`; '
                           'the feature store is keyed by it')
        ids.append(str(info['clip_id']))
    return ids


def build_split_dataset(cfg: Config, split: str, pipeline: str):
    """The dataset of ``split`` with the ``'train'``/``'test'`` pipeline (``'auto'``: its own)."""
    from mmaction.registry import DATASETS
    loader_key = SPLIT_LOADERS[split]
    if cfg.get(loader_key) is None:
        raise KeyError(f'{cfg.filename}: no {loader_key} for split {split!r}')
    ds_cfg = cfg[loader_key]['dataset'].copy()
    if pipeline == 'test':
        source = cfg.get('test_dataloader') or cfg.get('val_dataloader')
        ds_cfg['pipeline'] = source['dataset']['pipeline']
    elif pipeline == 'train':
        ds_cfg['pipeline'] = cfg['train_dataloader']['dataset']['pipeline']
    return DATASETS.build(ds_cfg)


# ----------------------------------------------------------------------- model side
def build_frozen_encoder(cfg: Config, checkpoint: Optional[str], device: str,
                         fused: bool = True, dtype: torch.dtype = torch.float32, seed: int = 0):
    """The model's data preprocessor and frozen backbone, weights loaded, eval mode.

    ``checkpoint`` (trained OUS weights) loads strictly (:func:`load_checkpoint_strict`:
    missing or unexpected keys raise, naming them); a lean checkpoint (saved with
    ``save_frozen_encoders=False``) is the one documented exception, its towers come
    from the config's ``pretrained``. ``fused``/``dtype`` apply
    :func:`~ous_mm.models.backbones.fused_vit_blocks.optimize_vision_tower` afterwards.
    """
    from mmaction.registry import MODELS
    from ous_mm.models.backbones.fused_vit_blocks import optimize_vision_tower
    from ous_mm.utils import load_checkpoint_strict
    torch.manual_seed(seed)  # identical random-init towers on every rank and every resume
    model = MODELS.build(cfg.model)
    model.init_weights()  # pretrained towers (also what a lean checkpoint needs)
    if not checkpoint and not getattr(model.backbone, 'pretrained', None):
        print_log('the backbone has no pretrained weights and no checkpoint was given: '
                  'the features come from a random tower (seeded) and fit only '
                  'a model with these very weights', logger='current', level=30)
    if checkpoint:
        load_checkpoint_strict(model, checkpoint, map_location='cpu')
    backbone = model.backbone
    if not getattr(backbone, 'frozen', False) or any(
            p.requires_grad for p in backbone.parameters()):
        raise RuntimeError(
            f'{cfg.filename}: the backbone is trained in this config, so cached features '
            'would go stale after the first step; cache only frozen-backbone configs')
    model.eval().to(device)
    if hasattr(backbone, 'visual'):
        optimize_vision_tower(backbone.visual, fused_blocks=fused,
                              dtype=None if dtype == torch.float32 else dtype)
    return model.data_preprocessor, backbone


# ----------------------------------------------------------------------- store parts
def part_dir(out: str, rank: int, world: int) -> str:
    """The part directory of one rank."""
    return osp.join(out, 'parts', f'rank{rank}-of{world}')


def done_elsewhere(out: str, mine: str) -> set:
    """(clip_id, view) already written by any other part (a run with another world size)."""
    from ous_mm.datasets.feature_store import FeatureStore, FeatureStoreError
    done = set()
    parts_root = osp.join(out, 'parts')
    if not osp.isdir(parts_root):
        return done
    for name in sorted(os.listdir(parts_root)):
        path = osp.join(parts_root, name)
        if path == mine:
            continue
        try:
            part = FeatureStore(path, allow_incomplete=True)
        except FeatureStoreError:
            continue  # a part that never got its first batch
        rows, views = np.nonzero(np.asarray(part.done))
        done.update((part.clip_ids[r], int(v)) for r, v in zip(rows, views))
    return done


def store_is_complete(out: str) -> bool:
    """A finished store is at ``out`` (an interrupted merge is not)."""
    from ous_mm.datasets.feature_store import FeatureStore, FeatureStoreError
    if not osp.isfile(osp.join(out, 'index.json')):
        return False
    try:
        FeatureStore(out)
        return True
    except FeatureStoreError:
        return False


# ----------------------------------------------------------------------- the loop
@torch.inference_mode()
def encode_batch(preprocessor, backbone, data: dict, dtype: torch.dtype):
    """``embed (B, 2, T, D)``, ``early (B, 2, T, E)`` float32 numpy of one collated batch."""
    clips = preprocessor(data, training=False)['inputs']  # (B, 2, T, 3, H, W)
    b, s, t = clips.shape[:3]
    embed, early = backbone(clips.flatten(0, 2).to(dtype))
    return (embed.float().reshape(b, s, t, -1).cpu().numpy(),
            early.float().reshape(b, s, t, -1).cpu().numpy())


def _write_views(loader, writer, encode, local_row: Dict[int, int], flush_every: int,
                 total: int, rank: int) -> None:
    """Encode every batch of ``loader`` into ``writer``, flushing every ``flush_every``."""
    start, done_count = time.time(), 0
    for step, batch in enumerate(loader):
        embed, early = encode(batch['data'])
        samples = batch['data']['data_samples']
        for i, (row, view) in enumerate(zip(batch['rows'], batch['views'])):
            writer.write(local_row[row], view, embed[i], early[i],
                         face_fallback=samples[i].metainfo.get('face_fallback', False))
        done_count += len(batch['rows'])
        if (step + 1) % flush_every == 0:
            writer.flush()
        if rank == 0 and ((step + 1) % 10 == 0 or done_count == total):
            rate = done_count / max(time.time() - start, 1e-9)
            print_log(f'[{done_count}/{total}] {rate:.2f} clip views/s, eta '
                      f'{(total - done_count) / max(rate, 1e-9) / 60:.1f} min (rank 0)',
                      logger='current')
    writer.flush()


def _extract_part(cfg: Config, dataset, clip_ids: List[str], out: str, opts: ExtractOptions,
                  meta: dict, device: str, dtype: torch.dtype) -> int:
    """Encode this rank's pending clip views into its part; returns how many it encoded."""
    from ous_mm.datasets.feature_store import FeatureStoreWriter
    rank, world = get_dist_info()
    my_rows = list(range(rank, len(clip_ids), world))
    if not my_rows:
        raise RuntimeError(f'{len(clip_ids)} clips cannot be shared by {world} processes; '
                           'use fewer')
    mine = part_dir(out, rank, world)
    writer = FeatureStoreWriter(mine, [clip_ids[r] for r in my_rows], opts.views,
                                opts.store_dtype, meta=meta)
    skip = done_elsewhere(out, mine)
    items = [(my_rows[r], v) for r, v in writer.pending()
             if (clip_ids[my_rows[r]], v) not in skip]
    total = len(my_rows) * opts.views
    print_log(f'rank {rank}/{world}: {len(items)} of {total} clip views to extract '
              f'({total - len(items)} done already) -> {mine} on {device}', logger='current')
    if not items:
        return 0
    preprocessor, backbone = build_frozen_encoder(cfg, opts.checkpoint, device, opts.fused,
                                                  dtype, opts.seed)
    loader = torch.utils.data.DataLoader(
        ClipViewDataset(dataset, clip_ids, items, opts.seed), batch_size=opts.batch_size,
        shuffle=False, num_workers=opts.num_workers, collate_fn=collate_views)
    _write_views(loader, writer, lambda data: encode_batch(preprocessor, backbone, data, dtype),
                 {row: i for i, row in enumerate(my_rows)}, opts.flush_every, len(items), rank)
    return len(items)


def extract_features(cfg: Config, out: str, opts: ExtractOptions,
                     meta: Optional[dict] = None) -> str:
    """Extract this rank's share into its part, then (rank 0) merge; returns the store path.

    ``cfg`` is the end-to-end config (with any overrides applied); call after
    ``init_dist`` in a distributed run. ``meta`` adds provenance to the store's
    index (the tool records its ``--cfg-options``). A complete store at ``out``
    makes it a no-op.
    """
    from mmengine.registry import init_default_scope
    from ous_mm.datasets.feature_store import merge_stores
    from ous_mm.utils import apply_config_switches
    cfg = apply_config_switches(cfg)  # clip_len, img_size, face_detector, fold, ...
    init_default_scope(cfg.get('default_scope', 'mmaction'))  # what the Runner does
    device = resolve_device(opts.device, int(os.environ.get('LOCAL_RANK', 0)),
                            get_dist_info()[1])
    dtype = resolve_compute_dtype(opts.compute_dtype, device)
    pipeline = opts.pipeline if opts.pipeline != 'auto' else (
        'train' if opts.split == 'train' else 'test')
    if opts.views > 1 and pipeline == 'test':
        print_log('views > 1 with the deterministic test pipeline stores identical views',
                  logger='current', level=30)
    meta = {**asdict(opts), **(meta or {}), 'config': osp.abspath(cfg.filename or ''),
            'pipeline': pipeline, 'device': device,
            'compute_dtype': str(dtype).replace('torch.', '')}
    dataset = build_split_dataset(cfg, opts.split, pipeline)
    clip_ids = dataset_clip_ids(dataset)
    if not clip_ids:
        raise RuntimeError(f'{cfg.filename}: the {opts.split} split has no clips')
    if store_is_complete(out):
        print_log(f'{out}: complete already, nothing to do', logger='current')
        return out
    _extract_part(cfg, dataset, clip_ids, out, opts, meta, device, dtype)
    barrier()
    if is_main_process():
        parts = [osp.join(out, 'parts', p) for p in sorted(os.listdir(osp.join(out, 'parts')))]
        merge_stores(parts, out, clip_ids, meta=meta)
        shutil.rmtree(osp.join(out, 'parts'))
        print_log(f'{out}: {len(clip_ids)} clips x {opts.views} views written', logger='current')
    barrier()
    return out
