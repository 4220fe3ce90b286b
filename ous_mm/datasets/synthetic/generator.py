"""Generate a synthetic scene-DFER variant: mp4 clips, face-box files, train/val/test jsonl.

Design (see data/README.md, "Synthetic set"):
- 7 classes in DFEW order, balanced. The scene is drawn with the class's polarity
  (the variant's ``polarity_map``), or, for ``wrong_scene_prob`` of the clips, with
  another one (a noisy cue, recorded as ``scene_polarity``).
- Unambiguous clips: the face shows its class's expression (onset -> apex).
- Ambiguous clips (``ambiguous_ratio`` of the clips of every class in an ambiguity
  group): the face is the group's shared face, so only the scene's polarity names
  the class. :mod:`.caps` computes from the plan the best UAR reachable from the
  face alone, the scene alone and both (``meta.json``, :func:`variant_meta`).
- Randomness: the plan from ``default_rng([seed, 0x5EED])`` (wrong scenes from
  ``[seed, 0x5EED, 2]``); clip ``i`` from ``default_rng([seed, i])`` exactly as the v2
  generator (so ``base`` draws the same frames and boxes), and everything the v2
  generator did not have (style, identity, distractors, camera, noise) from
  ``[seed, i, 1]``; identity pools from ``[seed, 3, k]`` with k < ``num_identities``;
  the domain-shift axes (scene set, feature drawing) from ``[seed, i, 1, 4]`` (four
  words: no shorter stream equals it), drawn only by variants that use them.
  A clip depends only on (variant, seed, index), whatever the number of workers.
"""
import json
import os
import os.path as osp
from multiprocessing import Pool
from typing import Dict, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np

from ..class_sets import DFEW_CLASSES, DFEW_POLARITY_MAP
from ..face_detectors.box_file import write_box_file
from .camera import camera_path, degrade, warp_box, warp_frame
from .caps import design_caps
from .compose import Actor, background_actors, compose_frame
from .expressions import JITTER_PARAMS, face_params
from .faces import face_box, palette_look, vary_look
from .features import STANDARD, draw_feature_drawing
from .scenes import POLARITY_SCENES, clutter_layout, scene_kind, scene_layout
from .spec import VariantSpec
from .variants import get_variant

CLASS_NAMES = DFEW_CLASSES
POLARITY_MAP = DFEW_POLARITY_MAP
SPLITS = ('train', 'val', 'test')
GENERATOR_VERSION = 3
PLAN_TAG = 0x5EED
EXTRA_TAG, WRONG_SCENE_TAG, IDENTITY_TAG, SHIFT_TAG = 1, 2, 3, 4
_BASE = VariantSpec()


def _check_seed(seed: int) -> None:
    if not 0 <= int(seed) < 2 ** 32:
        raise ValueError(f'seed must be in [0, 2**32), got {seed}')


def resolve_spec(variant: Union[str, VariantSpec] = 'base', **overrides) -> VariantSpec:
    """The named (or given) spec with the non-None ``overrides`` applied."""
    spec = get_variant(variant)
    changes = {k: v for k, v in overrides.items() if v is not None}
    return spec.with_(**changes) if changes else spec


def default_out(variant: Union[str, VariantSpec], root: str = 'data') -> str:
    """Where a variant is written: ``<root>/synthetic`` (base) or ``<root>/synthetic_<name>``."""
    name = get_variant(variant).name
    return osp.join(root, 'synthetic' if name == 'base' else f'synthetic_{name}')


def split_counts(n: int, ratios: Sequence[float]) -> List[int]:
    """Split ``n`` clips by ``ratios``, giving every split at least one clip when n allows."""
    ratios = np.asarray(ratios, np.float64) / np.sum(ratios)
    counts = np.floor(ratios * n).astype(int)
    while counts.sum() < n:
        empty = [i for i in range(len(counts)) if counts[i] == 0 and ratios[i] > 0]
        i = empty[0] if empty else int(np.argmax(ratios * n - counts))
        counts[i] += 1
    return counts.tolist()


def plan_clips(num_clips: int, seed: int, ambiguous_ratio: Optional[float] = None,
               split_ratios: Sequence[float] = (0.6, 0.2, 0.2),
               spec: Union[str, VariantSpec] = 'base') -> List[Dict]:
    """Decide label, face kind, scene polarity and split of every clip (balanced, stratified).

    Classes are assigned round-robin; each class is spread over train/val/test by
    ``split_ratios`` with ambiguous and clear clips interleaved, so every split has
    the same class and ambiguity mix (and, from 3 clips per class, every split has
    every class). ``ambiguous_ratio`` overrides the spec's.
    """
    _check_seed(seed)
    spec = resolve_spec(spec, ambiguous_ratio=ambiguous_ratio)
    if num_clips < len(CLASS_NAMES):
        raise ValueError(f'--num-clips must be at least {len(CLASS_NAMES)}')
    group_of = {c: face for face, classes in spec.ambiguous_groups.items() for c in classes}
    rng = np.random.default_rng([seed, PLAN_TAG])
    plans = []
    for i in range(num_clips):
        label = CLASS_NAMES[i % len(CLASS_NAMES)]
        plans.append(dict(index=i, label=label, polarity=spec.polarity_map[label]))
    for label in CLASS_NAMES:
        members = [p for p in plans if p['label'] == label]
        order = rng.permutation(len(members))
        amb_face = group_of.get(label)
        n_amb = int(round(spec.ambiguous_ratio * len(members))) if amb_face else 0
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
    wrong = np.random.default_rng([seed, PLAN_TAG, WRONG_SCENE_TAG])
    for p in plans:
        u, pick = wrong.uniform(), int(wrong.integers(2))
        others = [q for q in POLARITY_SCENES if q != p['polarity']]
        p['scene_polarity'] = others[pick] if u < spec.wrong_scene_prob else p['polarity']
    return plans


def _fit_motion(box: np.ndarray, motion: np.ndarray, num_frames: int, size: int) -> np.ndarray:
    """Slow the face's drift down where it would leave the frame by the last frame."""
    motion = motion.copy()
    span = max(num_frames - 1, 1)
    for a in (0, 1):
        lo, hi = box[a] + motion[a] * span, box[a + 2] + motion[a] * span
        if lo < 0:
            motion[a] = -box[a] / span
        elif hi > size:
            motion[a] = (size - box[a + 2]) / span
    return motion


def _identity(spec: VariantSpec, seed: int, rng: np.random.Generator, extra: np.random.Generator):
    look = palette_look(rng)  # always drawn: keeps the v2 stream of the clip generator
    if spec.num_identities > 0:
        k = int(extra.integers(spec.num_identities))
        id_rng = np.random.default_rng([seed, IDENTITY_TAG, k])
        return vary_look(palette_look(id_rng), id_rng, spec.identity_variety), k
    return vary_look(look, extra, spec.identity_variety), None


def render_clip_with_info(plan: Dict, seed: int, spec: Union[str, VariantSpec] = 'base'
                          ) -> Tuple[List[np.ndarray], np.ndarray, Dict]:
    """Frames (RGB uint8), per-frame face boxes ((T, 4), inside the frame) and drawn facts."""
    spec = get_variant(spec)
    size, num_frames = spec.size, spec.num_frames
    rng = np.random.default_rng([seed, plan['index']])
    extra = np.random.default_rng([seed, plan['index'], EXTRA_TAG])
    shift = np.random.default_rng([seed, plan['index'], EXTRA_TAG, SHIFT_TAG])
    scene_set = spec.scene_sets[0]
    if len(spec.scene_sets) > 1:
        scene_set = spec.scene_sets[int(shift.integers(len(spec.scene_sets)))]
    kind = scene_kind(plan.get('scene_polarity', plan['polarity']), scene_set)
    lay = scene_layout(kind, rng, size, spec.camera_pan)
    box0 = face_box(size, rng, spec.face_scale, spec.face_center_x, spec.face_center_y)
    motion = rng.uniform(-spec.face_motion, spec.face_motion, size=2)  # pixels per frame
    apex = face_params(plan['face_type'])
    strength = rng.uniform(*spec.apex_strength)
    noise = {k: float(rng.normal(0, spec.expression_jitter)) for k in JITTER_PARAMS}
    apex = {k: v * strength for k, v in apex.items()}
    for k, v in noise.items():
        apex[k] = apex.get(k, 0.0) + v
    onset = rng.uniform(*spec.onset)
    apex_at = onset + rng.uniform(*spec.rise)
    look, identity = _identity(spec, seed, rng, extra)
    # everything below is new in v3 and drawn from the extra stream
    style = spec.styles[0]
    if len(spec.styles) > 1:
        style = spec.styles[int(extra.integers(len(spec.styles)))]
    drawing = STANDARD if spec.draws_standard_features else draw_feature_drawing(
        shift, spec.stroke_width, spec.eye_spread, spec.face_width, spec.hair_scale)
    main = Actor(box=box0, motion=_fit_motion(box0, motion, num_frames, size), apex=apex,
                 onset=onset, apex_at=apex_at, look=look, style=style, drawing=drawing)
    n_people = int(extra.integers(spec.background_people[0], spec.background_people[1] + 1))
    actors = background_actors(extra, size, n_people, box0, spec.styles) + [main]
    clutter = clutter_layout(extra, size, int(extra.integers(spec.clutter[0], spec.clutter[1] + 1)))
    cam = (camera_path(extra, num_frames, spec.camera_shake, spec.camera_zoom)
           if spec.camera_shake > 0 or spec.camera_zoom > 0 else None)
    noise_std = float(extra.uniform(*spec.noise_std))
    blur = float(extra.uniform(*spec.blur_sigma))
    jpeg = (int(extra.integers(spec.jpeg_quality[0], spec.jpeg_quality[1] + 1))
            if spec.jpeg_quality else None)
    frames, boxes = [], []
    for t in range(num_frames):
        img = compose_frame(lay, spec.cues, t, num_frames, size, actors, clutter)
        box = main.box_at(t)
        if cam is not None:
            img = warp_frame(img, *cam[t])
            box = warp_box(box, *cam[t], (size, size))
        if noise_std > 0 or blur > 0 or jpeg is not None:
            img = degrade(img, extra, noise_std, blur, jpeg)
        frames.append(img)
        boxes.append(np.clip(box, 0, size))
    info = dict(style=style, identity=identity, background_people=n_people,
                clutter=len(clutter), noise_std=round(noise_std, 2), blur=round(blur, 2),
                jpeg=jpeg, scene_kind=kind, drawing=drawing)
    return frames, np.stack(boxes), info


def render_clip(plan: Dict, seed: int, size: Optional[int] = None,
                num_frames: Optional[int] = None, spec: Union[str, VariantSpec] = 'base'):
    """Frames (list of RGB uint8) and per-frame face boxes ((T, 4)) of one planned clip."""
    frames, boxes, _ = render_clip_with_info(plan, seed, resolve_spec(spec, size=size,
                                                                      num_frames=num_frames))
    return frames, boxes


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
    plan, seed, out, spec = job
    clip_id = f'syn_{plan["index"]:05d}'
    video_rel = f'videos/{clip_id}.mp4'
    boxes_rel = f'boxes/{clip_id}.json'
    frames, boxes, info = render_clip_with_info(plan, seed, spec)
    write_mp4(osp.join(out, video_rel), frames)
    write_box_file(osp.join(out, boxes_rel),
                   [np.concatenate([b, [1.0]])[None] for b in boxes],
                   clip_id=clip_id, source=video_rel, frame_size=(spec.size, spec.size),
                   detector='ground truth (synthetic generator)')
    return dict(clip_id=clip_id, scene=video_rel, faces=None, label=plan['label'],
                boxes=boxes_rel, polarity=plan['polarity'],
                scene_polarity=plan['scene_polarity'], ambiguous=plan['ambiguous'],
                face_type=plan['face_type'], style=info['style'], split=plan['split'])


def variant_meta(variant: Union[str, VariantSpec] = 'base', num_clips: int = 420, seed: int = 0,
                 split_ratios: Sequence[float] = (0.6, 0.2, 0.2), **overrides) -> Dict:
    """What ``meta.json`` of a variant holds (JSON types), computed from its plan without drawing.

    ``overrides`` are :class:`VariantSpec` fields (None = the variant's value). Keys:
    ``params`` (what identifies the set), ``spec``, ``class_names``, ``polarity_map``,
    ``ambiguous_groups``, ``caps`` ({face_only, scene_only, face_scene}: {split: UAR %}
    from :func:`.caps.design_caps`; ``scene_only`` is the one-class-per-polarity plateau)
    and ``splits`` (clips, ambiguous, wrong_scene, per_class per split).
    """
    spec = resolve_spec(variant, **overrides)
    plans = plan_clips(num_clips, seed, split_ratios=split_ratios, spec=spec)
    params = dict(version=GENERATOR_VERSION, variant=spec.name, num_clips=num_clips, seed=seed,
                  size=spec.size, num_frames=spec.num_frames,
                  ambiguous_ratio=spec.ambiguous_ratio, split_ratios=list(split_ratios))
    splits = {}
    for split in SPLITS:
        rows = [p for p in plans if p['split'] == split]
        splits[split] = dict(
            clips=len(rows), ambiguous=sum(p['ambiguous'] for p in rows),
            wrong_scene=sum(p['scene_polarity'] != p['polarity'] for p in rows),
            per_class={c: sum(p['label'] == c for p in rows) for c in CLASS_NAMES})
    meta = dict(params=params, spec=spec.to_dict(), class_names=list(CLASS_NAMES),
                polarity_map=dict(spec.polarity_map),
                ambiguous_groups={k: list(v) for k, v in spec.ambiguous_groups.items()},
                caps=design_caps(plans, SPLITS), splits=splits)
    return json.loads(json.dumps(meta))  # plain JSON types, equal to what meta.json reads back


def variant_summary(variant: Union[str, VariantSpec], num_clips: int = 420, seed: int = 0) -> Dict:
    """One row of the variant table: name, flags, size, frames, changed axes, test-split caps."""
    spec = get_variant(variant)
    caps = variant_meta(spec, num_clips, seed)['caps']
    on = 'test' if 'test' in caps['face_only'] else 'all'
    return dict(name=spec.name, hard=spec.hard, holdout=spec.holdout, size=spec.size,
                num_frames=spec.num_frames, changes=spec.changes(), caps_on=on,
                **{k: caps[k][on] for k in ('face_only', 'scene_only', 'face_scene')},
                description=spec.description)


def generate_dataset(out: str, num_clips: int = 420, seed: int = 0, size: Optional[int] = None,
                     num_frames: Optional[int] = None, ambiguous_ratio: Optional[float] = None,
                     split_ratios: Sequence[float] = (0.6, 0.2, 0.2), workers: int = 1,
                     progress: bool = True, force: bool = False,
                     variant: Union[str, VariantSpec] = 'base') -> Dict:
    """Write a variant under ``out`` and return its :func:`variant_meta` (also ``meta.json``).

    ``size``, ``num_frames`` and ``ambiguous_ratio`` override the variant's when
    given. A second call with the same arguments finds ``meta.json`` and returns
    at once (``force=True`` regenerates).
    """
    spec = resolve_spec(variant, size=size, num_frames=num_frames,
                        ambiguous_ratio=ambiguous_ratio)
    meta = variant_meta(spec, num_clips, seed, split_ratios)
    meta_path = osp.join(out, 'meta.json')
    if not force and osp.isfile(meta_path):
        with open(meta_path) as f:
            old = json.load(f)
        if (old.get('params') == meta['params'] and old.get('spec') == meta['spec']
                and all(osp.isfile(osp.join(out, f'{s}.jsonl')) for s in SPLITS)):
            return old
    os.makedirs(osp.join(out, 'videos'), exist_ok=True)
    os.makedirs(osp.join(out, 'boxes'), exist_ok=True)
    plans = plan_clips(num_clips, seed, split_ratios=split_ratios, spec=spec)
    jobs = [(p, seed, out, spec) for p in plans]
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(jobs), desc=f'synthetic {spec.name}', unit='clip')
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
    for split in SPLITS:
        with open(osp.join(out, f'{split}.jsonl'), 'w', encoding='utf-8') as f:
            f.write(f'# synthetic scene-DFER set {spec.name!r}, seed {seed}, split {split} '
                    '(data/README.md)\n')
            for r in rows:
                if r['split'] == split:
                    f.write(json.dumps({k: v for k, v in r.items() if k != 'split'}) + '\n')
    tmp = meta_path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(meta, f, indent=2)
    os.replace(tmp, meta_path)
    return meta
