"""FaceSceneSplit: tracked face crop + scene, on a real face and on bad input."""
import numpy as np
import pytest

import ous_mm  # noqa: F401
from ous_mm.datasets.face_detectors import BaseFaceDetector, OpenCVFaceDetector
from ous_mm.datasets.face_track import box_iou, track_face
from ous_mm.datasets.transforms import FaceSceneSplit, NoFaceError, PackFaceSceneInputs

from .video_fixtures import astronaut_clip


class FixedBoxes(BaseFaceDetector):
    """Test detector returning given boxes per frame."""

    def __init__(self, boxes):
        self.boxes = boxes

    def detect(self, frames, meta=None):
        return [np.asarray(b, np.float32).reshape(-1, 5) for b in self.boxes[:len(frames)]]


def test_opencv_detector_follows_the_astronaut_face():
    frames, gt = astronaut_clip(num_frames=6)
    split = FaceSceneSplit(detector=dict(type='OpenCVFaceDetector'), out_size=64, margin=0.2)
    out = split(dict(imgs=frames, filename='astronaut.mp4'))
    assert out['face_fallback'] is False
    ious = [box_iou(gt[t], out['face_boxes'][t][None])[0] for t in range(6)]
    print('IoU per frame:', np.round(ious, 3).tolist())
    assert min(ious) > 0.5
    assert out['face_imgs'].shape == (6, 64, 64, 3) and out['imgs'].shape == (6, 64, 64, 3)
    # the crop is the face: skin-coloured centre (red > blue), not the orange suit / sky
    centre = out['face_imgs'][:, 24:40, 24:40].reshape(-1, 3).mean(0)
    assert centre[0] > centre[2] + 20


def test_tracking_interpolates_missed_frames_and_ignores_a_second_face():
    big = [10, 10, 50, 50, 0.9]
    small = [80, 80, 90, 90, 0.99]
    dets = [[big, small], [], [], [[16, 10, 56, 50, 0.9]], [small]]
    track, found = track_face([np.array(d, np.float32).reshape(-1, 5) for d in dets],
                              smooth_window=1)
    assert found.tolist() == [True, False, False, True, False]
    np.testing.assert_allclose(track[1], [12, 10, 52, 50])
    np.testing.assert_allclose(track[2], [14, 10, 54, 50])
    np.testing.assert_allclose(track[4], [16, 10, 56, 50])  # held, never jumps to `small`


def test_no_face_center_crop_fallback_is_flagged_and_logged(monkeypatch):
    from ous_mm.datasets.transforms import face_scene_split
    logged = []
    monkeypatch.setattr(face_scene_split, 'print_log',
                        lambda msg, logger=None, level=None: logged.append((msg, level)))
    frames = [np.full((40, 80, 3), 30, np.uint8) for _ in range(3)]
    for f in frames:
        f[:, 20:60] = 200  # the centred 40x40 square is bright
    split = FaceSceneSplit(detector=FixedBoxes([[]] * 3), out_size=16)
    out = split(dict(imgs=frames, filename='dark_room.mp4'))
    assert len(logged) == 1 and logged[0][1] == 30  # logging.WARNING
    assert 'dark_room.mp4: no face found in any sampled frame' in logged[0][0]
    assert out['face_fallback'] is True and out['face_boxes'] is None
    assert out['face_imgs'].min() == 200  # exactly the centre square
    assert split.num_fallback == 1 and split.num_clips == 1
    packed = PackFaceSceneInputs()(out)
    assert packed['data_samples'].metainfo['face_fallback'] is True


def test_no_face_raise_policy_names_the_file():
    frames = [np.zeros((40, 40, 3), np.uint8)] * 2
    split = FaceSceneSplit(detector=FixedBoxes([[]] * 2), on_no_face='raise')
    with pytest.raises(NoFaceError, match='empty_scene.mp4: no face found'):
        split(dict(imgs=frames, filename='empty_scene.mp4'))


def test_one_pixel_wide_frames_fall_back_without_crashing():
    frames = [np.random.default_rng(0).integers(0, 255, (50, 1, 3), dtype=np.uint8)] * 3
    out = FaceSceneSplit(detector=OpenCVFaceDetector(), out_size=8)(
        dict(imgs=frames, filename='sliver.mp4'))
    assert out['face_fallback'] is True
    assert out['face_imgs'].shape == (3, 8, 8, 3) and out['imgs'].shape == (3, 8, 8, 3)


def test_4k_frames_are_cheap_and_boxes_are_in_full_resolution():
    frames, gt = astronaut_clip(num_frames=2)
    import cv2
    big = []
    for f in frames:  # 4K UHD canvas with the photo scaled to its full height
        canvas = np.zeros((2160, 3840, 3), np.uint8)
        canvas[:, 800:800 + 2160] = cv2.resize(f, (2160, 2160))
        big.append(canvas)
    s = 2160 / frames[0].shape[0]
    out = FaceSceneSplit(detector=OpenCVFaceDetector(max_side=640), out_size=32)(
        dict(imgs=big, filename='uhd.mp4'))
    gt_big = gt * s + np.array([800, 0, 800, 0])
    assert box_iou(gt_big[0], out['face_boxes'][0][None])[0] > 0.4
    assert out['face_imgs'].shape == (2, 32, 32, 3)


def test_grayscale_input_and_mask_face():
    frames = [np.full((60, 60), 120, np.uint8) for _ in range(2)]
    det = FixedBoxes([[[20, 20, 40, 40, 1.0]]] * 2)
    out = FaceSceneSplit(detector=det, out_size=60, mask_face=True, mask_value=0,
                         smooth_window=1)(dict(imgs=frames, filename='gray.mp4'))
    assert out['imgs'].shape == (2, 60, 60, 3)
    assert out['imgs'][0, 25:35, 25:35].max() == 0      # face masked in the scene
    assert out['imgs'][0, 0:10, 0:10].min() == 120      # scene untouched elsewhere
    assert out['face_imgs'][0, 20:40, 20:40].min() == 120  # the face stream still sees it


def test_provided_face_frames_skip_detection():
    class Boom(BaseFaceDetector):
        def detect(self, frames, meta=None):
            raise AssertionError('detector must not run when faces are provided')

    scene = [np.zeros((30, 50, 3), np.uint8)] * 3
    faces = [np.full((112, 112, 3), 77, np.uint8)] * 3
    out = FaceSceneSplit(detector=Boom(), out_size=24)(
        dict(imgs=scene, face_imgs=faces, filename='x.mp4'))
    assert out['face_imgs'].shape == (3, 24, 24, 3) and int(out['face_imgs'].mean()) == 77
    assert out['face_fallback'] is False


def test_pack_produces_the_architecture_sample():
    face = np.zeros((4, 8, 8, 3), np.uint8)
    scene = np.full((4, 8, 8, 3), 9, np.uint8)
    out = PackFaceSceneInputs()(dict(face_imgs=face, imgs=scene, label=3, polarity=2,
                                     clip_id='c1', filename='c1.mp4', face_fallback=False))
    inputs, sample = out['inputs'], out['data_samples']
    assert inputs.shape == (2, 4, 3, 8, 8) and str(inputs.dtype) == 'torch.uint8'
    assert int(inputs[0].max()) == 0 and int(inputs[1].min()) == 9  # 0 = face, 1 = scene
    assert sample.gt_label.tolist() == [3] and sample.gt_polarity.tolist() == [2]
    assert sample.metainfo['clip_id'] == 'c1' and sample.metainfo['face_fallback'] is False


def test_flip_turns_both_streams_and_the_box_together():
    from ous_mm.datasets.transforms import FaceSceneFlip
    face = np.zeros((2, 4, 4, 3), np.uint8)
    face[:, :, 0] = 255  # left column bright
    scene = face.copy()
    boxes = np.array([[0, 0, 10, 10], [2, 0, 12, 10]], np.float32)
    out = FaceSceneFlip(flip_ratio=1.0)(dict(face_imgs=face, imgs=scene, face_boxes=boxes,
                                             original_shape=(20, 40)))
    assert out['flip'] is True
    assert out['face_imgs'][:, :, -1].min() == 255 and out['imgs'][:, :, -1].min() == 255
    np.testing.assert_allclose(out['face_boxes'], [[30, 0, 40, 10], [28, 0, 38, 10]])
    kept = FaceSceneFlip(flip_ratio=0.0)(dict(face_imgs=face, imgs=scene))
    assert kept['flip'] is False and kept['face_imgs'][:, :, 0].min() == 255


def test_detect_stride_runs_the_detector_on_fewer_frames_and_interpolates():
    calls = []

    class Moving(BaseFaceDetector):
        def detect(self, frames, meta=None):
            calls.append(list(meta['frame_inds']))
            return [np.array([[10 + 2 * i, 10, 30 + 2 * i, 30, 1.0]], np.float32)
                    for i in meta['frame_inds']]

    frames = [np.zeros((60, 80, 3), np.uint8)] * 5
    out = FaceSceneSplit(detector=Moving(), out_size=8, smooth_window=1, detect_stride=2)(
        dict(imgs=frames, frame_inds=np.arange(5), filename='x.mp4'))
    assert calls == [[0, 2, 4]]
    np.testing.assert_allclose(out['face_boxes'][:, 0], [10, 12, 14, 16, 18])  # 1, 3 interpolated


def test_given_face_track_is_cropped_as_it_is():
    """``face_track`` (one person's boxes, every-face inference) is used instead of
    detecting: the crop follows it even where a detector would pick another face."""
    frames = [np.zeros((100, 200, 3), np.uint8) for _ in range(3)]
    for t, f in enumerate(frames):
        f[20:60, 120 + 10 * t:160 + 10 * t] = 255  # the person, moving right
    track = np.array([[120 + 10 * t, 20, 160 + 10 * t, 60] for t in range(3)], float)
    split = FaceSceneSplit(detector=None, out_size=32, margin=0.0)
    out = split(dict(imgs=list(frames), face_track=track, filename='c.mp4'))
    np.testing.assert_allclose(out['face_boxes'], track)
    assert not out['face_fallback'] and out['face_imgs'].min() == 255  # all person
    with pytest.raises(ValueError, match='c.mp4: face_track'):
        split(dict(imgs=list(frames), face_track=track[:2], filename='c.mp4'))
