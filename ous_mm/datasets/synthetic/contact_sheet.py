"""A contact sheet of variants: one apex frame per class per variant, face box drawn."""
from typing import Iterable, Union

import cv2
import numpy as np

from .generator import CLASS_NAMES, plan_clips, render_clip_with_info
from .spec import VariantSpec
from .variants import get_variant

_LABEL_W, _HEAD_H = 172, 22


def _text(img, text, org, scale=0.42, colour=(20, 20, 20)):
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, 1, cv2.LINE_AA)


def contact_sheet(variants: Iterable[Union[str, VariantSpec]], seed: int = 0,
                  cell: int = 96) -> np.ndarray:
    """RGB uint8 image: a row per variant, a column per class (a clear clip where there is one)."""
    rows = []
    for variant in variants:
        spec = get_variant(variant)
        plans = plan_clips(len(CLASS_NAMES) * 10, seed, spec=spec)
        row = np.full((cell, _LABEL_W + cell * len(CLASS_NAMES), 3), 255, np.uint8)
        _text(row, spec.name, (4, cell // 2 - 4), 0.5)
        tags = [f'{spec.size}px {spec.num_frames}f'] + (['hard'] if spec.hard else []) + (
            ['holdout'] if spec.holdout else [])
        _text(row, ' '.join(tags), (4, cell // 2 + 14), 0.38, (90, 90, 90))
        for j, label in enumerate(CLASS_NAMES):
            members = [p for p in plans if p['label'] == label]
            plan = next((p for p in members if not p['ambiguous']), members[0])
            frames, boxes, _ = render_clip_with_info(plan, seed, spec)
            img = frames[-1].copy()
            x1, y1, x2, y2 = boxes[-1]
            cv2.rectangle(img, (int(x1), int(y1)), (int(x2), int(y2)), (0, 255, 0), 1)
            x0 = _LABEL_W + j * cell
            row[:, x0:x0 + cell] = cv2.resize(img, (cell, cell), interpolation=cv2.INTER_AREA)
        rows.append(row)
    head = np.full((_HEAD_H, rows[0].shape[1], 3), 255, np.uint8)
    for j, label in enumerate(CLASS_NAMES):
        _text(head, label, (_LABEL_W + j * cell + 4, _HEAD_H - 7), 0.45)
    return np.concatenate([head] + rows, 0)
