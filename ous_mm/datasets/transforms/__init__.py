"""Transforms of the face/scene pipeline (registered in mmaction's TRANSFORMS)."""
from .cached_features import LoadCachedFeatures, PackCachedFeatureInputs  # noqa: F401
from .face_scene_decode import FaceSceneDecode
from .face_scene_flip import FaceSceneFlip
from .face_scene_init import FaceSceneInit
from .face_scene_split import FaceSceneSplit, NoFaceError
from .pack_face_scene_inputs import PackFaceSceneInputs
from .sample_frames import FaceSceneSampleFrames, map_indices, segment_indices

__all__ = [
    'FaceSceneDecode', 'FaceSceneFlip', 'FaceSceneInit', 'FaceSceneSplit', 'NoFaceError',
    'PackFaceSceneInputs', 'FaceSceneSampleFrames', 'map_indices', 'segment_indices'
]
