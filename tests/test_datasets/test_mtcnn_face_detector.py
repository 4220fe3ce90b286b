"""MTCNNFaceDetector (weights shipped in facenet-pytorch) on clips of real photos, vs Haar.

The clips pan and zoom over photos that scikit-image, matplotlib and scikit-learn
ship (:mod:`ous_mm.datasets.synthetic.photo_clips`): a frontal face (astronaut),
a face with glasses and a cap (grace_hopper), a face turned to a camera
(cameraman), two people side by side, and four photos without a face.
"""
import numpy as np
import pytest

import ous_mm  # noqa: F401
from ous_mm.datasets.face_detectors import (MTCNN_INSTALL, MTCNNFaceDetector, build_face_detector,
                                            default_face_detector, face_detector_cfg,
                                            match_faces)
from ous_mm.datasets.face_detectors import default as default_module
from ous_mm.datasets.face_detectors import mtcnn as mtcnn_module
from ous_mm.datasets.face_track import box_iou
from ous_mm.datasets.synthetic.photo_clips import FACE_PHOTOS, NO_FACE_PHOTOS, photo_clip
from ous_mm.datasets.transforms import FaceSceneSplit

NUM_FRAMES = 16  # each photo's aspect ratio, 256 px on the shorter side
DETECTORS = dict(cnn=dict(type='MTCNNFaceDetector'), haar=dict(type='OpenCVFaceDetector'))


@pytest.fixture(scope='module')
def scores():
    """match_faces statistics of both detectors on every photo clip (computed once)."""
    out = {}
    for key, cfg in DETECTORS.items():
        det = build_face_detector(cfg)
        for name in FACE_PHOTOS + NO_FACE_PHOTOS:
            frames, refs = photo_clip(name, NUM_FRAMES)
            out[key, name] = match_faces(det.detect(frames), refs, iou_thr=0.5)
    return out


@pytest.mark.parametrize('name', FACE_PHOTOS)
def test_cnn_finds_every_face_in_every_frame(scores, name):
    cnn, haar = scores['cnn', name], scores['haar', name]
    print(f'{name}: CNN {cnn["found"]}/{cnn["faces"]} faces, min IoU '
          f'{min(min(f) for f in cnn["ious"]):.2f}, {cnn["false_positives"]} false positives; '
          f'Haar {haar["found"]}/{haar["faces"]}, {haar["false_positives"]} false positives')
    assert cnn['faces'] == NUM_FRAMES * (2 if name == 'astronaut_and_grace_hopper' else 1)
    assert cnn['recall'] == 1.0
    assert min(min(f) for f in cnn['ious']) >= 0.5
    assert cnn['false_positives'] == 0


@pytest.mark.parametrize('name', NO_FACE_PHOTOS)
def test_cnn_finds_nothing_where_there_is_no_face(scores, name):
    assert scores['cnn', name]['false_positives'] == 0


def test_cnn_beats_haar_on_recall_and_false_positives(scores):
    def total(key, field):
        return sum(scores[key, n][field] for n in FACE_PHOTOS + NO_FACE_PHOTOS)
    print('found: CNN', total('cnn', 'found'), 'Haar', total('haar', 'found'), 'of',
          total('cnn', 'faces'), '| false positives: CNN', total('cnn', 'false_positives'),
          'Haar', total('haar', 'false_positives'))
    assert total('cnn', 'found') > total('haar', 'found')  # Haar misses the turned face
    assert total('cnn', 'false_positives') < total('haar', 'false_positives')


def test_batched_detection_equals_frame_by_frame_and_is_deterministic():
    frames, _ = photo_clip('astronaut_and_grace_hopper', 4, (480, 270))
    frames.append(photo_clip('grace_hopper', 1, (200, 240))[0][0])  # another size: own batch
    det = MTCNNFaceDetector(batch_size=3)
    batched = det.detect(frames)
    single = [det.detect([f])[0] for f in frames]
    again = det.detect(frames)
    assert [len(b) for b in batched] == [2, 2, 2, 2, 1]
    for b, s, a in zip(batched, single, again):
        assert b.dtype == np.float32 and b.shape[1] == 5
        np.testing.assert_array_equal(b, a)  # same input, same boxes
        # another batch size changes the conv kernels' rounding, not the faces found
        assert len(b) == len(s) and all(box_iou(s[k, :4], b).max() > 0.8 for k in range(len(s)))
        assert (b[:, 4] >= 0.9).all() and (b[:, 4] <= 1).all()


def test_720p_frames_are_detected_downscaled_with_boxes_in_frame_pixels():
    frames, refs = photo_clip('astronaut', 2, (1280, 720))
    small = MTCNNFaceDetector().detect(frames)  # max_side=640: detected at 640x360
    full = MTCNNFaceDetector(max_side=1280).detect(frames)
    stats = match_faces(small, refs)
    assert stats['recall'] == 1.0 and stats['false_positives'] == 0
    assert min(min(f) for f in stats['ious']) >= 0.5
    for s, f in zip(small, full):
        assert box_iou(f[0, :4], s).max() > 0.8


def test_face_scene_split_with_the_cnn_crops_the_face():
    frames, refs = photo_clip('cameraman', 6)  # Haar finds no face here at all
    out = FaceSceneSplit(detector=dict(type='MTCNNFaceDetector'), out_size=48)(
        dict(imgs=frames, filename='cameraman.mp4'))
    assert out['face_fallback'] is False
    assert match_faces([b[None] for b in out['face_boxes']], refs)['recall'] == 1.0


def test_missing_package_fails_at_build_with_the_install_line(monkeypatch):
    monkeypatch.setattr(mtcnn_module.importlib.util, 'find_spec', lambda name: None)
    with pytest.raises(ImportError, match='pip install --no-deps facenet-pytorch==2.6.0'):
        build_face_detector(dict(type='MTCNNFaceDetector'))
    assert MTCNN_INSTALL == 'pip install --no-deps facenet-pytorch==2.6.0'


def test_default_is_the_cnn_when_installed_else_haar(monkeypatch):
    assert default_face_detector('cuda:1') == dict(type='MTCNNFaceDetector', device='cuda:1')
    monkeypatch.setattr(default_module, 'mtcnn_available', lambda: False)
    assert default_face_detector('cuda:1') == dict(type='OpenCVFaceDetector')
    assert face_detector_cfg('auto', score_thr=0.8) == dict(type='OpenCVFaceDetector')
    assert face_detector_cfg('mtcnn', 'cpu', score_thr=0.8, batch_size=4) == dict(
        type='MTCNNFaceDetector', device='cpu', score_thr=0.8, batch_size=4)
    assert face_detector_cfg('haar', det_config='x.py')['type'] == 'MMDetFaceDetector'
    with pytest.raises(ValueError, match='unknown detector'):
        face_detector_cfg('retina')


def test_bad_frames_and_arguments_are_refused():
    with pytest.raises(ValueError, match='expected HxWx3 uint8'):
        MTCNNFaceDetector().detect([np.zeros((32, 32), np.uint8)])
    with pytest.raises(ValueError, match='thresholds needs 3'):
        MTCNNFaceDetector(thresholds=(0.5, 0.5))
    tiny = MTCNNFaceDetector().detect([np.zeros((8, 8, 3), np.uint8)])  # smaller than a face
    assert tiny[0].shape == (0, 5)
