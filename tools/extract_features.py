"""Run the frozen CLIP vision encoder once over a dataset and cache its outputs.

OUS never trains its vision encoder, so encoding every frame again in each of 60
epochs is wasted work. This tool writes, per clip (and per augmented view), the
backbone outputs the rest of the model needs -- the final per-frame embedding and
the early-block features of the Polarity Encoder, for the face and the scene
stream -- into a memory-mapped store (format: ``ous_mm/datasets/feature_store.py``).
Any config then trains the same model from the stores with ``--cfg-options feature_cache=ROOT``
(``ROOT/[fold<K>/]{train,val,test}``, see ``ous_mm.utils.feature_store_dirs``).

    # one process
    python tools/extract_features.py CONFIG --split train --views 4 \
        --out data/features/dfew_vitl14/fold1/train
    python tools/extract_features.py CONFIG --out data/features/dfew_vitl14/fold1/test --split test
    # several processes / GPUs (torchrun; rank 0 merges the per-rank parts)
    python -m torch.distributed.run --nproc_per_node 8 tools/extract_features.py CONFIG \
        --out STORE --split train --launcher pytorch

Re-running the same command resumes where it stopped (also with another number
of processes). ``--views K`` caches K augmented views per training clip, each
drawn through the config's *training* pipeline with its own seed; training then
draws one view per clip per epoch (see ``benchmarks/README.md``).
"""
import argparse
import os
import os.path as osp
import random
import shutil
import time
import zlib
from typing import List, Sequence, Tuple

import numpy as np
import torch
from mmengine.config import Config, DictAction
from mmengine.dataset import pseudo_collate
from mmengine.dist import barrier, get_dist_info, init_dist, is_main_process
from mmengine.logging import print_log
from mmengine.registry import init_default_scope

SPLIT_LOADERS = dict(train='train_dataloader', val='val_dataloader', test='test_dataloader')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Cache frozen-encoder features of an OUS config')
    parser.add_argument('config', help='OUS config (the end-to-end one, not a cached one)')
    parser.add_argument('--out', required=True, help='feature store directory')
    parser.add_argument('--split', choices=tuple(SPLIT_LOADERS), default='train')
    parser.add_argument('--views', type=int, default=1,
                        help='augmented views per clip (train pipeline, one seed each)')
    parser.add_argument('--pipeline', choices=('auto', 'train', 'test'), default='auto',
                        help="pipeline to run: 'auto' = the split's own (random augmentation "
                        "for train), 'test' = the deterministic val/test pipeline")
    parser.add_argument('--checkpoint', help='load these model weights after init_weights() '
                        '(e.g. a trained OUS checkpoint); default: the config\'s pretrained CLIP')
    parser.add_argument('--batch-size', type=int, default=8, help='clips per forward pass')
    parser.add_argument('--num-workers', type=int, default=2, help='dataloader workers')
    parser.add_argument('--store-dtype', choices=('float16', 'float32'), default='float16')
    parser.add_argument('--compute-dtype', choices=('float32', 'bfloat16', 'float16'),
                        default='float32',
                        help='run the frozen tower in this dtype (its weights are cast once; '
                        'bfloat16 is ~2x faster on CPUs with AVX512-BF16/AMX and on GPUs)')
    parser.add_argument('--no-fused', action='store_true',
                        help='keep open_clip\'s own blocks instead of the fused SDPA/QuickGELU '
                        'blocks of ous_mm.models.backbones.fast_vit (same outputs, faster)')
    parser.add_argument('--device', default=None, help="default: 'cuda' when available")
    parser.add_argument('--seed', type=int, default=0, help='seed of the augmented views')
    parser.add_argument('--flush-every', type=int, default=16,
                        help='batches between flushes (the resume granularity)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if args.views < 1:
        parser.error('--views must be >= 1')
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


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


def collate(batch: List[dict]) -> dict:
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


def build_dataset(cfg: Config, split: str, pipeline: str):
    from mmaction.registry import DATASETS
    loader_key = SPLIT_LOADERS[split]
    if cfg.get(loader_key) is None:
        raise KeyError(f'{cfg.filename}: no {loader_key} for --split {split}')
    ds_cfg = cfg[loader_key]['dataset'].copy()
    if pipeline == 'test':
        source = cfg.get('test_dataloader') or cfg.get('val_dataloader')
        ds_cfg['pipeline'] = source['dataset']['pipeline']
    elif pipeline == 'train':
        ds_cfg['pipeline'] = cfg['train_dataloader']['dataset']['pipeline']
    return DATASETS.build(ds_cfg)


def build_encoder(cfg: Config, checkpoint, device: str, fused: bool = True,
                  dtype: torch.dtype = torch.float32, seed: int = 0):
    """The model's data preprocessor and frozen backbone, weights loaded, eval mode.

    ``fused``/``dtype`` apply :func:`optimize_vision_tower` after the weights are loaded.
    """
    from mmaction.registry import MODELS
    torch.manual_seed(seed)  # identical random-init towers on every rank and every resume
    model = MODELS.build(cfg.model)
    model.init_weights()
    if not checkpoint and not getattr(model.backbone, 'pretrained', None):
        print_log('the backbone has no pretrained weights and no --checkpoint was given: '
                  'the features come from a random tower (seeded by --seed) and fit only '
                  'a model with these very weights', logger='current', level=30)
    if checkpoint:
        from mmengine.runner import load_checkpoint
        load_checkpoint(model, checkpoint, map_location='cpu', strict=False)
    backbone = model.backbone
    if not getattr(backbone, 'frozen', False) or any(
            p.requires_grad for p in backbone.parameters()):
        raise RuntimeError(
            f'{cfg.filename}: the backbone is trained in this config, so cached features '
            'would go stale after the first step; cache only frozen-backbone configs')
    model.eval().to(device)
    if hasattr(backbone, 'visual'):
        from ous_mm.models.backbones.fast_vit import optimize_vision_tower
        optimize_vision_tower(backbone.visual, fused_blocks=fused,
                              dtype=None if dtype == torch.float32 else dtype)
    return model.data_preprocessor, backbone


def part_dir(out: str, rank: int, world: int) -> str:
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


def extract(args) -> str:
    """Extract this rank's share into its part, then (rank 0) merge. Returns the store path."""
    import ous_mm  # noqa: F401  (upstream fixes + registration)
    from ous_mm.datasets.feature_store import FeatureStore, FeatureStoreWriter, merge_stores
    from ous_mm.utils import apply_config_switches

    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg = apply_config_switches(cfg)  # clip_len, img_size, face_detector, fold, ...
    init_default_scope(cfg.get('default_scope', 'mmaction'))  # what the Runner does
    if args.launcher != 'none':
        init_dist(args.launcher)
    rank, world = get_dist_info()
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    if device == 'cuda' and world > 1:
        device = f'cuda:{int(os.environ.get("LOCAL_RANK", 0))}'

    pipeline = args.pipeline
    if pipeline == 'auto':
        pipeline = 'train' if args.split == 'train' else 'test'
    if args.views > 1 and pipeline == 'test':
        print_log('--views > 1 with the deterministic test pipeline stores identical views',
                  logger='current', level=30)
    meta = dict(config=osp.abspath(args.config), split=args.split, pipeline=pipeline,
                seed=args.seed, checkpoint=args.checkpoint, compute_dtype=args.compute_dtype,
                fused=not args.no_fused,
                cfg_options=args.cfg_options)

    dataset = build_dataset(cfg, args.split, pipeline)
    clip_ids = dataset_clip_ids(dataset)
    if not clip_ids:
        raise RuntimeError(f'{args.config}: the {args.split} split has no clips')
    out = args.out
    final_index = osp.join(out, 'index.json')
    if osp.isfile(final_index):
        try:
            FeatureStore(out)
            if is_main_process():
                print_log(f'{out}: complete already, nothing to do', logger='current')
            return out
        except Exception:  # an interrupted merge: finish it below
            pass

    my_rows = list(range(rank, len(clip_ids), world))
    if not my_rows:
        raise RuntimeError(f"{len(clip_ids)} clips cannot be shared by {world} processes; use fewer")
    mine = part_dir(out, rank, world)
    writer = FeatureStoreWriter(mine, [clip_ids[r] for r in my_rows], args.views,
                                args.store_dtype, meta=meta)
    skip = done_elsewhere(out, mine)
    items = [(my_rows[r], v) for r, v in writer.pending()
             if (clip_ids[my_rows[r]], v) not in skip]
    local_row = {row: i for i, row in enumerate(my_rows)}
    total = len(my_rows) * args.views
    print_log(f'rank {rank}/{world}: {len(items)} of {total} clip views to extract '
              f'({total - len(items)} done already) -> {mine}', logger='current')

    if items:
        dtype = getattr(torch, args.compute_dtype)
        preprocessor, backbone = build_encoder(cfg, args.checkpoint, device,
                                               fused=not args.no_fused, dtype=dtype,
                                               seed=args.seed)
        loader = torch.utils.data.DataLoader(
            ClipViewDataset(dataset, clip_ids, items, args.seed), batch_size=args.batch_size,
            shuffle=False, num_workers=args.num_workers, collate_fn=collate)
        start, done_count = time.time(), 0
        for step, batch in enumerate(loader):
            with torch.inference_mode():
                clips = preprocessor(batch['data'], training=False)['inputs']  # (B,2,T,3,H,W)
                b, s, t = clips.shape[:3]
                embed, early = backbone(clips.flatten(0, 2).to(dtype))
                embed = embed.float().reshape(b, s, t, -1).cpu().numpy()
                early = early.float().reshape(b, s, t, -1).cpu().numpy()
            samples = batch['data']['data_samples']
            for i, (row, view) in enumerate(zip(batch['rows'], batch['views'])):
                writer.write(local_row[row], view, embed[i], early[i],
                             face_fallback=samples[i].metainfo.get('face_fallback', False))
            done_count += b
            if (step + 1) % args.flush_every == 0:
                writer.flush()
            if rank == 0 and ((step + 1) % 10 == 0 or done_count == len(items)):
                rate = done_count / max(time.time() - start, 1e-9)
                eta = (len(items) - done_count) / max(rate, 1e-9)
                print_log(f'[{done_count}/{len(items)}] {rate:.2f} clip views/s, '
                          f'eta {eta / 60:.1f} min (rank 0)', logger='current')
        writer.flush()

    barrier()
    if is_main_process():
        parts = [osp.join(out, 'parts', p) for p in sorted(os.listdir(osp.join(out, 'parts')))]
        merge_stores(parts, out, clip_ids, meta=meta)
        shutil.rmtree(osp.join(out, 'parts'))
        print_log(f'{out}: {len(clip_ids)} clips x {args.views} views written', logger='current')
    barrier()
    return out


def main(argv=None):
    extract(parse_args(argv))


if __name__ == '__main__':
    main()
