"""Score a face detector's boxes against reference face boxes: recall, false positives."""
from typing import Dict, Sequence

import numpy as np

from ..face_track import box_iou


def match_faces(detections: Sequence[np.ndarray], references: Sequence[np.ndarray],
                iou_thr: float = 0.5) -> Dict:
    """Match detections to reference faces frame by frame.

    Each reference face takes the unmatched detection with the highest IoU; it is
    found when that IoU is at least ``iou_thr``. Detections left unmatched are
    false positives.

    Args:
        detections: per frame ``(K, 5)`` (or ``(K, 4)``) boxes ``x1, y1, x2, y2[, score]``.
        references: per frame ``(M, 4)`` reference boxes (M = 0: no face).

    Returns:
        dict: ``frames``, ``faces`` (reference faces), ``found``, ``recall``
        (found / faces, 1.0 without faces), ``false_positives``, ``fp_per_frame``
        and ``ious`` (per frame, the IoU of each reference face's match, 0 if none).
    """
    if len(detections) != len(references):
        raise ValueError(f'{len(detections)} frames of detections, {len(references)} of references')
    faces = found = false_pos = 0
    ious = []
    for dets, refs in zip(detections, references):
        dets = np.asarray(dets, dtype=np.float64)
        dets = dets.reshape(-1, dets.shape[-1]) if dets.size else np.zeros((0, 5))
        refs = np.asarray(refs, dtype=np.float64).reshape(-1, 4)
        free = np.ones(len(dets), dtype=bool)
        frame_ious = []
        for ref in refs:
            iou = box_iou(ref, dets) if len(dets) else np.zeros(0)
            iou = np.where(free, iou, -1.0)
            k = int(np.argmax(iou)) if len(iou) else -1
            best = float(iou[k]) if k >= 0 else 0.0
            if best >= iou_thr:
                free[k] = False
                found += 1
            frame_ious.append(max(best, 0.0))
        faces += len(refs)
        false_pos += int(free.sum())
        ious.append(frame_ious)
    frames = len(references)
    return dict(frames=frames, faces=faces, found=found,
                recall=found / faces if faces else 1.0, false_positives=false_pos,
                fp_per_frame=false_pos / frames if frames else 0.0, ious=ious)
