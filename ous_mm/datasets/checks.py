"""Check a dataset before a long run: report what training would reject or paper over.

Why in the library: the checker must judge a clip exactly as training does,
so it calls the same readers (:func:`~.annotation.scan_annotation_file`,
:func:`~.video_io.verify_source`, the box-file checks of
:mod:`~.face_detectors.box_file`) instead of re-implementing them.
``tools/data/check_dataset.py`` parses the command line and prints the
:class:`FileReport` s returned here.

Errors (training stops): a malformed, non-UTF-8 or duplicate annotation line,
an unknown label, a missing / empty / undecodable scene, unreadable face
frames (every frame file is checked to be a non-empty image; ``deep`` decodes
each, not only the first and last), a missing, invalid or stale box file, ``boxes: null`` where the
pipeline reads boxes (``PrecomputedFaceBoxes``), no face in any frame under
``on_no_face='raise'``. Warnings (training runs, with a documented fallback):
short clips (frames repeated), odd frame sizes, face/scene length mismatch,
boxes mostly outside the frame (dropped), no face in a box file (centre crop,
``face_fallback``), a video decoded by OpenCV after decord failed.
"""
import os.path as osp
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from .annotation import AnnotationError, class_ids, label_id, resolve_path, scan_annotation_file
from .face_detectors.box_file import (BoxFileError, boxes_at, check_box_file_length,
                                      read_box_file, usable_boxes)
from .video_io import (check_frame_files, decode_fallbacks, list_frame_files, read_image_rgb,
                       verify_source)

ERROR, WARNING = 'error', 'warning'
Problem = Tuple[str, str, str]  # severity, kind, message (starting with file:line)


def _no_progress(iterable: Iterable, total: int, desc: str) -> Iterable:
    return iterable


@dataclass
class CheckTarget:
    """One annotation file as a dataloader would read it.

    ``boxes_needed``: ``'never'``, ``'without_faces'`` (``PrecomputedFaceBoxes``
    runs on clips without face frames) or ``'always'`` (also ``mask_face``).
    """
    split: str
    ann_file: str
    data_root: str
    classes: Optional[Tuple[str, ...]] = None
    boxes_needed: str = 'never'
    on_no_face: str = 'center_crop'
    allow_unlabeled: bool = False


@dataclass
class FileReport:
    """Problems of one annotation file, label counts, clips read."""
    target: CheckTarget
    clips: int = 0
    labels: Counter = field(default_factory=Counter)
    problems: List[Problem] = field(default_factory=list)

    def count(self, severity: str) -> int:
        return sum(p[0] == severity for p in self.problems)


def _split_transform(pipeline: Sequence) -> dict:
    for step in pipeline or ():
        if isinstance(step, dict) and step.get('type') == 'FaceSceneSplit':
            return step
    return {}


def target_from_dataset_cfg(split: str, ds: dict, data_root: Optional[str] = None) -> CheckTarget:
    """The :class:`CheckTarget` of one dataset config (wrappers such as RepeatDataset unwrapped)."""
    while 'dataset' in ds and 'ann_file' not in ds:
        ds = ds['dataset']
    root = data_root if data_root is not None else (ds.get('data_root') or '')
    ann = ds['ann_file']
    if ds.get('fold') is not None:
        ann = ann.replace('{fold}', str(ds['fold']))
    ann = ann if osp.isabs(ann) else osp.join(root, ann)
    prefix = (ds.get('data_prefix') or {}).get('video') or ''
    root = osp.join(root, prefix) if prefix and not osp.isabs(prefix) else (prefix or root)
    classes = ds.get('class_names') or (ds.get('metainfo') or {}).get('classes')
    split_cfg = _split_transform(ds.get('pipeline'))
    detector = split_cfg.get('detector')
    precomputed = isinstance(detector, dict) and detector.get('type') == 'PrecomputedFaceBoxes'
    needed = ('always' if split_cfg.get('mask_face') else 'without_faces') if precomputed else 'never'
    return CheckTarget(split, ann, root, tuple(classes) if classes else None, needed,
                       split_cfg.get('on_no_face', 'center_crop'),
                       bool(ds.get('allow_unlabeled', False)))


def targets_from_config(cfg, split: str = 'all', data_root: Optional[str] = None) -> List[CheckTarget]:
    """Targets of a config's ``<split>_dataloader`` s (a path or an mmengine ``Config``);
    an annotation file shared by two splits (DFEW's val = test) is checked once."""
    if isinstance(cfg, str):
        from mmengine.config import Config
        cfg = Config.fromfile(cfg)
    from ..utils.config_switches import apply_config_switches
    cfg = apply_config_switches(cfg)  # the datasets' fold, detector, ... as training has them
    out: List[CheckTarget] = []
    for s in (['train', 'val', 'test'] if split == 'all' else [split]):
        loader = cfg.get(f'{s}_dataloader')
        if loader:
            target = target_from_dataset_cfg(s, loader['dataset'], data_root)
            if target.ann_file not in {t.ann_file for t in out}:
                out.append(target)
    if not out:
        raise ValueError(f'{getattr(cfg, "filename", cfg)}: no {split} dataloader with an ann_file')
    return out


# ---------------------------------------------------------------- one clip
def _check_scene(scene: str, min_frames: int, deep: bool, probs: List[Problem]):
    """(frame count, (h, w)) or (None, None), adding the scene's problems."""
    before = decode_fallbacks()[scene]
    try:
        n, (h, w) = verify_source(scene, deep)
    except FileNotFoundError as err:
        probs.append((ERROR, 'missing scene', str(err)))
        return None, None
    except Exception as err:  # noqa: BLE001 - every decoder failure is a problem of the clip
        probs.append((ERROR, 'empty scene' if 'empty' in str(err) else 'unreadable scene', str(err)))
        return None, None
    if decode_fallbacks()[scene] > before:
        probs.append((WARNING, 'decoded with OpenCV',
                      f'{scene}: decord cannot decode it; OpenCV does (logged during training)'))
    if min(h, w) < 32 or max(h, w) > 4096 or max(h, w) > 4 * min(h, w):
        probs.append((WARNING, 'odd frame size', f'{scene}: frames are {w}x{h}'))
    if n < min_frames:
        probs.append((WARNING, 'too short', f'{scene}: {n} frames < {min_frames} (frames repeated)'))
    return n, (h, w)


def _check_faces(faces: str, n_scene: Optional[int], min_frames: int, deep: bool,
                 probs: List[Problem]) -> None:
    try:
        files = list_frame_files(faces)
        check_frame_files(files)  # what training checks of every frame file
        for f in (files if deep else sorted({files[0], files[-1]})):
            read_image_rgb(f)
    except FileNotFoundError as err:
        probs.append((ERROR, 'missing face frames', str(err)))
        return
    except Exception as err:  # noqa: BLE001
        probs.append((ERROR, 'unreadable face frames', str(err)))
        return
    if len(files) < min_frames:
        probs.append((WARNING, 'too short', f'{faces}: {len(files)} face frames < {min_frames}'))
    if n_scene and len(files) > 2 * n_scene:
        probs.append((WARNING, 'face/scene length mismatch',
                      f'{len(files)} face frames but {n_scene} scene frames'))


def _check_boxes(boxes: str, n_scene: Optional[int], frame_hw, used: bool, on_no_face: str,
                 probs: List[Problem]) -> None:
    try:
        payload = read_box_file(boxes)
        check_box_file_length(payload, boxes, n_scene)
    except BoxFileError as err:
        kind = 'stale box file' if 'stale' in str(err) else 'bad box file'
        probs.append((ERROR, kind, str(err)))
        return
    hw = frame_hw or payload.get('frame_size')
    raw = [boxes_at(payload, i, frame_hw) for i in range(payload['num_frames'])]
    kept = [usable_boxes(b, hw) if hw else b for b in raw]
    outside = [i for i, (r, k) in enumerate(zip(raw, kept)) if len(r) > len(k)]
    if outside:
        probs.append((WARNING, 'box outside the frame',
                      f'{boxes}: {len(outside)} frame(s) (first: {outside[0]}) have boxes mostly '
                      'outside the frame; they count as no face'))
    if not any(len(k) for k in kept):
        if used and on_no_face == 'raise':
            probs.append((ERROR, 'no face', f"{boxes}: no usable face box in any frame "
                          "(on_no_face='raise' stops training)"))
        else:
            probs.append((WARNING, 'no face in box file',
                          f'{boxes}: no usable face box in any frame (centre crop, face_fallback)'))


def check_clip(job: Dict) -> List[Problem]:
    """Problems of one clip; ``job``: resolved ``scene``/``faces``/``boxes`` paths,
    ``min_frames``, ``deep``, ``boxes_needed``, ``on_no_face``. Messages do not
    carry the annotation line (the caller adds it: a clip may be in several files)."""
    probs: List[Problem] = []
    n_scene, frame_hw = _check_scene(job['scene'], job['min_frames'], job['deep'], probs)
    if job['faces']:
        _check_faces(job['faces'], n_scene, job['min_frames'], job['deep'], probs)
    used = job['boxes_needed'] == 'always' or (job['boxes_needed'] == 'without_faces'
                                              and not job['faces'])
    if job['boxes']:
        _check_boxes(job['boxes'], n_scene, frame_hw, used, job['on_no_face'], probs)
    elif used:
        probs.append((ERROR, 'no box file', '"boxes" is null but the pipeline reads face boxes '
                      '(PrecomputedFaceBoxes); run tools/detect_faces.py'))
    return probs


# ---------------------------------------------------------------- files
def _jobs(target: CheckTarget, min_frames: int, deep: bool, report: FileReport):
    """(where, job) per clip of the file; annotation problems go into ``report``."""
    if not osp.isfile(target.ann_file):
        from .missing_data import DOCS, prepare_command
        report.problems.append((ERROR, 'missing annotation file',
                                f'{target.ann_file}: not found; prepare it with: '
                                f'{prepare_command(target.ann_file, target.data_root)} ({DOCS})'))
        return []
    records, bad = scan_annotation_file(target.ann_file)
    report.problems += [(ERROR, p.kind, p.message) for p in bad]
    ids = class_ids(target.classes) if target.classes else None
    out = []
    for rec in records:
        if ids is not None:
            try:
                label_id(rec, ids, target.classes, target.allow_unlabeled)
            except AnnotationError as err:
                report.problems.append((ERROR, 'unknown label', str(err)))
        report.labels[rec.label] += 1
        job = dict(scene=resolve_path(rec.scene, target.data_root),
                   faces=resolve_path(rec.faces, target.data_root),
                   boxes=resolve_path(rec.boxes, target.data_root), min_frames=min_frames,
                   deep=deep, boxes_needed=target.boxes_needed, on_no_face=target.on_no_face)
        out.append((rec.where, job))
    report.clips = len(records)
    return out


def check_targets(targets: Sequence[CheckTarget], min_frames: int = 16, deep: bool = False,
                  workers: int = 1,
                  progress: Callable[[Iterable, int, str], Iterable] = _no_progress
                  ) -> List[FileReport]:
    """Check every file of ``targets``; a clip listed in several files is decoded once."""
    reports: List[FileReport] = []
    done: Dict[Tuple, List[Problem]] = {}
    pool = None
    if workers > 1:
        from multiprocessing import Pool
        pool = Pool(workers)
    try:
        for target in targets:
            report = FileReport(target)
            jobs = _jobs(target, min_frames, deep, report)
            keys = [tuple(sorted(job.items())) for _, job in jobs]
            todo = {k: job for k, (_, job) in zip(keys, jobs) if k not in done}
            mapped = pool.imap(check_clip, todo.values(), chunksize=8) if pool else \
                map(check_clip, todo.values())
            for key, probs in zip(todo, progress(mapped, len(todo), target.ann_file)):
                done[key] = probs
            for (where, _), key in zip(jobs, keys):
                report.problems += [(sev, kind, f'{where}: {msg}') for sev, kind, msg in done[key]]
            reports.append(report)
    finally:
        if pool is not None:
            pool.close()
    return reports
