"""Face-detector accuracy on real photos and data-pipeline throughput per CPU core.

    python benchmarks/bench_pipeline.py                        # both sections (~5 min, 2 cores)
    python benchmarks/bench_pipeline.py --only detectors       # recall / false positives
    python benchmarks/bench_pipeline.py --only pipeline --clips 12 --gpu-frames-per-s 3000

``detectors``: each detector on 16-frame pan/zoom clips over the photos that
scikit-image, matplotlib and scikit-learn ship
(:mod:`ous_mm.datasets.synthetic.photo_clips`): recall at IoU >= 0.5 against the
hand-checked face boxes, false positives per frame, time per frame.

``pipeline``: the real-size training path (``FaceSceneInit ->
FaceSceneSampleFrames -> FaceSceneDecode -> FaceSceneSplit -> PackFaceSceneInputs``,
2 streams x 16 frames at 224 px) on a generated 1280x720 mp4, on ONE thread
(torch, OpenCV, decord); clips/s per core = 1 / CPU seconds of this process per
clip (CPU time, not wall time: on a shared machine wall time measures the other
jobs). Variants: face boxes precomputed (``PrecomputedFaceBoxes``) or detected on
the fly by each detector; ``FaceSceneDecode``'s one sequential OpenCV pass vs
decord's random access to the sampled frames vs decoding every frame, the
``'opencv'`` backend, and decoding once for both streams vs once per stream.
It then divides the GPU's clip rate (``--gpu-frames-per-s`` / 32 frames per clip)
by each variant's rate: the cores needed to keep one GPU busy extracting
features. Without a measured GPU rate the default is an ESTIMATE (see
``GPU_ESTIMATE``). Medians over ``--clips`` clips after one warm-up; variants run
interleaved, one clip each per round.

Writes ``benchmarks/results/pipeline_<host>_<time>.json`` (``--out`` to choose)
and prints markdown tables.
"""
import argparse
import json
import os
import os.path as osp
import platform
import statistics
import sys
import tempfile
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

#: H100 SXM dense bf16 peak (989.4 TFLOP/s, NVIDIA datasheet) x an assumed 50 % of
#: peak for the frozen tower / 161.9 GFLOP per ViT-L/14 224 px frame (analytic count,
#: benchmarks/README.md): ~3,056 frames/s. An estimate until the GPU benchmark measures it.
GPU_ESTIMATE = dict(peak_tflops=989.4, mfu=0.5, gflop_per_frame=161.9)
FRAMES_PER_CLIP = 32  # 2 streams x 16 frames


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--only', choices=('detectors', 'pipeline'), default=None)
    p.add_argument('--clips', type=int, default=8, help='timed clips per pipeline variant')
    p.add_argument('--video-frames', type=int, default=75, help='frames of the 720p video (3 s)')
    p.add_argument('--gpu-frames-per-s', type=float, default=None,
                   help='measured ViT-L/14 extraction rate of one GPU (default: the estimate)')
    p.add_argument('--no-mmdet', action='store_true', help='skip the random-init mmdet detector')
    p.add_argument('--out', default=None, help='JSON path')
    return p.parse_args(argv)


def single_thread():
    import cv2
    import torch
    torch.set_num_threads(1)
    cv2.setNumThreads(1)


def detector_cfgs(with_mmdet: bool):
    """The detectors compared: Haar, MTCNN, and (timing only) a tiny random-init mmdet."""
    cfgs = {'Haar (OpenCVFaceDetector)': dict(type='OpenCVFaceDetector'),
            'MTCNN (MTCNNFaceDetector)': dict(type='MTCNNFaceDetector')}
    if with_mmdet:
        from tests.test_datasets.test_mmdet_face_detector import tiny_retinanet_cfg
        cfgs['mmdet tiny RetinaNet, random init (timing only)'] = dict(
            type='MMDetFaceDetector', config=tiny_retinanet_cfg(), score_thr=0.3)
    return cfgs


# ---------------------------------------------------------------- detectors
def bench_detectors(num_frames=16, size=None):
    """Recall / false positives / ms per frame of Haar and MTCNN on every photo clip."""
    from ous_mm.datasets.face_detectors import build_face_detector, match_faces
    from ous_mm.datasets.synthetic.photo_clips import FACE_PHOTOS, NO_FACE_PHOTOS, photo_clip
    rows = []
    for label, cfg in detector_cfgs(with_mmdet=False).items():
        det = build_face_detector(cfg)
        det.detect(photo_clip('astronaut', 2, size)[0])  # warm-up (lazy init)
        for name in FACE_PHOTOS + NO_FACE_PHOTOS:
            frames, refs = photo_clip(name, num_frames, size)
            start = time.process_time()
            boxes = det.detect(frames)
            elapsed = time.process_time() - start
            stats = match_faces(boxes, refs)
            ious = [v for frame in stats['ious'] for v in frame]
            rows.append(dict(detector=label, clip=name, frames=num_frames,
                             faces=stats['faces'], found=stats['found'],
                             recall=stats['recall'], false_positives=stats['false_positives'],
                             fp_per_frame=stats['fp_per_frame'],
                             min_iou=min(ious) if ious else None,
                             cpu_ms_per_frame=1000 * elapsed / num_frames))
    return rows


def print_detectors(rows):
    print('\n| clip (16 frames, 256 px shorter side) | detector | faces found | min IoU | '
          'false positives (per frame) | CPU ms/frame |')
    print('|---|---|---|---|---|---|')
    for r in rows:
        iou = '-' if r['min_iou'] is None else f'{r["min_iou"]:.2f}'
        print(f'| {r["clip"]} | {r["detector"].split(" ")[0]} | {r["found"]}/{r["faces"]} | '
              f'{iou} | {r["false_positives"]} ({r["fp_per_frame"]:.2f}) | '
              f'{r["cpu_ms_per_frame"]:.0f} |')
    for det in sorted({r['detector'] for r in rows}):
        mine = [r for r in rows if r['detector'] == det]
        faces = sum(r['faces'] for r in mine)
        found = sum(r['found'] for r in mine)
        fps = sum(r['false_positives'] for r in mine)
        frames = sum(r['frames'] for r in mine)
        print(f'| **all** | {det.split(" ")[0]} | {found}/{faces} = {found / faces:.1%} | | '
              f'{fps} ({fps / frames:.2f}) | '
              f'{statistics.median(r["cpu_ms_per_frame"] for r in mine):.0f} (median) |')


# ----------------------------------------------------------------- pipeline
def make_video(folder, num_frames):
    """A 1280x720 mp4 panning over two real faces, and its box file (MTCNN, every frame)."""
    import cv2
    from ous_mm.datasets.face_detectors import MTCNNFaceDetector, write_box_file
    from ous_mm.datasets.synthetic.photo_clips import photo_clip
    frames, _ = photo_clip('astronaut_and_grace_hopper', num_frames, (1280, 720))
    path = osp.join(folder, 'clip720p.mp4')
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 25.0, (1280, 720))
    for f in frames:
        writer.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    writer.release()
    boxes = MTCNNFaceDetector().detect(frames)
    box_path = osp.join(folder, 'clip720p.json')
    write_box_file(box_path, boxes, clip_id='clip720p', source=path, frame_size=(720, 1280),
                   detector='MTCNNFaceDetector')
    return path, box_path


class DecodeAll:
    """Variant: decode every frame of the video, then keep the sampled ones."""

    def __call__(self, results):
        source = results.pop('scene_source')
        try:
            every = source.get_frames(list(range(source.num_frames)))
        finally:
            source.close()
        results['imgs'] = [every[int(i)] for i in results['frame_inds']]
        results['original_shape'] = results['img_shape'] = results['imgs'][0].shape[:2]
        return results


class DecodePerStream:
    """Variant: a loader that decodes the sampled frames once per stream (no reuse)."""

    def __init__(self):
        from ous_mm.datasets.transforms import FaceSceneDecode
        from ous_mm.datasets.video_io import open_source
        self.decode, self.open = FaceSceneDecode(), open_source

    def __call__(self, results):
        self.decode(dict(scene_source=self.open(results['filename']),
                         frame_inds=results['frame_inds']))  # the face stream's own decode
        return self.decode(results)


def build_variant(detector_cfg, decode='sampled', backend='auto'):
    """The real-size pipeline, one named step per stage, with the variant's decoder."""
    from ous_mm.datasets.face_detectors import build_face_detector
    from ous_mm.datasets.transforms import (FaceSceneDecode, FaceSceneInit,
                                            FaceSceneSampleFrames, FaceSceneSplit,
                                            PackFaceSceneInputs)
    decoders = dict(sampled=FaceSceneDecode, all=DecodeAll, per_stream=DecodePerStream,
                    random_access=lambda: FaceSceneDecode(one_pass=False))
    return [('open', FaceSceneInit(backend=backend)),
            ('sample', FaceSceneSampleFrames(clip_len=16)),
            ('decode', decoders[decode]()),
            ('detect+crop+resize', FaceSceneSplit(detector=build_face_detector(detector_cfg),
                                                  out_size=224)),
            ('pack', PackFaceSceneInputs())]


def run_clip(stages, video, box_file):
    """CPU seconds (this process, all threads) spent in each stage for one clip, and wall."""
    results = dict(filename=video, boxes_file=box_file, face_dir=None, label=0, polarity=0,
                   clip_id='clip720p')
    spent = {}
    wall = time.perf_counter()
    for name, step in stages:
        start = time.process_time()
        results = step(results)
        spent[name] = time.process_time() - start
    assert tuple(results['inputs'].shape) == (2, 16, 3, 224, 224)
    return spent, time.perf_counter() - wall


def gpu_rate(measured):
    if measured:
        return float(measured), 'measured (--gpu-frames-per-s)'
    e = GPU_ESTIMATE
    rate = e['peak_tflops'] * 1e12 * e['mfu'] / (e['gflop_per_frame'] * 1e9)
    return rate, (f'ESTIMATE: H100 bf16 peak {e["peak_tflops"]} TFLOP/s x {e["mfu"]:.0%} / '
                  f'{e["gflop_per_frame"]} GFLOP per ViT-L/14 frame')


def bench_pipeline(args):
    """Every variant, one clip each per round (interleaved: load changes hit all alike)."""
    import numpy as np
    folder = tempfile.mkdtemp(prefix='ous_bench_pipeline_')
    video, box_file = make_video(folder, args.video_frames)
    pre = dict(type='PrecomputedFaceBoxes')
    variants = [
        ('precomputed boxes, FaceSceneDecode default: one OpenCV pass', pre, 'sampled', 'auto'),
        ('precomputed boxes, decord random access to the sampled frames (one_pass=False)', pre,
         'random_access', 'auto'),
        ('precomputed boxes, decode every frame, then pick (decord)', pre, 'all', 'auto'),
        ("precomputed boxes, backend='opencv' (counts frames by decoding, then decodes)", pre,
         'sampled', 'opencv'),
        ('precomputed boxes, sampled frames decoded once per stream', pre, 'per_stream', 'auto'),
    ]
    for label, cfg in detector_cfgs(not args.no_mmdet).items():
        variants.append((f'{label} on the fly', cfg, 'sampled', 'auto'))
    built = [build_variant(cfg, decode, backend) for _, cfg, decode, backend in variants]
    np.random.seed(0)
    for stages in built:  # warm-up: lazy detector init, first decode
        run_clip(stages, video, box_file)
    times = [[] for _ in built]
    for _ in range(args.clips):
        for i, stages in enumerate(built):
            times[i].append(run_clip(stages, video, box_file))
    rows = []
    for (label, _, decode, backend), runs in zip(variants, times):
        cpu = statistics.median(sum(spent.values()) for spent, _ in runs)
        rows.append(dict(variant=label, decode=decode, backend=backend, clips=len(runs),
                         cpu_s_per_clip=cpu, clips_per_s=1.0 / cpu,
                         wall_s_per_clip=statistics.median(w for _, w in runs),
                         stages_cpu_ms={k: 1000 * statistics.median(s[k] for s, _ in runs)
                                        for k in runs[0][0]}))
    return rows, dict(video=video, frames=args.video_frames, size=[1280, 720])


def print_pipeline(rows, gpu_frames_per_s, gpu_note):
    gpu_clips = gpu_frames_per_s / FRAMES_PER_CLIP
    print(f'\nGPU rate: {gpu_frames_per_s:.0f} frames/s = {gpu_clips:.1f} clips/s ({gpu_note})')
    stage_names = list(rows[0]['stages_cpu_ms'])
    print('\n| variant (1 thread) | clips/s per core | ' + ' | '.join(
        f'{s} CPU ms' for s in stage_names) + ' | cores per GPU |')
    print('|---|---|' + '---|' * len(stage_names) + '---|')
    for r in rows:
        stages = ' | '.join(f'{r["stages_cpu_ms"][s]:.0f}' for s in stage_names)
        print(f'| {r["variant"]} | {r["clips_per_s"]:.2f} | {stages} | '
              f'{gpu_clips / r["clips_per_s"]:.0f} |')


def main(argv=None):
    args = parse_args(argv)
    import ous_mm  # noqa: F401  (registration)
    single_thread()
    out = dict(host=platform.node(), time=time.strftime('%Y-%m-%d %H:%M:%S'),
               cpu=platform.processor() or platform.machine(), threads=1,
               load_avg_start=os.getloadavg())
    if args.only in (None, 'detectors'):
        out['detectors'] = bench_detectors()
        print_detectors(out['detectors'])
    if args.only in (None, 'pipeline'):
        rate, note = gpu_rate(args.gpu_frames_per_s)
        rows, video = bench_pipeline(args)
        out.update(pipeline=rows, video=video, gpu_frames_per_s=rate, gpu_note=note)
        print_pipeline(rows, rate, note)
    out['load_avg_end'] = os.getloadavg()
    path = args.out or osp.join(osp.dirname(osp.abspath(__file__)), 'results',
                                f'pipeline_{platform.node()}_{time.strftime("%Y%m%d_%H%M%S")}.json')
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(out, f, indent=1)
    print(f'\nwrote {path}')
    return out


if __name__ == '__main__':
    main()
