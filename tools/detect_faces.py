"""Detect faces once over a whole annotation file and write one box file per clip.

    # MTCNN when facenet-pytorch is installed, else OpenCV's Haar cascade; 4 processes
    python tools/detect_faces.py data/mine/annotations/train.jsonl --data-root data/mine \
        --out-dir data/mine/boxes --out-ann data/mine/annotations/train_boxes.jsonl --workers 4
    # MTCNN on a GPU (workers are spawned: CUDA cannot run in forked processes)
    python tools/detect_faces.py ANN --data-root ROOT --out-dir ROOT/boxes --detector mtcnn \
        --device cuda:0 --batch-size 64
    # any mmdet 3.x detector, e.g. a WIDER FACE RetinaNet, on GPU
    python tools/detect_faces.py ANN --data-root ROOT --out-dir ROOT/boxes \
        --det-config retinanet_widerface.py --det-checkpoint retinanet_widerface.pth \
        --device cuda:0 --score-thr 0.5
    # sharded over a cluster: each task takes clips[rank::world_size]
    srun -n 8 python tools/detect_faces.py ANN ... (RANK/WORLD_SIZE or SLURM_PROCID/SLURM_NTASKS)

Box files use the format of ``ous_mm/datasets/face_detectors/box_file.py`` and are
read by ``PrecomputedFaceBoxes``. The run resumes: clips whose box file exists and
is valid are skipped, so re-running after an interruption only does what is left
(and is how sharded runs produce the complete ``--out-ann``: re-run once on one
process when all shards are done). Ends with a summary; exit code 1 if any clip failed.
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

_DETECTOR = None  # one per worker process, built lazily


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Detect faces in every clip of an annotation file')
    p.add_argument('ann_file', help='annotation .jsonl (data/README.md)')
    p.add_argument('--data-root', default=None,
                   help='root of relative paths (default: the annotation\'s folder, or its '
                   'parent when that folder is called "annotations")')
    p.add_argument('--out-dir', required=True, help='folder for <clip_id>.json box files')
    p.add_argument('--out-ann', default=None,
                   help='write a copy of the annotation with "boxes" filled in')
    p.add_argument('--detector', choices=('auto', 'mtcnn', 'haar'), default='auto',
                   help='auto: MTCNN when facenet-pytorch is installed, else the Haar cascade')
    p.add_argument('--det-config', default=None, help='mmdet config (replaces --detector)')
    p.add_argument('--det-checkpoint', default=None, help='mmdet checkpoint')
    p.add_argument('--device', default='cpu', help='device of the CNN detector (cpu, cuda:0)')
    p.add_argument('--score-thr', type=float, default=None,
                   help='score threshold of the CNN detector (default: its own)')
    p.add_argument('--batch-size', type=int, default=16, help='frames per detector call')
    p.add_argument('--workers', type=int, default=1, help='processes on this machine')
    p.add_argument('--rank', type=int, default=None, help='shard index (default: env)')
    p.add_argument('--world-size', type=int, default=None, help='number of shards')
    p.add_argument('--overwrite', action='store_true', help='redo clips with valid box files')
    return p.parse_args(argv)


def shard_from_env(rank, world_size):
    """Rank/world size from flags, torchrun (RANK/WORLD_SIZE) or SLURM."""
    if rank is None:
        rank = int(os.environ.get('RANK', os.environ.get('SLURM_PROCID', 0)))
    if world_size is None:
        world_size = int(os.environ.get('WORLD_SIZE', os.environ.get('SLURM_NTASKS', 1)))
    if not 0 <= rank < world_size:
        raise SystemExit(f'invalid shard: rank {rank} of world size {world_size}')
    return rank, world_size


def detector_cfg(args):
    from ous_mm.datasets.face_detectors import MTCNN_INSTALL, face_detector_cfg, mtcnn_available
    if args.detector == 'mtcnn' and not args.det_config and not mtcnn_available():
        raise SystemExit(f'--detector mtcnn needs facenet-pytorch: {MTCNN_INSTALL}')
    return face_detector_cfg(args.detector, args.device, args.det_config, args.det_checkpoint,
                             args.score_thr, args.batch_size)


def start_method(det_cfg):
    """``spawn`` for CUDA (it cannot run in forked processes) and mmdet; ``fork`` otherwise."""
    on_cuda = str(det_cfg.get('device', 'cpu')).startswith('cuda')
    return 'spawn' if on_cuda or det_cfg['type'] == 'MMDetFaceDetector' else 'fork'


def init_worker(threads):
    """One share of the cores per worker process (torch would take them all).

    OpenCV's thread count is set in the parent before the pool starts: OpenCV's
    thread pool is not fork-safe, and a forked child that touches it after the
    parent used it hangs (seen in the test suite).
    """
    import torch
    torch.set_num_threads(threads)


def process_clip(job):
    """Detect faces on every frame of one clip; returns a result dict (never raises)."""
    global _DETECTOR
    from ous_mm.datasets.face_detectors import build_face_detector, write_box_file
    from ous_mm.datasets.video_io import open_source
    clip_id, scene_path, box_path, source_rel, det_cfg, batch_size = job
    try:
        if _DETECTOR is None:
            _DETECTOR = build_face_detector(det_cfg)
        src = open_source(scene_path)
        boxes, frame_size = [], None
        try:
            for start in range(0, src.num_frames, batch_size):
                inds = list(range(start, min(start + batch_size, src.num_frames)))
                frames = src.get_frames(inds)
                frame_size = frames[0].shape[:2]
                boxes.extend(_DETECTOR.detect(frames, dict(filename=scene_path, frame_inds=inds)))
        finally:
            src.close()
        write_box_file(box_path, boxes, clip_id=clip_id, source=source_rel,
                       frame_size=frame_size, detector=det_cfg['type'])
        return dict(clip_id=clip_id, ok=True, frames=len(boxes),
                    frames_with_face=sum(len(b) > 0 for b in boxes))
    except Exception as err:  # noqa: BLE001 - reported in the summary, naming the file
        return dict(clip_id=clip_id, ok=False, error=f'{type(err).__name__}: {err}')


def main(argv=None):
    args = parse_args(argv)
    import ous_mm  # noqa: F401  (registers the detectors)
    from ous_mm.datasets.annotation import (default_data_root, read_annotation_file,
                                           record_to_json, resolve_path)
    from ous_mm.datasets.face_detectors import box_file_name, is_valid_box_file, read_box_file
    from tqdm import tqdm

    records = read_annotation_file(args.ann_file)
    root = args.data_root if args.data_root is not None else default_data_root(args.ann_file)
    rank, world_size = shard_from_env(args.rank, args.world_size)
    os.makedirs(args.out_dir, exist_ok=True)
    det_cfg = detector_cfg(args)

    mine = records[rank::world_size]
    jobs, resumed = [], []
    for rec in mine:
        box_path = osp.join(args.out_dir, box_file_name(rec.clip_id))
        if not args.overwrite and is_valid_box_file(box_path):
            boxes = read_box_file(box_path)['boxes']
            resumed.append(dict(clip_id=rec.clip_id, ok=True, frames=len(boxes),
                                frames_with_face=sum(len(b) > 0 for b in boxes)))
            continue
        jobs.append((rec.clip_id, resolve_path(rec.scene, root), box_path, rec.scene, det_cfg,
                     args.batch_size))
    skipped = len(resumed)
    print(f'[rank {rank}/{world_size}] {len(mine)} clips: {skipped} already done, '
          f'{len(jobs)} to detect with {det_cfg["type"]}')

    start = time.time()
    results = []
    bar = tqdm(total=len(jobs), desc='detect faces', unit='clip')
    if args.workers > 1 and len(jobs) > 1:
        from multiprocessing import get_context
        import cv2
        threads = max(1, (os.cpu_count() or 1) // args.workers)
        cv2.setNumThreads(threads)
        with get_context(start_method(det_cfg)).Pool(args.workers, init_worker,
                                                     (threads, )) as pool:
            for res in pool.imap_unordered(process_clip, jobs):
                results.append(res)
                bar.update()
    else:
        for job in jobs:
            results.append(process_clip(job))
            bar.update()
    bar.close()

    failed = [r for r in results if not r['ok']]
    done = [r for r in results if r['ok']]
    ok = done + resumed  # frame and no-face counts cover resumed clips too
    frames = sum(r['frames'] for r in ok)
    no_face = [r['clip_id'] for r in ok if r['frames_with_face'] == 0]
    print(f'summary: {len(mine)} clips (rank {rank}/{world_size}), {len(done)} detected, '
          f'{skipped} resumed, {len(failed)} failed, {frames} frames, '
          f'{len(no_face)} clips without any face, {time.time() - start:.1f}s')
    if no_face:
        print(f'  clips without any face: {", ".join(no_face[:20])}'
              + (f' ... (+{len(no_face) - 20}, all in summary_rank{rank}.json)'
                 if len(no_face) > 20 else ''))
    for r in failed[:50]:
        print(f'  FAILED {r["clip_id"]}: {r["error"]}')

    if args.out_ann:
        written = 0
        out_dir_abs = osp.abspath(args.out_dir)
        root_abs = osp.abspath(root)
        with open(args.out_ann, 'w', encoding='utf-8') as f:
            for rec in records:
                box_path = osp.join(out_dir_abs, box_file_name(rec.clip_id))
                if is_valid_box_file(box_path):
                    rel = osp.relpath(box_path, root_abs)
                    rec.boxes = box_path if rel.startswith('..') else rel
                    written += 1
                else:
                    rec.boxes = None
                f.write(record_to_json(rec) + '\n')
        print(f'wrote {args.out_ann}: {written} of {len(records)} clips with boxes')
    summary = dict(clips=len(mine), detected=len(done), resumed=skipped, failed=len(failed),
                   frames=frames, clips_without_face=len(no_face))
    with open(osp.join(args.out_dir, f'summary_rank{rank}.json'), 'w') as f:
        json.dump(dict(summary=summary, failed=failed, no_face=no_face), f, indent=1)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
