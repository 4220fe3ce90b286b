"""OpenMIM on the editable install: `mim list`, `mim search ous_mm`, `mim train/test ous_mm`.

OpenMIM 0.3.9 reads ``<distribution location>/ous_mm/.mim/``; the editable install that
`make setup` makes (``--no-use-pep517``, setuptools < 80: an egg-link to the source tree)
links it there (setup.py, link_mim_files).
"""
import os
import subprocess
import sys

import pytest
import torch

pytest.importorskip('mim')
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TINY = 'configs/ous/ous_tiny_synthetic.py'


def mim(*args, cwd=ROOT):
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    proc = subprocess.run([sys.executable, '-m', 'mim', *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)
    return proc.returncode, proc.stdout + proc.stderr


def test_the_install_is_one_mim_can_read():
    import pkg_resources
    location = pkg_resources.get_distribution('ous_mm').location
    mim_dir = os.path.join(location, 'ous_mm', '.mim')
    assert os.path.isfile(os.path.join(mim_dir, 'model-index.yml')), (
        f'{mim_dir} has no model-index.yml: re-run `make setup` (an editable install with '
        '--no-use-pep517, as tools/install/setup.sh makes it)')
    assert os.path.isfile(os.path.join(mim_dir, 'tools', 'train.py'))


def test_mim_list_and_search():
    code, out = mim('list')
    assert code == 0 and 'ous-mm' in out.replace('_', '-'), out
    code, out = mim('search', 'ous_mm')
    assert code == 0, out
    assert 'ous_tiny_synthetic' in out and 'ous_vitl14_dfew' in out


def test_mim_train_runs_our_train_py(tmp_path):
    code, out = mim('train', 'ous_mm', TINY, '--gpus', '0', '--work-dir', str(tmp_path / 'w'),
                    '--cfg-options', f'data_root={tmp_path}/nowhere')
    assert code != 0
    # our tools/train.py answered (before building anything): the missing-data paragraph
    assert f'{tmp_path}/nowhere/train.jsonl (train)' in out and 'docs/data.md' in out


def test_mim_test_evaluates_a_checkpoint(tmp_path):
    from ous_mm.apis import init_ous_model
    from ous_mm.datasets.synthetic import generate_dataset

    data = str(tmp_path / 'synthetic')
    generate_dataset(data, num_clips=20, seed=0, num_frames=8, size=64, progress=False)
    torch.manual_seed(0)
    ckpt = str(tmp_path / 'tiny.pth')
    with pytest.warns(UserWarning, match='untrained'):
        torch.save(dict(state_dict=init_ous_model(os.path.join(ROOT, TINY)).state_dict()), ckpt)
    code, out = mim('test', 'ous_mm', TINY, '--gpus', '0', '--checkpoint', ckpt,
                    '--work-dir', str(tmp_path / 'w'), '--cfg-options', f'data_root={data}',
                    'test_dataloader.num_workers=0', 'test_dataloader.persistent_workers=False')
    assert code == 0, out[-3000:]
    assert 'dfer/UAR' in out
