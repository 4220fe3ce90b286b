"""Follow EVERY face through a video: one id per person, kept when they leave and return.

Why: :func:`~.face_track.track_face` keeps the one most prominent face of a clip;
a film scene, a meeting or an interview has several people, each to be
classified on their own. Detections on the sampled frames of the whole video
are linked frame to frame by predicted position (constant velocity, so two
people who cross are not swapped) and appearance (a colour/texture descriptor
of the face and its surroundings); a person unseen for longer than
``max_gap`` frames is re-identified by appearance alone, so someone who leaves
the frame and comes back keeps their id. Tracks with fewer than
``min_detections`` detections (false positives, people glimpsed once) are
dropped and counted.
"""
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from .face_track import box_iou, crop_resize, square_region

#: appearance similarity (cosine) a detection needs to continue a track it is near
NEAR_SIMILARITY = 0.5
#: ... and to take over the id of a track unseen for more than ``max_gap`` frames
REID_SIMILARITY = 0.75


def face_descriptor(frame: np.ndarray, box: Sequence[float]) -> np.ndarray:
    """Unit-norm appearance vector of the face at ``box`` with a margin (hair, collar).

    Half hue-saturation histogram (colour of skin, hair, clothes; robust to pose
    and scale), half a 12x12 contrast-normalised grey thumbnail (layout of the
    face). Cheap enough to compute for every detection on a CPU.
    """
    cx, cy, side = square_region(box, 0.25)
    crop = crop_resize(frame, cx, cy, side, 32)
    hsv = cv2.cvtColor(crop, cv2.COLOR_RGB2HSV)
    hist = cv2.calcHist([hsv], [0, 1], None, [12, 4], [0, 180, 0, 256]).ravel()
    hist = np.sqrt(hist / max(hist.sum(), 1.0))  # Hellinger: cosine of sqrt histograms
    grey = cv2.resize(cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY), (12, 12),
                      interpolation=cv2.INTER_AREA).astype(np.float64).ravel()
    grey -= grey.mean()
    parts = [hist / max(np.linalg.norm(hist), 1e-9), grey / max(np.linalg.norm(grey), 1e-9)]
    vec = np.concatenate(parts) / np.sqrt(2.0)
    return vec / max(np.linalg.norm(vec), 1e-9)


@dataclass
class FaceTrack:
    """One person: their detected boxes by frame and an appearance summary."""
    track_id: int
    boxes: Dict[int, np.ndarray] = field(default_factory=dict)
    appearance: Optional[np.ndarray] = None
    velocity: np.ndarray = field(default_factory=lambda: np.zeros(4))

    @property
    def frames(self) -> List[int]:
        return sorted(self.boxes)

    @property
    def last_frame(self) -> int:
        return max(self.boxes)

    def predict(self, frame: int, max_gap: int) -> np.ndarray:
        """Box expected at ``frame`` (constant velocity, extrapolated at most ``max_gap``)."""
        last = self.last_frame
        return self.boxes[last] + self.velocity * min(frame - last, max_gap)

    def add(self, frame: int, box: np.ndarray, descriptor: np.ndarray) -> None:
        if self.boxes:
            last = self.last_frame
            step = (box - self.boxes[last]) / max(frame - last, 1)
            self.velocity = 0.5 * self.velocity + 0.5 * step
        self.boxes[frame] = np.asarray(box, dtype=np.float64)
        self.appearance = descriptor if self.appearance is None else \
            0.8 * self.appearance + 0.2 * descriptor
        self.appearance = self.appearance / max(np.linalg.norm(self.appearance), 1e-9)

    def covered(self, frame: int, max_gap: int) -> Optional[np.ndarray]:
        """The box at ``frame``: detected, or interpolated between two detections at most
        ``max_gap`` frames apart; None where the person was not in view."""
        if frame in self.boxes:
            return self.boxes[frame]
        frames = self.frames
        k = int(np.searchsorted(frames, frame))
        if k == 0 or k == len(frames):
            return None
        before, after = frames[k - 1], frames[k]
        if after - before > max_gap:
            return None
        a = (frame - before) / (after - before)
        return (1 - a) * self.boxes[before] + a * self.boxes[after]


def _near(pred: np.ndarray, box: np.ndarray, min_iou: float) -> Tuple[bool, float]:
    """Whether ``box`` is where ``pred`` says (overlap, or centre within one face size)."""
    iou = float(box_iou(pred, box[None])[0])
    size = max(pred[2] - pred[0], pred[3] - pred[1], box[2] - box[0], box[3] - box[1])
    dist = np.hypot((pred[0] + pred[2] - box[0] - box[2]) / 2,
                    (pred[1] + pred[3] - box[1] - box[3]) / 2)
    return iou >= min_iou or dist <= 0.75 * size, iou


def track_all_faces(frame_ids: Sequence[int], detections: Sequence[np.ndarray],
                    descriptors: Sequence[np.ndarray], max_gap: int,
                    min_detections: int = 3, min_iou: float = 0.1
                    ) -> Tuple[List[FaceTrack], int]:
    """Link per-frame detections into one track per person.

    Args:
        frame_ids: increasing frame indices that were searched for faces.
        detections: per searched frame a (K, 5) array ``x1, y1, x2, y2, score``.
        descriptors: per searched frame (K, D) :func:`face_descriptor` vectors.
        max_gap: frames a track may go undetected and still be continued by
            position; a detection elsewhere (or after a longer gap) takes a
            track's id only by appearance (:data:`REID_SIMILARITY`).
        min_detections: tracks with fewer detections are dropped.
        min_iou: overlap with the predicted box that counts as near (a centre
            within 0.75 face sizes does too).

    Returns:
        ``(tracks, dropped)``: the kept tracks, ids renumbered 1, 2, ... in order of
        first appearance, and how many short tracks were dropped.
    """
    from scipy.optimize import linear_sum_assignment

    if not len(frame_ids) == len(detections) == len(descriptors):
        raise ValueError(f'{len(frame_ids)} frames, {len(detections)} detection lists and '
                         f'{len(descriptors)} descriptor lists')
    if list(frame_ids) != sorted(set(frame_ids)):
        raise ValueError('frame_ids must be strictly increasing')
    tracks: List[FaceTrack] = []
    infeasible = 1e6
    for frame, dets, descs in zip(frame_ids, detections, descriptors):
        dets = np.asarray(dets, dtype=np.float64).reshape(-1, 5)
        if not len(dets):
            continue
        cost = np.full((len(tracks), len(dets)), infeasible)
        for i, track in enumerate(tracks):
            gap = frame - track.last_frame
            pred = track.predict(frame, max_gap)
            for j in range(len(dets)):
                sim = float(track.appearance @ descs[j])
                near, iou = _near(pred, dets[j, :4], min_iou)
                if gap <= max_gap and near and sim >= NEAR_SIMILARITY:
                    cost[i, j] = 1.0 - 0.5 * (iou + sim)  # in [0, 1): before any re-id
                elif sim >= REID_SIMILARITY:  # back after leaving, or re-found far away
                    cost[i, j] = 2.0 - sim
        matched = set()
        if len(tracks):
            rows, cols = linear_sum_assignment(cost)
            for i, j in zip(rows, cols):
                if cost[i, j] < infeasible:
                    tracks[i].add(frame, dets[j, :4], descs[j])
                    matched.add(j)
        for j in range(len(dets)):
            if j not in matched:
                track = FaceTrack(track_id=len(tracks) + 1)
                track.add(frame, dets[j, :4], descs[j])
                tracks.append(track)
    kept = [t for t in tracks if len(t.boxes) >= min_detections]
    kept.sort(key=lambda t: (t.frames[0], t.track_id))
    for new_id, track in enumerate(kept, start=1):
        track.track_id = new_id
    return kept, len(tracks) - len(kept)
