"""Every person in a user's video: track all faces, classify each track with the shared scene.

The detector runs once on every frame any window samples; the detections are
linked into one track per person over the whole video
(:func:`~ous_mm.datasets.multi_face_track.track_all_faces`), so a person keeps
their id across windows and when they leave and come back. Each window is then
classified once per person in view, with the config's own pipeline given that
person's boxes (``FaceSceneSplit``'s ``face_track``: cropped as they are, not
detected again; the scene stream is the same for everyone).
"""
import math
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

from ..datasets.face_detectors import build_face_detector
from ..datasets.face_detectors.box_file import usable_boxes
from ..datasets.multi_face_track import FaceTrack, face_descriptor, track_all_faces
from .inference import class_names_for, score_windows, window_record
from .windows import sample_indices

#: a person is classified in a window when in view in at least this share of its frames
MIN_WINDOW_COVER = 0.25
#: frames detected per detector call (bounds memory on long videos)
DETECT_CHUNK = 16


def _detect(frames, frame_ids: Sequence[int], detector) -> Tuple[List, List]:
    """Detections (K, 5) and their appearance descriptors on each of ``frame_ids``."""
    dets, descs = [], []
    for first in range(0, len(frame_ids), DETECT_CHUNK):
        ids = list(frame_ids[first:first + DETECT_CHUNK])
        imgs = frames.get_frames(ids)
        found = detector.detect(imgs, dict(frame_inds=ids, filename=frames.path
                                           if hasattr(frames, 'path') else None))
        for img, boxes in zip(imgs, found):
            boxes = usable_boxes(boxes, img.shape[:2])
            dets.append(boxes)
            descs.append(np.stack([face_descriptor(img, b[:4]) for b in boxes])
                         if len(boxes) else np.zeros((0, 1)))
    return dets, descs


def _window_boxes(track: FaceTrack, inds: Sequence[int], max_gap: int) -> np.ndarray:
    """The person's box at each sampled frame of a window; frames where they are out of
    view take the nearest box they have in the window (the crop holds still)."""
    boxes = [track.covered(int(i), max_gap) for i in inds]
    seen = [t for t, b in enumerate(boxes) if b is not None]
    return np.stack([boxes[t] if boxes[t] is not None else
                     boxes[min(seen, key=lambda s: abs(s - t))] for t in range(len(inds))])


def _track_summary(track: FaceTrack, records: List[dict], rate: float,
                   names: Sequence[str]) -> dict:
    frames = track.frames
    summary = dict(track_id=track.track_id, first_frame=int(frames[0]),
                   last_frame=int(frames[-1]), first_sec=round(frames[0] / rate, 3),
                   last_sec=round(frames[-1] / rate, 3), num_detections=len(frames),
                   windows=records)
    if records:  # the person's emotion over all their windows
        mean = np.mean([[r['probabilities'][n] for n in names] for r in records], axis=0)
        top = int(np.argmax(mean))
        summary.update(probabilities={n: float(p) for n, p in zip(names, mean)},
                       top_class=names[top], top_score=float(mean[top]))
    return summary


def classify_every_face(model: torch.nn.Module, frames, rate: float,
                        spans: Sequence[Tuple[int, int]], clip_len: int, window: int,
                        pipeline, detector, name: str, batch_size: int,
                        min_track_len: int,
                        progress: Optional[Callable[[int, int], None]] = None,
                        on_window: Optional[Callable] = None) -> Dict:
    """``tracks`` (one dict per kept person), ``dropped_tracks`` and ``min_track_len``.

    ``pipeline`` is the inference pipeline; each (person, window) runs through it
    with the person's boxes as ``face_track``. A kept track that is in view in too few
    frames of every window (:data:`MIN_WINDOW_COVER`) is dropped too.
    """
    sampled = {int(i) for start, end in spans for i in sample_indices(start, end, clip_len)}
    frame_ids = sorted(sampled)
    dets, descs = _detect(frames, frame_ids, build_face_detector(detector))
    # a person unseen this long is followed by appearance only: 1 s, or two sampling steps
    max_gap = max(int(round(rate)), 2 * int(math.ceil(window / clip_len)))
    tracks, dropped = track_all_faces(frame_ids, dets, descs, max_gap=max_gap,
                                      min_detections=min_track_len)
    jobs = []  # (track, start, end) for every person in view in a window
    for track in tracks:
        for start, end in spans:
            inds = sample_indices(start, end, clip_len)
            cover = sum(track.covered(int(i), max_gap) is not None for i in inds)
            if cover >= math.ceil(MIN_WINDOW_COVER * clip_len):
                jobs.append((track, start, end))
    in_view = {t.track_id for t, _, _ in jobs}
    dropped += sum(t.track_id not in in_view for t in tracks)
    tracks = [t for t in tracks if t.track_id in in_view]
    def person_window(job):
        track, start, end = job
        inds = sample_indices(start, end, clip_len)
        sample, record = window_record(pipeline, frames, start, end, clip_len, rate, name,
                                       face_track=_window_boxes(track, inds, max_gap))
        for entry in record['face_boxes']:  # where the person was not in view: no box
            if track.covered(entry['frame'], max_gap) is None:
                entry['box'] = None
        return sample, dict(track_id=track.track_id, **record)

    records, scores = score_windows(model, jobs, person_window, batch_size, on_window,
                                    progress)
    names = class_names_for(model, len(scores[0]) if scores else None)
    by_track: Dict[int, List[dict]] = {t.track_id: [] for t in tracks}
    for record, score in zip(records, scores):
        top = int(np.argmax(score))
        record['probabilities'] = {n: float(p) for n, p in zip(names, score)}
        record['top_class'] = names[top]
        record['top_score'] = float(score[top])
        by_track[record['track_id']].append(record)
    return dict(classes=list(names), min_track_len=int(min_track_len),
                dropped_tracks=int(dropped),
                tracks=[_track_summary(t, by_track[t.track_id], rate, names) for t in tracks])
