"""tools/pretrain_clip.py --corpus restricted: the tower of the domain-shifted variants,
cached under its own key beside the full one."""
import os.path as osp

import pytest

import ous_mm  # noqa: F401
from ous_mm.pretrain import read_card

from ..test_datasets.video_fixtures import load_tool
from ..test_models.conftest import REPO, TINY_ARCH


def test_restricted_tower_is_cached_beside_the_full_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv('OUS_CLIP_CACHE', str(tmp_path / 'cache'))
    tool = load_tool(osp.join(REPO, 'tools', 'pretrain_clip.py'))
    arch_cfg = tmp_path / 'arch.py'
    arch_cfg.write_text(f'tiny = {TINY_ARCH!r}\n')
    argv = ['--arch-config', str(arch_cfg), '--arch-key', 'tiny', '--steps', '2',
            '--batch-size', '8', '--num-items', '16', '--heldout-items', '28', '--workers', '1']
    full = tool.main(argv)
    restricted = tool.main(argv + ['--corpus', 'restricted'])
    assert osp.dirname(osp.dirname(full)) == osp.dirname(osp.dirname(restricted))
    assert osp.dirname(full) != osp.dirname(restricted)
    assert read_card(osp.dirname(restricted))['corpus']['content'] == 'restricted'
    assert 'content' not in read_card(osp.dirname(full))['corpus']  # keyed as before
    capsys.readouterr()
    assert tool.main(argv + ['--corpus', 'restricted']) == restricted  # a cache hit
    assert 'cached pretrained CLIP' in capsys.readouterr().out
    with pytest.raises(SystemExit):
        tool.main(argv + ['--corpus', 'imagenet'])
