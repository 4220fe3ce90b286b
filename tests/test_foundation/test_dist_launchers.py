"""tools/dist_train.sh and tools/dist_test.sh run 2 DDP processes (gloo on CPU)."""
import os
import socket
import subprocess
import sys

import ous_mm  # noqa: F401  (allow-lists mmengine checkpoint classes for weights_only loads)
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOY_CONFIG = os.path.join(ROOT, 'tests', 'fixtures', 'configs', 'toy_classifier.py')


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
    work_dir = str(tmp_path / 'work')
    out = run_script('tools/dist_train.sh', TOY_CONFIG, '2', '--work-dir', work_dir)
    assert 'Distributed training: True' in out
    ckpt_path = os.path.join(work_dir, 'epoch_2.pth')
    ckpt = torch.load(ckpt_path, weights_only=True)
    # 48 samples, batch 8 per process, 2 processes -> 3 iterations per epoch
    assert ckpt['meta']['iter'] == 2 * 3

    out = run_script('tools/dist_test.sh', TOY_CONFIG, ckpt_path, '2', '--work-dir', work_dir)
    assert 'Distributed training: True' in out
    assert 'acc/mean1' in out
