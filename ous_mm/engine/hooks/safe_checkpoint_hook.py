"""Crash-safe checkpoints: atomic writes and a best checkpoint replaced only when complete.

Why: mmengine 0.10.7 writes a checkpoint in place (a kill leaves a 0-byte or
truncated ``.pth``) and removes the previous best checkpoint BEFORE writing
the new one (a kill in between leaves no best checkpoint at all). A run on a
cluster is killed sooner or later (pre-emption, time limits, OOM).
"""
import os
import os.path as osp
import re
from typing import Dict, Optional

from mmaction.registry import HOOKS
from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend, register_backend
from mmengine.hooks import CheckpointHook

from ous_mm.utils.checkpoint import atomic_write_bytes, remove_stale_temporaries
from ous_mm.utils.fault_points import fault_point

ATOMIC_BACKEND = 'ous_atomic_local'
_BEST = re.compile(r'^(best_.+)_(epoch|iter)_(\d+)\.pth$')


@register_backend(ATOMIC_BACKEND)
class AtomicLocalBackend(LocalBackend):
    """mmengine's local file backend with ``put`` through a temporary file and a rename."""

    def put(self, obj: bytes, filepath) -> None:
        atomic_write_bytes(str(filepath), obj)


@HOOKS.register_module()
class SafeCheckpointHook(CheckpointHook):
    """mmengine's ``CheckpointHook`` (same arguments) made crash-safe.

    - Every checkpoint is written atomically (:class:`AtomicLocalBackend`, the
      default for a local ``out_dir``): a kill leaves the previous file whole.
    - A new best checkpoint is written, and the epoch checkpoint that records
      it re-saved, before the previous best is removed: at any moment there is
      a loadable best checkpoint and the newest epoch checkpoint names one
      that exists.
    - When training starts, temporary files of killed writes are removed, and so
      is a previous best checkpoint that a killed swap left next to the newer one
      the run tracks (an untracked best newer than the tracked one is kept, with
      a warning).

    ``--resume`` falling back to the newest loadable checkpoint is
    ``tools/train.py``'s part (:func:`ous_mm.utils.checkpoint.find_resume_checkpoint`).
    """

    def __init__(self, *args, backend_args: Optional[dict] = None, **kwargs) -> None:
        out_dir = kwargs.get('out_dir')
        local = out_dir is None or '://' not in str(out_dir)
        if backend_args is None and kwargs.get('file_client_args') is None and local:
            backend_args = dict(backend=ATOMIC_BACKEND)
        super().__init__(*args, backend_args=backend_args, **kwargs)

    def before_train(self, runner) -> None:
        super().before_train(runner)
        if is_main_process() and '://' not in str(self.out_dir):
            for path in remove_stale_temporaries(self.out_dir):
                runner.logger.warning(f'removed {path}, left by a checkpoint write that was killed')
            self._finish_interrupted_swap(runner)

    def _finish_interrupted_swap(self, runner) -> None:
        tracked = {}
        for path in self._best_paths().values():
            match = _BEST.match(osp.basename(path or ''))
            if match:
                tracked[match.group(1, 2)] = (int(match.group(3)), path)
        names = sorted(os.listdir(self.out_dir)) if osp.isdir(self.out_dir) else []
        for name in names:
            match = _BEST.match(name)
            if not match or match.group(1, 2) not in tracked:
                continue
            step, kept = tracked[match.group(1, 2)]
            path = osp.join(self.out_dir, name)
            if int(match.group(3)) < step:
                os.remove(path)
                runner.logger.info(f'removed {path}: the best checkpoint before {kept}, left '
                                   'by a run killed while replacing it')
            elif int(match.group(3)) > step:
                runner.logger.warning(
                    f'{path} is newer than the tracked best checkpoint {kept} (a run was '
                    'killed while saving it); it is kept, but its score is not the one resumed')

    def _best_paths(self) -> Dict[str, Optional[str]]:
        if len(getattr(self, 'key_indicators', ())) == 1:
            return {'_': getattr(self, 'best_ckpt_path', None)}
        return dict(getattr(self, 'best_ckpt_path_dict', {}) or {})

    def _set_best_paths(self, paths: Dict[str, Optional[str]]) -> None:
        if '_' in paths and len(self.key_indicators) == 1:
            self.best_ckpt_path = paths['_']
        else:
            self.best_ckpt_path_dict = dict(paths)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        super().after_train_iter(runner, batch_idx, data_batch, outputs)
        fault_point('train_iter')

    def _save_best_checkpoint(self, runner, metrics) -> None:
        """mmengine's best-checkpoint logic, with the previous best hidden from it (so
        it is not removed first) and removed once the new one and the re-saved epoch
        checkpoint are complete."""
        if not self.save_best:
            return
        old = self._best_paths()
        self._set_best_paths({k: None for k in old})
        try:
            super()._save_best_checkpoint(runner, metrics)
        finally:
            new = self._best_paths()
            self._set_best_paths({k: new.get(k) or old[k] for k in old})
        replaced = [old[k] for k in old if old[k] and new.get(k) and new[k] != old[k]]
        if not replaced or not is_main_process():
            return
        fault_point('best_swap')
        for path in replaced:
            if self.file_backend.isfile(path):
                self.file_backend.remove(path)
                runner.logger.info(f'The previous best checkpoint {path} is removed')
