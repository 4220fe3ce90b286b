"""Every config has a working cached form: `feature_cache=ROOT` is one switch, no twin file.

For each config under configs/ous/ the switched config builds its three datasets on
tiny generated stores (at the documented ROOT/[fold<K>/]<split> paths) and the model,
on the tiny CLIP arch, runs one training step from them. One run goes through
OUSRunner as tools/train.py builds it, proving the switch is applied there.
"""
import math

import pytest
import torch
from mmengine.optim import OptimWrapper

from ous_mm.utils import ConfigSwitchError, apply_config_switches
from tests.fixtures.config_fixtures import (REPO, batch_from, build_tiny, load, ous_configs,
                                            relocate, tiny_model_cfg, write_annotations,
                                            write_stores)

torch.set_num_threads(1)  # tiny tensors on 2 shared cores
CONFIGS = ous_configs()


def test_no_twin_configs_are_left():
    assert not (REPO / 'configs/ous/cached').exists()
    assert not [c for c in CONFIGS if c.endswith('_cached.py')]


def _cached(config, tmp_path, *options):
    cfg = relocate(load(config, [f'feature_cache={tmp_path}/features', *options]),
                   tmp_path / 'data')
    if cfg.model.backbone.get('frozen', True) is False:  # the demo trains its tower
        with pytest.raises(ConfigSwitchError, match='frozen backbone'):
            apply_config_switches(cfg)
        cfg.merge_from_dict({'model.backbone.frozen': True})
    return cfg, apply_config_switches(cfg)


@pytest.mark.parametrize('config', CONFIGS)
def test_config_trains_from_its_cache(config, tmp_path):
    raw, cfg = _cached(config, tmp_path)
    assert cfg.model == raw.model  # the same model: only the pipelines change
    stores = {}
    for split, view in (('train', 'random'), ('val', 'first'), ('test', 'first')):
        ds = cfg[f'{split}_dataloader'].dataset
        assert [t.type for t in ds.pipeline] == ['LoadCachedFeatures', 'PackCachedFeatureInputs']
        assert ds.pipeline[0].view == view
        assert ds.ann_file == raw[f'{split}_dataloader'].dataset.ann_file
        stores[split] = ds.pipeline[0].store
    fold = cfg.train_dataloader.dataset.get('fold')
    sub = f'/fold{fold}' if fold is not None else ''
    assert stores['train'] == f'{tmp_path}/features{sub}/train'
    assert stores['test'] == f'{tmp_path}/features{sub}/test'
    # no validation set of its own (DFEW, FERV39k, MAFW): validation reads the test store
    same = cfg.val_dataloader.dataset.ann_file == cfg.test_dataloader.dataset.ann_file
    assert stores['val'] == (stores['test'] if same else f'{tmp_path}/features{sub}/val')
    # the top-level pipelines stay end to end: a cached run's checkpoint runs on videos
    assert cfg.test_pipeline[0].type == 'FaceSceneInit'

    model = build_tiny(cfg)
    write_stores(cfg, model, write_annotations(cfg))
    for split in ('val', 'test'):
        assert batch_from(cfg, split)['inputs']['embed'][0].shape[0] == 2  # (streams, T, D)
    batch = batch_from(cfg, 'train')
    assert set(batch['inputs']) == {'embed', 'early'}
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-3))
    before = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    log_vars = model.train_step(batch, optim)
    assert math.isfinite(float(log_vars['loss']))
    changed = [n for n, p in model.named_parameters() if p.requires_grad
               and not torch.equal(p.detach(), before[n])]
    assert changed and not any(n.startswith('backbone.') for n in changed)


def test_fold_switch_moves_datasets_and_stores_together(tmp_path):
    _, cfg = _cached('configs/ous/ous_vitl14_dfew.py', tmp_path, 'fold=3')
    for split in ('train', 'val', 'test'):
        assert cfg[f'{split}_dataloader'].dataset.fold == 3
        assert '/fold3/' in cfg[f'{split}_dataloader'].dataset.pipeline[0].store
    # a dataset's own fold (the per-split form of the README) wins for that dataset
    _, cfg = _cached('configs/ous/ous_vitl14_dfew.py', tmp_path,
                     'train_dataloader.dataset.fold=2')
    assert cfg.train_dataloader.dataset.fold == 2 and cfg.test_dataloader.dataset.fold == 1
    assert '/fold2/train' in cfg.train_dataloader.dataset.pipeline[0].store


def test_cached_training_through_the_runner(tmp_path):
    """What `tools/train.py CONFIG --cfg-options feature_cache=ROOT` builds and runs."""
    from mmaction.registry import RUNNERS

    cfg, switched = _cached('configs/ous/ous_tiny_synthetic.py', tmp_path)
    write_stores(switched, build_tiny(switched), write_annotations(switched))
    # the tiny arch the stores are shaped for; the RAW config goes to the Runner
    cfg.model = tiny_model_cfg(cfg.model.to_dict(), switched.test_dataloader.dataset.class_names)
    cfg.merge_from_dict({'work_dir': str(tmp_path / 'work'), 'train_cfg.max_epochs': 1,
                         'train_dataloader.batch_size': 2, 'train_dataloader.num_workers': 0,
                         'train_dataloader.persistent_workers': False,
                         'default_hooks.checkpoint': None})  # seconds per save here
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None  # as --no-validate
    assert cfg.runner_type == 'mmaction.OUSRunner'
    runner = RUNNERS.build(cfg)
    assert type(runner).__name__ == 'OUSRunner'
    store = runner.train_dataloader.dataset.pipeline.transforms[0].store_path
    assert store == f'{tmp_path}/features/train'
    head = [p.detach().clone() for p in runner.model.cls_head.parameters()]
    runner.train()
    assert runner.iter == 2  # 4 clips / batch 2, read from the train store
    assert any(not torch.equal(a, b.detach())
               for a, b in zip(head, runner.model.cls_head.parameters()))
