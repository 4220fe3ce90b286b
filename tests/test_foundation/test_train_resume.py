"""tools/train.py trains with the mmengine Runner and resumes on torch >= 2.6.

torch >= 2.6 loads with ``weights_only=True``; mmengine 0.10.7 does not pass it, so
resuming only works because ous_mm.compat allow-lists the classes its checkpoints hold.
"""
import os
import pickle
import subprocess
import sys

import ous_mm  # noqa: F401
import pytest
import torch
from mmengine.runner.checkpoint import _load_checkpoint

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOY_CONFIG = os.path.join(ROOT, 'tests', 'fixtures', 'configs', 'toy_classifier.py')


def run_tool(*args, cwd=ROOT):
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.run([sys.executable, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def test_train_two_epochs_then_resume_to_three(tmp_path):
    work_dir = str(tmp_path / 'work')
    run_tool('tools/train.py', TOY_CONFIG, '--work-dir', work_dir, '--seed', '0')
    assert os.path.isfile(os.path.join(work_dir, 'epoch_2.pth'))
    assert not os.path.exists(os.path.join(work_dir, 'epoch_3.pth'))

    # The checkpoint really holds non-tensor objects (message hub buffers, numpy
    # scalars): a plain weights_only load works only thanks to the allow-list.
    ckpt = torch.load(os.path.join(work_dir, 'epoch_2.pth'), weights_only=True)
    assert ckpt['meta']['epoch'] == 2
    assert 'message_hub' in ckpt

    log = run_tool('tools/train.py', TOY_CONFIG, '--work-dir', work_dir, '--resume',
                   '--cfg-options', 'train_cfg.max_epochs=3')
    assert 'resumed epoch: 2' in log
    assert 'Epoch(train) [1]' not in log  # nothing retrained
    resumed = torch.load(os.path.join(work_dir, 'epoch_3.pth'), weights_only=True)
    assert resumed['meta']['epoch'] == 3
    assert resumed['meta']['iter'] == 3 * 48 // 8


class _Payload:
    """Pickles to a call that would create a file: what a malicious checkpoint does."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, 'w'))


def test_checkpoint_with_foreign_global_is_refused(tmp_path):
    marker = str(tmp_path / 'pwned')
    path = str(tmp_path / 'evil.pth')
    torch.save({'state_dict': {'w': torch.zeros(2)}, 'meta': {'x': _Payload(marker)}}, path)
    with pytest.raises(pickle.UnpicklingError, match='weights_only'):
        _load_checkpoint(path, map_location='cpu')
    assert not os.path.exists(marker)


class _GetattrPayload:
    """Pickles to ``getattr(HistoryBuffer, 'update')``: getattr beyond the statistics."""

    def __reduce__(self):
        from mmengine.logging import HistoryBuffer
        return (getattr, (HistoryBuffer, 'update'))


def test_getattr_is_only_allowed_for_history_buffer_statistics(tmp_path):
    path = str(tmp_path / 'sneaky.pth')
    torch.save({'meta': {'x': _GetattrPayload()}}, path)
    with pytest.raises(pickle.UnpicklingError, match='not part of an mmengine checkpoint'):
        torch.load(path, weights_only=True)
