"""A config as the tools see it: the file, ``--cfg-options`` merged, the one-line
overrides applied, the default scope set."""
import os.path as osp
from typing import Optional

from mmengine.config import Config


def load_config(path: str, cfg_options: Optional[dict] = None,
                set_scope: bool = True) -> Config:
    """``Config.fromfile(path)`` with ``cfg_options`` (``DictAction`` output) merged and the
    top-level switches (``clip_len``, ``face_detector``, ``feature_cache``, ...) written into
    the pipelines, as the Runner will build them (:func:`apply_config_switches`).

    ``set_scope`` makes the config's ``default_scope`` (``mmaction``) current, so
    registries resolve nested types when a tool builds a model or dataset itself.

    Raises:
        FileNotFoundError: ``path`` does not exist (the message names it).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'config not found: {path}')
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    from ..utils.config_switches import apply_config_switches
    cfg = apply_config_switches(cfg)
    if set_scope:
        from mmengine.registry import init_default_scope

        import ous_mm  # noqa: F401  (registration)
        init_default_scope(cfg.get('default_scope', 'mmaction'))
    return cfg
