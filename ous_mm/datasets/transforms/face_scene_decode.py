"""Decode the sampled frames of both streams."""
import logging
from typing import Dict, List, Sequence

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform
from mmengine.logging import print_log

from ..video_io import (DecordVideo, FallbackVideo, FrameSource, OpenCVVideo, VideoReadError,
                        read_image_rgb)


@TRANSFORMS.register_module()
class FaceSceneDecode(BaseTransform):
    """Decode the scene frames at ``frame_inds`` and the face frames at ``face_frame_inds``.

    Video files are decoded in ONE sequential pass by default (``one_pass``):
    OpenCV grabs every frame up to the last sampled one and converts only the
    sampled ones. For DFER-length clips this is 1.4-1.9x faster per core than
    decord's random access, which seeks back to a keyframe for many of the 16
    indices (``benchmarks/README.md``, "Data pipeline"); the pixels are the same
    (both decode with FFmpeg). Videos longer than ``one_pass_max_frames`` keep
    decord's random access (seeking beats decoding minutes of video), and so does
    a file OpenCV cannot read (logged as a warning naming it, counted in
    ``num_one_pass_fallback``). The decoded scene frames feed both streams
    (``FaceSceneSplit`` crops the face from them), so nothing is decoded twice.

    Required keys: ``scene_source``, ``frame_inds``; ``face_frame_paths`` and
    ``face_frame_inds`` when faces are provided.

    Added keys: ``imgs`` (list of HxWx3 uint8 RGB scene frames), ``face_imgs``
    (list of provided face frames, only when the clip has a face folder),
    ``original_shape``, ``img_shape``.

    Deleted keys: ``scene_source`` (closed), ``face_frame_paths``.

    Args:
        one_pass (bool): sequential OpenCV decoding of video files (see above);
            False: the source's own random access (decord).
        one_pass_max_frames (int): longer videos use random access.
    """

    def __init__(self, one_pass: bool = True, one_pass_max_frames: int = 300) -> None:
        self.one_pass = one_pass
        self.one_pass_max_frames = one_pass_max_frames
        self.num_one_pass_fallback = 0  # per process (each dataloader worker has its own)

    def _scene_frames(self, source: FrameSource, inds: Sequence[int]) -> List[np.ndarray]:
        # a video file decord opened (open_source wraps it in FallbackVideo, which turns
        # to OpenCV itself when decord cannot decode it)
        if (self.one_pass and isinstance(source, (DecordVideo, FallbackVideo))
                and source.num_frames <= self.one_pass_max_frames):
            try:
                return OpenCVVideo(source.path, num_frames=source.num_frames).get_frames(inds)
            except VideoReadError as err:
                self.num_one_pass_fallback += 1
                print_log(f'{source.path}: one-pass OpenCV decoding failed ({err}); decoding '
                          'with decord instead', logger='current', level=logging.WARNING)
        return source.get_frames(inds)

    def transform(self, results: Dict) -> Dict:
        source = results.pop('scene_source')
        try:
            results['imgs'] = self._scene_frames(source, [int(i) for i in results['frame_inds']])
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

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(one_pass={self.one_pass}, '
                f'one_pass_max_frames={self.one_pass_max_frames})')
