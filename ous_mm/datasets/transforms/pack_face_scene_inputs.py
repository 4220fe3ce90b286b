"""Pack the two streams and labels into the OUS sample (docs/architecture.md)."""
from typing import Dict, Sequence

import numpy as np
import torch
from mmaction.registry import TRANSFORMS
from mmaction.structures import ActionDataSample
from mmcv.transforms import BaseTransform


@TRANSFORMS.register_module()
class PackFaceSceneInputs(BaseTransform):
    """Build ``inputs`` uint8 (2, T, 3, H, W) (0 = face, 1 = scene) and the data sample.

    Required keys: ``face_imgs``, ``imgs`` (uint8 (T, H, W, 3) RGB, same shape).

    Optional keys: ``label`` (class id) -> ``gt_label``; ``polarity`` (0 positive,
    1 neutral, 2 negative) -> data field ``gt_polarity`` (LongTensor (1,));
    metainfo keys in ``meta_keys``.

    Added keys: ``inputs``, ``data_samples``.

    Args:
        meta_keys (sequence of str): copied into the sample's metainfo when present.
            ``face_fallback`` defaults to False when absent.
    """

    def __init__(self, meta_keys: Sequence[str] = ('clip_id', 'filename', 'face_fallback',
                                                   'frame_inds', 'label_name', 'img_shape')):
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: Dict) -> Dict:
        face = np.asarray(results['face_imgs'])
        scene = np.asarray(results['imgs'])
        if face.shape != scene.shape or face.ndim != 4 or face.shape[-1] != 3:
            raise ValueError(
                f'{results.get("filename", "<clip>")}: face clip {face.shape} and scene clip '
                f'{scene.shape} must both be (T, H, W, 3); run FaceSceneSplit first')
        stacked = np.stack([face, scene]).astype(np.uint8)  # (2, T, H, W, 3)
        inputs = torch.from_numpy(np.ascontiguousarray(stacked.transpose(0, 1, 4, 2, 3)))
        sample = ActionDataSample()
        if results.get('label') is not None:
            sample.set_gt_label(int(results['label']))
        if results.get('polarity') is not None:
            sample.gt_polarity = torch.LongTensor([int(results['polarity'])])
        metainfo = {k: results[k] for k in self.meta_keys if k in results}
        metainfo.setdefault('face_fallback', bool(results.get('face_fallback', False)))
        sample.set_metainfo(metainfo)
        return dict(inputs=inputs, data_samples=sample)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(meta_keys={self.meta_keys})'
