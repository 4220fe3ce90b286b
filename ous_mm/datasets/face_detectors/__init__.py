"""Face detectors behind one interface (see :class:`BaseFaceDetector`), in ``TASK_UTILS``."""
from .base import BaseFaceDetector, build_face_detector, empty_boxes
from .box_file import (BoxFileError, box_file_name, is_valid_box_file, read_box_file,
                       write_box_file)
from .mmdet_detector import MMDetFaceDetector
from .opencv_detector import OpenCVFaceDetector
from .precomputed import PrecomputedFaceBoxes

__all__ = [
    'BaseFaceDetector', 'build_face_detector', 'empty_boxes', 'BoxFileError',
    'box_file_name', 'is_valid_box_file', 'read_box_file', 'write_box_file',
    'MMDetFaceDetector', 'OpenCVFaceDetector', 'PrecomputedFaceBoxes'
]
