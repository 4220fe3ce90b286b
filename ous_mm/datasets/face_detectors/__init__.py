"""Face detectors behind one interface (see :class:`BaseFaceDetector`), in ``TASK_UTILS``."""
from .base import (BaseFaceDetector, ForkedCUDAError, build_face_detector,
                   check_detector_device, empty_boxes, in_forked_process)
from .box_file import (BoxFileError, box_file_name, is_valid_box_file, read_box_file,
                       write_box_file)
from .default import DETECTOR_CHOICES, default_face_detector, face_detector_cfg
from .evaluation import match_faces
from .mmdet_detector import MMDetFaceDetector
from .mtcnn import MTCNN_INSTALL, mtcnn_available
from .mtcnn_detector import MTCNNFaceDetector
from .opencv_detector import OpenCVFaceDetector
from .precomputed import PrecomputedFaceBoxes

__all__ = [
    'BaseFaceDetector', 'ForkedCUDAError', 'build_face_detector', 'check_detector_device',
    'empty_boxes', 'in_forked_process', 'BoxFileError',
    'box_file_name', 'is_valid_box_file', 'read_box_file', 'write_box_file',
    'MMDetFaceDetector', 'OpenCVFaceDetector', 'PrecomputedFaceBoxes', 'MTCNNFaceDetector',
    'MTCNN_INSTALL', 'mtcnn_available', 'default_face_detector', 'match_faces',
    'DETECTOR_CHOICES', 'face_detector_cfg'
]
