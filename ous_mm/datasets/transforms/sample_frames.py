"""The DFER frame sampling protocol, applied to both streams of a clip."""
from typing import Dict, Optional

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform


def segment_indices(num_frames: int, num_segments: int = 16, test_mode: bool = False,
                    pad_mode: str = 'edge',
                    rng: Optional[np.random.Generator] = None) -> np.ndarray:
    """Indices of ``num_segments`` frames, one per equal segment (TSN-style).

    What DFEW/FERV39k/MAFW papers compare against (the Former-DFER / DFER-CLIP
    loader): the clip is cut into ``num_segments`` segments of
    ``num_frames // num_segments`` frames; training takes a random offset in each
    segment, testing the middle frame of each of ``num_frames / num_segments``-long
    segments. Clips with ``num_frames <= num_segments`` (test) or
    ``< num_segments`` (train) take every frame and pad by repeating:
    ``pad_mode='edge'`` repeats the LAST frame (the literature's ``np.pad(...,
    'edge')``), ``'uniform'`` stretches the clip evenly (each frame repeated about
    equally, keeping the onset-apex timing).
    """
    if num_frames <= 0:
        raise ValueError(f'cannot sample from a clip with {num_frames} frames')
    rng = rng if rng is not None else np.random
    if num_frames < num_segments or (test_mode and num_frames == num_segments):
        if pad_mode == 'edge':
            base = np.arange(num_frames)
            return np.pad(base, (0, num_segments - num_frames), mode='edge')
        if pad_mode == 'uniform':
            return np.floor((np.arange(num_segments) + 0.5) * num_frames /
                            num_segments).astype(np.int64)
        raise ValueError(f'unknown pad_mode {pad_mode!r} (edge | uniform)')
    if test_mode:
        tick = num_frames / float(num_segments)
        return np.array([int(tick / 2.0 + tick * i) for i in range(num_segments)])
    seg = num_frames // num_segments
    if isinstance(rng, np.random.Generator):
        offsets = rng.integers(0, seg, size=num_segments)
    else:  # the global np.random state, seeded per worker by mmengine
        offsets = rng.randint(seg, size=num_segments)
    return np.arange(num_segments) * seg + offsets


def map_indices(inds: np.ndarray, num_from: int, num_to: int) -> np.ndarray:
    """Map indices of a ``num_from``-frame stream to the same relative times in a
    ``num_to``-frame stream (frame centres: ``(i + 0.5) / num_from``)."""
    if num_from == num_to:
        return np.asarray(inds, dtype=np.int64)
    pos = (np.asarray(inds, dtype=np.float64) + 0.5) / num_from
    return np.clip(np.floor(pos * num_to), 0, num_to - 1).astype(np.int64)


@TRANSFORMS.register_module()
class FaceSceneSampleFrames(BaseTransform):
    """Sample ``clip_len`` frames with the DFER protocol, at the same times in both streams.

    mmaction's ``SampleFrames``/``UniformSample`` differ from the protocol
    (``UniformSample`` lets segments overlap at their ends and samples
    ``(n-1)/clip_len``-long segments; neither edge-pads short clips), hence this
    transform. See :func:`segment_indices` for the exact rule.

    The reference stream is the provided face frames when there are any (the
    stream DFER results are reported on), else the scene; the other stream gets
    the frames at the same relative positions (:func:`map_indices`), because face
    folders and scene videos have different frame counts (DFEW deletes faceless
    frames).

    Required keys: ``total_frames``, ``face_total_frames`` (may be None).

    Added keys: ``frame_inds`` (scene, int64 (clip_len,)), ``face_frame_inds``
    (or None), ``clip_len``, ``num_clips`` (1), ``frame_interval`` (None).

    Args:
        clip_len (int): frames per clip (= segments). 16 in the literature.
        test_mode (bool): middle frame of each segment instead of a random one.
        pad_mode (str): short clips: ``'edge'`` (literature) or ``'uniform'``.
    """

    def __init__(self, clip_len: int = 16, test_mode: bool = False,
                 pad_mode: str = 'edge') -> None:
        assert clip_len > 0
        assert pad_mode in ('edge', 'uniform'), f'unknown pad_mode {pad_mode!r}'
        self.clip_len = clip_len
        self.test_mode = test_mode
        self.pad_mode = pad_mode

    def transform(self, results: Dict) -> Dict:
        n_scene = int(results['total_frames'])
        n_face = results.get('face_total_frames')
        n_ref = int(n_face) if n_face else n_scene
        inds = segment_indices(n_ref, self.clip_len, self.test_mode, self.pad_mode)
        if n_face:
            results['face_frame_inds'] = inds.astype(np.int64)
            results['frame_inds'] = map_indices(inds, n_ref, n_scene)
        else:
            results['face_frame_inds'] = None
            results['frame_inds'] = inds.astype(np.int64)
        results['clip_len'] = self.clip_len
        results['num_clips'] = 1
        results['frame_interval'] = None
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(clip_len={self.clip_len}, '
                f'test_mode={self.test_mode}, pad_mode={self.pad_mode!r})')
