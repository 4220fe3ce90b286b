"""A cheap difficulty probe of a variant: linear classifiers on tiny apex crops.

Why: training a tower per variant takes minutes; a logistic regression on a
16x16 face crop (margin 0.1, as the synthetic configs crop) of each clip's last
frame, alone and with an 8x8 thumbnail of the whole frame, takes seconds and
tells whether the faces are readable from pixels at all (probe near the
face-only cap) and whether the scene's polarity is (probe with scene near the
face+scene cap). Hard variants push the face probe well below its cap.
"""
from typing import Dict, Union

import cv2
import numpy as np

from ..face_track import crop_resize, square_region
from .generator import SPLITS, plan_clips, render_clip_with_info
from .spec import VariantSpec
from .variants import get_variant


def probe_features(variant: Union[str, VariantSpec], num_clips: int = 420, seed: int = 0,
                   face_px: int = 16, scene_px: int = 8, margin: float = 0.1) -> Dict:
    """Per clip: flattened face crop and scene thumbnail of the last frame, label, split."""
    spec = get_variant(variant)
    faces, scenes, labels, splits = [], [], [], []
    for plan in plan_clips(num_clips, seed, spec=spec):
        frames, boxes, _ = render_clip_with_info(plan, seed, spec)
        frame = frames[-1]
        faces.append(crop_resize(frame, *square_region(boxes[-1], margin), face_px).ravel())
        scenes.append(cv2.resize(frame, (scene_px, scene_px), interpolation=cv2.INTER_AREA).ravel())
        labels.append(plan['label'])
        splits.append(plan['split'])
    return dict(face=np.stack(faces).astype(np.float32), scene=np.stack(scenes).astype(np.float32),
                labels=np.array(labels), splits=np.array(splits))


def linear_probe(variant: Union[str, VariantSpec], num_clips: int = 420, seed: int = 0,
                 train: str = 'train', test: str = 'test') -> Dict[str, float]:
    """Test UAR (percent) of logistic regressions on face pixels and on face + scene pixels."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import balanced_accuracy_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    if train not in SPLITS or test not in SPLITS:
        raise ValueError(f'train/test must be among {SPLITS}')
    feats = probe_features(variant, num_clips, seed)
    tr, te = feats['splits'] == train, feats['splits'] == test
    out = {}
    for name, x in (('face_only', feats['face']),
                    ('face_scene', np.concatenate([feats['face'], feats['scene']], 1))):
        clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=3000))
        clf.fit(x[tr], feats['labels'][tr])
        pred = clf.predict(x[te])
        out[name] = round(100.0 * balanced_accuracy_score(feats['labels'][te], pred), 2)
    return out
