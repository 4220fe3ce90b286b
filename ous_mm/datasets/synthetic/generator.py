"""Generate the synthetic scene-DFER set: mp4 clips, face-box files, train/val/test jsonl.

Design (see data/README.md, "Synthetic set"):
- 7 classes in DFEW order, balanced. The scene is drawn with the class's
  polarity (``polarity_map``: Happy positive; Neutral, Surprise neutral; the rest negative).
- Unambiguous clips: the face shows its class's expression (onset -> apex).
- Ambiguous clips (``ambiguous_ratio`` of the Happy, Surprise, Fear, Neutral and Sad
  clips; 43% of all clips at the default 0.6): the face is drawn from a shared
  ambiguous distribution (open mouth for Happy/Surprise/Fear, flat-down mouth for
  Neutral/Sad), so only the scene's polarity names the class. A face-only model
  is capped at a UAR of about ``1 - ambiguous_ratio * 3/7`` (74% at 0.6), a face+scene
  model is not.
- Everything random comes from ``np.random.default_rng([seed, index])``: a clip
  depends only on (seed, index), whatever the number of worker processes.
"""
import json
import os
import os.path as osp
from multiprocessing import Pool
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np

from ..class_sets import DFEW_CLASSES, DFEW_POLARITY_MAP
from ..face_detectors.box_file import write_box_file
from .expressions import AMBIGUOUS_FACES, AMBIGUOUS_GROUPS, APEX, params_at
from .faces import draw_person, face_box, palette_look
from .scenes import draw_scene, scene_layout

CLASS_NAMES = DFEW_CLASSES
POLARITY_MAP = DFEW_POLARITY_MAP
SPLITS = ('train', 'val', 'test')
GENERATOR_VERSION = 2


def _ambiguous_face_of(label: str) -> Optional[str]:
    for face, classes in AMBIGUOUS_GROUPS.items():
        if label in classes:
            return face
    return None


def split_counts(n: int, ratios: Sequence[float]) -> List[int]:
    """Split ``n`` clips by ``ratios``, giving every split at least one clip when n allows."""
    ratios = np.asarray(ratios, np.float64) / np.sum(ratios)
    counts = np.floor(ratios * n).astype(int)
    while counts.sum() < n:
        empty = [i for i in range(len(counts)) if counts[i] == 0 and ratios[i] > 0]
        i = empty[0] if empty else int(np.argmax(ratios * n - counts))
        counts[i] += 1
    return counts.tolist()


def plan_clips(num_clips: int, seed: int, ambiguous_ratio: float = 0.6,
               split_ratios: Sequence[float] = (0.6, 0.2, 0.2)) -> List[Dict]:
    """Decide label, ambiguity and split of every clip (balanced, stratified).

    Classes are assigned round-robin; each class is spread over train/val/test by
    ``split_ratios`` with ambiguous and clear clips interleaved, so every split has
    the same class and ambiguity mix (and, from 3 clips per class, every split has
    every class).
    """
    if num_clips < len(CLASS_NAMES):
        raise ValueError(f'--num-clips must be at least {len(CLASS_NAMES)}')
    rng = np.random.default_rng([seed, 0x5EED])
    plans = []
    for i in range(num_clips):
        label = CLASS_NAMES[i % len(CLASS_NAMES)]
        plans.append(dict(index=i, label=label, polarity=POLARITY_MAP[label]))
    for label in CLASS_NAMES:
        members = [p for p in plans if p['label'] == label]
        order = rng.permutation(len(members))
        amb_face = _ambiguous_face_of(label)
        n_amb = int(round(ambiguous_ratio * len(members))) if amb_face else 0
        for rank, k in enumerate(order):
            members[k]['face_type'] = amb_face if rank < n_amb else label
            members[k]['ambiguous'] = rank < n_amb
        # interleave ambiguous and clear clips by their relative position, then cut the
        # class into train/val/test chunks: every split gets the same mix
        pos = {}
        for amb in (True, False):
            group = [p for p in members if p['ambiguous'] == amb]
            for rank, p in enumerate(group):
                pos[p['index']] = (rank + 0.5) / len(group)
        members.sort(key=lambda p: (pos[p['index']], p['ambiguous']))
        counts = split_counts(len(members), split_ratios)
        start = 0
        for split, count in zip(SPLITS, counts):
            for p in members[start:start + count]:
                p['split'] = split
            start += count
    return plans


def render_clip(plan: Dict, seed: int, size: int = 112, num_frames: int = 16):
    """Frames (list of RGB uint8) and per-frame face boxes ((T, 4)) of one planned clip."""
    rng = np.random.default_rng([seed, plan['index']])
    lay = scene_layout(plan['polarity'], rng, size)
    box0 = face_box(size, rng)
    motion = rng.uniform(-0.6, 0.6, size=2)  # pixels per frame
    apex = APEX[plan['face_type']] if plan['face_type'] in APEX else AMBIGUOUS_FACES[plan['face_type']]
    strength = rng.uniform(0.8, 1.05)
    noise = {k: float(rng.normal(0, 0.06)) for k in ('curve', 'open', 'width', 'brow', 'tilt', 'eye')}
    apex = {k: v * strength for k, v in apex.items()}
    for k, v in noise.items():
        apex[k] = apex.get(k, 0.0) + v
    onset = rng.uniform(0.0, 0.25)
    apex_at = onset + rng.uniform(0.3, 0.5)
    look = palette_look(rng)
    frames, boxes = [], []
    for t in range(num_frames):
        img = draw_scene(lay, t, size)
        box = box0 + np.array([motion[0], motion[1], motion[0], motion[1]]) * t
        draw_person(img, box, params_at(apex, t, num_frames, onset, apex_at), look)
        frames.append(img)
        boxes.append(box)
    return frames, np.stack(boxes)


def write_mp4(path: str, frames: Sequence[np.ndarray], fps: int = 8) -> None:
    """Write RGB frames as an MPEG-4 Part 2 mp4 (readable by decord and OpenCV)."""
    h, w = frames[0].shape[:2]
    tmp = f'{path}.tmp.mp4'
    writer = cv2.VideoWriter(tmp, cv2.VideoWriter_fourcc(*'mp4v'), fps, (w, h))
    if not writer.isOpened():
        raise RuntimeError(f'OpenCV cannot write {path} (no mp4v encoder?)')
    for f in frames:
        writer.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    writer.release()
    os.replace(tmp, path)


def _make_clip(job):
    plan, seed, out, size, num_frames = job
    clip_id = f'syn_{plan["index"]:05d}'
    video_rel = f'videos/{clip_id}.mp4'
    boxes_rel = f'boxes/{clip_id}.json'
    frames, boxes = render_clip(plan, seed, size, num_frames)
    write_mp4(osp.join(out, video_rel), frames)
    write_box_file(osp.join(out, boxes_rel),
                   [np.concatenate([b, [1.0]])[None] for b in boxes],
                   clip_id=clip_id, source=video_rel, frame_size=(size, size),
                   detector='ground truth (synthetic generator)')
    return dict(clip_id=clip_id, scene=video_rel, faces=None, label=plan['label'],
                boxes=boxes_rel, polarity=plan['polarity'], ambiguous=plan['ambiguous'],
                face_type=plan['face_type'], split=plan['split'])


def generate_dataset(out: str, num_clips: int = 420, seed: int = 0, size: int = 112,
                     num_frames: int = 16, ambiguous_ratio: float = 0.6,
                     split_ratios: Sequence[float] = (0.6, 0.2, 0.2), workers: int = 1,
                     progress: bool = True, force: bool = False) -> Dict:
    """Write the set under ``out`` and return its summary (also saved as ``meta.json``).

    A second call with the same arguments finds ``meta.json`` and returns at once
    (``force=True`` regenerates).
    """
    if size < 32 or num_frames < 1:
        raise ValueError('size must be >= 32 and num_frames >= 1')
    if not 0.0 <= ambiguous_ratio <= 1.0:
        raise ValueError('ambiguous_ratio must be in [0, 1]')
    params = dict(version=GENERATOR_VERSION, num_clips=num_clips, seed=seed, size=size,
                  num_frames=num_frames, ambiguous_ratio=ambiguous_ratio,
                  split_ratios=list(split_ratios))
    meta_path = osp.join(out, 'meta.json')
    if not force and osp.isfile(meta_path):
        with open(meta_path) as f:
            meta = json.load(f)
        if meta.get('params') == params and all(
                osp.isfile(osp.join(out, f'{s}.jsonl')) for s in SPLITS):
            return meta
    os.makedirs(osp.join(out, 'videos'), exist_ok=True)
    os.makedirs(osp.join(out, 'boxes'), exist_ok=True)
    plans = plan_clips(num_clips, seed, ambiguous_ratio, split_ratios)
    jobs = [(p, seed, out, size, num_frames) for p in plans]
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(jobs), desc='synthetic clips', unit='clip')
    rows = []
    if workers > 1:
        with Pool(workers) as pool:
            for row in pool.imap(_make_clip, jobs, chunksize=4):
                rows.append(row)
                if bar:
                    bar.update()
    else:
        for job in jobs:
            rows.append(_make_clip(job))
            if bar:
                bar.update()
    if bar:
        bar.close()
    counts = {}
    for split in SPLITS:
        split_rows = [r for r in rows if r['split'] == split]
        with open(osp.join(out, f'{split}.jsonl'), 'w', encoding='utf-8') as f:
            f.write(f'# synthetic scene-DFER set, seed {seed}, split {split} (data/README.md)\n')
            for r in split_rows:
                r = {k: v for k, v in r.items() if k != 'split'}
                f.write(json.dumps(r) + '\n')
        counts[split] = dict(
            clips=len(split_rows),
            ambiguous=sum(r['ambiguous'] for r in split_rows),
            per_class={c: sum(r['label'] == c for r in split_rows) for c in CLASS_NAMES})
    meta = dict(params=params, class_names=list(CLASS_NAMES), polarity_map=POLARITY_MAP,
                ambiguous_groups={k: list(v) for k, v in AMBIGUOUS_GROUPS.items()},
                splits=counts)
    with open(meta_path, 'w') as f:
        json.dump(meta, f, indent=2)
    return meta
