"""Check a dataset before a long training run: every clip readable, labelled, long enough.

    python tools/data/check_dataset.py configs/_base_/datasets/dfew.py          # all splits
    python tools/data/check_dataset.py configs/ous/ous_vitl14_dfew.py --split train
    python tools/data/check_dataset.py data/mine/annotations/train.jsonl \
        --data-root data/mine --classes Happy,Sad,Neutral,Angry,Surprise,Disgust,Fear

Errors (exit code 1): malformed annotation line, unknown label, missing / empty
(0 bytes) / undecodable scene video or frame folder, frames that fail to decode
(first, middle and last frame; ``--deep`` decodes every frame), missing or empty
face folder, unreadable face frame, missing or invalid box file.
Warnings (exit 0, or 1 with ``--strict``): clips shorter than ``--min-frames``
(the pipeline pads them by repeating frames), odd frames (side < 32 px or
> 4096 px, aspect ratio beyond 4:1), face folders whose count differs a lot
from the scene's. ``--out-json`` saves the full report.
"""
import argparse
import json
import os.path as osp
import sys
from collections import Counter

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Check an OUS dataset (config or .jsonl)')
    p.add_argument('target', help='a config (.py) or an annotation file (.jsonl)')
    p.add_argument('--split', choices=['train', 'val', 'test', 'all'], default='all',
                   help='which dataloaders of a config to check')
    p.add_argument('--data-root', default=None,
                   help='root of relative paths (default: the config\'s data_root, or for a '
                   '.jsonl its folder / the parent of an "annotations" folder)')
    p.add_argument('--classes', default=None, help='comma-separated class words (.jsonl only)')
    p.add_argument('--min-frames', type=int, default=16, help='warn below this many frames')
    p.add_argument('--deep', action='store_true', help='decode every frame (slow)')
    p.add_argument('--workers', type=int, default=1)
    p.add_argument('--strict', action='store_true', help='warnings also fail')
    p.add_argument('--max-list', type=int, default=30, help='problems printed per kind')
    p.add_argument('--out-json', default=None)
    return p.parse_args(argv)


def targets_from_config(path, split, data_root=None):
    """(split, ann_file, data_root, class_names) of the config's dataloaders.

    ``data_root`` replaces the config's (data kept somewhere else).
    """
    from mmengine.config import Config

    from ous_mm.utils import apply_config_switches
    cfg = apply_config_switches(Config.fromfile(path))  # the datasets' fold, as training has it
    out, seen = [], set()
    splits = ['train', 'val', 'test'] if split == 'all' else [split]
    for s in splits:
        loader = cfg.get(f'{s}_dataloader')
        if not loader:
            continue
        ds = loader['dataset']
        while 'dataset' in ds and 'ann_file' not in ds:  # wrappers (RepeatDataset, ...)
            ds = ds['dataset']
        root = data_root if data_root is not None else (ds.get('data_root') or '')
        ann = ds['ann_file']
        if ds.get('fold') is not None:
            ann = ann.replace('{fold}', str(ds['fold']))
        ann = ann if osp.isabs(ann) else osp.join(root, ann)
        classes = ds.get('class_names') or (ds.get('metainfo') or {}).get('classes')
        prefix = (ds.get('data_prefix') or {}).get('video') or ''
        root = osp.join(root, prefix) if prefix and not osp.isabs(prefix) else (prefix or root)
        if ann not in seen:
            seen.add(ann)
            out.append((s, ann, root, tuple(classes) if classes else None))
    if not out:
        raise SystemExit(f'{path}: no {split} dataloader with an ann_file')
    return out


def check_clip(job):
    """Problems of one clip: list of (severity, kind, message)."""
    rec_dict, root, min_frames, deep = job
    from ous_mm.datasets.annotation import resolve_path
    from ous_mm.datasets.face_detectors import BoxFileError, read_box_file
    from ous_mm.datasets.video_io import list_frame_files, open_source, read_image_rgb
    where = rec_dict['where']
    probs = []
    scene = resolve_path(rec_dict['scene'], root)
    n_scene = None
    try:
        src = open_source(scene)
        try:
            n_scene = src.num_frames
            inds = list(range(n_scene)) if deep else sorted({0, n_scene // 2, n_scene - 1})
            frames = src.get_frames(inds)
            h, w = frames[0].shape[:2]
            if min(h, w) < 32 or max(h, w) > 4096 or max(h, w) > 4 * min(h, w):
                probs.append(('warning', 'odd frame size', f'{where}: {scene}: frames are {w}x{h}'))
        finally:
            src.close()
        if n_scene < min_frames:
            probs.append(('warning', 'too short',
                          f'{where}: {scene}: {n_scene} frames < {min_frames} (frames repeated)'))
    except FileNotFoundError as err:
        probs.append(('error', 'missing scene', f'{where}: {err}'))
    except Exception as err:  # noqa: BLE001
        kind = 'empty scene' if 'empty' in str(err) else 'unreadable scene'
        probs.append(('error', kind, f'{where}: {err}'))
    faces = resolve_path(rec_dict['faces'], root)
    if faces:
        try:
            files = list_frame_files(faces)
            for f in (files if deep else [files[0], files[-1]]):
                read_image_rgb(f)
            if len(files) < min_frames:
                probs.append(('warning', 'too short',
                              f'{where}: {faces}: {len(files)} face frames < {min_frames}'))
            if n_scene and len(files) > 2 * n_scene:
                probs.append(('warning', 'face/scene length mismatch',
                              f'{where}: {len(files)} face frames but {n_scene} scene frames'))
        except FileNotFoundError as err:
            probs.append(('error', 'missing face frames', f'{where}: {err}'))
        except Exception as err:  # noqa: BLE001
            probs.append(('error', 'unreadable face frames', f'{where}: {err}'))
    boxes = resolve_path(rec_dict['boxes'], root)
    if boxes:
        try:
            payload = read_box_file(boxes)
            if n_scene is not None and payload['num_frames'] != n_scene:
                probs.append(('error', 'stale box file',
                              f'{where}: {boxes} covers {payload["num_frames"]} frames, '
                              f'the scene has {n_scene}'))
            elif all(len(b) == 0 for b in payload['boxes']):
                probs.append(('warning', 'no face in box file', f'{where}: {boxes}'))
        except BoxFileError as err:
            probs.append(('error', 'bad box file', f'{where}: {err}'))
    return n_scene, probs


def check_annotation(ann_file, root, classes, args):
    """All problems of one annotation file."""
    from ous_mm.datasets.annotation import AnnotationError, parse_line
    problems, records = [], []
    if not osp.isfile(ann_file):
        return [('error', 'missing annotation file', f'{ann_file}: not found')], Counter(), 0
    lowered = {c.lower() for c in classes} if classes else None
    with open(ann_file, encoding='utf-8') as f:
        for line_no, text in enumerate(f, start=1):
            try:
                rec = parse_line(text, ann_file, line_no)
            except AnnotationError as err:
                problems.append(('error', 'bad annotation line', str(err)))
                continue
            if rec is None:
                continue
            if lowered is not None and (rec.label is None or rec.label.lower() not in lowered):
                problems.append(('error', 'unknown label',
                                 f'{rec.where}: label {rec.label!r} not in {list(classes)}'))
            records.append(rec)
    labels = Counter(r.label for r in records)
    jobs = [(dict(where=r.where, scene=r.scene, faces=r.faces, boxes=r.boxes), root,
             args.min_frames, args.deep) for r in records]
    from tqdm import tqdm
    if args.workers > 1:
        from multiprocessing import Pool
        with Pool(args.workers) as pool:
            results = list(tqdm(pool.imap(check_clip, jobs, chunksize=8), total=len(jobs),
                                desc=osp.basename(ann_file), unit='clip'))
    else:
        results = [check_clip(j) for j in tqdm(jobs, desc=osp.basename(ann_file), unit='clip')]
    for _, probs in results:
        problems.extend(probs)
    return problems, labels, len(records)


def main(argv=None):
    args = parse_args(argv)
    import ous_mm  # noqa: F401
    from ous_mm.datasets.annotation import default_data_root
    if args.target.endswith('.py'):
        targets = targets_from_config(args.target, args.split, args.data_root)
    else:
        root = args.data_root if args.data_root is not None else default_data_root(args.target)
        classes = tuple(c.strip() for c in args.classes.split(',')) if args.classes else None
        targets = [('file', args.target, root, classes)]
    report, n_err, n_warn = [], 0, 0
    for split, ann, root, classes in targets:
        problems, labels, n = check_annotation(ann, root, classes, args)
        errors = [p for p in problems if p[0] == 'error']
        warnings = [p for p in problems if p[0] == 'warning']
        n_err += len(errors)
        n_warn += len(warnings)
        print(f'\n== {split}: {ann} ({n} clips, root {root})')
        print('   labels: ' + ', '.join(f'{k}={v}' for k, v in sorted(labels.items(), key=str)))
        kinds = Counter((p[0], p[1]) for p in problems)
        for (sev, kind), count in sorted(kinds.items()):
            print(f'   {sev.upper():7s} {kind}: {count}')
            shown = [p[2] for p in problems if p[1] == kind][:args.max_list]
            for msg in shown:
                print(f'      {msg}')
        if not problems:
            print('   OK: no problems found')
        report.append(dict(split=split, ann_file=ann, data_root=root, clips=n,
                           labels=dict(labels), problems=[list(p) for p in problems]))
    print(f'\n{n_err} error(s), {n_warn} warning(s)')
    if args.out_json:
        with open(args.out_json, 'w') as f:
            json.dump(report, f, indent=1)
    return 1 if n_err or (args.strict and n_warn) else 0


if __name__ == '__main__':
    sys.exit(main())
