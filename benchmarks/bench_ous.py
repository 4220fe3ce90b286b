"""OUS speed benchmarks: matmul rate, frozen-encoder FLOP/s, inference, training.

    python benchmarks/bench_ous.py                 # full run (a quiet machine: ~30 min on 2 CPU cores)
    python benchmarks/bench_ous.py --quick         # small shapes, 3 repeats (~5 min)
    python benchmarks/bench_ous.py --only matmul encoder --out my.json

Sections (``--only``):
  matmul     the practical matmul limit: GEMM rate in fp32 and bf16 on this machine,
             same process, same threads (best median over ViT-shaped and square GEMMs)
  encoder    the frozen CLIP vision encoder (CLIPVisionBackbone, ViT-B/16, random init):
             achieved FLOP/s (FLOPs counted analytically, cross-checked with
             torch.utils.flop_counter) as a fraction of that matmul rate, for the plain
             open_clip tower and the fused one (ous_mm.models.backbones.fused_vit_blocks),
             fp32 and bf16
  inference  OUS clips/s and peak memory, tiny / ViT-B/16 / ViT-L/14 (each in a fresh
             subprocess so that peak RSS belongs to that model alone)
  train      training clips/s of the same ViT-B/16 OUS model and batch end to end
             (uint8 frames -> frozen encoder -> neck/head, backward, Adam step) vs from
             cached features (what feature_cache=ROOT trains on)

Each measurement: warm-up calls, then ``repeats`` timed calls; the median is
reported, all times are kept in the JSON. The encoder variants and the GEMMs of
the matmul limit are timed in interleaved rounds (A B A B ...) so that load from
other processes hits them alike; training steps of each kind run consecutively,
as in a real run.
The JSON also records the machine, torch version, threads and the load average.
"""
import argparse
import json
import os
import os.path as osp
import platform
import statistics
import subprocess
import sys
import time
from typing import Callable, Dict, List

import torch

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)

DTYPES = dict(fp32=torch.float32, bf16=torch.bfloat16, fp16=torch.float16)
ARCH_CONFIGS = dict(
    tiny='configs/ous/ous_tiny_synthetic.py',
    vitb16='configs/ous/ous_vitb16_dfew.py',
    vitl14='configs/ous/ous_vitl14_dfew.py')


# ----------------------------------------------------------------------------- helpers
def sync(device: str) -> None:
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def time_calls(fn: Callable, repeats: int, warmup: int, device: str) -> List[float]:
    for _ in range(warmup):
        fn()
    sync(device)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        sync(device)
        times.append(time.perf_counter() - start)
    return times


def interleaved(fns: Dict[str, Callable], repeats: int, warmup: int,
                device: str) -> Dict[str, List[float]]:
    """Time several variants in alternating rounds; returns all times per variant."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    sync(device)
    times = {k: [] for k in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            sync(device)
            times[name].append(time.perf_counter() - start)
    return times


def machine_info(device: str) -> dict:
    cpu = platform.processor()
    try:
        with open('/proc/cpuinfo') as f:
            cpu = next(line.split(':', 1)[1].strip() for line in f if line.startswith('model name'))
    except (OSError, StopIteration):
        pass
    info = dict(cpu=cpu, logical_cpus=os.cpu_count(), torch=torch.__version__,
                torch_threads=torch.get_num_threads(), python=platform.python_version(),
                load_avg=os.getloadavg(), device=device)
    if device.startswith('cuda'):
        info['gpu'] = torch.cuda.get_device_name()
    return info


def rss_mib(field: str = 'VmRSS') -> float:
    """This process's resident memory (``VmRSS``) or its peak (``VmHWM``) in MiB.

    ``VmHWM`` rather than ``getrusage().ru_maxrss``: Linux carries the parent's
    peak into ``ru_maxrss`` across fork + exec, so a child started by a big
    parent would report the parent's peak.
    """
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1]) / 1024
    return float('nan')


# ----------------------------------------------------------------------------- matmul
def bench_matmul(args) -> dict:
    """Median GEMM rate per shape and dtype; the practical limit is the best shape."""
    shapes = matmul_shapes(args.quick, 16 if args.quick else 64)
    out = {}
    for dname in args.dtypes:
        dtype = DTYPES[dname]
        rows = []
        for m, k, n in shapes:
            a = torch.randn(m, k, device=args.device).to(dtype)
            b = torch.randn(k, n, device=args.device).to(dtype)
            with torch.inference_mode():
                times = time_calls(lambda: torch.mm(a, b), args.repeats, 2, args.device)
            gflops = 2 * m * k * n / statistics.median(times) / 1e9
            rows.append(dict(shape=[m, k, n], times_s=times, gflop_s=gflops))
            print(f'  matmul {dname} {m}x{k}x{n}: {gflops:.1f} GFLOP/s', flush=True)
        out[dname] = dict(shapes=rows, limit_gflop_s=max(r['gflop_s'] for r in rows))
    return out


# ----------------------------------------------------------------------------- encoder
def vit_flops(visual, image_size: int) -> int:
    """Forward FLOPs (2 per multiply-add) of an open_clip ViT tower for one image.

    Patch embedding, per block qkv / attention scores / attention x values / out
    projection / MLP, and the final projection of the pooled token. LayerNorm,
    softmax and activations (O(L*W)) are left out: they are not matmul work.
    """
    width = visual.transformer.width
    patch = visual.conv1.kernel_size[0]
    grid = image_size // patch
    tokens = grid * grid + 1
    mlp = visual.transformer.resblocks[0].mlp.c_fc.out_features
    blocks = len(visual.transformer.resblocks)
    per_block = (2 * tokens * width * 3 * width + 2 * 2 * tokens * tokens * width
                 + 2 * tokens * width * width + 2 * 2 * tokens * width * mlp)
    proj = 2 * width * visual.proj.shape[1] if visual.proj is not None else 0
    return 2 * grid * grid * 3 * patch * patch * width + blocks * per_block + proj


def counted_flops(backbone, image_size: int) -> int:
    from torch.utils.flop_counter import FlopCounterMode
    x = torch.randn(1, 3, image_size, image_size)
    with FlopCounterMode(display=False) as counter, torch.inference_mode():
        backbone(x)
    return counter.get_total_flops()


def build_backbone(arch: str, fused: bool, dtype: torch.dtype, device: str):
    import ous_mm  # noqa: F401
    from ous_mm.models.backbones import CLIPVisionBackbone
    from ous_mm.models.backbones.fused_vit_blocks import optimize_vision_tower
    torch.manual_seed(0)
    # autocast off: the caller's dtype is what runs (the tower is cast to it below)
    backbone = CLIPVisionBackbone(arch=arch, pretrained=None, quick_gelu=True,
                                  autocast_dtype=None)
    backbone.eval()
    optimize_vision_tower(backbone.visual, fused_blocks=fused, dtype=dtype)
    return backbone.to(device)


def matmul_shapes(quick: bool, frames: int = 64):
    """Square and ViT-B-shaped (tokens x width x mlp) GEMMs: the practical matmul limit."""
    if quick:
        return [(1024, 1024, 1024), (frames * 197, 768, 3072), (frames * 197, 3072, 768)]
    return [(2048, 2048, 2048), (frames * 197, 768, 3072), (frames * 197, 3072, 768)]


def bench_encoder(args) -> dict:
    """Encoder FLOP/s as a fraction of the same-dtype matmul rate, measured in the same rounds.

    Each round times the plain tower, the fused tower and each reference GEMM back to
    back, so a burst of load from other processes hits numerator and denominator
    alike; the reported fraction is the median over rounds of (encoder rate / best
    GEMM rate of that round).
    """
    arch, size = 'ViT-B-16', 224
    batches = args.encoder_frames or ([16] if args.quick else [32, 64])
    out = dict(arch=arch, image_size=size, variants={})
    ref = build_backbone(arch, fused=True, dtype=torch.float32, device='cpu')
    flops = vit_flops(ref.visual, size)
    out['flops_per_frame_analytic'] = flops
    out['flops_per_frame_flop_counter'] = counted_flops(ref, size)
    del ref
    print(f'  encoder {arch}: {flops / 1e9:.2f} GFLOP/frame analytic, '
          f'{out["flops_per_frame_flop_counter"] / 1e9:.2f} by flop_counter (fused tower)',
          flush=True)
    for dname in args.dtypes:
        dtype = DTYPES[dname]
        towers = {name: build_backbone(arch, fused=(name == 'fused'), dtype=dtype,
                                       device=args.device) for name in ('plain', 'fused')}
        for batch in batches:
            x = torch.randn(batch, 3, size, size, device=args.device).to(dtype)
            fns = {n: (lambda t=t: t(x)) for n, t in towers.items()}
            gemm_flops = {}
            for m, k, n in matmul_shapes(args.quick, batch):
                a = torch.randn(m, k, device=args.device).to(dtype)
                b = torch.randn(k, n, device=args.device).to(dtype)
                key = f'mm_{m}x{k}x{n}'
                fns[key] = (lambda a=a, b=b: torch.mm(a, b))
                gemm_flops[key] = 2 * m * k * n
            with torch.inference_mode():
                times = interleaved(fns, args.repeats, 1, args.device)
            limits = [max(gemm_flops[g] / times[g][r] for g in gemm_flops) / 1e9
                      for r in range(args.repeats)]
            for name in towers:
                ts = times[name]
                rates = [flops * batch / t / 1e9 for t in ts]
                fracs = [rate / lim for rate, lim in zip(rates, limits)]
                row = dict(variant=name, dtype=dname, frames=batch, times_s=ts,
                           gflop_s=statistics.median(rates),
                           frames_s=batch / statistics.median(ts),
                           matmul_limit_gflop_s=statistics.median(limits),
                           matmul_times_s={g: times[g] for g in gemm_flops},
                           fraction_of_matmul=statistics.median(fracs),
                           fraction_per_round=fracs)
                out['variants'][f'{name}/{dname}/b{batch}'] = row
                print(f'  encoder {name:5s} {dname} {batch:3d} frames: {row["gflop_s"]:.1f} '
                      f'GFLOP/s, matmul {row["matmul_limit_gflop_s"]:.1f} GFLOP/s -> '
                      f'{100 * row["fraction_of_matmul"]:.0f}% (median of per-round ratios)',
                      flush=True)
        del towers
    best = {}
    for dname in args.dtypes:
        rows = [v for v in out['variants'].values() if v['dtype'] == dname]
        top = max(rows, key=lambda r: r['fraction_of_matmul'])
        best[dname] = dict(variant=top['variant'], frames=top['frames'],
                           fraction_of_matmul=top['fraction_of_matmul'])
    out['best'] = best
    return out


# ----------------------------------------------------------------------------- models
def build_ous(arch_key: str, device: str, fused: bool = False):
    import ous_mm  # noqa: F401
    from mmaction.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    cfg = Config.fromfile(osp.join(REPO, ARCH_CONFIGS[arch_key]))
    model_cfg = cfg.model
    model_cfg.backbone.pretrained = None  # random init: no download, same compute
    model_cfg.backbone.quick_gelu = True  # the activation of the 'openai' weights
    model_cfg.cls_head.pretrained = None
    torch.manual_seed(0)
    model = MODELS.build(model_cfg)
    from mmengine.logging import MMLogger
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel('WARNING')  # init_weights logs one line per parameter
    model.init_weights()
    logger.setLevel(level)
    if fused:
        from ous_mm.models.backbones.fused_vit_blocks import optimize_vision_tower
        optimize_vision_tower(model.backbone.visual)
    image_size = model.backbone.visual.image_size
    image_size = image_size[0] if isinstance(image_size, (tuple, list)) else image_size
    return model.to(device), int(image_size)


def fake_batch(batch: int, frames: int, size: int, num_classes: int, features=None):
    from mmaction.structures import ActionDataSample
    gen = torch.Generator().manual_seed(0)
    samples = []
    for i in range(batch):
        sample = ActionDataSample().set_gt_label(i % num_classes)
        sample.set_field(torch.tensor(i % 3), 'gt_polarity')
        samples.append(sample)
    if features is None:
        inputs = [torch.randint(0, 256, (2, frames, 3, size, size), generator=gen,
                                dtype=torch.uint8) for _ in range(batch)]
    else:
        inputs = [dict(embed=features[0][i].clone(), early=features[1][i].clone())
                  for i in range(batch)]
    return dict(inputs=inputs, data_samples=samples)


def child_inference(args) -> dict:
    """One arch in this (fresh) process: clips/s of test_step and peak memory."""
    base_rss = rss_mib()
    model, size = build_ous(args.arch, args.device, fused=args.fused)
    model.eval()
    num_classes = len(model.cls_head.class_names)
    data = fake_batch(args.batch, args.frames, size, num_classes)
    if args.device.startswith('cuda'):
        torch.cuda.reset_peak_memory_stats()
    with torch.inference_mode():
        times = time_calls(lambda: model.test_step(data), args.repeats, 1, args.device)
    peak_rss = rss_mib('VmHWM')
    out = dict(arch=args.arch, batch=args.batch, frames=args.frames, image_size=size,
               fused=args.fused, times_s=times,
               clips_s=args.batch / statistics.median(times),
               peak_rss_mib=peak_rss, rss_before_model_mib=base_rss,
               peak_over_baseline_mib=peak_rss - base_rss)
    if args.device.startswith('cuda'):
        out['peak_cuda_mib'] = torch.cuda.max_memory_allocated() / 2**20
    return out


def bench_inference(args) -> dict:
    plans = dict(tiny=(8, 16), vitb16=(2, 16), vitl14=(1, 8))  # (clips, frames per stream)
    if args.quick:
        plans = dict(tiny=(4, 8), vitb16=(1, 4), vitl14=(1, 2))
    out = {}
    for arch, (batch, frames) in plans.items():
        cmd = [sys.executable, osp.abspath(__file__), '--child', 'inference', '--arch', arch,
               '--batch', str(batch), '--frames', str(frames), '--device', args.device,
               '--repeats', str(max(2, args.repeats if arch != 'vitl14' else 2))]
        if args.threads:
            cmd += ['--threads', str(args.threads)]
        if args.fused:
            cmd += ['--fused']
        res = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
        line = [ln for ln in res.stdout.splitlines() if ln.startswith('{')]
        if res.returncode != 0 or not line:
            raise RuntimeError(f'inference child {arch} failed:\n{res.stderr[-3000:]}')
        out[arch] = json.loads(line[-1])
        r = out[arch]
        print(f'  inference {arch}: {r["clips_s"]:.3f} clips/s ({batch} clips x 2 x {frames} '
              f'frames), peak RSS {r["peak_rss_mib"]:.0f} MiB '
              f'(+{r["peak_over_baseline_mib"]:.0f} over the imports)', flush=True)
    return out


def bench_train(args) -> dict:
    """Same ViT-B/16 model, same batch: end-to-end train_step vs cached-feature train_step.

    Each kind is timed over consecutive steps (end-to-end first). Both steps run the full OUS training step (data preprocessor, model, losses,
    backward, Adam) on in-memory batches, so video decoding, which only the
    end-to-end path pays, is left out: the ratio is a lower bound. The end-to-end
    step is warmed up on a one-clip batch (its steps take minutes on a CPU).
    """
    from mmengine.optim import OptimWrapper
    batch, frames = args.train_batch, args.train_frames
    model, size = build_ous('vitb16', args.device, fused=args.fused)
    model.train()
    num_classes = len(model.cls_head.class_names)
    params = [p for p in model.parameters() if p.requires_grad]
    # foreach: the same Adam update as the default per-tensor loop, fewer kernel launches
    optim = OptimWrapper(torch.optim.Adam(params, lr=1e-4, foreach=True))
    e2e = fake_batch(batch, frames, size, num_classes)
    # cached features of the backbone's shapes (values do not change the step's cost;
    # tests/test_speed/test_cached_equivalence.py checks the values themselves)
    gen = torch.Generator().manual_seed(0)
    feats = (torch.randn(batch, 2, frames, model.backbone.embed_dim, generator=gen),
             torch.randn(batch, 2, frames, model.backbone.early_dim, generator=gen))
    cached = fake_batch(batch, frames, size, num_classes, features=feats)
    model.train_step(fake_batch(1, frames, size, num_classes), optim)  # warm-up e2e
    # Consecutive steps of one kind, as in a real run: a cached step timed right after
    # an end-to-end step (interleaved) was 5-15x slower and erratic on the shared CPU
    # (the big step's freed activations and page faults land on the next step).
    times = dict(
        end_to_end=time_calls(lambda: model.train_step(e2e, optim), args.train_repeats, 0,
                              args.device),
        cached=time_calls(lambda: model.train_step(cached, optim), args.repeats, 1,
                          args.device))
    if args.device == 'cpu' and torch.get_num_threads() > 1:
        # The cached step is many small ops: on a CPU shared with other processes,
        # OpenMP threads waiting for a descheduled sibling made it ~8x slower with 2
        # threads than with 1 here. Thread count is a setting, so measure both.
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        times['cached_1thread'] = time_calls(lambda: model.train_step(cached, optim),
                                             args.repeats, 1, args.device)
        torch.set_num_threads(threads)
    out = dict(arch='ViT-B-16', batch=batch, frames=frames, image_size=size, fused=args.fused,
               optimizer='Adam(foreach=True)',
               trainable_params=sum(p.numel() for p in params))
    for name, ts in times.items():
        out[name] = dict(times_s=ts, clips_s=batch / statistics.median(ts))
        print(f'  train {name}: {out[name]["clips_s"]:.3f} clips/s '
              f'(median step {statistics.median(ts):.2f} s)', flush=True)
    best = max(v['clips_s'] for k, v in out.items() if k.startswith('cached'))
    out['speedup_same_threads'] = out['cached']['clips_s'] / out['end_to_end']['clips_s']
    out['speedup'] = best / out['end_to_end']['clips_s']
    print(f'  train speedup cached / end-to-end: {out["speedup"]:.1f}x (same thread count: '
          f'{out["speedup_same_threads"]:.1f}x)', flush=True)
    return out


# ----------------------------------------------------------------------------- main
def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--quick', action='store_true', help='small shapes, few repeats')
    parser.add_argument('--only', nargs='+', choices=('matmul', 'encoder', 'inference', 'train'),
                        default=['matmul', 'encoder', 'inference', 'train'])
    parser.add_argument('--dtypes', nargs='+', choices=tuple(DTYPES), default=['fp32', 'bf16'])
    parser.add_argument('--repeats', type=int, default=None, help='timed calls (default 5, quick 3)')
    parser.add_argument('--threads', type=int, default=None, help='torch threads (default: torch)')
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--fused', action='store_true',
                        help='inference/train: run the encoder with the fused blocks')
    parser.add_argument('--encoder-frames', type=int, nargs='+', default=None,
                        help='encoder: frames per forward call (default 32 64, quick 16)')
    parser.add_argument('--train-batch', type=int, default=None,
                        help='train: clips per step (default 16 = the paper; quick 4)')
    parser.add_argument('--train-frames', type=int, default=None,
                        help='train: frames per stream (default 16 = the paper; quick 8)')
    parser.add_argument('--train-repeats', type=int, default=None,
                        help='train: timed end-to-end steps (default 3, quick 2)')
    parser.add_argument('--out', default=None, help='results JSON (default benchmarks/results/...)')
    parser.add_argument('--note', default='', help='free text saved in the JSON')
    # internal: one inference measurement in a fresh process
    parser.add_argument('--child', choices=('inference',), help=argparse.SUPPRESS)
    parser.add_argument('--arch', choices=tuple(ARCH_CONFIGS), help=argparse.SUPPRESS)
    parser.add_argument('--batch', type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument('--frames', type=int, default=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeats is None:
        args.repeats = 3 if args.quick else 5
    if args.train_batch is None:
        args.train_batch = 4 if args.quick else 16
    if args.train_frames is None:
        args.train_frames = 8 if args.quick else 16
    if args.train_repeats is None:
        args.train_repeats = 2 if args.quick else 3
    args.train_repeats = min(args.train_repeats, args.repeats)
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.child == 'inference':
        print(json.dumps(child_inference(args)))
        return
    results = dict(machine=machine_info(args.device), args=vars(args), note=args.note,
                   started=time.strftime('%Y-%m-%d %H:%M:%S %Z'))
    start = time.time()
    if 'matmul' in args.only:
        print('matmul rate', flush=True)
        results['matmul'] = bench_matmul(args)
    if 'encoder' in args.only:
        print('frozen encoder (with the matmul rate measured in the same rounds)', flush=True)
        results['encoder'] = bench_encoder(args)
    if 'inference' in args.only:
        print('inference', flush=True)
        results['inference'] = bench_inference(args)
    if 'train' in args.only:
        print('training', flush=True)
        results['train'] = bench_train(args)
    results['wall_s'] = time.time() - start
    results['machine']['load_avg_end'] = os.getloadavg()
    out = args.out or osp.join(REPO, 'benchmarks', 'results',
                               f'bench_{platform.node()}_{time.strftime("%Y%m%d_%H%M%S")}.json')
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    with open(out, 'w') as f:
        json.dump(results, f, indent=1)
    print(f'results: {out}')


if __name__ == '__main__':
    main()
