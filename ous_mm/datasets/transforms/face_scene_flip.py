"""Horizontal flip of both streams together (training augmentation)."""
from typing import Dict

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform


@TRANSFORMS.register_module()
class FaceSceneFlip(BaseTransform):
    """Flip face and scene clips left-right with one shared coin toss.

    Both streams flip together so the face stays consistent with where it is in
    the scene (the scene stream contains the face too).

    Required keys: ``imgs``, ``face_imgs`` (uint8 (T, H, W, 3)).

    Modified keys: ``imgs``, ``face_imgs``, ``face_boxes`` (when present).

    Added keys: ``flip`` (bool).

    Args:
        flip_ratio (float): probability of flipping.
    """

    def __init__(self, flip_ratio: float = 0.5) -> None:
        assert 0.0 <= flip_ratio <= 1.0
        self.flip_ratio = flip_ratio

    def transform(self, results: Dict) -> Dict:
        flip = bool(np.random.rand() < self.flip_ratio)
        results['flip'] = flip
        if flip:
            results['imgs'] = np.ascontiguousarray(np.asarray(results['imgs'])[:, :, ::-1])
            results['face_imgs'] = np.ascontiguousarray(np.asarray(results['face_imgs'])[:, :, ::-1])
            boxes = results.get('face_boxes')
            if boxes is not None and results.get('original_shape') is not None:
                w = results['original_shape'][1]
                boxes = boxes.copy()
                boxes[:, [0, 2]] = w - boxes[:, [2, 0]]
                results['face_boxes'] = boxes
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(flip_ratio={self.flip_ratio})'
