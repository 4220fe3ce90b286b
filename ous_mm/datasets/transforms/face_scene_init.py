"""Open the scene source and list the provided face frames of a clip."""
from typing import Dict

from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from ..video_io import ArrayFrames, check_frame_files, list_frame_files, open_source


@TRANSFORMS.register_module()
class FaceSceneInit(BaseTransform):
    """Open a clip's scene (video file, frame folder or in-memory frames) and face folder.

    Counts frames without decoding them, so that :class:`FaceSceneSampleFrames`
    can choose indices and :class:`FaceSceneDecode` decodes only those.

    Required keys: ``filename`` (scene video or frame folder) or ``scene_frames``
    (list of HxWx3 arrays, e.g. a user's decoded video).

    Optional keys: ``face_dir`` (folder of provided face crops, or None).

    Added keys: ``scene_source``, ``total_frames``, ``face_frame_paths``,
    ``face_total_frames`` (None without a face folder), ``start_index`` (0).

    Args:
        backend (str): video decoder: ``'auto'`` (decord, then OpenCV), ``'decord'``, ``'opencv'``.
    """

    def __init__(self, backend: str = 'auto') -> None:
        assert backend in ('auto', 'decord', 'opencv'), f'unknown backend {backend}'
        self.backend = backend

    def transform(self, results: Dict) -> Dict:
        if results.get('scene_frames') is not None:
            source = ArrayFrames(results.pop('scene_frames'), results.get('filename', '<array>'))
            results.setdefault('filename', source.path)
        else:
            if not results.get('filename'):
                raise KeyError('FaceSceneInit needs `filename` (scene video or frame folder) '
                               'or `scene_frames`')
            source = open_source(results['filename'], backend=self.backend)
        results['scene_source'] = source
        results['total_frames'] = source.num_frames
        results['start_index'] = 0
        face_dir = results.get('face_dir')
        if face_dir:
            paths = list_frame_files(face_dir)
            check_frame_files(paths)  # a 0-byte or text frame anywhere: an error now, not later
            results['face_frame_paths'] = paths
            results['face_total_frames'] = len(paths)
        else:
            results['face_frame_paths'] = None
            results['face_total_frames'] = None
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(backend={self.backend!r})'
