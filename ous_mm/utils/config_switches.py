"""One-line overrides of the data settings: ``--cfg-options clip_len=8``, ``fold=2``, ...

A shipped config is complete as read by ``mmengine.Config.fromfile``: every pipeline
step and dataset carries its own values, so ``init_recognizer`` /
``inference_recognizer``, MMAction2's tools and a script of your own get exactly what
``tools/train.py`` gets (``tests/test_configs/test_upstream_clients.py``). The keys
below are therefore never set by a shipped config; they exist only as OVERRIDES, for
one value that lives in several places (a config file's variables are evaluated when
the file is read, so a later ``clip_len = 4`` cannot reach pipelines a base file
built already). When one is given (``--cfg-options`` or a child config), it is written
everywhere it belongs, over the file's values:

======================  ==========================================================
override key            written into
======================  ==========================================================
``data_root``           ``data_root`` of the three dataloaders' datasets
``clip_len``            ``FaceSceneSampleFrames.clip_len``
``img_size``            ``FaceSceneSplit.out_size``
``face_detector``       ``FaceSceneSplit.detector``
``face_crop``           the other ``FaceSceneSplit`` arguments given (``margin``,
                        ``on_no_face``, ``mask_face``, ...), key by key
``fold``                ``dataset.fold`` of datasets whose ``ann_file`` has ``{fold}``
``feature_cache``       REPLACES the three dataloaders' pipelines by the cached
                        pipeline (see :func:`feature_store_dirs`)
======================  ==========================================================

They are applied by :class:`~ous_mm.engine.OUSRunner` (the configs' ``runner_type``,
which MMAction2's own ``tools/train.py`` / ``tools/test.py`` honour too), by
``init_ous_model`` and by the tools that build datasets themselves. From plain mmengine
code, set the full keys (``test_dataloader.dataset.data_root=...``) or call
:func:`apply_config_switches` after merging overrides. Applying twice changes nothing.
"""
import copy
import os.path as osp
from typing import Dict, Iterator, List, MutableMapping, Optional, TypeVar

from mmengine.logging import print_log

CfgT = TypeVar('CfgT', bound=MutableMapping)

SPLITS = ('train', 'val', 'test')
#: (override key, transform type, argument) for the single-valued pipeline overrides
STEP_SWITCHES = (('clip_len', 'FaceSceneSampleFrames', 'clip_len'),
                 ('img_size', 'FaceSceneSplit', 'out_size'),
                 ('face_detector', 'FaceSceneSplit', 'detector'))
CROP_STEP = 'FaceSceneSplit'
CACHED_STEPS = ('LoadCachedFeatures', 'PackCachedFeatureInputs')
#: every override key; a shipped config sets none of them
SWITCH_KEYS = ('data_root', 'clip_len', 'img_size', 'face_detector', 'face_crop', 'fold',
               'feature_cache')


class ConfigSwitchError(ValueError):
    """A switch that cannot apply to this config (the message names the config file)."""


def _datasets(dataset: Optional[MutableMapping]) -> Iterator[MutableMapping]:
    """A dataset config and the datasets it wraps (``RepeatDataset``, ``ConcatDataset``)."""
    if not isinstance(dataset, MutableMapping):
        return
    yield dataset
    yield from _datasets(dataset.get('dataset'))
    for inner in dataset.get('datasets') or ():
        yield from _datasets(inner)


def _loader_datasets(cfg: MutableMapping, split: str) -> List[MutableMapping]:
    loader = cfg.get(f'{split}_dataloader')
    return list(_datasets(loader.get('dataset'))) if isinstance(loader, MutableMapping) else []


def _pipelines(cfg: MutableMapping) -> Iterator[list]:
    for split in SPLITS:
        for dataset in _loader_datasets(cfg, split):
            if isinstance(dataset.get('pipeline'), list):
                yield dataset['pipeline']
        if isinstance(cfg.get(f'{split}_pipeline'), list):
            yield cfg[f'{split}_pipeline']


def _set_steps(cfg: MutableMapping) -> None:
    # One list object may serve several places (test_pipeline = val_pipeline): writing
    # is idempotent, so visiting it twice is harmless.
    crop = cfg.get('face_crop') or {}
    for pipeline in _pipelines(cfg):
        for step in pipeline:
            if not isinstance(step, MutableMapping):
                continue
            for top_key, step_type, arg in STEP_SWITCHES:
                if step.get('type') == step_type and cfg.get(top_key) is not None:
                    step[arg] = copy.deepcopy(cfg[top_key])
            if step.get('type') == CROP_STEP:
                for key, value in crop.items():
                    step[key] = copy.deepcopy(value)


def _set_datasets(cfg: MutableMapping) -> None:
    for split in SPLITS:
        leaf = _leaf_dataset(cfg, split)
        if leaf is not None and cfg.get('data_root') is not None:
            leaf['data_root'] = cfg['data_root']
        for dataset in _loader_datasets(cfg, split):
            if cfg.get('fold') is not None and '{fold}' in str(dataset.get('ann_file', '')):
                dataset['fold'] = cfg['fold']


def _leaf_dataset(cfg: MutableMapping, split: str) -> Optional[MutableMapping]:
    """The innermost dataset of a split's loader (the one with the annotation file)."""
    datasets = _loader_datasets(cfg, split)
    return datasets[-1] if datasets else None


def _identity(dataset: MutableMapping) -> tuple:
    fold = dataset.get('fold') if '{fold}' in str(dataset.get('ann_file', '')) else None
    return dataset.get('data_root'), dataset.get('ann_file'), fold


def feature_store_dirs(cfg: MutableMapping, root: Optional[str] = None) -> Dict[str, str]:
    """Feature store directory of each split of ``cfg`` under ``root`` (``cfg.feature_cache``).

    Layout (what ``tools/extract_features.py CONFIG --split S --out DIR`` writes)::

        ROOT/[fold<K>/]train   ROOT/[fold<K>/]val   ROOT/[fold<K>/]test

    ``fold<K>/`` is added for datasets with a ``{fold}`` annotation file (DFEW,
    MAFW), K being the dataset's fold (a ``fold`` override applied), so every fold
    keeps its own stores and ``--cfg-options fold=2`` switches them too.
    A validation split that reads the same annotation file as the test split (DFEW,
    FERV39k and MAFW have no validation set) shares the test store: extract it once.
    """
    root = root if root is not None else cfg.get('feature_cache')
    if not root:
        raise ConfigSwitchError(f'{_name(cfg)}: no feature_cache root given')
    if cfg.get('fold') is not None:
        cfg = copy.deepcopy(cfg)
        _set_datasets(cfg)
    leaves = {split: _leaf_dataset(cfg, split) for split in SPLITS}
    dirs = {}
    for split, dataset in leaves.items():
        if dataset is None:
            continue
        store_split = split
        test = leaves['test']
        if split == 'val' and test is not None and _identity(dataset) == _identity(test):
            store_split = 'test'
        fold = _identity(dataset)[2]
        parts = [str(root)] + ([f'fold{fold}'] if fold is not None else []) + [store_split]
        dirs[split] = osp.join(*parts)
    return dirs


def _name(cfg: MutableMapping) -> str:
    return getattr(cfg, 'filename', None) or 'config'


def _switch_to_cache(cfg: MutableMapping) -> None:
    backbone = (cfg.get('model') or {}).get('backbone') or {}
    if backbone.get('frozen', True) is False:
        raise ConfigSwitchError(
            f'{_name(cfg)}: feature_cache needs a frozen backbone, but this config trains '
            'it (model.backbone.frozen=False): cached features would be stale after the '
            'first step. Add model.backbone.frozen=True or train end to end.')
    dirs = feature_store_dirs(cfg)
    for split, store in dirs.items():
        view = 'random' if split == 'train' else 'first'
        _leaf_dataset(cfg, split)['pipeline'] = [
            dict(type=CACHED_STEPS[0], store=store, view=view), dict(type=CACHED_STEPS[1])]
    print_log('feature_cache: ' + ', '.join(f'{s} <- {d}' for s, d in dirs.items()),
              logger='current')


def given_switches(cfg: MutableMapping) -> Dict[str, object]:
    """The override keys ``cfg`` sets (none for a shipped config as read from its file)."""
    return {key: cfg[key] for key in SWITCH_KEYS if cfg.get(key) is not None}


def apply_config_switches(cfg: CfgT) -> CfgT:
    """A copy of ``cfg`` with the override keys it sets written in (see the module doc).

    Args:
        cfg: an mmengine ``Config``/``ConfigDict`` (or plain dict), command-line
            overrides already merged.

    Returns:
        The same kind of object; ``cfg`` itself is not modified. Without override keys
        (every shipped config) it equals ``cfg``.

    Raises:
        ConfigSwitchError: ``feature_cache`` on a config that trains its backbone.
    """
    cfg = copy.deepcopy(cfg)
    _set_datasets(cfg)
    if cfg.get('feature_cache'):
        _switch_to_cache(cfg)
    _set_steps(cfg)
    return cfg
