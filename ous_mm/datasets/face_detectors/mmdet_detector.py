"""Face detection with any MMDetection 3.x detector (config + checkpoint)."""
import os.path as osp
import warnings
from typing import Dict, Optional, Sequence, Union

import numpy as np
from mmaction.registry import TASK_UTILS
from mmengine.config import Config
from mmengine.registry import DefaultScope

from .base import BaseFaceDetector, check_detector_device, empty_boxes


def mmcv_ops_missing() -> Optional[str]:
    """Why mmdet's detectors cannot run here, or None.

    mmdet's models need mmcv's compiled ops (nms, roi_align, ...), which the fast
    ``make setup`` leaves out (it installs mmcv-lite); say how to get them.
    """
    try:
        import mmcv.ops  # noqa: F401
    except ImportError as e:
        return ('MMDetFaceDetector needs mmcv 2.1.0 with its compiled ops (nms, roi_align, ...), '
                f'which this environment lacks ({type(e).__name__}: {e}). Run `make setup-mmdet` '
                '(a cached wheel, or a build of about 10 min once on 2 idle cores), or in your own environment '
                '`PYTHON=$(which python) bash tools/install/build_mmcv.sh`.')
    return None


@TASK_UTILS.register_module()
class MMDetFaceDetector(BaseFaceDetector):
    """Run an mmdet detector (e.g. a WIDER FACE RetinaNet) on RGB frames, batched.

    Built lazily on the first ``detect`` call, i.e. inside the dataloader worker
    that uses it. ``mmdet.apis.init_detector`` switches mmengine's global default
    scope to ``mmdet``; this class runs mmdet inside
    ``DefaultScope.overwrite_default_scope('mmdet')`` so the caller's scope
    (``mmaction`` during training) is restored afterwards.

    Args:
        config (str | dict | Config): mmdet config file or config.
        checkpoint (str, optional): weights file or URL; None keeps random
            weights (tests only: a warning says so).
        device (str): ``'cpu'``, ``'cuda'``, ``'cuda:1'``, ... (on CUDA, dataloader
            workers need the ``spawn``/``forkserver`` start method: see
            :func:`~ous_mm.datasets.face_detectors.check_detector_device`).
        score_thr (float): boxes with a lower score are dropped.
        class_ids (sequence of int, optional): keep only these labels (e.g. the
            face class of a multi-class model); None keeps all.
        batch_size (int): frames per forward pass.
        max_per_frame (int): keep at most this many boxes per frame (by score).
    """

    def __init__(self,
                 config: Union[str, Dict, Config],
                 checkpoint: Optional[str] = None,
                 device: str = 'cpu',
                 score_thr: float = 0.5,
                 class_ids: Optional[Sequence[int]] = None,
                 batch_size: int = 16,
                 max_per_frame: int = 10) -> None:
        if isinstance(config, str) and not osp.isfile(config):
            raise FileNotFoundError(f'mmdet config not found: {config}')
        if checkpoint is not None and '://' not in checkpoint and not osp.isfile(checkpoint):
            raise FileNotFoundError(f'mmdet checkpoint not found: {checkpoint}')
        missing_ops = mmcv_ops_missing()
        if missing_ops:
            raise ImportError(missing_ops)
        self.config = config if isinstance(config, (str, Config)) else Config(dict(config))
        self.checkpoint = checkpoint
        self.device = device
        self.score_thr = score_thr
        self.class_ids = None if class_ids is None else set(int(c) for c in class_ids)
        self.batch_size = batch_size
        self.max_per_frame = max_per_frame
        self._model = None
        self._pipeline = None
        if checkpoint is None:
            warnings.warn('MMDetFaceDetector without a checkpoint: random weights, boxes are '
                          'meaningless (fine for tests only)')

    def __getstate__(self):  # never pickle a model into workers: each builds its own
        state = self.__dict__.copy()
        state['_model'] = None
        state['_pipeline'] = None
        return state

    def _init(self) -> None:
        if self._model is not None:
            return
        check_detector_device(self.device, type(self).__name__)
        from mmcv.transforms import Compose
        from mmdet.apis import init_detector
        from mmdet.utils import get_test_pipeline_cfg

        with DefaultScope.overwrite_default_scope('mmdet'):
            # palette='random': mmdet would otherwise build the config's test dataset
            # just to read a palette we never draw with
            model = init_detector(self.config, self.checkpoint, palette='random',
                                  device=self.device)
            cfg = model.cfg.copy()
            pipeline_cfg = get_test_pipeline_cfg(cfg)
            pipeline_cfg[0].type = 'mmdet.LoadImageFromNDArray'
            self._pipeline = Compose(pipeline_cfg)
        model.eval()
        self._model = model

    def _detect_batch(self, frames_bgr):
        import torch
        data = [self._pipeline(dict(img=img, img_id=i)) for i, img in enumerate(frames_bgr)]
        batch = dict(inputs=[d['inputs'] for d in data],
                     data_samples=[d['data_samples'] for d in data])
        with torch.no_grad():
            return self._model.test_step(batch)

    def _to_boxes(self, sample) -> np.ndarray:
        inst = sample.pred_instances
        if len(inst) == 0:
            return empty_boxes()
        bboxes = inst.bboxes.detach().cpu().numpy().reshape(-1, 4)
        scores = inst.scores.detach().cpu().numpy().reshape(-1)
        labels = inst.labels.detach().cpu().numpy().reshape(-1)
        keep = scores >= self.score_thr
        if self.class_ids is not None:
            keep &= np.isin(labels, list(self.class_ids))
        if not keep.any():
            return empty_boxes()
        boxes = np.concatenate([bboxes[keep], scores[keep, None]], axis=1).astype(np.float32)
        order = np.argsort(-boxes[:, 4])[:self.max_per_frame]
        return boxes[order]

    def detect(self, frames, meta=None):
        self._init()
        out = []
        for start in range(0, len(frames), self.batch_size):
            chunk = [np.ascontiguousarray(np.asarray(f)[..., ::-1])  # RGB -> BGR (mmdet)
                     for f in frames[start:start + self.batch_size]]
            with DefaultScope.overwrite_default_scope('mmdet'):
                samples = self._detect_batch(chunk)
            out.extend(self._to_boxes(s) for s in samples)
        return out
