"""Split decoded frames into the face clip and the scene clip."""
import logging
from typing import Dict, Optional, Union

import cv2
import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform
from mmengine.logging import print_log

from ..face_detectors import BaseFaceDetector, build_face_detector
from ..face_detectors.box_file import usable_boxes
from ..face_track import center_square, crop_resize, square_region, track_face
from ..video_io import to_rgb3


SCENE_RESIZE_MODES = ('crop', 'squash', 'pad')


class NoFaceError(RuntimeError):
    """No face in any sampled frame of a clip and ``on_no_face='raise'``."""


@TRANSFORMS.register_module()
class FaceSceneSplit(BaseTransform):
    """Produce the two OUS streams: a tracked face crop and the whole scene.

    Face stream: when the clip ships face frames (``face_imgs``, from the
    annotation's ``faces`` folder) they are used as they are (resized); otherwise
    the detector runs on the sampled scene frames, one face is followed over time
    (:func:`~ous_mm.datasets.face_track.track_face`: most prominent face, followed
    by overlap, gaps interpolated, box smoothed) and a square crop with ``margin``
    around it is resized to ``out_size``.

    Scene stream: the frame brought to ``out_size`` x ``out_size`` (``scene_resize``,
    :data:`SCENE_RESIZE_MODES`): ``'crop'`` (default) resizes the shorter side and
    takes the centre square, CLIP's own preprocessing (a 16:9 frame loses 22 % of
    its width on each side, nothing is distorted); ``'squash'`` keeps the whole
    frame but distorts it (16:9 -> everything 1.78x narrower); ``'pad'`` keeps the
    whole frame undistorted inside borders of ``mask_value`` (a 16:9 frame fills
    56 % of the square). Why ``'crop'``: docs/method.md, interpretation 17.
    Optionally the face box is filled
    (``mask_face=True``; with provided face frames this runs the detector on the
    scene to find the region; a clip where no face is found stays unmasked).

    Detected or stored boxes are clipped to the frame; a box with less than half
    its area inside counts as no face (:func:`~..face_detectors.box_file.usable_boxes`).
    No face anywhere in the clip (``on_no_face``): ``'center_crop'`` uses the
    centred square of the frame as the face stream, sets ``face_fallback=True``
    (packed into the sample's metainfo; :class:`FaceFallbackLoggerHook` logs the
    count per epoch) and logs a warning naming the file; ``'raise'`` raises
    :class:`NoFaceError` naming the file.

    Required keys: ``imgs`` (list of HxWx3 RGB; grayscale accepted).

    Optional keys: ``face_imgs`` (provided face frames), ``frame_inds``,
    ``boxes_file``, ``filename`` (passed to the detector / used in messages),
    ``face_track`` ((T, 4) boxes of one person, used as they are instead of
    detecting and following the most prominent face: every-face inference
    classifies each tracked person this way).

    Modified keys: ``imgs`` -> scene clip, uint8 (T, S, S, 3); ``img_shape``.

    Added keys: ``face_imgs`` -> face clip, uint8 (T, S, S, 3); ``face_boxes``
    ((T, 4) float in original frame pixels, or None when faces were provided or
    none found); ``face_fallback`` (bool).

    Args:
        detector (dict | BaseFaceDetector | None): face detector config
            (``TASK_UTILS``), needed when a clip has no face frames.
        out_size (int): side S of both output streams.
        margin (float): context added around the face box on each side, as a
            fraction of its longer side.
        mask_face (bool): fill the face region of the scene stream with ``mask_value``.
        mask_value (int): fill value for ``mask_face`` and for crop padding.
        scene_resize (str): ``'crop'``, ``'squash'`` or ``'pad'`` (``'letterbox'``
            is the old name of ``'pad'``).
        smooth_window (int): moving-average window of the face box over time.
        on_no_face (str): ``'center_crop'`` or ``'raise'``.
        detect_stride (int): run the detector on every ``detect_stride``-th
            sampled frame only (and always the last); the track is interpolated
            in between. 2 halves the cost of slow detectors (OpenCV's Haar cascade
            takes ~0.1-0.2 s per 640x360 frame on one busy CPU core).
    """

    def __init__(self,
                 detector: Union[Dict, BaseFaceDetector, None] = None,
                 out_size: int = 224,
                 margin: float = 0.25,
                 mask_face: bool = False,
                 mask_value: int = 0,
                 scene_resize: str = 'crop',
                 smooth_window: int = 3,
                 on_no_face: str = 'center_crop',
                 detect_stride: int = 1) -> None:
        if on_no_face not in ('center_crop', 'raise'):
            raise ValueError(f"on_no_face must be 'center_crop' or 'raise', got {on_no_face!r}")
        scene_resize = {'letterbox': 'pad'}.get(scene_resize, scene_resize)
        if scene_resize not in SCENE_RESIZE_MODES:
            raise ValueError(f'scene_resize must be one of {SCENE_RESIZE_MODES}, '
                             f'got {scene_resize!r}')
        if out_size <= 0 or margin < 0 or detect_stride < 1:
            raise ValueError('out_size must be > 0, margin >= 0 and detect_stride >= 1')
        self.detector = build_face_detector(detector)
        self.out_size = out_size
        self.margin = margin
        self.mask_face = mask_face
        self.mask_value = mask_value
        self.scene_resize = scene_resize
        self.smooth_window = smooth_window
        self.on_no_face = on_no_face
        self.detect_stride = detect_stride
        # per-process counts (each dataloader worker has its own copy)
        self.num_clips = 0
        self.num_fallback = 0

    # ------------------------------------------------------------------ helpers
    def _resize_scene(self, frame: np.ndarray) -> np.ndarray:
        s = self.out_size
        h, w = frame.shape[:2]
        interp = cv2.INTER_AREA if max(h, w) > s else cv2.INTER_LINEAR
        if self.scene_resize == 'squash':
            return cv2.resize(frame, (s, s), interpolation=interp)
        if self.scene_resize == 'crop':
            scale = s / min(h, w)
            nw, nh = max(s, round(w * scale)), max(s, round(h * scale))
            big = cv2.resize(frame, (nw, nh), interpolation=cv2.INTER_AREA
                             if min(h, w) > s else cv2.INTER_LINEAR)
            y0, x0 = (nh - s) // 2, (nw - s) // 2
            return np.ascontiguousarray(big[y0:y0 + s, x0:x0 + s])
        scale = s / max(h, w)
        nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
        small = cv2.resize(frame, (nw, nh), interpolation=interp)
        out = np.full((s, s, 3), self.mask_value, dtype=np.uint8)
        y0, x0 = (s - nh) // 2, (s - nw) // 2
        out[y0:y0 + nh, x0:x0 + nw] = small
        return out

    def _track(self, frames, results: Dict) -> Optional[np.ndarray]:
        if self.detector is None:
            raise ValueError(
                f'{results.get("filename", "<clip>")}: clip has no face frames and '
                'FaceSceneSplit has no detector; set detector=dict(type=...)')
        num = len(frames)
        picked = sorted(set(range(0, num, self.detect_stride)) | {num - 1})
        inds = results.get('frame_inds')
        meta = dict(boxes_file=results.get('boxes_file'), filename=results.get('filename'),
                    frame_inds=None if inds is None else [inds[t] for t in picked],
                    num_frames=results.get('total_frames'))
        found = self.detector.detect([frames[t] for t in picked], meta)
        if len(found) != len(picked):
            raise RuntimeError(f'{type(self.detector).__name__} returned {len(found)} '
                               f'results for {len(picked)} frames')
        detections = [np.zeros((0, 5), np.float32)] * num  # skipped frames: interpolated
        for t, boxes in zip(picked, found):
            # boxes outside the frame are clipped; mostly outside = no face (same rule as
            # tools/data/check_dataset.py)
            detections[t] = usable_boxes(boxes, frames[t].shape[:2])
        track, _ = track_face(detections, smooth_window=self.smooth_window)
        return track

    def _given_or_tracked(self, frames, results: Dict) -> Optional[np.ndarray]:
        given = results.get('face_track')
        if given is None:
            return self._track(frames, results)
        given = np.asarray(given, dtype=np.float64)
        if given.shape != (len(frames), 4) or not np.isfinite(given).all():
            raise ValueError(f'{results.get("filename", "<clip>")}: face_track must be finite '
                             f'({len(frames)}, 4) boxes, got shape {given.shape}')
        return given

    def _fallback(self, results: Dict) -> None:
        name = results.get('filename', '<clip>')
        if self.on_no_face == 'raise':
            raise NoFaceError(f'{name}: no face found in any of the {len(results["imgs"])} '
                              "sampled frames (on_no_face='raise')")
        print_log(f'{name}: no face found in any sampled frame; using the centre crop '
                  "(face_fallback=True, on_no_face='center_crop')",
                  logger='current', level=logging.WARNING)

    # ---------------------------------------------------------------- transform
    def transform(self, results: Dict) -> Dict:
        name = results.get('filename', '<clip>')
        frames = [to_rgb3(f, name) for f in results['imgs']]
        if not frames:
            raise ValueError(f'{name}: no frames to split')
        provided = results.get('face_imgs')
        track = None
        fallback = False
        if provided is not None and len(provided):
            faces = [cv2.resize(to_rgb3(f, name), (self.out_size, self.out_size),
                                interpolation=cv2.INTER_AREA
                                if max(f.shape[:2]) > self.out_size else cv2.INTER_LINEAR)
                     for f in provided]
            if len(faces) != len(frames):
                raise ValueError(f'{name}: {len(faces)} face frames but {len(frames)} scene frames')
            if self.mask_face:
                track = self._given_or_tracked(frames, results)
        else:
            track = self._given_or_tracked(frames, results)
            if track is None:
                self._fallback(results)
                fallback = True
            faces = []
            for t, frame in enumerate(frames):
                h, w = frame.shape[:2]
                cx, cy, side = (center_square(h, w) if track is None
                                else square_region(track[t], self.margin))
                faces.append(crop_resize(frame, cx, cy, side, self.out_size, self.mask_value))
        scenes = []
        for t, frame in enumerate(frames):
            if self.mask_face and track is not None:
                frame = frame.copy()
                h, w = frame.shape[:2]
                x1, y1, x2, y2 = track[t]
                frame[max(int(y1), 0):min(int(np.ceil(y2)), h),
                      max(int(x1), 0):min(int(np.ceil(x2)), w)] = self.mask_value
            scenes.append(self._resize_scene(frame))
        self.num_clips += 1
        self.num_fallback += int(fallback)
        results['imgs'] = np.stack(scenes).astype(np.uint8)
        results['face_imgs'] = np.stack(faces).astype(np.uint8)
        results['face_boxes'] = None if track is None else track.astype(np.float32)
        results['face_fallback'] = fallback
        results['img_shape'] = (self.out_size, self.out_size)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(detector={type(self.detector).__name__}, '
                f'out_size={self.out_size}, margin={self.margin}, mask_face={self.mask_face}, '
                f'scene_resize={self.scene_resize!r}, on_no_face={self.on_no_face!r}, '
                f'detect_stride={self.detect_stride})')
