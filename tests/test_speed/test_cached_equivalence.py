"""The cached path (extract_features -> store -> cached pipeline) reproduces end-to-end logits."""
import copy
import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch

import ous_mm  # noqa: F401  (upstream fixes + registration)
from mmaction.registry import DATASETS, MODELS
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope

from ous_mm.datasets.feature_store import FeatureStore
from ous_mm.datasets.synthetic import generate_dataset
from ous_mm.utils import apply_config_switches

init_default_scope('mmaction')
torch.set_num_threads(1)  # tiny tensors on 2 shared cores

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / 'configs/ous/ous_tiny_synthetic.py'


def _extract_tool():
    spec = importlib.util.spec_from_file_location('extract_features',
                                                  REPO / 'tools/extract_features.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('cache')
    root = tmp / 'synthetic'
    generate_dataset(str(root), num_clips=21, seed=5, size=64, num_frames=8, progress=False)
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(str(CONFIG)).model)
    model.init_weights()
    model.eval()
    ckpt = tmp / 'model.pth'
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    opts = [f'{s}_dataloader.dataset.data_root={root}' for s in ('train', 'val', 'test')]
    return dict(tmp=tmp, root=root, model=model, ckpt=ckpt, opts=opts, tool=_extract_tool())


def _run_tool(setup, *args):
    setup['tool'].main([str(CONFIG), '--checkpoint', str(setup['ckpt']), '--num-workers', '0',
                        '--batch-size', '3', *args, '--cfg-options', *setup['opts']])


def _cached_dataset(store: str, root: Path, split: str = 'test'):
    cfg = Config.fromfile(str(CONFIG))
    cfg.feature_cache = str(root)  # the cached form of CONFIG; its store is set below
    ds_cfg = copy.deepcopy(apply_config_switches(cfg)[f'{split}_dataloader'].dataset)
    ds_cfg.data_root = str(root)
    ds_cfg.pipeline[0].store = store
    return DATASETS.build(ds_cfg)


@torch.no_grad()
def _logits(model, samples):
    data = model.data_preprocessor(pseudo_collate(samples), training=False)
    return model(data['inputs'], data['data_samples'], mode='tensor')


@pytest.mark.parametrize('store_dtype,tol', [('float32', 1e-5), ('float16', 2e-2)])
def test_cached_logits_match_end_to_end(setup, store_dtype, tol):
    store = str(setup['tmp'] / f'test_{store_dtype}')
    _run_tool(setup, '--split', 'test', '--out', store, '--store-dtype', store_dtype)
    cfg = apply_config_switches(Config.fromfile(str(CONFIG)))
    ds_cfg = copy.deepcopy(cfg.test_dataloader.dataset)
    ds_cfg.data_root = str(setup['root'])
    e2e_ds = DATASETS.build(ds_cfg)
    cached_ds = _cached_dataset(store, setup['root'])
    assert len(e2e_ds) == len(cached_ds) == len(FeatureStore(store)) >= 3
    idx = list(range(len(e2e_ds)))
    e2e_samples = [e2e_ds[i] for i in idx]
    cached_samples = [cached_ds[i] for i in idx]
    for a, b in zip(e2e_samples, cached_samples):  # same clips, same labels
        assert a['data_samples'].metainfo['clip_id'] == b['data_samples'].metainfo['clip_id']
        assert int(a['data_samples'].gt_label) == int(b['data_samples'].gt_label)
        assert int(a['data_samples'].gt_polarity) == int(b['data_samples'].gt_polarity)
    model = setup['model']
    e2e = _logits(model, e2e_samples)
    cached = _logits(model, cached_samples)
    assert e2e.shape == cached.shape == (len(idx), 7)
    torch.testing.assert_close(cached, e2e, rtol=tol, atol=tol)
    # predictions (the test_step path the Runner uses) agree too
    pred_e2e = model.test_step(pseudo_collate(e2e_samples))
    pred_cached = model.test_step(pseudo_collate(cached_samples))
    for a, b in zip(pred_e2e, pred_cached):
        torch.testing.assert_close(b.pred_score, a.pred_score, rtol=tol, atol=tol)


def test_augmented_views_are_distinct_deterministic_and_resumable(setup):
    store = setup['tmp'] / 'val_views'
    args = ('--split', 'val', '--pipeline', 'train', '--views', '2', '--out', str(store))
    _run_tool(setup, *args)
    first = FeatureStore(str(store))
    assert first.num_views == 2 and first.index['meta']['pipeline'] == 'train'
    views = [np.stack([first.get(c, v)['embed'] for c in first.clip_ids]) for v in (0, 1)]
    assert not np.allclose(views[0], views[1])  # random frames/flips differ between views
    saved = np.load(store / 'embed.npy').copy()
    # interrupt: forget two rows of a re-created part, then resume -> same values
    import shutil
    shutil.rmtree(store)
    _run_tool(setup, *args)
    np.testing.assert_array_equal(np.load(store / 'embed.npy'), saved)  # seeded per (clip, view)
    done = np.load(store / 'done.npy', mmap_mode='r+')
    done[:2] = False
    done.flush()
    del done
    part = store / 'parts' / 'rank0-of1'
    shutil.copytree(store, part, ignore=shutil.ignore_patterns('parts'))
    (store / 'index.json').unlink()
    _run_tool(setup, *args)  # resumes: extracts only the 2 missing clips, then merges
    assert not part.exists()
    np.testing.assert_array_equal(np.load(store / 'embed.npy'), saved)


def test_trainable_backbone_is_refused(setup):
    with pytest.raises(RuntimeError, match='backbone is trained in this config'):
        setup['tool'].main([str(CONFIG), '--split', 'test', '--num-workers', '0',
                            '--out', str(setup['tmp'] / 'refused'), '--cfg-options',
                            *setup['opts'], 'model.backbone.frozen=False'])
    assert not (setup['tmp'] / 'refused' / 'index.json').exists()
