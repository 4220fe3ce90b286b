"""The face detector used on a user's video when none is named."""
import logging
from typing import Dict, Optional

from mmengine.logging import print_log

from .mtcnn import MTCNN_INSTALL, mtcnn_available

_logged = set()  # the choice is logged once per process, not once per clip


def default_face_detector(device: str = 'cpu') -> Dict:
    """``MTCNNFaceDetector`` when facenet-pytorch is installed, else the Haar cascade.

    Why MTCNN first: it finds turned and profile faces that the frontal Haar
    cascade misses, with fewer false positives (``benchmarks/README.md``, "Face
    detectors"), and it needs no download. Haar is the fallback that works
    wherever OpenCV does. Returns a ``TASK_UTILS`` config dict.
    """
    if mtcnn_available():
        cfg = dict(type='MTCNNFaceDetector', device=str(device))
        why = 'CNN detector, weights from the installed facenet-pytorch'
    else:
        cfg = dict(type='OpenCVFaceDetector')
        why = f'facenet-pytorch is not installed; `{MTCNN_INSTALL}` enables the CNN detector'
    if cfg['type'] not in _logged:
        _logged.add(cfg['type'])
        print_log(f'face detector: {cfg["type"]} ({why})', logger='current', level=logging.INFO)
    return cfg


#: what ``--detector`` accepts in the tools
DETECTOR_CHOICES = ('auto', 'mtcnn', 'haar')


def face_detector_cfg(kind: str = 'auto', device: str = 'cpu', det_config: Optional[str] = None,
                      det_checkpoint: Optional[str] = None, score_thr: Optional[float] = None,
                      batch_size: Optional[int] = None) -> Dict:
    """The detector config the tools' flags name (one place for the demo and detect_faces).

    ``det_config`` (an mmdet config) wins; otherwise ``kind`` is one of
    :data:`DETECTOR_CHOICES` (``'auto'``: :func:`default_face_detector`).
    ``score_thr`` / ``batch_size`` apply to the CNN detectors (None: their default).
    """
    if det_config:
        cfg = dict(type='MMDetFaceDetector', config=det_config, checkpoint=det_checkpoint,
                   device=str(device))
    elif kind == 'haar':
        return dict(type='OpenCVFaceDetector')
    elif kind == 'mtcnn':
        cfg = dict(type='MTCNNFaceDetector', device=str(device))
    elif kind == 'auto':
        cfg = default_face_detector(device)
    else:
        raise ValueError(f'unknown detector {kind!r}; one of {DETECTOR_CHOICES}')
    if cfg['type'] == 'OpenCVFaceDetector':
        return cfg
    if score_thr is not None:
        cfg['score_thr'] = float(score_thr)
    if batch_size is not None:
        cfg['batch_size'] = int(batch_size)
    return cfg
