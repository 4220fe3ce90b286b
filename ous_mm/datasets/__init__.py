"""Face/scene data pipeline: annotation reader, dataset, transforms, face detectors."""
from . import face_detectors, transforms  # noqa: F401  (registration)
from .annotation import AnnotationError, ClipRecord, read_annotation_file
from .face_scene_dataset import POLARITY_IDS, ClipLoadError, FaceSceneDataset
from .face_detectors import (MMDetFaceDetector, OpenCVFaceDetector, PrecomputedFaceBoxes,
                             build_face_detector)
from .transforms import (FaceSceneDecode, FaceSceneFlip, FaceSceneInit, FaceSceneSampleFrames,
                         FaceSceneSplit, PackFaceSceneInputs)
from .video_io import VideoReadError

__all__ = [
    'AnnotationError', 'ClipRecord', 'read_annotation_file',
    'POLARITY_IDS', 'ClipLoadError', 'FaceSceneDataset', 'MMDetFaceDetector',
    'OpenCVFaceDetector', 'PrecomputedFaceBoxes', 'build_face_detector', 'FaceSceneDecode',
    'FaceSceneFlip', 'FaceSceneInit', 'FaceSceneSampleFrames', 'FaceSceneSplit',
    'PackFaceSceneInputs', 'VideoReadError'
]
