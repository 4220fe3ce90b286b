"""The install logic: mmcv wheel cache keys, the CPU-vs-CUDA ops decisions, requirement pins,
log summaries and Makefile stamps, all without building or installing anything."""
import importlib.util
import os
import os.path as osp
import re
import shutil
import subprocess
import sys
import textwrap

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
INSTALL = osp.join(ROOT, 'tools', 'install')


def load_mmcv_wheel():
    spec = importlib.util.spec_from_file_location('mmcv_wheel', osp.join(INSTALL, 'mmcv_wheel.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


mw = load_mmcv_wheel()
CPU_OPS = mw.Installed(version='2.1.0', dist='mmcv', ops=True, cuda_ops=False)
CUDA_OPS = mw.Installed(version='2.1.0', dist='mmcv', ops=True, cuda_ops=True)
LITE = mw.Installed(version='2.1.0', dist='mmcv-lite', ops=False)


# ------------------------------------------------------------------ cache key

def test_cache_key_separates_torch_cuda_version_and_ops_flavour():
    key = mw.cache_key
    cpu_ops_on_cu130 = key('2.14.1+cu130', '13.0', cuda_ops=False, python_tag='cp311')
    keys = {
        cpu_ops_on_cu130,
        key('2.14.1', None, cuda_ops=False, python_tag='cp311'),  # CPU build of torch
        key('2.14.1+cu128', '12.8', cuda_ops=False, python_tag='cp311'),
        key('2.13.0+cu130', '13.0', cuda_ops=False, python_tag='cp311'),
        key('2.14.1+cu130', '13.0', cuda_ops=True, arch_list='9.0', python_tag='cp311'),
        key('2.14.1+cu130', '13.0', cuda_ops=True, arch_list='8.0;9.0', python_tag='cp311'),
        key('2.14.1+cu130', '13.0', cuda_ops=False, python_tag='cp310'),
    }
    assert len(keys) == 7, keys
    assert 'torch2.14.1' in cpu_ops_on_cu130 and 'cu130' in cpu_ops_on_cu130
    assert 'cpuops' in cpu_ops_on_cu130 and 'cp311' in cpu_ops_on_cu130
    assert 'cpu-cpuops' in key('2.14.1+cpu', None, cuda_ops=False)
    # the local version suffix is not part of the key: torch.version.cuda is
    assert key('2.14.1+cu130', '13.0', False) == key('2.14.1', '13.0', False)
    # the architecture list is a set
    assert (key('2.14.1', '13.0', True, arch_list='9.0;8.0')
            == key('2.14.1', '13.0', True, arch_list='8.0 9.0'))
    assert re.fullmatch(r'[A-Za-z0-9.\-]+', key('2.14.1', '13.0', True, '8.0;9.0+PTX'))


# ------------------------------------------------------------------ CPU vs CUDA ops decisions

@pytest.mark.parametrize('force,nvcc,gpu,want', [
    ('1', False, False, True),   # FORCE_CUDA=1: cross-compile CUDA ops even without a GPU
    ('0', True, True, False),    # FORCE_CUDA=0: CPU ops on a GPU machine
    (None, True, True, True),    # auto: nvcc and a GPU
    (None, False, True, False),  # a GPU but no compiler: CPU ops (the build hides the GPU)
    (None, True, False, False),  # nvcc (as on this CPU machine) but no GPU
    ('', True, True, True),      # empty FORCE_CUDA counts as unset
])
def test_want_cuda_ops(force, nvcc, gpu, want):
    assert mw.want_cuda_ops(force, nvcc, gpu) is want


def test_installed_cpu_ops_refused_when_cuda_wanted(tmp_path):
    assert mw.installed_fits(CPU_OPS, want_cuda=False) is None
    assert 'CPU-only' in mw.installed_fits(CPU_OPS, want_cuda=True)
    assert mw.installed_fits(CUDA_OPS, want_cuda=True) is None
    assert mw.installed_fits(CUDA_OPS, want_cuda=False) is None  # CUDA ops also run on the CPU
    assert 'no compiled ops' in mw.installed_fits(LITE, want_cuda=False)
    assert '2.2.0' in mw.installed_fits(mw.Installed('2.2.0', 'mmcv', True, True), False)
    plan = mw.decide(CPU_OPS, want_cuda=True, cache_dir=str(tmp_path))
    assert plan.action == 'build' and 'CPU-only' in plan.reason


def test_cached_cpu_wheel_never_found_where_cuda_ops_are_looked_for(tmp_path):
    cpu_dir = tmp_path / mw.cache_key('2.14.1+cu130', '13.0', cuda_ops=False)
    cuda_dir = tmp_path / mw.cache_key('2.14.1+cu130', '13.0', cuda_ops=True, arch_list='9.0')
    cpu_dir.mkdir()
    tag = f'cp{sys.version_info.major}{sys.version_info.minor}'
    wheel = cpu_dir / f'mmcv-2.1.0-{tag}-{tag}-linux_x86_64.whl'
    wheel.write_bytes(b'')
    assert mw.decide(LITE, want_cuda=False, cache_dir=str(cpu_dir)).wheel == str(wheel)
    plan = mw.decide(LITE, want_cuda=True, cache_dir=str(cuda_dir), arch_list='9.0')
    assert plan.action == 'build' and plan.wheel == '' and plan.arch_list == '9.0'
    # a wheel for another Python is not picked either
    assert mw.find_cached_wheel(str(cpu_dir), python_tag='cp39') == ''
    # the pre-key layout (torch version only) may hold CPU-only ops: for CPU ops only
    legacy = tmp_path / 'torch-2.14.1'
    legacy.mkdir()
    old = legacy / wheel.name
    old.write_bytes(b'')
    empty = str(tmp_path / 'empty')
    assert mw.decide(LITE, False, empty, legacy_dir=str(legacy)).wheel == str(old)
    assert mw.decide(LITE, True, empty, arch_list='9.0', legacy_dir=str(legacy)).action == 'build'


def test_plan_is_shell_safe():
    plan = mw.Plan('install', True, "/tmp/it's here", '/w/mmcv.whl', '9.0', 'a "reason"; rm -rf /')
    out = subprocess.run(['bash', '-c', 'eval "$1"; printf "%s|%s|%s" "$MMCV_CACHE_DIR" '
                          '"$MMCV_WANT_CUDA" "$MMCV_REASON"', '_', '\n'.join(mw.shell_assignments(plan))],
                         capture_output=True, text=True, check=True).stdout
    assert out == '/tmp/it\'s here|1|a "reason"; rm -rf /'


# ------------------------------------------------------------------ build_mmcv.sh end to end, stubbed

def stub_environment(tmp_path, mmcv_ops):
    """A python whose torch and mmcv are stubs and whose `-m pip` only echoes (installs nothing)."""
    stubs = tmp_path / 'stubs'
    (stubs / 'torch').mkdir(parents=True)
    (stubs / 'torch' / '__init__.py').write_text(textwrap.dedent('''
        import os, types
        __version__ = '2.14.1+cu130'
        version = types.SimpleNamespace(cuda='13.0')
        cuda = types.SimpleNamespace(
            is_available=lambda: os.environ.get('STUB_GPU') == '1', device_count=lambda: 1,
            get_device_capability=lambda i: (9, 0))
    '''))
    (stubs / 'mmcv' / 'ops').mkdir(parents=True)
    if mmcv_ops is None:  # mmcv not importable
        (stubs / 'mmcv' / '__init__.py').write_text('raise ImportError("stub: no mmcv")\n')
    else:
        (stubs / 'mmcv' / '__init__.py').write_text("__version__ = '2.1.0'\n")
        compiled = "'13.0'" if mmcv_ops == 'cuda' else "'not available'"
        (stubs / 'mmcv' / 'ops' / '__init__.py').write_text(
            f'def get_compiling_cuda_version():\n    return {compiled}\n')
    venv_bin = tmp_path / 'venv' / 'bin'
    venv_bin.mkdir(parents=True)
    python = venv_bin / 'python'
    python.write_text(textwrap.dedent(f'''\
        #!/usr/bin/env bash
        if [ "$1" = -m ] && [ "$2" = pip ]; then echo "FAKE-PIP $*"; exit 0; fi
        exec {sys.executable} "$@"
    '''))
    python.chmod(0o755)
    return dict(os.environ, PYTHON=str(python), PYTHONPATH=str(stubs), STUB_GPU='0',
                TORCH_CUDA_ARCH_LIST='',
                OUS_WHEEL_CACHE=str(tmp_path / 'cache'), OUS_LOG=str(tmp_path / 'build.log'))


def run_build_mmcv(env, **extra):
    env = dict(env, **extra)
    proc = subprocess.run(['bash', osp.join(INSTALL, 'build_mmcv.sh')], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stdout + proc.stderr


def plant_cpu_wheels(cache):
    """A CPU-ops wheel where the old script (torch-only key) and the new one (CPU key) look."""
    tag = f'cp{sys.version_info.major}{sys.version_info.minor}'
    name = f'mmcv-2.1.0-{tag}-{tag}-linux_x86_64.whl'
    paths = []
    for folder in ('torch-2.14.1', mw.cache_key('2.14.1+cu130', '13.0', cuda_ops=False)):
        (cache / folder).mkdir(parents=True, exist_ok=True)
        (cache / folder / name).write_bytes(b'')
        paths.append(cache / folder / name)
    return paths


def test_build_script_refuses_installed_cpu_ops_when_force_cuda(tmp_path):
    env = stub_environment(tmp_path, mmcv_ops='cpu')
    rc, out = run_build_mmcv(env, FORCE_CUDA='1', OUS_MMCV_DRY_RUN='1')
    assert rc == 0, out
    assert 'action=build want_cuda=1' in out, out
    assert 'already installed' not in out
    rc, out = run_build_mmcv(env, FORCE_CUDA='0', OUS_MMCV_DRY_RUN='1')
    assert 'action=ok want_cuda=0' in out and 'already installed' in out, out


def test_build_script_refuses_cached_cpu_wheel_when_force_cuda(tmp_path):
    env = stub_environment(tmp_path, mmcv_ops=None)
    plant_cpu_wheels(tmp_path / 'cache')
    rc, out = run_build_mmcv(env, FORCE_CUDA='1', OUS_MMCV_DRY_RUN='1')
    assert 'action=build want_cuda=1' in out, out
    assert 'cudaops-all' in out  # no GPU visible, no TORCH_CUDA_ARCH_LIST: every architecture
    assert 'FAKE-PIP install' not in out
    rc, out = run_build_mmcv(env, FORCE_CUDA='0', OUS_MMCV_DRY_RUN='1')
    assert 'action=install want_cuda=0' in out and 'cpuops' in out, out


def test_build_script_rejects_a_mislabelled_cached_wheel(tmp_path):
    # a wheel in the CUDA folder that installs CPU-only ops (the stub mmcv reports no CUDA):
    # renamed .rejected and never used again, then the script goes on to build
    env = stub_environment(tmp_path, mmcv_ops='cpu')
    key = mw.cache_key('2.14.1+cu130', '13.0', cuda_ops=True, arch_list='9.0')
    tag = f'cp{sys.version_info.major}{sys.version_info.minor}'
    wheel = tmp_path / 'cache' / key / f'mmcv-2.1.0-{tag}-{tag}-linux_x86_64.whl'
    wheel.parent.mkdir(parents=True)
    wheel.write_bytes(b'')
    # stub mmcv "installed" with CPU ops: the plan installs the cached CUDA-folder wheel first
    rc, out = run_build_mmcv(env, FORCE_CUDA='1', STUB_GPU='1')
    assert 'installing the cached wheel' in out, out
    assert 'refused the cached wheel' in out, out
    assert not wheel.exists() and wheel.with_name(wheel.name + '.rejected').exists()
    assert 'compiling mmcv 2.1.0 with CUDA ops' in out  # then it builds (stops here: no sdist)
    assert rc != 0


# ------------------------------------------------------------------ requirement files

def requirement_names(path):
    names = []
    for line in open(path):
        line = line.split('#')[0].strip()
        if line and not line.startswith('-'):
            names.append(re.split(r'[<>=!~;\[ @]', line, 1)[0])
    return names


def canonical(name):
    return re.sub(r'[-_.]+', '-', name).lower()


def test_every_requirement_is_pinned_in_constraints():
    req = osp.join(ROOT, 'requirements')
    pins = {}
    for line in open(osp.join(req, 'constraints.txt')):
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        # pip refuses links/editables as constraints on some versions and they tie the
        # file to one machine's paths (e.g. a frozen `mmcv @ file:///root/.cache/...`)
        assert '==' in line and '@' not in line and not line.startswith('-'), line
        name, version = line.split('==')
        assert canonical(name) not in pins, f'{name} pinned twice'
        pins[canonical(name)] = version
    for fname in sorted(os.listdir(req)):
        if fname.endswith('.txt') and fname != 'constraints.txt':
            for name in requirement_names(osp.join(req, fname)):
                assert canonical(name) in pins, f'{fname}: {name} has no pin in constraints.txt'
    assert pins['mmcv-lite'] == '2.1.0' and 'mmcv' not in pins
    # --no-deps installs bypass the resolver: they must pin themselves
    for line in open(osp.join(req, 'nodeps.txt')):
        line = line.split('#')[0].strip()
        assert not line or '==' in line, line


# ------------------------------------------------------------------ setup output

def test_log_summary_one_line_per_expected_warning_kind(tmp_path):
    log = tmp_path / 'setup.log'
    log.write_text('\n'.join([
        'Collecting torch==2.14.1',
        "WARNING: Location 'file:///opt/pypi/simple/mmengine/' is ignored: it is either ...",
        "WARNING: Location 'file:///opt/pypi/simple/mmdet/' is ignored: it is either ...",
        "WARNING: Location 'file:///opt/pypi-more/simple/mmdet/' is ignored: it is either ...",
        "ERROR: pip's dependency resolver does not currently take into account all the packages",
        'torch 2.14.1 requires setuptools>=77.0.3, but you have setuptools 69.5.1 which is incompatible.',
        'facenet-pytorch 2.6.0 requires torch<2.3.0,>=2.2.0, but you have torch 2.14.1 which is incompatible.',
        'somepkg 1.0 requires numpy<2, but you have numpy 2.2.6 which is incompatible.',
        'WARNING: something nobody expected',
        'Successfully installed torch-2.14.1',
    ]) + '\n')
    out = subprocess.run(['bash', '-c', f'source {INSTALL}/lib.sh; OUS_LOG={log} summarize_log 1'],
                         capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    assert sum('(3x)' in l and 'local index folders' in l for l in lines) == 1, out
    assert sum('setuptools' in l for l in lines) == 1 and sum('facenet' in l for l in lines) == 1
    # unexpected conflicts and warnings are shown as they are
    assert any('somepkg 1.0 requires numpy<2' in l for l in lines), out
    assert any('something nobody expected' in l for l in lines), out
    assert not any('Collecting' in l or 'Successfully' in l for l in lines)
    assert len(lines) == 6, out


def test_failed_step_prints_tail_and_log_path(tmp_path):
    log = tmp_path / 'setup.log'
    script = (f'source {INSTALL}/lib.sh; export OUS_LOG={log}; : > $OUS_LOG; '
              'stage stack "demo step" logged bash -c "echo resolver noise; echo the real error; exit 3"; '
              'echo not reached')
    proc = subprocess.run(['bash', '-c', f'set -e; {script}'], capture_output=True, text=True)
    assert proc.returncode == 3
    assert 'not reached' not in proc.stdout
    assert 'the real error' in proc.stderr and str(log) in proc.stderr
    assert 'the real error' not in proc.stdout  # the step's own output went to the log only
    assert 'resolver noise' in log.read_text()


# ------------------------------------------------------------------ Makefile stamps

@pytest.mark.skipif(shutil.which('make') is None, reason='needs GNU make')
def test_stamps_make_a_second_setup_a_no_op_and_demo_needs_no_ops(tmp_path):
    venv = tmp_path / 'venv'
    venv.mkdir()

    def dry(target):
        return subprocess.run(['make', '-n', '--no-print-directory', '-C', ROOT, f'VENV={venv}', target],
                              capture_output=True, text=True, check=True).stdout

    assert 'setup.sh core' in dry('setup')
    (venv / '.ous-setup-stamp').touch()
    assert dry('setup').strip() == '' or 'Nothing to be done' in dry('setup')
    demo = dry('demo')
    assert 'setup.sh' not in demo and 'run_demo.py' in demo  # the demo never waits for the ops
    test = dry('test')
    assert 'setup.sh core' not in test
    assert test.index('setup.sh mmdet') < test.index('setup.sh full') < test.index('-m pytest')
    (venv / '.ous-mmdet-stamp').touch()
    (venv / '.ous-full-stamp').touch()
    assert 'setup.sh' not in dry('test')


# ------------------------------------------------------------------ the MMDet detector's message

def test_mmdet_detector_without_ops_names_the_setup_command(monkeypatch):
    from ous_mm.datasets.face_detectors import MMDetFaceDetector
    from ous_mm.datasets.face_detectors.mmdet_detector import mmcv_ops_missing
    monkeypatch.setitem(sys.modules, 'mmcv.ops', None)  # as with mmcv-lite: `import mmcv.ops` fails
    assert 'make setup-mmdet' in mmcv_ops_missing()
    with pytest.raises(ImportError, match='make setup-mmdet'):
        MMDetFaceDetector(dict(model=dict(type='RetinaNet')))
