"""Every OUS config builds the modules it names, with the settings it names.

The model (on the tiny CLIP arch) and the three dataset pipelines are built from each
config with its switches applied; a walker then checks that every typed sub-config
became a module of that type and that every plain setting it names (depth, prompt
length, fusion, clip_len, detector, ...) is what the built module holds. Then one
training step runs. The schedule and the paper's ablation grid are checked too.
"""
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper
from torch import nn

from ous_mm.models.recognizers.ous_recognizer import face_only_rewrite
from tests.fixtures.config_fixtures import (build_dataset, build_tiny, load, ous_configs,
                                            relocate, write_annotations)

from .conftest import REPO, make_batch

CONFIGS = ous_configs()
PLAIN = (bool, int, float, str, type(None))
SKIP_KEYS = {'type', 'init_cfg', '_scope_'}
TINY_KEYS = ('arch', 'pretrained', 'quick_gelu', 'early_layers')


def assert_built_as_named(obj, cfg: dict, where: str) -> int:
    """Check ``obj`` against the config it was built from; returns how many checks ran.

    A typed sub-config must be an attribute of that class; an untyped part config
    (``neck.tfe``) is checked against its module; a plain value the module keeps under
    the same name must be equal.
    """
    checked = 0
    for key, value in cfg.items():
        if key in SKIP_KEYS or not hasattr(obj, key):
            assert not (isinstance(value, dict) and 'type' in value), \
                f'{where}.{key}: {value["type"]} named in the config, no such part was built'
            continue
        attr = getattr(obj, key)
        if isinstance(value, dict) and 'type' in value:
            assert type(attr).__name__ == value['type'], \
                f'{where}.{key}: config names {value["type"]}, built {type(attr).__name__}'
            checked += 1 + assert_built_as_named(attr, value, f'{where}.{key}')
        elif isinstance(value, dict) and isinstance(attr, nn.Module):
            checked += assert_built_as_named(attr, value, f'{where}.{key}')
        elif isinstance(value, PLAIN) and isinstance(attr, PLAIN):
            assert attr == value, f'{where}.{key}: config says {value!r}, built {attr!r}'
            checked += 1
    return checked


def _built(config, tmp_path):
    cfg = relocate(load(config), tmp_path)  # the file as read is the whole config
    write_annotations(cfg)
    return cfg, build_tiny(cfg)


@pytest.mark.parametrize('config', CONFIGS)
def test_config_builds_what_it_names_and_trains(config, tmp_path):
    cfg, model = _built(config, tmp_path)
    assert cfg.train_dataloader.batch_size == 16
    model_cfg = cfg.model.to_dict()
    model_cfg['backbone'] = {k: v for k, v in model_cfg['backbone'].items()
                             if k not in TINY_KEYS}  # the test builds the tiny arch instead
    if not model_cfg.get('use_scene', True):  # a face-only config: compare with the rewrite
        model_cfg['neck'], model_cfg['cls_head'], _ = face_only_rewrite(
            model_cfg['neck'], model_cfg['cls_head'])
    assert type(model).__name__ == cfg.model.type
    assert assert_built_as_named(model, model_cfg, 'model') >= 15
    # the settings the ablation tables vary, read back from the built modules
    neck = cfg.model.neck
    assert model.neck.fusion == neck.fusion and (model.neck.tfe is None) == (neck.fusion != 'tfe')
    if neck.fusion == 'tfe':
        assert len(model.neck.tfe.blocks) == neck.tfe.num_blocks
    assert model.cls_head.prompt_learner.ctx.shape[-2] == cfg.model.cls_head.prompt_length
    assert model.use_scene == cfg.model.get('use_scene', True)
    for split in ('train', 'val', 'test'):
        ds_cfg = cfg[f'{split}_dataloader'].dataset
        dataset = build_dataset(ds_cfg)
        assert dataset.metainfo['classes'] == tuple(cfg.class_names)
        steps = dataset.pipeline.transforms
        assert [type(t).__name__ for t in steps] == [s.type for s in ds_cfg.pipeline]
        for step, step_cfg in zip(steps, ds_cfg.pipeline):
            assert_built_as_named(step, step_cfg, f'{split} pipeline {step_cfg.type}')
        by_type = {type(t).__name__: t for t in steps}
        # every split and a video of one's own (test_pipeline) see the same clip and crop
        inference = {s.type: s for s in cfg.test_pipeline}
        assert by_type['FaceSceneSampleFrames'].clip_len == \
            inference['FaceSceneSampleFrames'].clip_len
        assert by_type['FaceSceneSampleFrames'].test_mode == (split != 'train')
        split_step = by_type['FaceSceneSplit']
        assert split_step.out_size == inference['FaceSceneSplit'].out_size
        assert split_step.margin == inference['FaceSceneSplit'].margin
        assert ('FaceSceneFlip' in by_type) == (split == 'train')
    torch.manual_seed(0)
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-3))
    log_vars = model.train_step(make_batch(batch=2, frames=3), optim)
    assert math.isfinite(float(torch.as_tensor(log_vars['loss']).detach()))
    model.eval()
    with torch.no_grad():
        samples = model.test_step(make_batch(batch=2, frames=3))
    assert len(samples) == 2 and samples[0].pred_score.shape == (len(cfg.class_names), )


def test_every_table_has_its_ablation_configs():
    names = {osp.basename(p) for p in CONFIGS}
    for n in (8, 12, 16):  # Table III (and Table VI with 12 blocks)
        for m in (16, 32, 64):
            if (n, m) != (12, 64):
                assert f'ous_vitl14_dfew_tfe{n}_prompt{m}.py' in names
    for ds in ('dfew', 'ferv39k'):  # Tables IV-V
        for row in ('lce_avgpool', 'lglobal_avgpool', 'lce_tfe'):
            assert f'ous_vitl14_{ds}_{row}.py' in names
    assert 'face_only_vitl14_dfew.py' in names


def test_ablation_switches_reach_the_model():
    def model_cfg(name):
        return Config.fromfile(str(REPO / 'configs/ous/ablations' / name)).model

    lce = model_cfg('ous_vitl14_dfew_lce_avgpool.py')
    assert lce.neck.fusion == 'avgpool'
    assert lce.cls_head.loss_cls == dict(type='ContrastiveLoss', mode='video_text')
    assert model_cfg('ous_vitl14_ferv39k_lglobal_avgpool.py').cls_head.loss_cls.type == \
        'GlobalSwitchLoss'
    t3 = model_cfg('ous_vitl14_dfew_tfe8_prompt32.py')
    assert (t3.neck.tfe.num_blocks, t3.cls_head.prompt_length) == (8, 32)
    face = model_cfg('face_only_vitl14_dfew.py')
    assert face.use_scene is False  # one line; the recognizer drops what needs the scene
    neck, head, notes = face_only_rewrite(face.neck.to_dict(), face.cls_head.to_dict())
    assert neck['polarity_source'] is None and head['loss_cls']['type'] != 'GlobalSwitchLoss'
    assert notes
    main = Config.fromfile(str(REPO / 'configs/ous/ous_vitl14_dfew.py')).model
    assert (main.neck.tfe.num_blocks, main.cls_head.prompt_length) == (12, 64)
    assert main.backbone.arch == 'ViT-L-14' and main.backbone.pretrained == 'openai'


def test_schedule_is_the_papers():
    cfg = Config.fromfile(str(REPO / 'configs/ous/ous_vitl14_dfew.py'))
    assert cfg.optim_wrapper.optimizer == dict(type='Adam', lr=0.002)
    assert cfg.train_cfg.max_epochs == 60
    (plateau, ) = cfg.param_scheduler
    assert plateau.type == 'ReduceOnPlateauLR' and plateau.monitor == 'dfer/loss'
    assert plateau.factor == pytest.approx(1 / 3) and plateau.patience == 5
    assert dict(type='StopOnLRFloorHook', min_lr=1e-7) in cfg.custom_hooks
    assert cfg.default_hooks.checkpoint.save_best == ['dfer/loss', 'dfer/UAR']
    assert cfg.default_hooks.checkpoint.rule == ['less', 'greater']
    assert cfg.default_scope == 'mmaction'  # runtime defaults come with the schedule
    # the DFER protocol: 16 frames of 224 px in every split
    for pipeline in (cfg.train_pipeline, cfg.test_pipeline, cfg.train_dataloader.dataset.pipeline):
        by_type = {step.type: step for step in pipeline}
        assert (by_type['FaceSceneSampleFrames'].clip_len,
                by_type['FaceSceneSplit'].out_size) == (16, 224)
