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
LAST_VALIDATED = 'last_validated'


def _replace_text(path: str, text: str) -> None:
    """Write a small file through a temporary one and a rename (never half written)."""
    tmp = osp.join(osp.dirname(path), f'.{osp.basename(path)}.tmp{os.getpid()}')
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write(text)
    os.replace(tmp, path)


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

    - The work dir is relocatable: ``last_checkpoint`` and the checkpoint paths the
      message hub stores inside each checkpoint are relative to the folder they live
      in, and a resumed run only ever tracks (and so removes) best checkpoints in its
      own folder: resuming a copied work dir continues in the copy and leaves the
      original untouched.

    - A run killed after an epoch checkpoint was saved but before that epoch's
      validation finished validates it when resumed (``last_validated`` records the
      newest validated epoch), so that epoch can still become the best one.

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
        if '://' in str(self.out_dir):
            return
        self._own_best_paths(runner)
        if is_main_process():
            for path in remove_stale_temporaries(self.out_dir):
                runner.logger.warning(f'removed {path}, left by a checkpoint write that was killed')
            self._finish_interrupted_swap(runner)
        self._validate_resumed_epoch(runner)

    def _validate_resumed_epoch(self, runner) -> None:
        """Run the validation a kill skipped: the resumed epoch is one the loop validates
        and ``last_validated`` (written after each validation) is older than it."""
        loop, epoch = runner.train_loop, runner.epoch
        if (not self.by_epoch or epoch <= 0 or runner.val_loop is None
                or not hasattr(loop, 'val_interval') or epoch < loop.val_begin
                or not (epoch % loop.val_interval == 0 or epoch == loop.max_epochs)):
            return
        if self._last_validated(runner) >= epoch:
            return
        resumed = osp.join(self.out_dir, self.filename_tmpl.format(epoch))
        if self.last_ckpt is None and osp.isfile(resumed):
            self.last_ckpt = resumed  # re-saved with the best score if it becomes the best
        runner.logger.warning(f'epoch {epoch} was saved but not validated (the run was killed '
                              'in between); validating it now')
        runner.val_loop.run()

    def _last_validated(self, runner) -> int:
        path = osp.join(runner.work_dir, LAST_VALIDATED)
        try:
            with open(path, encoding='utf-8') as f:
                return int(f.read().strip() or 0)
        except (OSError, ValueError):
            return 0

    def after_val_epoch(self, runner, metrics) -> None:
        super().after_val_epoch(runner, metrics)
        if is_main_process() and self.by_epoch and runner.epoch > 0 and \
                '://' not in str(self.out_dir):
            _replace_text(osp.join(runner.work_dir, LAST_VALIDATED), str(runner.epoch))

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

    def _own_best_paths(self, runner) -> None:
        """Resolve the resumed best-checkpoint paths inside this run's folder.

        Relative paths (what this hook stores) are joined to ``out_dir``; an absolute
        path into another folder (a work dir copied from an older run) becomes this
        folder's file of the same name; a best checkpoint that is not here at all is
        forgotten with its score, so this run never removes another folder's file."""
        own = osp.abspath(self.out_dir)
        paths = self._best_paths()
        for key, path in paths.items():
            if not path:
                continue
            if not osp.isabs(path):
                paths[key] = osp.join(own, path)
            elif osp.dirname(osp.abspath(path)) != own:
                mine = osp.join(own, osp.basename(path))
                if osp.isfile(mine):
                    runner.logger.info(f'the resumed checkpoint names the best checkpoint {path} '
                                       f'of another folder; this run tracks its own copy {mine}')
                    paths[key] = mine
                else:
                    runner.logger.warning(
                        f'the resumed checkpoint names the best checkpoint {path}, which is not '
                        f'in {own}; it is left alone and the best score starts afresh here')
                    paths[key] = None
                    suffix = '' if key == '_' else f'_{key}'
                    runner.message_hub.pop_info(f'best_score{suffix}', None)
        self._set_best_paths(paths)
        for key, path in paths.items():
            info = 'best_ckpt' if key == '_' else f'best_ckpt_{key}'
            if path:
                runner.message_hub.update_info(info, path)
            else:
                runner.message_hub.pop_info(info, None)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Store the paths of this folder's checkpoints relative to it (a copy stays whole)."""
        info = (checkpoint.get('message_hub') or {}).get('runtime_info')
        if not isinstance(info, dict) or self.out_dir is None or '://' in str(self.out_dir):
            return
        own = osp.abspath(self.out_dir)
        for key, value in info.items():
            if (key == 'last_ckpt' or key.startswith('best_ckpt')) and isinstance(value, str) \
                    and osp.isabs(value) and osp.dirname(value) == own:
                info[key] = osp.basename(value)

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        """mmengine's save, then ``last_checkpoint`` rewritten relative to the work dir."""
        super()._save_checkpoint_with_step(runner, step, meta)
        if not is_main_process() or '://' in str(self.out_dir):
            return
        _replace_text(osp.join(runner.work_dir, 'last_checkpoint'),
                      osp.relpath(osp.abspath(self.last_ckpt), osp.abspath(runner.work_dir)))
        fault_point('checkpoint_saved')

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
