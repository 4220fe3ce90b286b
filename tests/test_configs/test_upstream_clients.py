"""A config read by ``mmengine.Config.fromfile`` is the whole configuration.

MMAction2's ``init_recognizer`` + ``inference_recognizer`` on a raw mp4 work with the
shipped configs and nothing from ous_mm but the import; every shipped config carries
its values in its pipelines and datasets, so a script of one's own gets what
``tools/train.py`` gets; the one-line overrides (``data_root=``, ``clip_len=``, ...)
reach all three dataloaders.
"""
import math

import numpy as np
import pytest
import torch
from mmengine.config import Config

import ous_mm  # noqa: F401  (the one ous_mm line an upstream client writes)
from mmaction.apis import inference_recognizer, init_recognizer
from mmaction.structures import ActionDataSample
from ous_mm.utils.config_switches import SWITCH_KEYS, apply_config_switches
from tests.fixtures.config_fixtures import REPO, load, ous_configs
from tests.test_datasets.video_fixtures import write_video

torch.set_num_threads(1)
SPLITS = ('train', 'val', 'test')
# one config of each shipped family: the demo's two regimes (tiny CLIP) and a CLIP ViT
FAMILIES = ('configs/ous/demo/ous_frozen_synthetic.py', 'configs/ous/demo/ous_demo_synthetic.py',
            'configs/ous/ous_vitb16_dfew.py')


def _pipelines(cfg):
    yield 'test_pipeline', cfg.test_pipeline
    for split in SPLITS:
        yield f'{split}_dataloader', cfg[f'{split}_dataloader'].dataset.pipeline


@pytest.mark.parametrize('config', ous_configs())
def test_every_shipped_config_is_complete_as_read(config):
    cfg = Config.fromfile(str(REPO / config))
    assert not [k for k in SWITCH_KEYS if k in cfg], 'override keys are for overrides only'
    assert apply_config_switches(cfg).to_dict() == cfg.to_dict()  # what the Runner builds
    for where, pipeline in _pipelines(cfg):
        by_type = {step.type: step for step in pipeline}
        assert by_type['FaceSceneSampleFrames'].get('clip_len'), where
        split = by_type['FaceSceneSplit']
        assert split.get('detector') and split.get('out_size') and 'on_no_face' in split, where
    for split in SPLITS:
        dataset = cfg[f'{split}_dataloader'].dataset
        assert dataset.data_root and ('{fold}' not in dataset.ann_file or dataset.fold)


def test_the_demo_configs_read_what_make_demo_writes():
    # tools/run_demo.py generates data/synthetic_<variant>; base is the default variant
    cfg = Config.fromfile(str(REPO / 'configs/ous/demo/ous_frozen_synthetic.py'))
    assert {cfg[f'{s}_dataloader'].dataset.data_root for s in SPLITS} == {'data/synthetic_base'}


@pytest.mark.parametrize('form', ['cfg-options', 'child config'])
def test_one_data_root_reaches_all_three_dataloaders(form, tmp_path):
    root = str(tmp_path / 'synthetic_indep_like')
    if form == 'cfg-options':
        cfg = load('configs/ous/demo/ous_frozen_synthetic.py', [f'data_root={root}'])
    else:
        cfg = load('configs/ous/demo/ous_frozen_synthetic.py',
                   child_lines=[f'data_root = {root!r}'], tmp_path=tmp_path)
    cfg = apply_config_switches(cfg)
    assert [cfg[f'{s}_dataloader'].dataset.data_root for s in SPLITS] == [root] * 3


def test_a_dataset_relocated_alone_keeps_its_own_root(tmp_path):
    cfg = apply_config_switches(load('configs/ous/ous_vitb16_dfew.py',
                                     [f'train_dataloader.dataset.data_root={tmp_path}']))
    assert cfg.train_dataloader.dataset.data_root == str(tmp_path)
    assert cfg.test_dataloader.dataset.data_root == 'data/dfew'


@pytest.fixture(scope='module')
def raw_mp4(tmp_path_factory):
    """A plain video of one's own: no annotation, no box file, no face folder."""
    rng = np.random.default_rng(0)
    base = rng.integers(0, 255, (96, 128, 3), dtype=np.uint8)
    frames = [np.roll(base, 3 * t, axis=1) for t in range(20)]
    return write_video(str(tmp_path_factory.mktemp('raw') / 'clip.mp4'), frames)


@pytest.mark.parametrize('config', FAMILIES)
def test_init_and_inference_recognizer_on_a_raw_mp4(config, raw_mp4):
    # upstream code only: the file as mmengine reads it, random weights (init_recognizer
    # drops backbone.pretrained, so nothing is downloaded)
    model = init_recognizer(str(REPO / config), None, device='cpu')
    result = inference_recognizer(model, raw_mp4)
    assert isinstance(result, ActionDataSample)
    scores = result.pred_score
    assert scores.shape == (len(model.cfg.class_names), )
    assert all(math.isfinite(float(s)) for s in scores)
    assert math.isclose(float(scores.sum()), 1.0, rel_tol=1e-4)
