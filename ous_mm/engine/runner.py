"""The mmengine Runner with the one-line data overrides applied before it builds anything."""
from typing import Union

from mmaction.registry import RUNNERS
from mmengine.config import Config, ConfigDict
from mmengine.runner import Runner

from ..utils.config_switches import apply_config_switches


@RUNNERS.register_module()
class OUSRunner(Runner):
    """mmengine's :class:`~mmengine.runner.Runner`, unchanged but for :meth:`from_cfg`
    and an automatic resume that reads ``last_checkpoint`` relative to the work dir;
    every run gets a :class:`~ous_mm.engine.hooks.ClassIdentityHook`.

    A shipped config is complete as read from its file; the override keys
    (``data_root``, ``feature_cache``, ``clip_len``, ``img_size``, ``face_detector``,
    ``face_crop``, ``fold``; see :mod:`ous_mm.utils.config_switches`), when a
    ``--cfg-options`` key or a child-config line gives one, are written into the
    dataloaders before the Runner builds them. Selected by ``runner_type`` in
    ``configs/_base_/default_runtime.py``; ``tools/train.py`` and ``tools/test.py``
    build it with ``RUNNERS.build(cfg)`` as MMAction2's tools do.
    """

    def load_or_resume(self) -> None:
        """mmengine's, but an automatic resume reads ``last_checkpoint`` relative to the
        work dir (where the checkpoint hook writes it), so a copied work dir resumes
        from its own checkpoint."""
        if self._resume and self._load_from is None and not self._has_loaded:
            from ..utils.checkpoint import read_last_checkpoint
            self._load_from = read_last_checkpoint(self.work_dir)
        super().load_or_resume()

    @classmethod
    def from_cfg(cls, cfg: Union[Config, ConfigDict, dict]) -> 'OUSRunner':
        runner = super().from_cfg(apply_config_switches(cfg))
        if not any(type(h).__name__ == 'ClassIdentityHook' for h in runner.hooks):
            # classes of dataset, head, metric and checkpoint compared before any iteration
            runner.register_hook(dict(type='ClassIdentityHook'))
        return runner
