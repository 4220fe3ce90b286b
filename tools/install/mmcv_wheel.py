"""Which mmcv 2.1.0 this environment needs, and whether a cached wheel may be used.

The decisions of ``tools/install/build_mmcv.sh``, kept here so that tests can call
them without building anything:

* ``want_cuda_ops``: build CUDA ops when ``FORCE_CUDA=1``, or automatically when
  ``nvcc`` is found and torch sees a GPU; ``FORCE_CUDA=0`` forces CPU ops.
* ``cache_key``: a wheel links against libtorch's C++ ABI and, with CUDA ops,
  against one CUDA version and a set of GPU architectures, so the cache folder is
  keyed on all of them (and on the Python tag and the ops flavour). A wheel with
  CPU-only ops therefore never sits where a CUDA build is looked for.
* ``installed_fits``: an installed mmcv counts only with compiled ops, and with
  CUDA ops when CUDA ops are wanted (a CPU-only build silently defeated
  ``FORCE_CUDA=1`` before).

Command line (used by build_mmcv.sh, with the venv's python)::

    python tools/install/mmcv_wheel.py plan     # shell assignments: MMCV_ACTION=ok|install|build ...
    python tools/install/mmcv_wheel.py verify   # exit 1 with a reason unless the installed mmcv fits
    python tools/install/mmcv_wheel.py has-mmcv # exit 0 if an mmcv 2.1.0 (with or without ops) is installed
"""
import glob
import os
import os.path as osp
import re
import shlex
import shutil
import sys
from dataclasses import dataclass
from typing import Dict, List, Optional

MMCV_VERSION = '2.1.0'
DEFAULT_CACHE_ROOT = osp.join('~', '.cache', 'ous-mm', 'wheels')


@dataclass
class Installed:
    """What ``import mmcv`` gives in the target environment."""
    version: Optional[str] = None  # None: mmcv is not importable
    dist: Optional[str] = None  # 'mmcv' (ops build) or 'mmcv-lite' (no ops)
    ops: bool = False  # mmcv.ops imports (compiled extension present)
    cuda_ops: bool = False  # the extension was compiled with CUDA kernels


@dataclass
class Plan:
    """What build_mmcv.sh does next."""
    action: str  # 'ok' (nothing to do) | 'install' (a cached wheel) | 'build'
    want_cuda: bool
    cache_dir: str
    wheel: str  # the cached wheel for action == 'install', else ''
    arch_list: str  # TORCH_CUDA_ARCH_LIST for a CUDA build, else ''
    reason: str  # one line for the user


def torch_cuda_tag(torch_cuda: Optional[str]) -> str:
    """``torch.version.cuda`` as a tag: '13.0' -> 'cu130', None (CPU build) -> 'cpu'."""
    if not torch_cuda:
        return 'cpu'
    return 'cu' + ''.join(torch_cuda.split('.')[:2])


def arch_tag(arch_list: str) -> str:
    """``TORCH_CUDA_ARCH_LIST`` as a tag: '8.0;9.0+PTX' -> 'sm80-sm90ptx', '' -> 'all'."""
    archs = [a for a in re.split(r'[;\s,]+', arch_list.strip()) if a]
    if not archs:
        return 'all'
    return '-'.join('sm' + a.replace('.', '').replace('+', '').lower() for a in sorted(archs))


def cache_key(torch_version: str, torch_cuda: Optional[str], cuda_ops: bool,
              arch_list: str = '', python_tag: str = '') -> str:
    """Name of the cache folder for one mmcv build.

    ``torch_version`` may carry a local suffix ('2.14.1+cu130'); the CUDA side
    comes from ``torch_cuda`` (``torch.version.cuda``) so both spellings agree.
    """
    python_tag = python_tag or f'cp{sys.version_info.major}{sys.version_info.minor}'
    base = torch_version.split('+')[0]
    ops = f'cudaops-{arch_tag(arch_list)}' if cuda_ops else 'cpuops'
    return f'mmcv{MMCV_VERSION}-{python_tag}-torch{base}-{torch_cuda_tag(torch_cuda)}-{ops}'


def want_cuda_ops(force_cuda: Optional[str], nvcc_found: bool, gpu_visible: bool) -> bool:
    """FORCE_CUDA=1 -> CUDA ops, FORCE_CUDA=0 -> CPU ops, unset -> CUDA when nvcc and a GPU exist."""
    if force_cuda is not None and force_cuda.strip() != '':
        return force_cuda.strip() == '1'
    return nvcc_found and gpu_visible


def installed_fits(installed: Installed, want_cuda: bool) -> Optional[str]:
    """None when the installed mmcv serves, else why it does not (one line)."""
    if installed.version is None:
        return 'mmcv is not installed'
    if installed.version != MMCV_VERSION:
        return f'mmcv {installed.version} is installed, {MMCV_VERSION} is needed'
    if not installed.ops:
        return (f'the installed mmcv ({installed.dist or "mmcv"}) has no compiled ops '
                '(mmdet detectors need nms, roi_align, ...)')
    if want_cuda and not installed.cuda_ops:
        return ('the installed mmcv has CPU-only ops but CUDA ops are wanted '
                '(FORCE_CUDA=1, or nvcc and a GPU found)')
    return None


def find_cached_wheel(cache_dir: str, python_tag: str = '') -> str:
    """The cached mmcv wheel for this Python in ``cache_dir`` ('' when none)."""
    python_tag = python_tag or f'cp{sys.version_info.major}{sys.version_info.minor}'
    wheels = sorted(glob.glob(osp.join(cache_dir, f'mmcv-{MMCV_VERSION}-*{python_tag}*.whl')))
    return wheels[0] if wheels else ''


def legacy_cache_dir(cache_root: str, torch_version: str) -> str:
    """Where wheels were cached before the key named CUDA and the ops flavour (torch version only)."""
    return osp.join(cache_root, f'torch-{torch_version.split("+")[0]}')


def decide(installed: Installed, want_cuda: bool, cache_dir: str, arch_list: str = '',
           python_tag: str = '', legacy_dir: str = '') -> Plan:
    """The next step given what is installed and what the cache folder holds.

    A wheel from the legacy folder may have CPU-only ops, so it is taken only when CPU
    ops are wanted (build_mmcv.sh still checks the ops import after installing it).
    """
    arch_list = arch_list if want_cuda else ''
    problem = installed_fits(installed, want_cuda)
    if problem is None:
        flavour = 'CUDA' if installed.cuda_ops else 'CPU'
        return Plan('ok', want_cuda, cache_dir, '', arch_list,
                    f'mmcv {MMCV_VERSION} with {flavour} ops already installed')
    wheel = find_cached_wheel(cache_dir, python_tag)
    if not wheel and legacy_dir and not want_cuda:
        wheel = find_cached_wheel(legacy_dir, python_tag)
    if wheel:
        return Plan('install', want_cuda, cache_dir, wheel, arch_list,
                    f'{problem}: installing the cached wheel {wheel}')
    ops = 'CUDA' if want_cuda else 'CPU'
    return Plan('build', want_cuda, cache_dir, '', arch_list,
                f'{problem}; no cached wheel in {cache_dir}: building mmcv {MMCV_VERSION} '
                f'with {ops} ops from source')


# ---------------------------------------------------------------- probing the environment

def probe_installed() -> Installed:
    """Import mmcv (and its compiled extension) in this interpreter."""
    try:
        import mmcv
    except Exception:  # noqa: BLE001 - any import failure means "not usable"
        return Installed()
    dists = installed_dists()
    dist = 'mmcv' if 'mmcv' in dists else next(iter(dists), None)
    out = Installed(version=getattr(mmcv, '__version__', None), dist=dist)
    try:
        from mmcv.ops import get_compiling_cuda_version
        cuda = get_compiling_cuda_version()
    except Exception:  # noqa: BLE001 - no or broken _ext: no ops
        return out
    out.ops = True
    out.cuda_ops = bool(cuda) and cuda != 'not available'
    return out


def installed_dists() -> Dict[str, str]:
    """Installed mmcv distributions and their versions, without importing mmcv (no torch needed)."""
    from importlib import metadata
    found = {}
    for name in ('mmcv', 'mmcv-lite'):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def detect_arch_list(env: Dict[str, str]) -> str:
    """TORCH_CUDA_ARCH_LIST as given, else the visible GPUs' compute capabilities."""
    given = env.get('TORCH_CUDA_ARCH_LIST', '').strip()
    if given:
        return given
    import torch
    if not torch.cuda.is_available():
        return ''
    caps = {torch.cuda.get_device_capability(i) for i in range(torch.cuda.device_count())}
    return ';'.join(f'{major}.{minor}' for major, minor in sorted(caps))


def make_plan(env: Dict[str, str]) -> Plan:
    """Probe torch, nvcc and mmcv in this interpreter and decide."""
    import torch
    gpu = torch.cuda.is_available()
    want_cuda = want_cuda_ops(env.get('FORCE_CUDA'), shutil.which('nvcc') is not None, gpu)
    if want_cuda and torch.version.cuda is None:
        raise SystemExit(f'CUDA ops wanted but torch {torch.__version__} is a CPU-only build: '
                         'install a CUDA build of torch, or set FORCE_CUDA=0')
    arch_list = detect_arch_list(env) if want_cuda else ''
    root = osp.expanduser(env.get('OUS_WHEEL_CACHE') or DEFAULT_CACHE_ROOT)
    cache_dir = osp.join(root, cache_key(torch.__version__, torch.version.cuda, want_cuda,
                                         arch_list))
    return decide(probe_installed(), want_cuda, cache_dir, arch_list,
                  legacy_dir=legacy_cache_dir(root, torch.__version__))


def shell_assignments(plan: Plan) -> List[str]:
    """``MMCV_ACTION=...`` lines for ``eval`` in bash (values shell-quoted)."""
    values = dict(MMCV_ACTION=plan.action, MMCV_WANT_CUDA=int(plan.want_cuda),
                  MMCV_CACHE_DIR=plan.cache_dir, MMCV_WHEEL=plan.wheel,
                  MMCV_ARCH_LIST=plan.arch_list, MMCV_REASON=plan.reason)
    return [f'{k}={shlex.quote(str(v))}' for k, v in values.items()]


def main(argv: List[str]) -> int:
    if argv == ['plan']:
        print('\n'.join(shell_assignments(make_plan(dict(os.environ)))))
        return 0
    if argv == ['has-mmcv']:  # exit 0: an mmcv 2.1.0 is installed, 1: none, 3: another version
        versions = set(installed_dists().values())
        return 1 if not versions else 0 if versions == {MMCV_VERSION} else 3
    if argv == ['verify']:
        want_cuda = os.environ.get('MMCV_WANT_CUDA') == '1'
        problem = installed_fits(probe_installed(), want_cuda)
        if problem:
            print(f'[build_mmcv] after install: {problem}', file=sys.stderr)
            return 1
        return 0
    print(f'usage: {osp.basename(__file__)} plan|verify|has-mmcv', file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
