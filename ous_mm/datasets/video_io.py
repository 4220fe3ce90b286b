"""Frame sources for the scene and face streams: video files, frame folders, arrays.

Why a module of its own: real DFER data is messy (zero-byte or truncated mp4s,
face folders with gaps, PNG vs JPEG, grayscale frames), and every failure must
name the file. decord is tried first for videos; if it cannot open a file, or
opens it but then fails to decode its frames (tiny frames such as 2x2 or 16x16,
a partly corrupt stream), OpenCV is tried before giving up (``VideoReadError``
with both reasons). A decode fallback is logged and counted
(:func:`decode_fallbacks`).
"""
import logging
import os
import os.path as osp
import re
from collections import Counter
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.webp')


class VideoReadError(RuntimeError):
    """A video or frame that cannot be decoded; the message names the file."""


def to_rgb3(frame: np.ndarray, source: str = '<array>') -> np.ndarray:
    """Return ``frame`` as HxWx3 uint8; grayscale (HxW, HxWx1) is repeated, RGBA dropped."""
    frame = np.asarray(frame)
    if frame.ndim == 2:
        frame = frame[..., None]
    if frame.ndim != 3 or frame.shape[0] == 0 or frame.shape[1] == 0:
        raise VideoReadError(f'{source}: frame of shape {frame.shape} is not an image')
    if frame.shape[2] == 1:
        frame = np.repeat(frame, 3, axis=2)
    elif frame.shape[2] == 4:
        frame = frame[..., :3]
    elif frame.shape[2] != 3:
        raise VideoReadError(f'{source}: frame with {frame.shape[2]} channels')
    if frame.dtype != np.uint8:
        if np.issubdtype(frame.dtype, np.floating) and frame.max(initial=0) <= 1.0:
            frame = frame * 255.0
        frame = np.clip(frame, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(frame)


def natural_key(name: str):
    """Sort key that orders ``2.jpg`` before ``10.jpg`` (DFEW's 16f folders are unpadded)."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r'(\d+)', name)]


def list_frame_files(folder: str) -> List[str]:
    """Image files of a frame folder in natural name order; errors name the folder."""
    if not osp.exists(folder):
        raise FileNotFoundError(f'frame folder not found: {folder}')
    if not osp.isdir(folder):
        raise VideoReadError(f'{folder}: expected a folder of frames, found a file')
    names = [n for n in os.listdir(folder) if n.lower().endswith(IMAGE_EXTENSIONS)
             and not n.startswith('.')]
    if not names:
        raise VideoReadError(f'{folder}: frame folder has no images ({", ".join(IMAGE_EXTENSIONS)})')
    names.sort(key=natural_key)
    return [osp.join(folder, n) for n in names]


#: The first bytes of each image format a frame folder may hold.
_IMAGE_SIGNATURES = (b'\xff\xd8\xff', b'\x89PNG\r\n\x1a\n', b'BM', b'RIFF')


def frame_file_problem(path: str) -> Optional[str]:
    """Why the frame file ``path`` cannot be an image, without decoding it (a few bytes
    read): empty, or not starting like a JPEG/PNG/BMP/WebP (a text or HTML file saved
    as ``.jpg``). None when it looks like one. Training and the checker both use it."""
    if osp.getsize(path) == 0:
        return f'{path}: image file is empty (0 bytes)'
    with open(path, 'rb') as f:
        head = f.read(12)
    webp = head.startswith(b'RIFF') and head[8:12] == b'WEBP'
    if not head.startswith(_IMAGE_SIGNATURES[:3]) and not webp:
        return f'{path}: not an image file (it starts with {head[:8]!r}, no JPEG/PNG/BMP/WebP header)'
    return None


def check_frame_files(files: Sequence[str]) -> None:
    """The one check of a frame folder's files, shared by training (every frame folder it
    opens) and the data check: each exists and looks like an image
    (:func:`frame_file_problem`); nothing is decoded. Raises naming the file."""
    for path in files:
        if not osp.isfile(path):
            raise FileNotFoundError(f'frame not found: {path}')
        problem = frame_file_problem(path)
        if problem is not None:
            raise VideoReadError(problem)


def read_image_rgb(path: str) -> np.ndarray:
    """Read one frame as RGB uint8 (grayscale and 16-bit images converted)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'frame not found: {path}')
    problem = frame_file_problem(path)
    if problem is not None:
        raise VideoReadError(problem)
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    if img is None:
        raise VideoReadError(f'{path}: cannot decode image (corrupt or unsupported format)')
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


class FrameSource:
    """A random-access sequence of RGB frames."""

    path: str = '<array>'
    num_frames: int = 0

    def get_frames(self, inds: Sequence[int]) -> List[np.ndarray]:
        raise NotImplementedError

    def close(self) -> None:
        """Release file handles (no-op by default)."""


class ArrayFrames(FrameSource):
    """Frames already in memory (a user's decoded video, tests)."""

    def __init__(self, frames: Sequence[np.ndarray], path: str = '<array>'):
        if len(frames) == 0:
            raise VideoReadError(f'{path}: no frames given')
        self.frames = frames
        self.path = path
        self.num_frames = len(frames)

    def get_frames(self, inds):
        return [to_rgb3(self.frames[i], self.path) for i in inds]


class FrameFolder(FrameSource):
    """A folder of image files, one per frame, in natural name order."""

    def __init__(self, folder: str):
        self.path = folder
        self.files = list_frame_files(folder)
        check_frame_files(self.files)
        self.num_frames = len(self.files)

    def get_frames(self, inds):
        return [read_image_rgb(self.files[i]) for i in inds]


class SingleImage(FrameSource):
    """A still image as a one-frame source (CAER-S: every clip is one frame)."""

    def __init__(self, path: str):
        if osp.getsize(path) == 0:
            raise VideoReadError(f'{path}: image file is empty (0 bytes)')
        self.path = path
        self.num_frames = 1

    def get_frames(self, inds):
        frame = read_image_rgb(self.path)
        return [frame for _ in inds]


class DecordVideo(FrameSource):
    """Video decoded with decord (fast random access)."""

    def __init__(self, path: str, num_threads: int = 1):
        import decord
        self.path = path
        self.reader = decord.VideoReader(path, num_threads=num_threads)
        self.num_frames = len(self.reader)
        if self.num_frames == 0:
            raise VideoReadError(f'{path}: video has no frames')

    def get_frames(self, inds):
        try:
            batch = self.reader.get_batch(list(inds)).asnumpy()
        except Exception as err:  # decord raises DECORDError for broken streams
            raise VideoReadError(
                f'{self.path}: cannot decode frames {list(inds)[:4]}... of {self.num_frames} '
                f'(truncated or corrupt video?): {err}') from err
        return [to_rgb3(f, self.path) for f in batch]

    def close(self):
        self.reader = None


class OpenCVVideo(FrameSource):
    """Video decoded with OpenCV, read sequentially (fallback when decord fails).

    The frame count comes from walking the stream (``grab``, no decoding),
    because container metadata of damaged files is often wrong; ``get_frames``
    walks it again and decodes only the requested frames, so memory stays at a
    few frames even for long videos. ``num_frames`` given (e.g. decord's count)
    skips the counting walk.
    """

    def __init__(self, path: str, num_frames: Optional[int] = None):
        self.path = path
        cap = cv2.VideoCapture(path)
        if not cap.isOpened():
            raise VideoReadError(f'{path}: OpenCV cannot open the video')
        if num_frames:
            cap.release()
            self.num_frames = int(num_frames)
            return
        count = 0
        while cap.grab():
            count += 1
        cap.release()
        if count == 0:
            raise VideoReadError(f'{path}: OpenCV decoded no frames (truncated or corrupt video?)')
        self.num_frames = count

    def get_frames(self, inds):
        wanted = sorted(set(int(i) for i in inds))
        if wanted and (wanted[0] < 0 or wanted[-1] >= self.num_frames):
            raise VideoReadError(f'{self.path}: frame index out of range 0..{self.num_frames - 1}')
        cap = cv2.VideoCapture(self.path)
        decoded = {}
        try:
            for i in range(wanted[-1] + 1 if wanted else 0):
                if not cap.grab():
                    raise VideoReadError(f'{self.path}: stream ended at frame {i} of '
                                         f'{self.num_frames} (truncated or corrupt video?)')
                if i in wanted:
                    ok, frame = cap.retrieve()
                    if not ok or frame is None:
                        raise VideoReadError(f'{self.path}: cannot decode frame {i}')
                    decoded[i] = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        finally:
            cap.release()
        return [decoded[int(i)] for i in inds]


_DECODE_FALLBACKS: Counter = Counter()


def decode_fallbacks() -> Counter:
    """Videos of this process that decord opened but OpenCV had to decode (path -> times)."""
    return _DECODE_FALLBACKS


class FallbackVideo(FrameSource):
    """decord, and OpenCV for the same file once decord fails to decode its frames.

    Why: decord opens some files it cannot decode (frames smaller than its
    alignment, e.g. 2x2 or 16x16; a stream corrupt after some frames) that
    OpenCV reads. When OpenCV decodes fewer frames than decord announced (the
    stream breaks), sampled indices are rescaled onto the frames that decode,
    so the clip keeps its temporal spread; the log says so.
    """

    def __init__(self, primary: DecordVideo):
        self.path = primary.path
        self.primary: Optional[DecordVideo] = primary
        self.secondary: Optional[OpenCVVideo] = None
        self.num_frames = primary.num_frames

    def get_frames(self, inds):
        if self.secondary is None:
            try:
                return self.primary.get_frames(inds)
            except VideoReadError as err:
                reason = str(err).splitlines()[0][-160:]
                try:
                    self.secondary = OpenCVVideo(self.path)
                except VideoReadError as cv_err:
                    raise VideoReadError(f'{self.path}: cannot decode video (decord: {reason}; '
                                         f'opencv: {cv_err})') from err
                self.primary = None
                _DECODE_FALLBACKS[self.path] += 1
                from mmengine.logging import print_log
                print_log(f'{self.path}: decord cannot decode it ({reason}); decoded with OpenCV '
                          f'instead ({self.secondary.num_frames} of {self.num_frames} frames)',
                          logger='current', level=logging.WARNING)
        inds = [int(i) for i in inds]
        n = self.secondary.num_frames
        if inds and max(inds) >= n:
            scale = (n - 1) / max(self.num_frames - 1, 1)
            inds = [min(int(round(i * scale)), n - 1) for i in inds]
        return self.secondary.get_frames(inds)

    def close(self):
        self.primary = self.secondary = None


def open_video(path: str, backend: str = 'auto') -> FrameSource:
    """Open a video file with decord, falling back to OpenCV (``backend='auto'``)
    when decord cannot open it or, later, cannot decode its frames.

    Raises ``FileNotFoundError`` for a missing path and ``VideoReadError`` for an
    empty or undecodable file; both name the file.
    """
    if not osp.exists(path):
        raise FileNotFoundError(f'video not found: {path}')
    if osp.isdir(path):
        raise VideoReadError(f'{path}: is a folder, not a video file')
    if osp.getsize(path) == 0:
        raise VideoReadError(f'{path}: video file is empty (0 bytes)')
    errors = []
    if backend in ('auto', 'decord'):
        try:
            video = DecordVideo(path)
            return FallbackVideo(video) if backend == 'auto' else video
        except Exception as err:  # noqa: BLE001 - any decord failure -> try OpenCV
            errors.append(f'decord: {err}'.strip().splitlines()[0][:200])
    if backend in ('auto', 'opencv'):
        try:
            return OpenCVVideo(path)
        except VideoReadError as err:
            errors.append(f'opencv: {err}')
    raise VideoReadError(f'{path}: cannot decode video ({"; ".join(errors)})')


def open_source(path: str, backend: str = 'auto') -> FrameSource:
    """Open a scene source: a frame folder, a still image or a video file."""
    if osp.isdir(path):
        return FrameFolder(path)
    if path.lower().endswith(IMAGE_EXTENSIONS) and osp.isfile(path):
        return SingleImage(path)
    return open_video(path, backend=backend)


def verify_source(path: str, deep: bool = False) -> Tuple[int, Tuple[int, int]]:
    """``(frame count, (height, width))`` of a source after decoding its first, middle
    and last frame (every frame with ``deep``), as the data pipeline would.

    The check behind ``--verify-videos`` and ``tools/data/check_dataset.py``;
    raises ``FileNotFoundError`` / ``VideoReadError`` naming the file.
    """
    src = open_source(path)
    try:
        n = src.num_frames
        inds = list(range(n)) if deep else sorted({0, n // 2, n - 1})
        frames = src.get_frames(inds)
        return n, tuple(frames[0].shape[:2])
    finally:
        src.close()
