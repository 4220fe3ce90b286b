"""Emotion over time on a user's own video: sliding windows through an OUS model."""
import copy
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.dataset import Compose

from ..datasets.face_detectors import default_face_detector
from .video_source import open_user_video
from .windows import sample_indices, sliding_windows

#: transforms that read the clip from disk; inference feeds decoded frames instead
_LOADING_TRANSFORMS = ('FaceSceneInit', 'FaceSceneSampleFrames', 'FaceSceneDecode')
#: detectors that need files written for a dataset; useless on a user's video
_DATASET_ONLY_DETECTORS = ('PrecomputedFaceBoxes',)


def _test_pipeline_cfg(cfg) -> List[dict]:
    pipeline = cfg.get('test_pipeline', None)
    if pipeline is None:
        pipeline = cfg.test_dataloader.dataset.pipeline
    return copy.deepcopy(list(pipeline))


def clip_len_of(cfg) -> int:
    """Frames per clip the model was trained with (the test pipeline's sampler)."""
    for step in _test_pipeline_cfg(cfg):
        if step.get('type') == 'FaceSceneSampleFrames':
            return int(step.get('clip_len'))
    if cfg.get('clip_len'):
        return int(cfg.clip_len)
    raise ValueError('cannot find clip_len: the config\'s test pipeline has no '
                     'FaceSceneSampleFrames')


def build_inference_pipeline(cfg, detector: Union[None, dict, object] = None) -> Compose:
    """The config's test pipeline from ``FaceSceneSplit`` on, fed with decoded frames.

    ``detector`` replaces the split's detector (a ``TASK_UTILS`` config dict or
    a detector instance). Without one, the config's detector is kept unless it
    only works on a prepared dataset (``PrecomputedFaceBoxes``), in which case
    :func:`~ous_mm.datasets.face_detectors.default_face_detector` is used (MTCNN
    when facenet-pytorch is installed, else OpenCV's Haar cascade). A window without any face falls back to the
    centre crop (``on_no_face='center_crop'``) and is flagged in the result.
    """
    import ous_mm  # noqa: F401  (registration)
    from mmaction.registry import TRANSFORMS

    steps = _test_pipeline_cfg(cfg)
    names = [s.get('type') for s in steps]
    if 'FaceSceneSplit' not in names:
        raise ValueError('the config\'s test pipeline has no FaceSceneSplit (a cached-feature '
                         'config?): use the config of the model trained on frames')
    steps = [s for s in steps if s.get('type') not in _LOADING_TRANSFORMS]
    built = []
    for step in steps:
        if step.get('type') == 'FaceSceneSplit':
            step['on_no_face'] = 'center_crop'
            step['detector'] = _video_detector(step, detector)
            built.append(TRANSFORMS.build(step))
        else:
            built.append(TRANSFORMS.build(step))
    return Compose(built)


def _video_detector(split_step: dict, detector: Union[None, dict, object]):
    """The detector for a user's video: ``detector``, else the split's own unless it
    only works on a prepared dataset, else :func:`default_face_detector`."""
    if detector is not None:
        return detector
    own = split_step.get('detector')
    if own is None or (isinstance(own, dict) and own.get('type') in _DATASET_ONLY_DETECTORS):
        return default_face_detector()
    return own


def inference_detector(cfg, detector: Union[None, dict, object] = None):
    """The face detector :func:`build_inference_pipeline` would use, as a config or instance."""
    for step in _test_pipeline_cfg(cfg):
        if step.get('type') == 'FaceSceneSplit':
            return _video_detector(step, detector)
    raise ValueError('the config\'s test pipeline has no FaceSceneSplit (a cached-feature '
                     'config?): use the config of the model trained on frames')


def window_record(pipeline: Compose, frames, start: int, end: int, clip_len: int,
                  rate: float, name: str, face_track: Optional[np.ndarray] = None
                  ) -> Tuple[dict, dict]:
    """Run the pipeline on one window: ``(packed sample, result record without scores)``.

    ``face_track``: (clip_len, 4) boxes of the person to crop (every-face inference).
    """
    inds = sample_indices(start, end, clip_len)
    imgs = frames.get_frames(inds.tolist())
    results = dict(imgs=imgs, frame_inds=inds, filename=name,
                   original_shape=imgs[0].shape[:2], img_shape=imgs[0].shape[:2])
    if face_track is not None:
        results['face_track'] = face_track
    packed = pipeline(results)
    boxes = results.get('face_boxes')
    record = dict(
        start_frame=int(start), end_frame=int(end),
        start_sec=round(start / rate, 3), end_sec=round(end / rate, 3),
        face_boxes=[dict(frame=int(f), box=None if boxes is None else
                         [round(float(v), 1) for v in boxes[t]])
                    for t, f in enumerate(inds)],
        face_fallback=bool(results.get('face_fallback', False)),
        repeated_frames=bool(end - start < clip_len))
    return packed, record


def score_batch(model: torch.nn.Module, packed: List[dict]) -> List[np.ndarray]:
    """Class probabilities of a batch of packed windows."""
    batch = dict(inputs=[p['inputs'] for p in packed],
                 data_samples=[p['data_samples'] for p in packed])
    out = []
    for sample in model.test_step(batch):
        scores = sample.pred_score.detach().float().cpu()
        if not torch.allclose(scores.sum(), torch.tensor(1.0), atol=1e-3) or \
                (scores < 0).any():
            scores = scores.softmax(-1)  # a head configured with average_clips='score'
        out.append(scores.numpy())
    return out


def score_windows(model: torch.nn.Module, jobs: Sequence, make_window: Callable,
                  batch_size: int, on_window: Optional[Callable] = None,
                  progress: Optional[Callable] = None) -> Tuple[List[Dict], List[np.ndarray]]:
    """Records and class scores of ``jobs``, classified ``batch_size`` at a time.

    ``make_window(job)`` returns ``(sample, record)`` (:func:`window_record`);
    ``on_window(record, inputs)`` sees each window as it is packed, ``progress(done,
    total)`` is called after each batch.
    """
    records: List[Dict] = []
    scores: List[np.ndarray] = []
    for first in range(0, len(jobs), batch_size):
        packed = []
        for job in jobs[first:first + batch_size]:
            sample, record = make_window(job)
            packed.append(sample)
            records.append(record)
            if on_window is not None:
                on_window(record, sample['inputs'])
        scores.extend(score_batch(model, packed))
        if progress is not None:
            progress(len(records), len(jobs))
    return records, scores


def class_names_for(model: torch.nn.Module, num_classes: Optional[int]) -> List[str]:
    """The model's class names, or ``class_<i>`` when it has none for ``num_classes``."""
    names = getattr(model, 'class_names', None)
    if num_classes is None:  # nothing was classified
        return list(names or [])
    if not names or len(names) != num_classes:
        names = [f'class_{i}' for i in range(num_classes)]
    return list(names)


@torch.no_grad()
def inference_video(model: torch.nn.Module,
                    video: Union[str, np.ndarray, Sequence[np.ndarray]],
                    window: Optional[int] = None,
                    stride: Optional[int] = None,
                    detector: Union[None, dict, object] = None,
                    fps: Optional[float] = None,
                    batch_size: int = 4,
                    progress: Optional[Callable[[int, int], None]] = None,
                    on_window: Optional[Callable[[dict, torch.Tensor], None]] = None,
                    all_faces: bool = False,
                    min_track_len: int = 3) -> Dict:
    """Per-window emotion probabilities of a whole video.

    The video is cut into windows of ``window`` frames every ``stride`` frames
    (the last window is aligned to the end, so no frame is left out); in each,
    ``clip_len`` frames (the model's training clip length) are sampled
    uniformly, split into face and scene streams by the config's
    ``FaceSceneSplit`` and classified.

    Args:
        model: From :func:`init_ous_model` (needs ``model.cfg``).
        video: Video file, or RGB frames ``(T, H, W, 3)`` uint8.
        window: Frames per window; default about 2 seconds (at least ``clip_len``).
        stride: Frames between window starts; default ``window // 2``.
        detector: Face detector (``TASK_UTILS`` config or instance), e.g.
            ``dict(type='MMDetFaceDetector', config=..., checkpoint=...)``;
            default: the config's, or ``default_face_detector()`` (MTCNN if
            installed, else OpenCV's Haar cascade).
        fps: Frame rate for array input (files carry their own).
        batch_size: Windows per forward pass.
        progress: Called as ``progress(windows_done, num_windows)`` after each
            classified batch (tools show a progress bar with it).
        on_window: Called as ``on_window(record, inputs)`` for each window, with
            its result record (scores not yet set) and the model input the
            pipeline made of it, uint8 ``(2, T, 3, H, W)`` (face, scene): what
            the web demo shows as crops.
        all_faces: Follow and classify EVERY face instead of the most prominent
            one (:mod:`ous_mm.apis.all_faces`): one track per person across
            windows (kept when they leave and come back), each classified with
            the shared scene. ``progress`` and ``on_window`` then count
            (person, window) pairs; records carry ``track_id``.
        min_track_len: With ``all_faces``: tracks detected in fewer sampled
            frames are dropped (and counted in ``dropped_tracks``).

    Returns:
        dict: ``video``, ``fps``, ``num_frames``, ``clip_len``, ``window``,
        ``stride``, ``classes`` and ``windows``: one dict per window with
        ``start_frame``, ``end_frame`` (exclusive), ``start_sec``, ``end_sec``,
        ``probabilities`` ({class name: p}, summing to 1), ``top_class``,
        ``top_score``, ``face_boxes`` ([{frame, box [x1, y1, x2, y2] or None}]),
        ``face_fallback`` (no face found: the centre crop was used) and
        ``repeated_frames`` (the window was shorter than ``clip_len``).
        With ``all_faces`` there is no ``windows``: instead ``tracks``, one dict
        per person with ``track_id``, ``first_frame`` / ``last_frame`` (and
        ``_sec``) where they were detected, ``num_detections``, their mean
        ``probabilities`` / ``top_class`` / ``top_score`` over their windows and
        ``windows`` (records as above plus ``track_id``; ``face_boxes`` entries
        are None where the person was out of view); ``dropped_tracks`` (short
        tracks left out), ``min_track_len`` and ``all_faces: True``.

    Raises:
        FileNotFoundError / VideoReadError: missing, empty or corrupt video
            (the message names the file).
    """
    if all_faces and min_track_len < 1:
        raise ValueError(f'min_track_len must be at least 1, got {min_track_len}')
    cfg = model.cfg
    frames, rate = open_user_video(video, fps=fps)
    clip_len = clip_len_of(cfg)
    window = int(window) if window else max(clip_len, int(round(2 * rate)))
    stride = int(stride) if stride else max(1, window // 2)
    spans = sliding_windows(frames.num_frames, window, stride)
    pipeline = build_inference_pipeline(cfg, detector)
    name = video if isinstance(video, str) else '<frames>'

    head = dict(video=osp.abspath(video) if isinstance(video, str) else '<frames>',
                fps=rate, num_frames=frames.num_frames, clip_len=clip_len,
                window=window, stride=stride)
    if all_faces:
        from .all_faces import classify_every_face
        try:
            body = classify_every_face(
                model, frames, rate, spans, clip_len, window, pipeline,
                inference_detector(cfg, detector), name, batch_size, min_track_len,
                progress=progress, on_window=on_window)
        finally:
            frames.close()
        return dict(head, classes=body.pop('classes'), all_faces=True, **body)

    try:
        records, scores = score_windows(
            model, spans,
            lambda span: window_record(pipeline, frames, span[0], span[1], clip_len, rate, name),
            batch_size, on_window, progress)
    finally:
        frames.close()

    names = class_names_for(model, len(scores[0]))
    for record, score in zip(records, scores):
        top = int(np.argmax(score))
        record['probabilities'] = {n: float(p) for n, p in zip(names, score)}
        record['top_class'] = names[top]
        record['top_score'] = float(score[top])
    return dict(head, classes=list(names), windows=records)
