"""DFERMetric under DDP (2 gloo processes): every sample counted once, padding dropped."""
import glob
import json
import os
import socket
import subprocess
import sys

import torch

import ous_mm  # noqa: F401

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIG = os.path.join(ROOT, 'tests', 'test_evaluation', 'configs', 'toy_dfer_metric.py')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_dist_test_counts_every_sample_once(tmp_path):
    from tests.fixtures.toy_components import ToyClassifier

    torch.manual_seed(0)
    ckpt = str(tmp_path / 'toy.pth')
    torch.save(dict(state_dict=ToyClassifier().state_dict(), meta={}), ckpt)
    work_dir = str(tmp_path / 'test')
    env = dict(os.environ, PYTHON=sys.executable, PORT=str(_free_port()), OMP_NUM_THREADS='1')
    # 25 clips over 2 ranks: the sampler pads rank 1 with a duplicate, which
    # mmengine's result collection must drop again
    proc = subprocess.run(
        ['bash', 'tools/dist_test.sh', CONFIG, ckpt, '2', '--work-dir', work_dir,
         '--cfg-options', 'test_dataloader.dataset.num_samples=25'],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    assert 'Distributed training: True' in out and 'dfer/UAR' in out
    files = glob.glob(os.path.join(work_dir, '*', 'confusion_matrix', 'test.json'))
    assert len(files) == 1  # written once, by rank 0
    saved = json.load(open(files[0]))
    assert sum(map(sum, saved['matrix'])) == 25
    assert saved['support'] == [9, 8, 8]  # labels are index % 3
