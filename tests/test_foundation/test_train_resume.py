"""tools/train.py trains with the mmengine Runner and resumes on torch >= 2.6.

torch >= 2.6 loads with ``weights_only=True``; mmengine 0.10.7 does not pass it, so
resuming only works because ous_mm.compat allow-lists the classes its checkpoints hold,
and stays safe whatever the environment says because ous_mm.compat forces it.
"""
import os
import pickle
import shutil
import subprocess
import sys

import ous_mm  # noqa: F401
import pytest
import torch
from mmengine.runner.checkpoint import _load_checkpoint

from ous_mm.utils import CheckpointError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOY_CONFIG = os.path.join(ROOT, 'tests', 'fixtures', 'configs', 'toy_classifier.py')


def run_tool(*args, cwd=ROOT, rc=0, **env):
    env = dict(os.environ, PYTHONPATH=ROOT, **env)
    proc = subprocess.run([sys.executable, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == rc, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def run_in_process(tool, *args, monkeypatch, capsys, rc=0):
    """Run ``tools/<tool>`` as ``__main__`` in this process (no interpreter start-up)."""
    import runpy
    monkeypatch.setattr(sys, 'argv', [tool, *args])
    code = 0
    try:
        runpy.run_path(os.path.join(ROOT, tool), run_name='__main__')
    except SystemExit as err:
        code = err.code if isinstance(err.code, int) else 1
    out = capsys.readouterr()
    assert code == rc, out.out[-3000:] + out.err[-3000:]
    return out.out + out.err


@pytest.fixture(scope='module')
def resumed_work_dir(tmp_path_factory):
    """2 epochs of the toy config, then ``--resume`` to 3 (one Runner each)."""
    work_dir = str(tmp_path_factory.mktemp('toy') / 'work')
    first = run_tool('tools/train.py', TOY_CONFIG, '--work-dir', work_dir, '--seed', '0')
    epoch_2 = torch.load(os.path.join(work_dir, 'epoch_2.pth'), weights_only=True)
    had_epoch_3 = os.path.exists(os.path.join(work_dir, 'epoch_3.pth'))
    log = run_tool('tools/train.py', TOY_CONFIG, '--work-dir', work_dir, '--resume',
                   '--cfg-options', 'train_cfg.max_epochs=3')
    return work_dir, first, epoch_2, had_epoch_3, log


def test_train_two_epochs_then_resume_to_three(resumed_work_dir):
    work_dir, _, ckpt, had_epoch_3, log = resumed_work_dir
    assert not had_epoch_3
    # The checkpoint really holds non-tensor objects (message hub buffers, numpy
    # scalars): a plain weights_only load works only thanks to the allow-list.
    assert ckpt['meta']['epoch'] == 2
    assert 'message_hub' in ckpt
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


@pytest.mark.parametrize('force_no_weights_only', ['', '1'])
def test_checkpoint_with_foreign_global_is_refused(tmp_path, monkeypatch, force_no_weights_only):
    """Refused also with TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 (issue 16 item 10)."""
    monkeypatch.setenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', force_no_weights_only)
    marker = str(tmp_path / 'pwned')
    path = str(tmp_path / 'evil.pth')
    torch.save({'state_dict': {'w': torch.zeros(2)}, 'meta': {'x': _Payload(marker)}}, path)
    with pytest.raises(CheckpointError, match='weights_only'):
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


def test_test_py_refuses_damaged_and_malicious_checkpoints(tmp_path, monkeypatch, capsys):
    """A 0-byte file gave a bare EOFError; with TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 a
    malicious pickle ran its payload (issue 16 items 9-10)."""
    work = ['--work-dir', str(tmp_path / 'w')]
    empty = tmp_path / 'epoch_1.pth'
    empty.write_bytes(b'')
    out = run_in_process('tools/test.py', TOY_CONFIG, str(empty), *work, rc=2,
                         monkeypatch=monkeypatch, capsys=capsys)
    assert f'checkpoint {empty}: empty (0 bytes' in out
    marker = str(tmp_path / 'pwned')
    evil = str(tmp_path / 'evil.pth')
    torch.save({'state_dict': {}, 'meta': {'x': _Payload(marker)}}, evil)
    monkeypatch.setenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
    out = run_in_process('tools/test.py', TOY_CONFIG, evil, *work, rc=2,
                         monkeypatch=monkeypatch, capsys=capsys)
    assert 'weights_only' in out and not os.path.exists(marker)


def test_resume_falls_back_to_the_newest_loadable_checkpoint(resumed_work_dir, tmp_path,
                                                            monkeypatch, capsys):
    """A truncated latest checkpoint made --resume fail with a raw zip error."""
    work_dir = str(tmp_path / 'work')
    shutil.copytree(resumed_work_dir[0], work_dir)
    latest = os.path.join(work_dir, 'epoch_3.pth')
    with open(os.path.join(work_dir, 'last_checkpoint'), 'w') as f:
        f.write(latest)  # the copy's own latest checkpoint
    with open(latest, 'rb') as f:
        data = f.read()
    with open(latest, 'wb') as f:
        f.write(data[:len(data) // 2])
    log = run_in_process('tools/train.py', TOY_CONFIG, '--work-dir', work_dir, '--resume',
                         '--cfg-options', 'train_cfg.max_epochs=4',
                         monkeypatch=monkeypatch, capsys=capsys)
    assert f'cannot resume from {latest}: truncated' in log
    assert 'resumed epoch: 2' in log
    assert torch.load(os.path.join(work_dir, 'epoch_4.pth'), weights_only=True)['meta']['epoch'] == 4


def test_curves_continue_across_resumes(resumed_work_dir):
    """plot_curves used to plot only the newest run of a resumed work dir (issue 16 item 9)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'analyze_logs', os.path.join(ROOT, 'tools', 'analysis_tools', 'analyze_logs.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    runs = tool.find_scalars(resumed_work_dir[0])
    assert len(runs) == 2
    train, val = tool.read_scalars(runs)
    iters_per_epoch = 48 // 8
    assert [x for x, _ in train['loss']][-1] == 3 * iters_per_epoch
    series = [v for k, v in val.items() if 'acc' in k][0]
    assert [x for x, _ in series] == [iters_per_epoch * e for e in (1, 2, 3)]


def test_resume_candidates_skip_broken_files_newest_first(tmp_path):
    """Auto: last_checkpoint, then epoch_N newest first; explicit: never a newer file."""
    from ous_mm.utils.checkpoint import find_resume_checkpoint
    for n in (1, 2, 3, 4):
        torch.save({'meta': {'epoch': n}}, str(tmp_path / f'epoch_{n}.pth'))
    data = (tmp_path / 'epoch_3.pth').read_bytes()
    (tmp_path / 'epoch_3.pth').write_bytes(data[:len(data) // 2])  # truncated
    (tmp_path / 'epoch_4.pth').write_bytes(b'')  # killed while writing (before atomic writes)
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'epoch_4.pth'))
    choice = find_resume_checkpoint(str(tmp_path))
    assert choice.path == str(tmp_path / 'epoch_2.pth')
    assert [(os.path.basename(p), why.split(' ')[0]) for p, why in choice.skipped] == [
        ('epoch_4.pth', 'empty'), ('epoch_3.pth', 'truncated')]
    explicit = find_resume_checkpoint(str(tmp_path / 'other'), str(tmp_path / 'epoch_3.pth'))
    assert explicit.path == str(tmp_path / 'epoch_2.pth')
    assert find_resume_checkpoint(str(tmp_path / 'none')).path is None


BEST_CONFIG = os.path.join(ROOT, 'tests', 'fixtures', 'configs', 'toy_best.py')


def tree(folder):
    """Every file under ``folder`` (relative path -> sha256): the tree byte for byte."""
    import hashlib
    out = {}
    for here, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(here, name)
            with open(path, 'rb') as f:
                out[os.path.relpath(path, folder)] = hashlib.sha256(f.read()).hexdigest()
    return out


@pytest.fixture(scope='module')
def best_work_dir(tmp_path_factory):
    """2 epochs of the toy config with a best checkpoint that every epoch replaces."""
    work_dir = str(tmp_path_factory.mktemp('orig') / 'wA')
    run_tool('tools/train.py', BEST_CONFIG, '--work-dir', work_dir, '--seed', '0')
    return work_dir


def resume_copy(original, copy, monkeypatch, capsys):
    """``cp -r`` then ``--resume`` the copy to epoch 3; returns the log and the
    original's tree from before."""
    before = tree(original)
    shutil.copytree(original, copy)
    log = run_in_process('tools/train.py', BEST_CONFIG, '--work-dir', copy, '--resume',
                         '--cfg-options', 'train_cfg.max_epochs=3',
                         monkeypatch=monkeypatch, capsys=capsys)
    return log, before


def assert_copy_continued(copy, copied, log):
    """The copy holds what the resumed run should have written, in the copy only."""
    assert 'resumed epoch: 2' in log
    now = tree(copy)
    new = {p for p in now if p not in copied}
    assert {p for p in new if os.sep not in p} == {'epoch_3.pth', 'best_toy_nll_epoch_3.pth'}
    assert {p for p in copied if p not in now} == {'best_toy_nll_epoch_2.pth'}  # replaced
    changed = {p for p in copied if p in now and now[p] != copied[p]}
    # the config dump is the resumed run's own (work dir, load_from: the copy's)
    assert changed == {'last_checkpoint', 'last_validated', 'toy_best.py'}, changed
    with open(os.path.join(copy, 'last_checkpoint')) as f:
        assert f.read() == 'epoch_3.pth'
    info = torch.load(os.path.join(copy, 'epoch_3.pth'),
                      weights_only=True)['message_hub']['runtime_info']
    assert info['best_ckpt'] == 'best_toy_nll_epoch_3.pth' and info['last_ckpt'] == 'epoch_3.pth'


def test_resuming_a_copied_work_dir_continues_in_the_copy(best_work_dir, tmp_path,
                                                         monkeypatch, capsys):
    """The copy's resume loaded the original's checkpoint and removed its best one."""
    copy = str(tmp_path / 'wB')
    with open(os.path.join(best_work_dir, 'last_checkpoint')) as f:
        assert f.read() == 'epoch_2.pth'  # relative: the copy reads its own
    log, before = resume_copy(best_work_dir, copy, monkeypatch, capsys)
    assert tree(best_work_dir) == before  # the original, byte for byte
    assert best_work_dir not in log
    with open(os.path.join(copy, 'toy_best.py')) as f:
        assert best_work_dir not in f.read()
    assert_copy_continued(copy, before, log)


def test_resuming_a_copy_of_an_older_work_dir_with_absolute_paths(best_work_dir, tmp_path,
                                                                 monkeypatch, capsys):
    """Work dirs written before held absolute paths (last_checkpoint and the best path in
    the checkpoint's message hub): a copy of one also continues in the copy."""
    original = str(tmp_path / 'old')
    shutil.copytree(best_work_dir, original)
    with open(os.path.join(original, 'last_checkpoint'), 'w') as f:
        f.write(os.path.join(original, 'epoch_2.pth'))
    ckpt = torch.load(os.path.join(original, 'epoch_2.pth'), weights_only=True)
    info = ckpt['message_hub']['runtime_info']
    for key in ('best_ckpt', 'last_ckpt'):
        info[key] = os.path.join(original, os.path.basename(info[key]))
    torch.save(ckpt, os.path.join(original, 'epoch_2.pth'))
    copy = str(tmp_path / 'copy')
    log, before = resume_copy(original, copy, monkeypatch, capsys)
    assert tree(original) == before
    assert f'names {original}{os.sep}epoch_2.pth, outside this work dir' in log
    assert 'this run tracks its own copy' in log
    assert_copy_continued(copy, before, log)


def test_a_kill_between_saving_and_validating_an_epoch_is_made_up_on_resume(
        tmp_path, monkeypatch, capsys):
    """A kill just after 'Saving checkpoint at N' skipped epoch N's validation forever,
    so it could never become the best checkpoint; here the last epoch, whose resume
    trains nothing (saves: epoch 1, its re-save as the new best, then epoch 2)."""
    work_dir = str(tmp_path / 'w')
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', BEST_CONFIG, '--work-dir', work_dir, '--seed', '0'],
        cwd=ROOT, env=dict(os.environ, PYTHONPATH=ROOT, OUS_FAULT_POINT='checkpoint_saved@3'),
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == -9, proc.stderr[-3000:]
    assert os.path.isfile(os.path.join(work_dir, 'epoch_2.pth'))
    assert not os.path.exists(os.path.join(work_dir, 'best_toy_nll_epoch_2.pth'))
    log = run_in_process('tools/train.py', BEST_CONFIG, '--work-dir', work_dir, '--resume',
                         monkeypatch=monkeypatch, capsys=capsys)
    assert 'epoch 2 was saved but not validated' in log
    assert os.path.isfile(os.path.join(work_dir, 'best_toy_nll_epoch_2.pth'))
    assert not os.path.exists(os.path.join(work_dir, 'best_toy_nll_epoch_1.pth'))
    meta = torch.load(os.path.join(work_dir, 'epoch_2.pth'), weights_only=True)
    assert meta['message_hub']['runtime_info']['best_ckpt'] == 'best_toy_nll_epoch_2.pth'
    log = run_in_process('tools/train.py', BEST_CONFIG, '--work-dir', work_dir, '--resume',
                         monkeypatch=monkeypatch, capsys=capsys)
    assert 'not validated' not in log  # validated once, not at every resume
