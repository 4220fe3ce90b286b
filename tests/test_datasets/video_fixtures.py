"""Small media files for the data-pipeline tests (written into pytest's tmp_path)."""
import json
import os.path as osp
from typing import Sequence

import cv2
import numpy as np

# Hand-checked face region of skimage.data.astronaut() (512x512): forehead to chin.
ASTRONAUT_FACE = np.array([172.0, 62.0, 272.0, 172.0])


def write_video(path: str, frames: Sequence[np.ndarray], fps: int = 10) -> str:
    """RGB frames -> mp4 (mp4v)."""
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), fps, (w, h))
    assert writer.isOpened(), f'cannot write {path}'
    for f in frames:
        writer.write(cv2.cvtColor(np.ascontiguousarray(f), cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def color_frames(n: int, h: int = 48, w: int = 64) -> list:
    """Frames whose red channel encodes the frame index (10 * i), to check which were read."""
    frames = []
    for i in range(n):
        f = np.zeros((h, w, 3), np.uint8)
        f[..., 0] = min(10 * i, 255)
        f[..., 1] = 80
        frames.append(f)
    return frames


def write_frame_folder(folder: str, frames: Sequence[np.ndarray], names: Sequence[str]) -> str:
    import os
    os.makedirs(folder, exist_ok=True)
    for f, name in zip(frames, names):
        img = f if f.ndim == 2 else cv2.cvtColor(f, cv2.COLOR_RGB2BGR)
        assert cv2.imwrite(osp.join(folder, name), img)
    return folder


def astronaut_clip(num_frames: int = 6, crop: int = 400, step: int = 12):
    """A video with motion: a crop window sliding over the astronaut photo.

    Returns (frames, ground-truth face boxes in each frame's coordinates).
    """
    from skimage import data
    img = data.astronaut()
    frames, boxes = [], []
    for t in range(num_frames):
        dx, dy = 20 + step * t, 40 - 4 * t
        frames.append(np.ascontiguousarray(img[dy:dy + crop, dx:dx + crop]))
        boxes.append(ASTRONAUT_FACE - np.array([dx, dy, dx, dy]))
    return frames, np.stack(boxes)


def write_jsonl(path: str, rows: Sequence) -> str:
    with open(path, 'w') as f:
        for r in rows:
            f.write(r if isinstance(r, str) else json.dumps(r))
            f.write('\n')
    return path


def load_tool(path: str):
    """Import a script under tools/ as a module (its main() runs in-process: fast)."""
    import importlib.util
    name = 'tool_' + osp.splitext(osp.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    import sys
    sys.modules[name] = module  # so worker processes can unpickle its functions
    spec.loader.exec_module(module)
    return module
