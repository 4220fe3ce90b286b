"""The headline config without its data: one paragraph, before any model is built.

It names the missing file, the command that writes it and docs/data.md, for
tools/train.py, tools/test.py and tools/data/check_dataset.py.
"""
import os
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VITL = 'configs/ous/ous_vitl14_dfew.py'


def _run(tmp_path, *args):
    env = dict(os.environ, PYTHONPATH=ROOT)
    start = time.monotonic()
    # run where no data/ folder exists, so the config's relative data_root is missing
    proc = subprocess.run([sys.executable, *args], cwd=str(tmp_path), env=env,
                          capture_output=True, text=True, timeout=300)
    return proc, time.monotonic() - start


@pytest.mark.parametrize('tool', ['train', 'test'])
def test_train_and_test_stop_with_the_prepare_command(tool, tmp_path):
    args = [os.path.join(ROOT, 'tools', f'{tool}.py'), os.path.join(ROOT, VITL)]
    if tool == 'test':
        import torch
        ckpt = str(tmp_path / 'any.pth')
        torch.save(dict(state_dict={}), ckpt)
        args.append(ckpt)
    proc, seconds = _run(tmp_path, *args, '--work-dir', str(tmp_path / 'w'))
    assert proc.returncode == 2, proc.stderr[-2000:]
    err = proc.stderr.strip()
    assert 'Traceback' not in err
    split = 'train' if tool == 'train' else 'test'
    assert f'data/dfew/annotations/dfew_set_1_{split}.jsonl ({split})' in err
    assert 'python tools/data/dfew/prepare.py --root data/dfew --out data/dfew/annotations' in err
    assert 'docs/data.md' in err and 'data_root=DIR' in err
    assert len(err.splitlines()) == 1  # one paragraph, not a traceback
    assert 'Loads checkpoint' not in proc.stdout + err and seconds < 60  # no ViT-L/14 built


def test_check_dataset_names_the_prepare_command(tmp_path):
    proc, _ = _run(tmp_path, os.path.join(ROOT, 'tools', 'data', 'check_dataset.py'),
                   os.path.join(ROOT, VITL), '--split', 'train', '--no-progress')
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1
    assert 'missing annotation file' in out
    assert 'python tools/data/dfew/prepare.py --root data/dfew --out data/dfew/annotations' in out
    assert 'docs/data.md' in out


def test_the_synthetic_configs_point_at_make_demo(tmp_path):
    from mmengine.config import Config

    from ous_mm.datasets.missing_data import missing_data_message
    cfg = Config.fromfile(os.path.join(ROOT, 'configs/ous/ous_tiny_synthetic.py'))
    cfg.merge_from_dict({f'{s}_dataloader.dataset.data_root': str(tmp_path / 'nowhere')
                         for s in ('train', 'val', 'test')})
    message = missing_data_message(cfg)
    assert f'{tmp_path}/nowhere/train.jsonl (train)' in message
    assert f'generate.py --out {tmp_path}/nowhere' in message and 'make demo' in message
