"""Fixes for upstream bugs of the pinned OpenMMLab stack, all in one place.

Imported first by ``ous_mm/__init__.py``, so every entry point (tools, tests, the
``custom_imports`` of a config) gets the same, fixed stack. Each fix names the
upstream bug it works around and is a no-op where that bug is absent.
"""
import atexit
import importlib.util
import os
import pickle
import sys
import types
from collections import Counter, OrderedDict, defaultdict

import numpy as np
import torch

try:  # numpy >= 2 (checkpoints then name numpy._core.multiarray)
    from numpy._core import multiarray as _np_multiarray
except ImportError:  # numpy 1.x
    from numpy.core import multiarray as _np_multiarray


# 1. mmaction2 1.2.0 imports ``importlib_metadata`` (mmaction/utils/dependency.py)
#    without declaring it. It is in requirements/runtime.txt; fail early and clearly.
def _check_importlib_metadata() -> None:
    if importlib.util.find_spec('importlib_metadata') is None:
        raise ImportError(
            'mmaction2 1.2.0 needs the undeclared package `importlib_metadata`: '
            '`pip install importlib_metadata` (or run `make setup`).')


# 2. The mmaction2 1.2.0 wheel ships without ``mmaction/models/localizers/drn``
#    (open-mmlab/mmaction2 issue 2714) while ``localizers/__init__.py`` imports it,
#    so ``import mmaction.models`` fails. Provide that module with a ``DRN`` that
#    explains the problem when someone actually builds it; nothing else changes.
def _patch_missing_drn() -> None:
    name = 'mmaction.models.localizers.drn'
    if name in sys.modules:
        return
    spec = importlib.util.find_spec('mmaction')
    if spec is None or spec.submodule_search_locations is None:
        return  # mmaction not installed: nothing to fix
    pkg_dir = list(spec.submodule_search_locations)[0]
    if os.path.isdir(os.path.join(pkg_dir, 'models', 'localizers', 'drn')):
        return  # a fixed wheel or a source checkout: leave it alone

    class DRN:  # noqa: D401 - a stand-in, never a model
        """Placeholder for the DRN localizer missing from the mmaction2 1.2.0 wheel."""

        def __init__(self, *args, **kwargs):
            raise ImportError(
                'DRN is missing from the mmaction2 1.2.0 wheel (upstream issue 2714); '
                'install mmaction2 from source to use it.')

    package = types.ModuleType(name)
    package.__path__ = []  # mark as a package
    module = types.ModuleType(name + '.drn')
    module.DRN = DRN
    package.drn = module
    sys.modules[name] = package
    sys.modules[name + '.drn'] = module


# 3. mmengine 0.10.7 calls ``torch.load(path, map_location)`` without ``weights_only``.
#    Since torch 2.6 that means ``weights_only=True``, which refuses the non-tensor
#    objects an mmengine checkpoint carries (message hub buffers, numpy scalars from
#    logged metrics), so ``--resume`` fails. Allow-list exactly those classes; an
#    untrusted pickle naming any other global is still refused.
def _history_buffer_getattr(obj, name: str):
    """``getattr`` restricted to what a pickled mmengine ``HistoryBuffer`` needs.

    A HistoryBuffer's state maps statistic names to its own methods, which pickle
    writes as ``getattr(HistoryBuffer, 'mean')``. Allow-listing the builtin getattr
    would let a checkpoint reach any attribute of any allowed object; this only
    resolves HistoryBuffer's registered statistics methods.
    """
    from mmengine.logging import HistoryBuffer

    # min/max/current/mean are added by HistoryBuffer.__init__, custom ones by
    # HistoryBuffer.register_statistics.
    statistics = {'min', 'max', 'current', 'mean', *HistoryBuffer._statistics_methods}
    if obj is HistoryBuffer and name in statistics:
        return getattr(obj, name)
    raise pickle.UnpicklingError(
        f'checkpoint asks for getattr({obj!r}, {name!r}), which is not part of an '
        'mmengine checkpoint; refusing to load it')


def _mmengine_checkpoint_globals() -> list:
    from mmengine.logging import HistoryBuffer

    allowed = [
        HistoryBuffer,
        (_history_buffer_getattr, 'builtins.getattr'),
        (_history_buffer_getattr, '__builtin__.getattr'),  # pickle protocol 2 spelling
        OrderedDict,
        defaultdict,
        Counter,  # message_hub resumed-keys bookkeeping
        # numpy arrays and scalars (metrics and logged values in message_hub / meta)
        np.ndarray,
        np.dtype,
        _np_multiarray._reconstruct,
        _np_multiarray.scalar,
    ]
    # numpy >= 1.25 pickles dtypes by their concrete class (np.dtypes.Float64DType, ...)
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        allowed += [getattr(dtypes, n) for n in dir(dtypes) if n.endswith('DType')]
    return allowed


def _allow_mmengine_checkpoints() -> None:
    add_safe_globals = getattr(torch.serialization, 'add_safe_globals', None)
    if add_safe_globals is not None:  # torch >= 2.4
        add_safe_globals(_mmengine_checkpoint_globals())


# 4. mmengine 0.10.7's pytorch launcher always calls ``torch.cuda.set_device`` and
#    its default backend is nccl, so ``tools/dist_train.sh`` cannot run on a CPU-only
#    machine. Without CUDA, skip set_device and use gloo (what DDP on CPU needs).
#    mmengine never destroys the process group either: a gloo rank then aborts now and then
#    at interpreter exit ("terminate called without an active exception", SIGABRT after a
#    finished run; 1 run in ~8 of tools/dist_train.sh on 2 CPU processes). Destroy it at exit.
def _destroy_process_group() -> None:
    import torch.distributed as torch_dist
    if torch_dist.is_available() and torch_dist.is_initialized():
        torch_dist.destroy_process_group()


def _allow_cpu_pytorch_launcher() -> None:
    import torch.distributed as torch_dist
    from mmengine.dist import utils as dist_utils

    if getattr(dist_utils._init_dist_pytorch, '_ous_cpu_aware', False):
        return
    original = dist_utils._init_dist_pytorch

    def _init_dist_pytorch(backend, init_backend='torch', **kwargs) -> None:
        atexit.register(_destroy_process_group)
        if torch.cuda.is_available() or init_backend != 'torch':
            return original(backend, init_backend=init_backend, **kwargs)
        if backend == 'nccl':
            backend = 'gloo'
        torch_dist.init_process_group(backend=backend, **kwargs)

    _init_dist_pytorch._ous_cpu_aware = True
    dist_utils._init_dist_pytorch = _init_dist_pytorch


# 5. mmengine 0.10.7's checkpoint loaders call ``torch.load(path, map_location)`` for
#    local files (so ``weights_only`` follows the environment: with
#    ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1`` a malicious pickle runs in tools/test.py
#    and ``--resume``) and ``torch.hub.load_state_dict_from_url`` (``weights_only=False``)
#    for URLs. Re-register both schemes through mmengine's own
#    ``CheckpointLoader.register_scheme`` so every load is ``weights_only=True`` with
#    the allow-list of fix 3, whatever the environment says (mmengine logs the loader
#    as "local_weights_only" / "http_weights_only").
def load_from_local_weights_only(filename, map_location=None):
    from ous_mm.utils.checkpoint import safe_torch_load
    return safe_torch_load(os.path.expanduser(filename), map_location, check_name_hash=False)


def load_from_http_weights_only(filename, map_location=None, model_dir=None, progress=False):
    from mmengine.dist import get_dist_info

    def load():
        return torch.hub.load_state_dict_from_url(
            filename, model_dir=model_dir, map_location=map_location, progress=progress,
            weights_only=True)

    rank, world_size = get_dist_info()
    checkpoint = load() if rank == 0 else None  # rank 0 downloads, the others then read
    if world_size > 1:
        torch.distributed.barrier()
        if rank > 0:
            checkpoint = load()
    return checkpoint


def _force_weights_only_loading() -> None:
    from mmengine.runner.checkpoint import CheckpointLoader

    CheckpointLoader.register_scheme(prefixes='', loader=load_from_local_weights_only, force=True)
    CheckpointLoader.register_scheme(prefixes=('http://', 'https://'),
                                     loader=load_from_http_weights_only, force=True)


# 6. With mmcv-lite (mmcv without compiled ops, what the fast `make setup` installs) mmcv
#    warns at every `import mmaction.models` that ``MultiScaleDeformableAttention`` is missing.
#    Nothing in ous_mm uses it, and MMDetFaceDetector (the one component that needs compiled
#    ops) raises its own error naming `make setup-mmdet`: hide this one warning.
def _quiet_mmcv_lite_warning() -> None:
    import warnings
    warnings.filterwarnings('ignore', message='Fail to import ``MultiScaleDeformableAttention``',
                            category=UserWarning)


# 7. mmengine's Runner always wraps the model with ``device_ids=[LOCAL_RANK]``, which
#    torch's DDP rejects for a module on the CPU, so DDP cannot run without CUDA.
#    ``model_wrapper_cfg=dict(type='DeviceAgnosticDDP')`` (configs/_base_/default_runtime.py)
#    is mmengine's wrapper minus ``device_ids`` for CPU modules; on GPU it is the same.
def _register_device_agnostic_ddp() -> None:
    from mmengine.model import MMDistributedDataParallel
    # The root registry, not mmaction's child: Runner.wrap_model looks the type up there.
    from mmengine.registry import MODEL_WRAPPERS

    if 'DeviceAgnosticDDP' in MODEL_WRAPPERS.module_dict:
        return

    class DeviceAgnosticDDP(MMDistributedDataParallel):
        """:class:`MMDistributedDataParallel` that drops ``device_ids`` for CPU modules."""

        def __init__(self, module, device_ids=None, **kwargs):
            first = next(module.parameters(), None)
            if first is not None and first.device.type == 'cpu':
                device_ids = None
            super().__init__(module=module, device_ids=device_ids, **kwargs)

    MODEL_WRAPPERS.register_module(module=DeviceAgnosticDDP)


# 8. mmengine 0.10.7's ``EarlyStoppingHook.before_run`` reads ``runner.train_loop``, which
#    builds the training loop (and its dataloader) when the runner only tests or validates:
#    ``tools/test.py`` with the schedule's early stop then fails on a missing train split.
#    Check the loop only when it has been built (``runner.train()`` builds it first).
def _early_stop_only_when_training() -> None:
    from mmengine.hooks import EarlyStoppingHook

    if getattr(EarlyStoppingHook.before_run, '_ous_train_only', False):
        return

    def before_run(self, runner) -> None:
        loop = getattr(runner, '_train_loop', None)
        if loop is None or isinstance(loop, dict):
            return  # testing or validating: there is no training to stop
        assert hasattr(loop, 'stop_training'), \
            '`train_loop` should contain `stop_training` variable.'

    before_run._ous_train_only = True
    EarlyStoppingHook.before_run = before_run


# 9. mmengine 0.10.7's CheckpointHook and LoggerHook build a ``FileClient`` even when no
#    ``file_client_args`` are given, where they use ``get_file_backend`` and never touch
#    it; its constructor logs two deprecation warnings ("FileClient", "HardDiskBackend")
#    into every training log. The hooks' modules get a ``FileClient`` whose
#    ``infer_client`` skips that unused object; given ``file_client_args`` are kept.
def _skip_unused_file_client() -> None:
    from mmengine.fileio import FileClient
    from mmengine.hooks import checkpoint_hook, logger_hook

    class UnusedFileClientSkipped:
        """``FileClient`` for the two hooks: ``None`` instead of an object they ignore."""

        @staticmethod
        def infer_client(file_client_args=None, uri=None):
            if file_client_args is None:
                return None
            return FileClient.infer_client(file_client_args, uri)

    for module in (checkpoint_hook, logger_hook):
        if module.FileClient is FileClient:
            module.FileClient = UnusedFileClientSkipped


def apply() -> None:
    """Apply every fix (idempotent)."""
    _check_importlib_metadata()
    _patch_missing_drn()
    _allow_mmengine_checkpoints()
    _allow_cpu_pytorch_launcher()
    _force_weights_only_loading()
    _quiet_mmcv_lite_warning()
    _register_device_agnostic_ddp()
    _early_stop_only_when_training()
    _skip_unused_file_client()


apply()
