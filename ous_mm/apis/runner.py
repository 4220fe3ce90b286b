"""Build the Runner a config asks for, ready to train or test."""
from mmengine.config import Config
from mmengine.runner import Runner

from ..utils.precision import enable_tf32
from .model import restore_frozen_encoders


def build_runner(cfg: Config, restore_encoders: bool = False) -> Runner:
    """The config's runner (``runner_type``: OUS configs use :class:`OUSRunner`, which
    applies the config switches), else mmengine's, with TF32 on for CUDA matmuls. What
    ``tools/train.py`` and ``tools/test.py`` run.

    ``restore_encoders``: restore the frozen towers of a lean model before a checkpoint is
    loaded into it (:func:`restore_frozen_encoders`); testing needs it, training gets the
    towers from ``init_weights()``, which the Runner runs before it loads or resumes."""
    enable_tf32()
    if 'runner_type' in cfg:
        from mmaction.registry import RUNNERS
        runner = RUNNERS.build(cfg)
    else:
        runner = Runner.from_cfg(cfg)
    if restore_encoders:
        restore_frozen_encoders(runner.model)
    return runner
