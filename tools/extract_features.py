"""Run the frozen CLIP vision encoder once over a dataset and cache its outputs.

    # one process; then train any config from the stores with
    # --cfg-options feature_cache=data/features/dfew_vitl14 (ROOT/[fold<K>/]{train,val,test},
    # see ous_mm.utils.feature_store_dirs)
    python tools/extract_features.py CONFIG --split train --views 4 \
        --out data/features/dfew_vitl14/fold1/train
    python tools/extract_features.py CONFIG --out data/features/dfew_vitl14/fold1/test --split test
    # several processes / GPUs (torchrun; each rank on cuda:<LOCAL_RANK>, rank 0 merges)
    python -m torch.distributed.run --nproc_per_node 8 tools/extract_features.py CONFIG \
        --out STORE --split train --launcher pytorch

Re-running the same command resumes where it stopped (also with another number
of processes). The logic lives in :mod:`ous_mm.apis.features`; store format:
``ous_mm/datasets/feature_store.py``; usage and figures: ``benchmarks/README.md``.
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # this checkout first

from mmengine.config import Config, DictAction  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Cache frozen-encoder features of an OUS config')
    parser.add_argument('config', help='OUS config (the end-to-end one, not a cached one)')
    parser.add_argument('--out', required=True, help='feature store directory')
    parser.add_argument('--split', choices=('train', 'val', 'test'), default='train')
    parser.add_argument('--views', type=int, default=1,
                        help='augmented views per clip (train pipeline, one seed each)')
    parser.add_argument('--pipeline', choices=('auto', 'train', 'test'), default='auto',
                        help="pipeline to run: 'auto' = the split's own (random augmentation "
                        "for train), 'test' = the deterministic val/test pipeline")
    parser.add_argument('--checkpoint', help='trained OUS weights to load after init_weights(), '
                        'strictly (missing/unexpected keys are an error; lean checkpoints take '
                        'their frozen towers from the config\'s pretrained CLIP); default: the '
                        'config\'s pretrained CLIP')
    parser.add_argument('--batch-size', type=int, default=8, help='clips per forward pass')
    parser.add_argument('--num-workers', type=int, default=2, help='dataloader workers')
    parser.add_argument('--store-dtype', choices=('float16', 'float32'), default='float16')
    parser.add_argument('--compute-dtype', choices=('auto', 'float32', 'bfloat16', 'float16'),
                        default='auto',
                        help="dtype the frozen tower runs in (weights cast once): 'auto' = "
                        'bfloat16 on CUDA, float32 on the CPU')
    parser.add_argument('--no-fused', action='store_true',
                        help='keep open_clip\'s own blocks instead of the fused SDPA/QuickGELU '
                        'blocks of ous_mm.models.backbones.fused_vit_blocks (same outputs)')
    parser.add_argument('--device', default=None,
                        help="'cuda' (default when available): cuda:<LOCAL_RANK> in each "
                        "process; 'cpu'; 'cuda:N' only with one process")
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


def main(argv=None):
    args = parse_args(argv)
    import ous_mm  # noqa: F401  (upstream fixes + registration)
    from mmengine.dist import init_dist, is_main_process
    from ous_mm.apis.features import ExtractOptions, extract_features

    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    opts = ExtractOptions(
        split=args.split, views=args.views, pipeline=args.pipeline, checkpoint=args.checkpoint,
        batch_size=args.batch_size, num_workers=args.num_workers, store_dtype=args.store_dtype,
        compute_dtype=args.compute_dtype, fused=not args.no_fused, device=args.device,
        seed=args.seed, flush_every=args.flush_every)
    if args.launcher != 'none':
        init_dist(args.launcher)
    out = extract_features(cfg, args.out, opts, meta=dict(cfg_options=args.cfg_options))
    if is_main_process():
        print(f'feature store: {out}')


if __name__ == '__main__':
    main()
