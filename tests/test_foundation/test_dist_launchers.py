"""tools/dist_train.sh and tools/dist_test.sh run the tiny OUS config as 2 DDP processes.

On this CPU-only machine the processes use gloo (ous_mm.compat + DeviceAgnosticDDP);
the same scripts drive GPUs with nccl.
"""
import os
import socket
import subprocess
import sys

import ous_mm  # noqa: F401  (allow-lists mmengine checkpoint classes for weights_only loads)
import torch

from ous_mm.datasets.synthetic import generate_dataset

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIG = 'configs/ous/ous_tiny_synthetic.py'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def run_script(*args):
    env = dict(os.environ, PYTHON=sys.executable, PORT=str(free_port()), OMP_NUM_THREADS='1')
    proc = subprocess.run(['bash', *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    return out


def test_dist_train_then_dist_test_two_processes(tmp_path):
    data_root = str(tmp_path / 'syn')
    generate_dataset(data_root, num_clips=21, seed=0, num_frames=8, size=64, progress=False)
    overrides = ['train_cfg.max_epochs=1']
    for split in ('train', 'val', 'test'):
        overrides += [f'{split}_dataloader.dataset.data_root={data_root}',
                      f'{split}_dataloader.batch_size=2',
                      f'{split}_dataloader.num_workers=0',
                      f'{split}_dataloader.persistent_workers=False']
    work_dir = str(tmp_path / 'work')
    out = run_script('tools/dist_train.sh', CONFIG, '2', '--work-dir', work_dir,
                     '--cfg-options', *overrides)
    assert 'Distributed training: True' in out
    ckpt_path = os.path.join(work_dir, 'epoch_1.pth')
    ckpt = torch.load(ckpt_path, weights_only=True)
    train_clips = sum(1 for line in open(os.path.join(data_root, 'train.jsonl')) if line.strip())
    # batch 2 per process, 2 processes: the DistributedSampler splits the train split
    per_rank = -(-train_clips // 2)
    assert ckpt['meta']['iter'] == -(-per_rank // 2)

    out = run_script('tools/dist_test.sh', CONFIG, ckpt_path, '2', '--work-dir', work_dir,
                     '--cfg-options', *overrides)
    assert 'Distributed training: True' in out
    assert 'dfer/UAR' in out and 'dfer/WAR' in out
