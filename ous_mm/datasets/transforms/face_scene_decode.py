"""Decode the sampled frames of both streams."""
from typing import Dict

from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from ..video_io import read_image_rgb


@TRANSFORMS.register_module()
class FaceSceneDecode(BaseTransform):
    """Decode the scene frames at ``frame_inds`` and the face frames at ``face_frame_inds``.

    Required keys: ``scene_source``, ``frame_inds``; ``face_frame_paths`` and
    ``face_frame_inds`` when faces are provided.

    Added keys: ``imgs`` (list of HxWx3 uint8 RGB scene frames), ``face_imgs``
    (list of provided face frames, only when the clip has a face folder),
    ``original_shape``, ``img_shape``.

    Deleted keys: ``scene_source`` (closed), ``face_frame_paths``.
    """

    def transform(self, results: Dict) -> Dict:
        source = results.pop('scene_source')
        try:
            results['imgs'] = source.get_frames([int(i) for i in results['frame_inds']])
        finally:
            source.close()
        paths = results.pop('face_frame_paths', None)
        face_inds = results.get('face_frame_inds')
        if paths is not None and face_inds is not None:
            results['face_imgs'] = [read_image_rgb(paths[int(i)]) for i in face_inds]
        shape = results['imgs'][0].shape[:2]
        results['original_shape'] = shape
        results['img_shape'] = shape
        return results
