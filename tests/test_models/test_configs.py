"""Every OUS config (main and ablations) builds and runs a train and a predict step on
the tiny CLIP arch; the schedule is the paper's."""
import glob
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper

from mmaction.registry import MODELS

from .conftest import REPO, make_batch, tiny_model_cfg

CONFIGS = sorted(
    osp.relpath(p, REPO) for p in glob.glob(str(REPO / 'configs/ous/**/*.py'), recursive=True)
    if '/cached/' not in p)


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


@pytest.mark.parametrize('config', CONFIGS)
def test_config_trains_and_predicts_on_the_tiny_arch(config):
    torch.manual_seed(0)
    cfg = Config.fromfile(str(REPO / config))
    assert cfg.train_dataloader.batch_size == 16
    model = MODELS.build(tiny_model_cfg(config))
    model.init_weights()
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-3))
    log_vars = model.train_step(make_batch(batch=2, frames=3), optim)
    assert math.isfinite(float(torch.as_tensor(log_vars['loss']).detach()))
    model.eval()
    with torch.no_grad():
        samples = model.test_step(make_batch(batch=2, frames=3))
    assert len(samples) == 2 and samples[0].pred_score.shape == (len(cfg.class_names), )


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
    assert face.use_scene is False and face.neck.polarity_source is None
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
