"""The stages of ``benchmarks/gpu_check.sh``: is a GPU node ready for the real OUS runs?

    python benchmarks/gpu_check.py STAGE --out DIR     # one stage -> DIR/STAGE.json
    python benchmarks/gpu_check.py summary --out DIR   # the table of every stage in DIR

Stages (each refuses with exit code 3 and one line when CUDA is absent):
  mmcv     mmcv's compiled ops: CUDA version they were built for, nms on the GPU
  encoder  frozen ViT-L/14 (random weights, fused blocks) in bf16: frames/s, TFLOP/s,
           fraction of the GPU's dense bf16 peak (datasheet table below) and of a
           measured bf16 GEMM; the config's default path (fp32 weights + bf16
           autocast); bf16 vs fp32 feature closeness on this GPU
  train    one ViT-L/14 OUS training step (batch 4 x 2 streams x 16 frames, Adam)
           end to end (uint8 frames -> encoder -> neck/head -> backward -> step) and
           from cached features, fp32+TF32 and --amp (bf16) optimizer wrappers
  ddp      2 processes (on one GPU with gloo when there is only one, else NCCL on
           two): DDP training steps of a small OUS model with the scene-face InfoNCE
           (all-gathered negatives), parameters in sync, gathered loss = 1-process loss
  runner   tools/train.py --amp for one epoch of the tiny synthetic config on the GPU
           (data loading, Runner, evaluation, checkpoint) on a freshly generated set
"""
import argparse
import json
import os
import os.path as osp
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import torch

HERE = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(HERE)
sys.path[:0] = [REPO, HERE]

NO_CUDA_EXIT = 3


def gpu_peak_bf16_tflops(name: str):
    """(model, dense bf16 tensor-core peak in TFLOP/s) from the device name, or (None, None).

    NVIDIA datasheet figures without sparsity (half the "with sparsity" number).
    """
    n = name.upper()
    if 'H200' in n:
        return ('H200 NVL', 835.5) if 'NVL' in n else ('H200 SXM', 989.4)
    if 'H100' in n:
        if 'NVL' in n:
            return 'H100 NVL', 835.5
        return ('H100 PCIe', 756.5) if 'PCIE' in n else ('H100 SXM', 989.4)
    if 'A100' in n:
        return 'A100', 312.0
    if 'L40S' in n:
        return 'L40S', 362.05
    return None, None


def require_cuda() -> None:
    """Exit with :data:`NO_CUDA_EXIT` and one line on stderr when torch sees no CUDA device."""
    if not torch.cuda.is_available():
        print('gpu_check: no CUDA device visible to torch (torch.cuda.is_available() is False, '
              f'torch {torch.__version__}); run it on a GPU node', file=sys.stderr)
        sys.exit(NO_CUDA_EXIT)


def median_time(fn, repeats: int, warmup: int) -> float:
    from bench_ous import time_calls
    return statistics.median(time_calls(fn, repeats, warmup, 'cuda'))


# ----------------------------------------------------------------------------- stages
def stage_mmcv(args) -> dict:
    import mmcv
    out = dict(mmcv=mmcv.__version__)
    try:
        from mmcv.ops import get_compiling_cuda_version, nms
        out['ops_cuda'] = get_compiling_cuda_version()
        boxes = torch.tensor([[0, 0, 10, 10], [1, 1, 10, 10], [50, 50, 60, 60.]], device='cuda')
        keep = nms(boxes, torch.tensor([0.9, 0.8, 0.7], device='cuda'), 0.5)[1]
        out['nms_on_gpu'] = keep.tolist() == [0, 2]
    except Exception as err:  # CPU-only ops raise here
        out.update(ops_cuda='not available', nms_on_gpu=False, error=str(err)[:300])
    out['ok'] = bool(out['nms_on_gpu'])
    return out


def _bf16_closeness(size: int) -> dict:
    """Cosine and relative error of bf16 features against fp32 (TF32 off) on this GPU."""
    from bench_ous import build_backbone
    exact = build_backbone('ViT-L-14', fused=True, dtype=None, device='cuda')
    exact.autocast_dtype = None
    x = torch.randn(32, 3, size, size, device='cuda')
    tf32 = torch.get_float32_matmul_precision()
    torch.set_float32_matmul_precision('highest')
    with torch.inference_mode():
        ref = exact(x)[0]
        exact.autocast_dtype = 'bf16'
        fast = exact(x)[0]
    torch.set_float32_matmul_precision(tf32)
    cos = torch.nn.functional.cosine_similarity(ref, fast, dim=-1)
    return dict(min_cosine=float(cos.min()),
                rel_l2=float((fast - ref).norm() / ref.norm()))


def stage_encoder(args) -> dict:
    from bench_ous import build_backbone, vit_flops
    from ous_mm.utils.precision import enable_tf32
    enable_tf32()
    name = torch.cuda.get_device_name()
    model, peak = gpu_peak_bf16_tflops(name)
    size = 224
    tower = build_backbone('ViT-L-14', fused=True, dtype=torch.bfloat16, device='cuda')
    flops = vit_flops(tower.visual, size)
    rows = []
    for frames in args.frames:
        x = torch.randn(frames, 3, size, size, device='cuda', dtype=torch.bfloat16)
        with torch.inference_mode():
            t = median_time(lambda: tower(x), args.repeats, 3)
        tflops = flops * frames / t / 1e12
        rows.append(dict(frames=frames, seconds=t, frames_s=frames / t, tflop_s=tflops,
                         of_peak=tflops / peak if peak else None))
    a = torch.randn(8192, 8192, device='cuda', dtype=torch.bfloat16)
    t = median_time(lambda: a @ a, args.repeats, 3)
    gemm = 2 * 8192 ** 3 / t / 1e12
    del tower
    default = build_backbone('ViT-L-14', fused=False, dtype=None, device='cuda')
    default.autocast_dtype = 'auto'  # the configs' path: fp32 weights, bf16 autocast
    x = torch.randn(args.frames[-1], 3, size, size, device='cuda')
    with torch.inference_mode():
        t = median_time(lambda: default(x), args.repeats, 2)
    best = max(rows, key=lambda r: r['tflop_s'])
    return dict(gpu=name, gpu_model=model, peak_bf16_tflops=peak, gflop_per_frame=flops / 1e9,
                rows=rows, best=best, gemm_bf16_tflops=gemm,
                of_gemm=best['tflop_s'] / gemm,
                autocast_fp32_weights_frames_s=args.frames[-1] / t,
                bf16_vs_fp32=_bf16_closeness(size),
                peak_memory_gib=torch.cuda.max_memory_allocated() / 2**30, ok=True)


def _optim_wrappers(params):
    from mmengine.optim import AmpOptimWrapper, OptimWrapper
    from ous_mm.utils.precision import amp_optim_wrapper
    amp = amp_optim_wrapper(dict(type='OptimWrapper'))
    amp.pop('type')
    return {'fp32+tf32': OptimWrapper(torch.optim.Adam(params, lr=1e-4)),
            f'amp {amp["dtype"]}': AmpOptimWrapper(optimizer=torch.optim.Adam(params, lr=1e-4),
                                                   **amp)}


def stage_train(args) -> dict:
    from bench_ous import build_ous, fake_batch
    from ous_mm.utils.precision import enable_tf32
    enable_tf32()
    model, size = build_ous('vitl14', 'cuda', fused=True)
    model.train()
    classes = len(model.cls_head.class_names)
    batch, frames = args.train_batch, args.train_frames
    e2e = fake_batch(batch, frames, size, classes)
    gen = torch.Generator().manual_seed(0)
    feats = (torch.randn(batch, 2, frames, model.backbone.embed_dim, generator=gen),
             torch.randn(batch, 2, frames, model.backbone.early_dim, generator=gen))
    cached = fake_batch(batch, frames, size, classes, features=feats)
    params = [p for p in model.parameters() if p.requires_grad]
    rows = {}
    for name, wrapper in _optim_wrappers(params).items():
        for kind, data in (('end to end', e2e), ('from cache', cached)):
            torch.cuda.reset_peak_memory_stats()
            t = median_time(lambda: model.train_step(data, wrapper), args.repeats, 2)
            loss = model.train_step(data, wrapper)['loss']
            rows[f'{kind}, {name}'] = dict(seconds=t, clips_s=batch / t,
                                           finite=bool(torch.isfinite(loss)),
                                           peak_memory_gib=torch.cuda.max_memory_allocated()
                                           / 2**30)
    return dict(arch='ViT-L-14', batch=batch, frames=frames, steps=rows,
                speedup=rows['from cache, fp32+tf32']['clips_s']
                / rows['end to end, fp32+tf32']['clips_s'],
                ok=all(r['finite'] for r in rows.values()))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def stage_ddp(args) -> dict:
    import torch.multiprocessing as mp
    world = 2
    gpus = torch.cuda.device_count()
    backend = 'nccl' if gpus >= world else 'gloo'  # NCCL refuses 2 ranks on one GPU
    ctx = mp.get_context('spawn')
    queue = ctx.Queue()
    port = _free_port()
    mp.spawn(_ddp_worker, args=(world, port, backend, args.repeats, queue, 'cuda'),
             nprocs=world, join=True)
    results = sorted((queue.get() for _ in range(world)), key=lambda r: r['rank'])
    in_sync = len({r['param_checksum'] for r in results}) == 1
    loss_diff = max(r['gather_vs_single'] for r in results)
    return dict(world=world, gpus=gpus, backend=backend,
                devices=[r['device'] for r in results],
                step_s=statistics.median(r['step_s'] for r in results),
                params_in_sync=in_sync, gathered_loss_vs_one_process=loss_diff,
                ok=in_sync and loss_diff < 1e-4)


def _ddp_worker(rank: int, world: int, port: int, backend: str, steps: int, queue,
                kind: str = 'cuda') -> None:
    """One DDP rank (``kind='cpu'`` only to dry-run this code without a GPU)."""
    import torch.distributed as dist
    sys.path[:0] = [REPO, HERE]
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    if kind == 'cuda':
        device = torch.device('cuda', rank % torch.cuda.device_count())
        torch.cuda.set_device(device)
    else:
        device = torch.device('cpu')
    sync = torch.cuda.synchronize if kind == 'cuda' else (lambda: None)
    dist.init_process_group(backend, rank=rank, world_size=world)
    from mmengine.model import MMDistributedDataParallel
    from mmengine.optim import OptimWrapper
    from bench_ous import fake_batch
    from ous_mm.models.losses import ContrastiveLoss
    model = _small_ous_model().to(device)
    # as configs/_base_/default_runtime.py: the alpha switch can leave terms unused
    ddp = MMDistributedDataParallel(module=model, find_unused_parameters=True,
                                    device_ids=None if kind == 'cpu' else [device.index])
    wrapper = OptimWrapper(torch.optim.Adam([p for p in model.parameters() if p.requires_grad],
                                            lr=1e-3))
    times = []
    for step in range(steps):
        data = fake_batch(4, 4, model.backbone.visual.image_size[0], 7)
        sync()
        start = time.perf_counter()
        ddp.train_step(data, wrapper)
        sync()
        times.append(time.perf_counter() - start)
    with torch.no_grad():
        checksum = round(float(sum(p.double().sum() for p in model.parameters())), 6)
    # the all-gathered InfoNCE on this rank's rows vs one process over both ranks' rows
    gen = torch.Generator().manual_seed(0)
    face, scene = torch.randn(2, world * 3, 16, generator=gen).to(device)
    loss = ContrastiveLoss(mode='scene_face')
    mine = loss(face_feat=face[rank * 3:rank * 3 + 3], scene_feat=scene[rank * 3:rank * 3 + 3])
    dist.all_reduce(mine)
    dist.destroy_process_group()
    single = loss(face_feat=face, scene_feat=scene)  # no group: plain in-batch loss
    queue.put(dict(rank=rank, device=str(device), step_s=statistics.median(times[1:] or times),
                   param_checksum=checksum,
                   gather_vs_single=abs(float(mine) / world - float(single))))


def _small_ous_model():
    """The tiny synthetic OUS config with the scene-face InfoNCE of the ablation config."""
    import ous_mm  # noqa: F401
    from mmaction.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    cfg = Config.fromfile(osp.join(REPO, 'configs/ous/ous_tiny_synthetic.py')).model
    cfg.cls_head.loss_cls.contrastive = dict(type='ContrastiveLoss', mode='scene_face')
    cfg.cls_head.loss_cls.classification = dict(type='ContrastiveLoss', mode='video_text')
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def stage_runner(args) -> dict:
    tmp = tempfile.mkdtemp(prefix='ous_gpu_check_')
    data = osp.join(tmp, 'synthetic')
    py = sys.executable
    gen = [py, 'tools/data/synthetic/generate.py', '--out', data, '--num-clips', '60',
           '--size', '64', '--num-frames', '8', '--workers', '4']
    opts = [f'{s}_dataloader.dataset.data_root={data}' for s in ('train', 'val', 'test')]
    train = [py, 'tools/train.py', 'configs/ous/ous_tiny_synthetic.py', '--amp', '--work-dir',
             osp.join(tmp, 'work'), '--cfg-options', 'train_cfg.max_epochs=1', *opts]
    out = {}
    for name, cmd in (('generate', gen), ('train', train)):
        start = time.time()
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(  # this checkout's ous_mm first
            [REPO] + [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p]))
        res = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, env=env)
        out[name] = dict(seconds=time.time() - start, returncode=res.returncode)
        if res.returncode != 0:
            out[name]['stderr_tail'] = res.stderr[-1500:]
            break
    ckpts = [f for f in os.listdir(osp.join(tmp, 'work')) if f.endswith('.pth')] \
        if osp.isdir(osp.join(tmp, 'work')) else []
    out.update(work_dir=tmp, checkpoints=ckpts,
               ok=all(v.get('returncode') == 0 for v in out.values()) and bool(ckpts))
    return out


STAGES = dict(mmcv=stage_mmcv, encoder=stage_encoder, train=stage_train, ddp=stage_ddp,
              runner=stage_runner)


# ----------------------------------------------------------------------------- summary
def _fmt(value, spec='.1f'):
    return '-' if value is None else format(value, spec)


def summary_rows(results: dict) -> list:
    """(stage, result, detail) rows of the summary table from the stage JSONs."""
    rows = []
    for name in ('build', *STAGES):
        res = results.get(name)
        if res is None:
            continue
        status = 'ok' if res.get('ok') else res.get('status', 'FAILED')
        if name == 'build':
            detail = res.get('detail', '')
        elif name == 'mmcv':
            detail = f"mmcv {res.get('mmcv')}, ops built for CUDA {res.get('ops_cuda')}"
        elif name == 'encoder' and 'best' in res:
            best = res['best']
            of_peak = None if best['of_peak'] is None else 100 * best['of_peak']
            detail = (f"{res['gpu']}: {best['frames_s']:.0f} frames/s at {best['frames']} frames, "
                      f"{best['tflop_s']:.0f} TFLOP/s = {_fmt(of_peak)} % of the "
                      f"{res['gpu_model'] or 'unknown'} bf16 peak, "
                      f"{100 * res['of_gemm']:.0f} % of a bf16 GEMM "
                      f"({res['gemm_bf16_tflops']:.0f} TFLOP/s); autocast path "
                      f"{res['autocast_fp32_weights_frames_s']:.0f} frames/s; bf16 vs fp32 "
                      f"cosine >= {res['bf16_vs_fp32']['min_cosine']:.4f}")
        elif name == 'train' and 'steps' in res:
            detail = '; '.join(f"{k} {v['clips_s']:.1f} clips/s ({v['seconds'] * 1e3:.0f} ms, "
                               f"{v['peak_memory_gib']:.1f} GiB)" for k, v in res['steps'].items())
        elif name == 'ddp' and 'backend' in res:
            detail = (f"{res['world']} ranks on {res['devices']} ({res['backend']}), step "
                      f"{res['step_s'] * 1e3:.0f} ms, params in sync {res['params_in_sync']}, "
                      f"gathered InfoNCE - 1 process = {res['gathered_loss_vs_one_process']:.1e}")
        elif name == 'runner' and 'train' in res:
            detail = (f"tools/train.py --amp, 1 epoch tiny synthetic: "
                      f"{res['train']['seconds']:.0f} s, checkpoints {res.get('checkpoints')}")
        else:
            detail = res.get('error') or res.get('detail', '')
        rows.append((name, status, detail))
    return rows


def print_summary(out_dir: str) -> int:
    results = {}
    for name in ('build', *STAGES):
        path = osp.join(out_dir, f'{name}.json')
        if osp.isfile(path):
            with open(path) as f:
                results[name] = json.load(f)
    rows = summary_rows(results)
    width = max(len(r[0]) for r in rows) if rows else 5
    print(f'\n{"stage".ljust(width)}  result   detail')
    for name, status, detail in rows:
        print(f'{name.ljust(width)}  {status.ljust(7)}  {detail}')
    return 0 if rows and all(s in ('ok', 'skipped', 'present') for _, s, _ in rows) else 1


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('stage', choices=(*STAGES, 'summary'))
    parser.add_argument('--out', required=True, help='folder of the stage JSON files')
    parser.add_argument('--frames', type=int, nargs='+', default=[128, 256],
                        help='encoder: frames per forward call')
    parser.add_argument('--repeats', type=int, default=10, help='timed calls per measurement')
    parser.add_argument('--train-batch', type=int, default=4, help='train: clips per step')
    parser.add_argument('--train-frames', type=int, default=16, help='train: frames per stream')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.stage == 'summary':
        return print_summary(args.out)
    require_cuda()
    os.makedirs(args.out, exist_ok=True)
    start = time.time()
    try:
        result = STAGES[args.stage](args)
    except Exception as err:  # reported in the table, the other stages still run
        result = dict(ok=False, error=f'{type(err).__name__}: {err}'[:500])
    result['wall_s'] = time.time() - start
    with open(osp.join(args.out, f'{args.stage}.json'), 'w') as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result)[:2000])
    return 0 if result.get('ok') else 1


if __name__ == '__main__':
    sys.exit(main())
