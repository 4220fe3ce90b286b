"""Issue 14 item 1: `--cfg-options model.use_scene=False` alone gives the face-only model.

Before, it failed on `polarity_source='scene'`, then on the loss, then on `alpha`."""
import copy
import os
import subprocess
import sys

import torch
from mmaction.registry import MODELS
from mmengine.config import Config

from ous_mm.models.recognizers.ous_recognizer import face_only_rewrite
from .conftest import REPO, build_tiny_model, make_batch, tiny_model_cfg


def _shapes(model):
    return {k: tuple(v.shape) for k, v in model.state_dict().items()}


def test_use_scene_false_alone_equals_the_face_only_config(monkeypatch):
    from ous_mm.models.recognizers import ous_recognizer

    logged = []
    monkeypatch.setattr(ous_recognizer, 'print_log',
                        lambda msg, *args, **kwargs: logged.append(msg))
    torch.manual_seed(0)
    switched = build_tiny_model(use_scene=False)
    baseline = build_tiny_model('configs/ous/face_only_tiny_synthetic.py')
    assert switched.use_scene is False and switched.neck.polarity_encoder is None
    assert type(switched.cls_head.loss_cls) is type(baseline.cls_head.loss_cls)
    assert switched.cls_head.loss_cls.mode == baseline.cls_head.loss_cls.mode == 'video_text'
    assert _shapes(switched) == _shapes(baseline)
    notes = [msg for msg in logged if 'use_scene=False (face-only model)' in msg]
    assert any("polarity_source 'scene' -> None" in n for n in notes), notes
    assert any('GlobalSwitchLoss -> its classification term ContrastiveLoss' in n
               for n in notes), notes
    # and it trains: one loss step through the face stream only
    data = switched.data_preprocessor(make_batch(batch=2, frames=3), True)
    losses = switched(**data, mode='loss')
    assert [k for k in losses if k.startswith('loss')] == ['loss_cls']
    assert all(torch.isfinite(v).all() for k, v in losses.items() if k.startswith('loss'))


def test_rewrite_keeps_what_a_face_only_model_can_feed():
    gsl = dict(type='GlobalSwitchLoss', alpha=0.5,
               contrastive=dict(type='ContrastiveLoss', mode='scene_face', temperature=0.07),
               classification=dict(type='ContrastiveLoss', mode='video_text'))
    neck, head, _ = face_only_rewrite(dict(type='TypeFusionNeck', polarity_source='both'),
                                      dict(loss_cls=gsl))
    assert neck['polarity_source'] is None
    assert head['loss_cls'] == dict(type='ContrastiveLoss', mode='video_text')
    # polarity from the face is possible without the scene: the polarity term stays
    neck, head, notes = face_only_rewrite(dict(type='TypeFusionNeck', polarity_source='face'),
                                          dict(loss_cls=dict(type='GlobalSwitchLoss')))
    assert neck['polarity_source'] == 'face'
    assert head['loss_cls']['type'] == 'GlobalSwitchLoss'
    assert head['loss_cls']['similarity'] is None and 'polarity' not in head['loss_cls']
    cfg = tiny_model_cfg()
    cfg.update(use_scene=False)
    cfg['neck']['polarity_source'] = 'face'
    model = MODELS.build(cfg)
    assert model.neck.polarity_encoder is not None
    assert model.cls_head.loss_cls.similarity is None
    assert model.cls_head.loss_cls.polarity is not None
    # a face-only config is left as it is
    before = dict(polarity_source=None)
    loss = dict(type='ContrastiveLoss', mode='video_text')
    neck, head, notes = face_only_rewrite(before, dict(loss_cls=copy.deepcopy(loss)))
    assert neck == before and head['loss_cls'] == loss and notes == []


def test_readme_command_trains_the_face_only_model(tmp_path):
    """The README's own one-liner through tools/train.py (one epoch on 14 generated clips)."""
    from ous_mm.datasets.synthetic import generate_dataset

    readme = (REPO / 'README.md').read_text()
    assert 'model.use_scene=False' in readme
    data_root = str(tmp_path / 'syn')
    generate_dataset(data_root, num_clips=14, seed=0, num_frames=8, size=64, progress=False)
    overrides = ['model.use_scene=False', 'train_cfg.max_epochs=1']
    for split in ('train', 'val', 'test'):
        overrides += [f'{split}_dataloader.dataset.data_root={data_root}',
                      f'{split}_dataloader.batch_size=4', f'{split}_dataloader.num_workers=0',
                      f'{split}_dataloader.persistent_workers=False']
    work_dir = str(tmp_path / 'work')
    env = dict(os.environ, OMP_NUM_THREADS='1',  # this checkout's ous_mm, not an installed one
               PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get('PYTHONPATH', '')]))
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', 'configs/ous/ous_tiny_synthetic.py',
         '--work-dir', work_dir, '--cfg-options', *overrides],
        cwd=str(REPO), env=env, capture_output=True, text=True, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert 'use_scene=False (face-only model)' in out
    state = torch.load(os.path.join(work_dir, 'epoch_1.pth'), weights_only=False)['state_dict']
    baseline = MODELS.build(Config.fromfile(
        str(REPO / 'configs/ous/face_only_tiny_synthetic.py')).model)
    assert {k: tuple(v.shape) for k, v in state.items()} == _shapes(baseline)

