"""ensure_pretrained_clip: open_clip-format checkpoint loading into OUS, cache hits, corruption, the tool."""
import copy
import json
import os.path as osp

import open_clip
import pytest
import torch
from mmengine.config import Config

from mmaction.registry import MODELS
import ous_mm  # noqa: F401
from ous_mm.pretrain import (CorpusConfig, CorruptCacheWarning, TrainConfig, cache_key,
                             ensure_pretrained_clip, read_card)
from ous_mm.pretrain import pipeline
from ous_mm.utils.checkpoint import file_sha256

from ..test_datasets.video_fixtures import load_tool
from ..test_models.conftest import CLASS_NAMES, REPO, TINY_ARCH

CORPUS = CorpusConfig(num_items=16, heldout_items=28, image_size=32, frame_sizes=(48, 80))
TRAIN = TrainConfig(steps=2, batch_size=8, warmup_steps=1)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    root = tmp_path / 'clip-cache'
    monkeypatch.setenv('OUS_CLIP_CACHE', str(root))
    return root


def _ensure(**kwargs):
    kwargs.setdefault('workers', 1)
    return ensure_pretrained_clip(copy.deepcopy(TINY_ARCH), CORPUS, TRAIN, **kwargs)


def test_checkpoint_is_open_clip_format_and_loads_into_ous_backbone_and_head(cache):
    path = _ensure()
    assert path.startswith(str(cache))  # OUS_CLIP_CACHE decides the root
    state = torch.load(path, map_location='cpu', weights_only=True)
    assert list(state) == list(open_clip.CLIP(**copy.deepcopy(TINY_ARCH)).state_dict())
    card = read_card(osp.dirname(path))
    sha = file_sha256(path)
    assert card['sha256'] == sha and osp.basename(path) == f'clip-{sha[:8]}.pt'
    with open(f'{path}.sha256') as f:
        assert f.read().split() == [sha, osp.basename(path)]
    for key in ('arch', 'corpus', 'train', 'wall_seconds', 'final_loss', 'metrics', 'key'):
        assert key in card, key
    assert card['corpus']['version'] >= 1 and card['train']['steps'] == 2
    assert 0 <= card['metrics']['face_zero_shot'] <= 100

    backbone = MODELS.build(dict(type='CLIPVisionBackbone', arch=copy.deepcopy(TINY_ARCH),
                                 early_layers=1, pretrained=path))
    backbone.init_weights()  # strict load: 0 missing, 0 unexpected keys
    head = MODELS.build(dict(type='PromptContrastiveHead', class_names=CLASS_NAMES,
                             in_channels=32, arch=copy.deepcopy(TINY_ARCH), pretrained=path,
                             prompt_length=4))
    head.init_weights()
    for name, value in backbone.visual.state_dict().items():
        assert torch.equal(value, state[f'visual.{name}']), name
    for name, value in head.text_encoder.state_dict().items():
        assert torch.equal(value, state[name]), name
    loaded = set(f'visual.{k}' for k in backbone.visual.state_dict()) | set(
        head.text_encoder.state_dict())
    assert set(state) - loaded == {'logit_scale'}  # everything else is used by OUS


def test_second_call_returns_the_cached_file_without_training(cache, monkeypatch):
    first = _ensure()
    mtime = osp.getmtime(first)

    def no_training(*args, **kwargs):
        raise AssertionError('retrained although cached')

    monkeypatch.setattr(pipeline, 'pretrain_clip', no_training)
    assert _ensure() == first and osp.getmtime(first) == mtime
    # another training argument is another entry
    with pytest.raises(AssertionError, match='retrained'):
        ensure_pretrained_clip(copy.deepcopy(TINY_ARCH), CORPUS,
                               TrainConfig(steps=3, batch_size=8, warmup_steps=1), workers=1)


def test_corrupt_cache_entry_is_detected_and_retrained(cache):
    first = _ensure()
    with open(first, 'r+b') as f:
        f.seek(200)
        byte = f.read(1)
        f.seek(200)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.warns(CorruptCacheWarning, match='sha256'):
        again = _ensure()
    assert file_sha256(again) == read_card(osp.dirname(again))['sha256']
    assert len(list(cache.iterdir())) == 1  # the bad entry is gone, no temp dirs left

    card_path = osp.join(osp.dirname(again), 'card.json')
    with open(card_path, 'w') as f:
        f.write('{truncated')
    with pytest.warns(CorruptCacheWarning, match='card.json'):
        third = _ensure()
    with open(card_path) as f:
        assert json.load(f)['sha256'] == file_sha256(third)


def test_force_rebuilds_and_key_covers_every_argument(cache, monkeypatch):
    first = _ensure()
    calls = []
    real = pipeline.pretrain_clip

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, 'pretrain_clip', counted)
    rebuilt = _ensure(force=True)
    assert calls == [1] and file_sha256(rebuilt) == read_card(osp.dirname(rebuilt))['sha256']
    assert rebuilt == first  # the same recipe gives the same weights (deterministic on CPU)
    assert len(list(cache.iterdir())) == 1
    base = cache_key(TINY_ARCH, CORPUS, TRAIN)[0]
    other_arch = copy.deepcopy(TINY_ARCH)
    other_arch['vision_cfg']['layers'] = 1
    assert cache_key(other_arch, CORPUS, TRAIN)[0] != base
    assert cache_key(TINY_ARCH, CorpusConfig(**{**CORPUS.as_dict(), 'seed': 3}), TRAIN)[0] != base
    assert cache_key(TINY_ARCH, CORPUS, TrainConfig(**{**TRAIN.as_dict(), 'lr': 1e-4}))[0] != base
    assert cache_key(copy.deepcopy(TINY_ARCH), CORPUS, TRAIN)[0] == base
    with pytest.raises(ValueError, match='corpus images are 64 px but .* takes 32 px'):
        ensure_pretrained_clip(copy.deepcopy(TINY_ARCH), CorpusConfig(), TRAIN, workers=1)


def test_tool_prints_the_checkpoint_and_its_figures(cache, tmp_path, capsys):
    tool = load_tool(osp.join(REPO, 'tools', 'pretrain_clip.py'))
    arch_cfg = tmp_path / 'arch.py'
    arch_cfg.write_text(f'tiny = {TINY_ARCH!r}\n')
    argv = ['--arch-config', str(arch_cfg), '--arch-key', 'tiny', '--steps', '2',
            '--batch-size', '8', '--num-items', '16', '--heldout-items', '28', '--workers', '1',
            '--json']
    path = tool.main(argv)
    out = capsys.readouterr().out
    assert f'checkpoint: {path}' in out and f'sha256: {file_sha256(path)}' in out
    assert 'zero-shot: face expression' in out and '"metrics"' in out
    with pytest.raises(SystemExit, match='no `missing` dict'):
        tool.main(['--arch-config', str(arch_cfg), '--arch-key', 'missing'])
    # the default arch is the OUS configs' tower (configs/_base_/models/ous_tiny.py)
    default = tool.load_arch(tool.DEFAULT_ARCH_CONFIG, 'tiny_clip')
    assert default == Config.fromfile(
        osp.join(REPO, 'configs/ous/ous_tiny_synthetic.py')).model.backbone.arch.to_dict()
