"""``tools/test.py --show-dir/--show``: draw the face and scene streams with the prediction."""
import math
import os
import os.path as osp
from typing import List, Optional, Sequence

import numpy as np
from mmaction.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.logging import print_log

from ous_mm.visualization import FALLBACK_COLOR, clip_panel

GOOD, BAD = (90, 230, 90), (255, 90, 90)


@HOOKS.register_module()
class FaceSceneVisualizationHook(Hook):
    """Every ``interval``-th test/val sample as a PNG: face stream over scene stream,
    with the ground truth, the prediction and its top-k scores below.

    The counterpart of MMAction2's ``VisualizationHook`` (which draws one
    ``(C, T, H, W)`` video and cannot show OUS's two streams); ``tools/test.py``
    adds it as ``default_hooks.visualization`` for ``--show-dir`` / ``--show`` /
    ``--interval``. A clip whose face was not found says so in
    :data:`~ous_mm.visualization.FALLBACK_COLOR`. Cached-feature inputs have no
    frames to draw and are skipped with one warning.

    Args:
        enable: draw at all (off by default, as upstream).
        interval: draw samples ``0, interval, 2 * interval, ...`` of the loop.
        show: also display each picture in a window (needs a display).
        out_dir: folder for ``<index>_<clip>.png`` (as given, like upstream).
        wait_time: seconds each shown picture stays up.
        top_k: scores listed under each picture.
        max_frames: frames per stream drawn (spread over the clip).
    """

    priority = 'NORMAL'

    def __init__(self, enable: bool = False, interval: int = 1, show: bool = False,
                 out_dir: Optional[str] = None, wait_time: float = 2.0, top_k: int = 3,
                 max_frames: int = 8) -> None:
        if interval < 1:
            raise ValueError(f'interval must be >= 1, got {interval}')
        self.enable = enable
        self.interval = interval
        self.show = show
        self.out_dir = out_dir
        self.wait_time = wait_time
        self.top_k = top_k
        self.max_frames = max_frames
        self.num_drawn = 0
        self._seen = 0  # samples of the current loop so far (the last batch may be short)
        self._warned = False

    @staticmethod
    def _class_names(runner, loader: str, num: int) -> List[str]:
        try:
            names = getattr(runner, loader).dataset.metainfo.get('classes')
        except Exception:  # a loader that cannot be built here: fall back to ids
            names = None
        names = list(names or [])
        return names if len(names) == num else [f'class_{i}' for i in range(num)]

    def _lines(self, sample, names: Sequence[str]):
        scores = sample.pred_score.detach().float().cpu().numpy().reshape(-1)
        if not np.isclose(scores.sum(), 1.0, atol=1e-3) or (scores < 0).any():
            scores = np.exp(scores - scores.max())
            scores = scores / scores.sum()
        pred = int(np.argmax(scores))
        lines, bars = [], []
        name = sample.metainfo.get('clip_id') or osp.basename(str(sample.metainfo.get(
            'filename', '')))
        if 'gt_label' in sample:
            gt = int(np.asarray(sample.gt_label).reshape(-1)[0])
            lines.append((f'{name}  GT {names[gt]}  pred {names[pred]}',
                          GOOD if gt == pred else BAD))
        else:
            lines.append((f'{name}  pred {names[pred]}', GOOD))
        bars.append(None)
        if sample.metainfo.get('face_fallback'):
            lines.append(('NO FACE: centre crop', FALLBACK_COLOR))
            bars.append(None)
        for k in np.argsort(-scores)[:self.top_k]:
            lines.append((f'{names[k]} {scores[k] * 100:4.1f}%', (255, 255, 255)))
            bars.append(float(scores[k]))
        return name, lines, bars

    def _draw(self, runner, loader: str, batch_idx: int, data_batch: dict,
              outputs: Sequence) -> None:
        if not self.enable or not outputs:
            return
        inputs = data_batch['inputs']
        if isinstance(inputs, dict) or not hasattr(inputs[0], 'dim') or inputs[0].dim() != 5:
            if not self._warned:
                print_log('FaceSceneVisualizationHook: the inputs are not (2, T, 3, H, W) '
                          'frames (cached features?); nothing to draw', logger='current',
                          level=30)
                self._warned = True
            return
        start = self._seen
        self._seen += len(outputs)
        names = self._class_names(runner, loader, int(outputs[0].pred_score.numel()))
        first = math.ceil(start / self.interval) * self.interval
        for index in range(first, start + len(outputs), self.interval):
            clip = inputs[index - start].detach().cpu().numpy()  # (2, T, 3, H, W) uint8
            t_idx = np.linspace(0, clip.shape[1] - 1, min(self.max_frames, clip.shape[1]))
            t_idx = np.round(t_idx).astype(int)
            streams = [('face stream', [clip[0, t].transpose(1, 2, 0) for t in t_idx])]
            if clip.shape[0] > 1:
                streams.append(('scene stream', [clip[1, t].transpose(1, 2, 0) for t in t_idx]))
            name, lines, bars = self._lines(outputs[index - start], names)
            panel = clip_panel(streams, lines, cell=112, bars=bars)
            self.num_drawn += 1
            if self.out_dir:
                import cv2

                os.makedirs(self.out_dir, exist_ok=True)
                safe = ''.join(c if c.isalnum() or c in '-_.' else '_' for c in str(name))
                cv2.imwrite(osp.join(self.out_dir, f'{index:06d}_{safe}.png'),
                            panel[..., ::-1])
            if self.show:
                import mmcv

                mmcv.imshow(panel[..., ::-1], win_name='ous-mm test',
                            wait_time=int(self.wait_time * 1000))

    def before_test_epoch(self, runner) -> None:
        self._seen = 0

    def before_val_epoch(self, runner) -> None:
        self._seen = 0

    def after_test_iter(self, runner, batch_idx: int, data_batch: dict = None,
                        outputs: Optional[Sequence] = None) -> None:
        self._draw(runner, 'test_dataloader', batch_idx, data_batch, outputs)

    def after_val_iter(self, runner, batch_idx: int, data_batch: dict = None,
                       outputs: Optional[Sequence] = None) -> None:
        self._draw(runner, 'val_dataloader', batch_idx, data_batch, outputs)
