"""Issue 14 items 3 and 4: the launch scripts take MMAction2's calling convention and find
the project's Python without an activated venv; slurm asks for the CPUs the config uses."""
import os
import stat
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIG = 'configs/ous/ous_tiny_synthetic.py'


def _fake_bin(folder, name, body):
    path = os.path.join(folder, name)
    with open(path, 'w') as f:
        f.write('#!/usr/bin/env bash\n' + body + '\n')
    os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC)
    return path


def _run_slurm(tmp_path, script, *args, **env_extra):
    """Run a slurm script with a fake `srun` that prints one argument per line."""
    bin_dir = str(tmp_path / 'bin')
    os.makedirs(bin_dir, exist_ok=True)
    _fake_bin(bin_dir, 'srun', 'printf "%s\\n" "$@"')
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ['PATH'],
               PYTHON=sys.executable, **env_extra)
    env.pop('CPUS_PER_TASK', None)
    env.update(env_extra)
    proc = subprocess.run(['bash', script, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.splitlines()


def _config_workers(loader):
    from mmengine.config import Config

    cfg = Config.fromfile(os.path.join(ROOT, CONFIG), import_custom_modules=False)
    return cfg[loader]['num_workers']


def test_slurm_train_passes_flags_after_the_config(tmp_path):
    argv = _run_slurm(tmp_path, 'tools/slurm_train.sh', 'gpu', 'job1', CONFIG,
                      '--amp', '--seed', '0')
    tail = argv[argv.index(CONFIG):]
    assert tail == [CONFIG, '--work-dir=work_dirs/job1', '--launcher', 'slurm',
                    '--amp', '--seed', '0']
    assert f'--cpus-per-task={_config_workers("train_dataloader") + 1}' in argv
    # the optional WORK_DIR positional still works, and CPUS_PER_TASK overrides
    argv = _run_slurm(tmp_path, 'tools/slurm_train.sh', 'gpu', 'job1', CONFIG, 'wd',
                      '--seed', '1', CPUS_PER_TASK='3')
    assert argv[argv.index(CONFIG):] == [CONFIG, '--work-dir=wd', '--launcher', 'slurm',
                                         '--seed', '1']
    assert '--cpus-per-task=3' in argv


def test_slurm_test_cpus_follow_the_test_loader(tmp_path):
    argv = _run_slurm(tmp_path, 'tools/slurm_test.sh', 'gpu', 'job1', CONFIG, 'x.pth',
                      '--dump', 'p.pkl')
    assert argv[argv.index(CONFIG):] == [CONFIG, 'x.pth', '--launcher', 'slurm',
                                         '--dump', 'p.pkl']
    assert f'--cpus-per-task={_config_workers("test_dataloader") + 1}' in argv


def test_slurm_train_stops_on_a_broken_config(tmp_path):
    bin_dir = str(tmp_path / 'bin')
    os.makedirs(bin_dir)
    _fake_bin(bin_dir, 'srun', 'echo SRUN-CALLED')
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ['PATH'],
               PYTHON=sys.executable)
    env.pop('CPUS_PER_TASK', None)
    proc = subprocess.run(['bash', 'tools/slurm_train.sh', 'gpu', 'j', 'missing.py'], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and 'SRUN-CALLED' not in proc.stdout
    assert 'missing.py' in proc.stderr


@pytest.mark.skipif(not os.path.exists(os.path.join(ROOT, '.venv', 'bin', 'python')),
                    reason='no .venv in this checkout (make setup builds it)')
def test_dist_scripts_use_the_project_venv_without_activation(tmp_path):
    """A shell whose `python` has no torch (here: a stub that fails) still launches."""
    bin_dir = str(tmp_path / 'bin')
    os.makedirs(bin_dir)
    for name in ('python', 'python3'):
        _fake_bin(bin_dir, name, 'echo "No module named torch" >&2; exit 3')
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ['PATH'],
               OMP_NUM_THREADS='1', PORT='29517')
    env.pop('PYTHON', None)
    for script, args in (('tools/dist_train.sh', [CONFIG, '1', '--help']),
                         ('tools/dist_test.sh', [CONFIG, 'x.pth', '1', '--help'])):
        proc = subprocess.run(['bash', script, *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
        out = proc.stdout + proc.stderr
        assert proc.returncode == 0, out[-2000:]
        assert '--cfg-options' in out and 'No module named torch' not in out
    readme = open(os.path.join(ROOT, 'README.md')).read()
    assert 'PYTHON=' in readme  # the README says how to pick another interpreter
