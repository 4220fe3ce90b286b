"""kill -9 a real OUS training run at the moments that matter; ``--resume`` must always go on.

The run (``configs/ous/ous_tiny_synthetic.py`` on 14 generated clips, ``tools/train.py``
in a forked child process, so no interpreter start-up per run) is killed by itself at
a named point (``OUS_FAULT_POINT``, ``ous_mm/utils/fault_points.py``), so each kill
lands exactly where it should, with no sleep-and-hope:

1. during a best-checkpoint swap (the first time a better validation replaces the
   previous best: the new best and the epoch checkpoint are complete, the old best
   not yet removed);
2. in the middle of writing the next epoch checkpoint;
3. in the middle of a training epoch;
4. (a second test) right after each checkpoint save, run after run, so every epoch
   is saved by a run that dies before validating it.

After each kill: the newest epoch checkpoint is at most one epoch behind the epoch
that was running, every checkpoint file on disk loads (no 0-byte or truncated
``.pth``), a best checkpoint loads, and ``--resume`` continues from the newest one.
"""
import glob
import multiprocessing
import os
import os.path as osp
import re
import runpy
import sys

import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs', 'ous', 'ous_tiny_synthetic.py')
MAX_EPOCHS = 4


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    from ous_mm.datasets.synthetic import generate_dataset
    root = str(tmp_path_factory.mktemp('syn'))
    generate_dataset(root, num_clips=14, seed=0, num_frames=8, size=64, progress=False)
    return root


def _child(argv, fault, log_path):
    """``python tools/train.py ARGV`` in a forked child, its output into ``log_path``."""
    torch.set_num_threads(1)  # as a dataloader worker does: no OpenMP pool after fork
    log = open(log_path, 'w', buffering=1)
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    sys.stdout = sys.stderr = log
    os.environ.pop('OUS_FAULT_POINT', None)
    if fault:
        os.environ['OUS_FAULT_POINT'] = fault
    sys.argv = ['tools/train.py', *argv]
    os.chdir(ROOT)
    try:
        runpy.run_path(osp.join(ROOT, 'tools', 'train.py'), run_name='__main__')
    finally:
        log.flush()


def train(work_dir, data_root, fault=None, resume=False, max_epochs=MAX_EPOCHS):
    """One ``tools/train.py`` run in a child process; returns (exit code, log)."""
    options = [f'train_cfg.max_epochs={max_epochs}', 'default_hooks.logger.interval=1']
    for split in ('train', 'val', 'test'):
        options += [f'{split}_dataloader.dataset.data_root={data_root}',
                    f'{split}_dataloader.batch_size=4', f'{split}_dataloader.num_workers=0',
                    f'{split}_dataloader.persistent_workers=False']
    argv = [CONFIG, '--work-dir', work_dir, '--seed', '0', '--cfg-options', *options]
    log_path = f'{work_dir}.log{len(glob.glob(work_dir + ".log*"))}'
    child = multiprocessing.get_context('fork').Process(
        target=_child, args=(argv + (['--resume'] if resume else []), fault, log_path))
    child.start()
    child.join(600)
    with open(log_path) as f:
        return child.exitcode, f.read()


def epochs_saved(work_dir):
    return sorted(int(m.group(1)) for p in glob.glob(osp.join(work_dir, 'epoch_*.pth'))
                  for m in [re.search(r'epoch_(\d+)\.pth$', p)])


def last_epoch_started(log):
    started = [int(e) for e in re.findall(r'Epoch\(train\)\s+\[(\d+)\]', log)]
    return max(started) if started else 0


def assert_recoverable(work_dir, log, what):
    """At most one epoch lost, every .pth whole and loadable, a best checkpoint loadable."""
    running = last_epoch_started(log)
    saved = epochs_saved(work_dir)
    assert saved and running - saved[-1] <= 1, (what, running, saved)
    for path in glob.glob(osp.join(work_dir, '*.pth')):
        torch.load(path, map_location='cpu', weights_only=True)  # raises on a damaged file
    assert glob.glob(osp.join(work_dir, 'best_*.pth')), what
    return saved[-1]


def one_best_per_metric(work_dir):
    best = [osp.basename(p) for p in glob.glob(osp.join(work_dir, 'best_*.pth'))]
    return sorted(re.sub(r'_epoch_\d+', '', b) for b in best) == [
        'best_dfer_UAR.pth', 'best_dfer_loss.pth']


def test_kill_9_at_each_critical_moment_then_resume(tmp_path, data_root):
    work_dir = str(tmp_path / 'work')

    rc, log = train(work_dir, data_root, fault='best_swap@1')
    assert rc == -9, f'the run was not killed at a best-checkpoint swap:\n{log[-3000:]}'
    best = sorted(osp.basename(p) for p in glob.glob(osp.join(work_dir, 'best_*.pth')))
    assert len(best) >= 3, best  # 2 metrics; the new best is written before the old one goes
    saved = assert_recoverable(work_dir, log, 'best swap')

    rc, log = train(work_dir, data_root, fault='checkpoint_write@1', resume=True)
    assert rc == -9, log[-3000:]
    assert f'resumed epoch: {saved}' in log
    assert 'left by a run killed while replacing it' in log  # the swap is finished
    assert one_best_per_metric(work_dir)
    saved = assert_recoverable(work_dir, log, 'checkpoint write')
    assert glob.glob(osp.join(work_dir, '.epoch_*.pth.tmp*'))  # the write was cut halfway

    rc, log = train(work_dir, data_root, fault='train_iter@2', resume=True)
    assert rc == -9, log[-3000:]
    assert f'resumed epoch: {saved}' in log
    assert 'removed' in log and '.tmp' in log  # the killed write's leftovers are cleared
    saved = assert_recoverable(work_dir, log, 'training')

    rc, log = train(work_dir, data_root, resume=True)
    assert rc == 0, log[-3000:]
    assert f'resumed epoch: {saved}' in log
    assert epochs_saved(work_dir)[-1] == MAX_EPOCHS
    assert not glob.glob(osp.join(work_dir, '.*.tmp*'))
    assert_recoverable(work_dir, log, 'finished')
    assert one_best_per_metric(work_dir)


def test_kill_9_right_after_every_checkpoint_save(tmp_path, data_root):
    """Each run is killed right after its first checkpoint save (an epoch checkpoint before
    its validation, or the re-save after a new best), then resumed, until training ends:
    every epoch is still validated once it is saved (a kill between "Saving checkpoint
    at N" and validation used to skip epoch N's validation forever) and nothing is lost."""
    from ous_mm.evaluation.run_summary import validation_series
    work_dir = str(tmp_path / 'work')
    epochs, kills = 2, 0
    for attempt in range(4 * epochs + 1):
        rc, log = train(work_dir, data_root, fault='checkpoint_saved@1', resume=attempt > 0,
                        max_epochs=epochs)
        if rc == 0:
            break
        assert rc == -9, log[-3000:]
        kills += 1
        saved = epochs_saved(work_dir)
        assert saved and last_epoch_started(log) - saved[-1] <= 1, (saved, log[-2000:])
        for path in glob.glob(osp.join(work_dir, '*.pth')):
            torch.load(path, map_location='cpu', weights_only=True)
    assert rc == 0, 'training never finished'
    assert kills >= epochs  # every epoch checkpoint was followed by a kill
    assert epochs_saved(work_dir)[-1] == epochs
    assert [row['epoch'] for row in validation_series(work_dir)] == list(range(1, epochs + 1))
    assert one_best_per_metric(work_dir)
