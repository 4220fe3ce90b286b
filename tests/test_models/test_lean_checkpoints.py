"""Lean checkpoints (save_frozen_encoders=False): an explicit restore step, no random towers."""
import copy
import re
from pathlib import Path

import open_clip
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from mmengine.runner.checkpoint import load_checkpoint, save_checkpoint

from mmaction.registry import MODELS
from ous_mm.apis import init_ous_model, restore_frozen_encoders
from ous_mm.utils import clip_weights

from .conftest import TINY_ARCH, tiny_model_cfg

TOWERS = ('backbone.visual.', 'cls_head.text_encoder.')


@pytest.fixture
def lean(tmp_path):
    """A trained lean model, its checkpoint, its config and the CLIP file it came from."""
    torch.manual_seed(4)
    clip_path = tmp_path / 'clip.pt'
    torch.save(open_clip.CLIP(**copy.deepcopy(TINY_ARCH)).state_dict(), clip_path)
    cfg = tiny_model_cfg()
    cfg.update(save_frozen_encoders=False)
    cfg['backbone']['pretrained'] = str(clip_path)
    trained = MODELS.build(cfg)
    trained.init_weights()
    with torch.no_grad():
        trained.neck.tfe.queries.add_(1.0)  # stands for training
    state = trained.state_dict()
    ckpt = tmp_path / 'epoch_1.pth'
    save_checkpoint({'state_dict': state, 'meta': {}}, str(ckpt))
    return dict(cfg=cfg, trained=trained, state=state, ckpt=str(ckpt), tmp=tmp_path)


def _same_weights(a, b):
    for (name, x), y in zip(a.state_dict(keep_vars=False).items(),
                            b.state_dict(keep_vars=False).values()):
        assert torch.equal(x, y), name
    for (name, x), y in zip(a.backbone.visual.state_dict().items(),
                            b.backbone.visual.state_dict().values()):
        assert torch.equal(x, y), name


def test_lean_state_dict_has_no_towers_and_the_default_keeps_them(lean):
    assert not any(k.startswith(TOWERS) for k in lean['state'])
    assert 'neck.tfe.queries' in lean['state'] and 'cls_head.prompt_learner.ctx' in lean['state']
    full = MODELS.build(tiny_model_cfg())
    assert any(k.startswith('backbone.visual.') for k in full.state_dict())


def test_restore_then_strict_load(lean):
    fresh = MODELS.build(lean['cfg'])  # random towers, no init_weights
    assert not torch.equal(fresh.backbone.visual.conv1.weight,
                           lean['trained'].backbone.visual.conv1.weight)
    assert restore_frozen_encoders(fresh) == ['backbone.visual', 'cls_head.text_encoder']
    assert restore_frozen_encoders(fresh) == []  # towers in place: nothing is read again
    load_checkpoint(fresh, lean['ckpt'], strict=True)  # mmengine's loader
    _same_weights(lean['trained'], fresh)
    again = MODELS.build(lean['cfg'])
    restore_frozen_encoders(again)
    again.load_state_dict(lean['state'], strict=True)  # torch's loader
    _same_weights(lean['trained'], again)


def test_loading_without_the_restore_step_raises(lean):
    """The old pre-hook re-read CLIP inside load_state_dict; now the step is explicit."""
    for load in (lambda m: load_checkpoint(m, lean['ckpt'], strict=False),
                 lambda m: m.load_state_dict(lean['state'], strict=False)):
        with pytest.raises(RuntimeError, match='restore_frozen_encoders'):
            load(MODELS.build(lean['cfg']))
    cfg = copy.deepcopy(lean['cfg'])
    cfg['backbone']['pretrained'] = None
    cfg['cls_head']['pretrained'] = None
    with pytest.raises(RuntimeError, match='no `pretrained` weights'):
        restore_frozen_encoders(MODELS.build(cfg))


def test_loading_a_checkpoint_reads_no_file(lean, monkeypatch):
    fresh = MODELS.build(lean['cfg'])
    restore_frozen_encoders(fresh)

    def no_reading(*args, **kwargs):
        raise AssertionError('a checkpoint load read CLIP weights')

    monkeypatch.setattr(clip_weights, 'read_clip_weights', no_reading)
    load_checkpoint(fresh, lean['ckpt'], strict=True)


def test_init_ous_model_restores_lean_checkpoints(lean):
    model = init_ous_model(Config(dict(model=lean['cfg'])), lean['ckpt'])
    _same_weights(lean['trained'], model)


def test_runner_paths(lean):
    """tools/test.py (restore, then the Runner loads) and training/--resume (init_weights first)."""
    runner = Runner(model=copy.deepcopy(lean['cfg']), work_dir=str(lean['tmp'] / 'work'),
                    default_scope='mmaction')
    with pytest.raises(RuntimeError, match='restore_frozen_encoders'):
        runner.load_checkpoint(lean['ckpt'])  # what Runner.test() does without the step
    restore_frozen_encoders(runner.model)
    runner.load_checkpoint(lean['ckpt'])
    _same_weights(lean['trained'], runner.model)
    trainer = MODELS.build(lean['cfg'])
    trainer.init_weights()  # Runner.train() runs it before load_from / --resume
    load_checkpoint(trainer, lean['ckpt'])
    _same_weights(lean['trained'], trainer)


def test_the_model_package_reads_no_file():
    """Weights reach the model through init_weights -> ous_mm.utils.clip_weights only."""
    root = Path(__file__).resolve().parents[2] / 'ous_mm' / 'models'
    reading = re.compile(r'torch\.(jit\.)?load\(|create_model|download_pretrained|'
                         r'hf_hub_download|\bopen\(')
    offenders = [f'{p.relative_to(root)}:{i}' for p in root.rglob('*.py')
                 for i, line in enumerate(p.read_text().splitlines(), 1)
                 if reading.search(line) and not line.lstrip().startswith('#')]
    assert not offenders, offenders
