"""Safe checkpoints: sha256 verification, ``weights_only`` unpickling, atomic writes,
and finding the newest loadable checkpoint to resume from.

A model-zoo checkpoint is a file downloaded from somewhere; it is verified
against the sha256 published in ``configs/**/metafile.yml`` (or the 8-hex
prefix in its OpenMMLab-style name ``<name>-<sha256[:8]>.pth``) and unpickled
with ``torch.load(..., weights_only=True)``, which refuses any pickle that
names a global outside torch's allow-list (plus the few mmengine classes
allowed in :mod:`ous_mm.compat`), so a tampered file cannot run code.

Checkpoints are written through a temporary file in the same folder and a
rename (:func:`atomic_write_bytes`), so a killed run never leaves a 0-byte or
truncated ``.pth``; one left by an older run (or copied half) is skipped by
:func:`find_resume_checkpoint` with the reason (:func:`checkpoint_problem`).
"""
import hashlib
import importlib.metadata
import os
import os.path as osp
import re
import shutil
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple, Union

import torch

from .fault_points import fault_point

# OpenMMLab's publishing convention `<name>-<sha256[:8]>.pth` (or the full 64 hex digits)
# after the LAST '-'. A run of digits only is not read as a hash: it is far more often a
# date or a step (`ous_run-20261202.pth`), and only (10/16)**8 = 2.3 % of real 8-hex
# prefixes have no letter (those files then load unverified by name, as any unpublished
# checkpoint does; a hash given by the caller or a metafile is still checked).
_HASH_IN_NAME = re.compile(r'-([0-9a-f]{8}|[0-9a-f]{64})\.(pth|pt)$')


class CheckpointError(RuntimeError):
    """A checkpoint that cannot be used: missing, tampered, unsafe or for another model."""


def file_sha256(path: str, chunk_size: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks (checkpoints can be GBs)."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(chunk_size), b''):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_from_filename(path: str) -> Optional[str]:
    """The hash prefix of an OpenMMLab-style name ``xxx-<sha256[:8]>.pth``, else ``None``.

    Only 8 (or 64) hex digits with at least one letter a-f count: a name such as
    ``ous_run-20261202.pth`` carries a date, not a hash.
    """
    match = _HASH_IN_NAME.search(osp.basename(path))
    if not match or match.group(1).isdigit():
        return None
    return match.group(1)


def verify_sha256(path: str, expected: str) -> str:
    """Check ``path`` against a full sha256 or a prefix of it (at least 8 hex digits).

    Returns:
        str: the full sha256 of the file.

    Raises:
        CheckpointError: when the file is missing or its hash differs.
    """
    if not osp.isfile(path):
        raise CheckpointError(f'checkpoint not found: {path}')
    expected = expected.strip().lower()
    if not re.fullmatch(r'[0-9a-f]{8,64}', expected):
        raise CheckpointError(f'{expected!r} is not a sha256 (or a prefix of >= 8 hex digits)')
    actual = file_sha256(path)
    if not actual.startswith(expected):
        raise CheckpointError(
            f'sha256 mismatch for {path}: expected {expected}, got {actual}. '
            'The file is corrupt, truncated or not the published checkpoint; '
            'download it again or regenerate it with the command in model_zoo.md.')
    return actual


def safe_torch_load(path: str, map_location: Union[str, torch.device] = 'cpu',
                    sha256: Optional[str] = None, check_name_hash: bool = True) -> dict:
    """Verify (when a hash is known) and unpickle a checkpoint with ``weights_only=True``.

    Args:
        path: Local checkpoint file.
        map_location: Passed to :func:`torch.load`.
        sha256: Expected sha256 (full or a prefix of >= 8 hex digits).
        check_name_hash: Also verify the ``-<hash>.pth`` suffix of the name
            when ``sha256`` is not given.

    Raises:
        CheckpointError: missing file, hash mismatch, or a pickle refused by
            ``weights_only`` (the message names the offending global).
    """
    if sha256 is None and check_name_hash:
        sha256 = sha256_from_filename(path)
    if sha256 is not None:
        verify_sha256(path, sha256)
    elif not osp.isfile(path):
        raise CheckpointError(f'checkpoint not found: {path}')
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except Exception as err:  # UnpicklingError, RuntimeError (zip), EOFError ...
        damage = file_damage(path)
        if damage is not None:
            raise CheckpointError(f'checkpoint {path} is {damage}') from err
        raise CheckpointError(
            f'cannot load {path} safely with torch.load(weights_only=True): {err}. '
            'Either the file is not a PyTorch checkpoint or it pickles objects '
            'other than tensors/containers; only load checkpoints you trust, and '
            'never with weights_only=False from an unknown source.') from err


def get_state_dict(checkpoint: dict) -> 'OrderedDict[str, torch.Tensor]':
    """The model weights of an mmengine checkpoint (or a bare state dict), ``module.`` stripped."""
    state = checkpoint.get('state_dict', checkpoint) if isinstance(checkpoint, dict) else None
    if not isinstance(state, dict) or not all(torch.is_tensor(v) for v in state.values()):
        raise CheckpointError('no state_dict of tensors in the checkpoint')
    return OrderedDict((k[7:] if k.startswith('module.') else k, v) for k, v in state.items())


def load_checkpoint_strict(model: torch.nn.Module, path: str,
                           map_location: Union[str, torch.device] = 'cpu',
                           sha256: Optional[str] = None) -> dict:
    """Load a checkpoint into ``model``, refusing one that was trained for another config.

    Missing keys, unexpected keys and shape mismatches are all reported
    together (the first few of each) instead of mmengine's warning-only
    non-strict load, which would leave random weights in place silently.

    Returns:
        dict: the checkpoint's ``meta`` (may be empty).
    """
    checkpoint = safe_torch_load(path, map_location=map_location, sha256=sha256)
    try:
        state = get_state_dict(checkpoint)
    except CheckpointError as err:
        raise CheckpointError(f'{path}: {err}') from None
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    shapes = [f'{k}: checkpoint {tuple(state[k].shape)} vs model {tuple(own[k].shape)}'
              for k in own if k in state and state[k].shape != own[k].shape]
    if missing or unexpected or shapes:
        def head(items):
            return ', '.join(items[:5]) + (f' ... (+{len(items) - 5})' if len(items) > 5 else '')
        parts = []
        if missing:
            parts.append(f'{len(missing)} missing keys [{head(missing)}]')
        if unexpected:
            parts.append(f'{len(unexpected)} unexpected keys [{head(unexpected)}]')
        if shapes:
            parts.append(f'{len(shapes)} shape mismatches [{head(shapes)}]')
        raise CheckpointError(
            f'checkpoint {path} does not match the model built from the config: '
            + '; '.join(parts) + '. Use the config the checkpoint was trained with.')
    model.load_state_dict(state, strict=True)
    meta = checkpoint.get('meta', {}) if isinstance(checkpoint, dict) else {}
    return meta if isinstance(meta, dict) else {}


_VERSION = re.compile(r'[0-9]+(\.[0-9]+)*(rc[0-9]+)?')


def _mmengine_version(value: str) -> str:
    """mmengine's version without the git hash its checkpoints glue to it ('0.10.7f25af37..').

    The installed version when it is the prefix (a hash may start with digits), else the
    leading version-like part."""
    try:
        installed = importlib.metadata.version('mmengine')
    except importlib.metadata.PackageNotFoundError:
        installed = None
    if installed and value.startswith(installed):
        return installed
    match = _VERSION.match(value)
    return match.group() if match else value


def publish_checkpoint(src: str, out_dir: str, name: Optional[str] = None) -> Dict[str, str]:
    """Strip optimizer/scheduler state and save ``<name>-<sha256[:8]>.pth``.

    The same convention as MMAction2's ``tools/misc/publish_model.py``. The
    published file holds only ``state_dict`` and a plain-typed ``meta`` (no
    numpy or mmengine objects), so it loads with ``weights_only=True`` and no
    extra allow-list. The run's stamps (experiment name, time, and the git hash mmengine
    appends to its version) stay in the training checkpoint: the same weights published
    twice, from any commit, get the same sha256.

    Returns:
        dict: ``path`` and full ``sha256`` of the published file.
    """
    checkpoint = torch.load(src, map_location='cpu', weights_only=True)
    state = get_state_dict(checkpoint)
    meta = checkpoint.get('meta', {}) if isinstance(checkpoint, dict) else {}
    plain_meta = {k: v for k, v in meta.items()
                  if isinstance(v, (str, int, float, bool)) and k in
                  ('epoch', 'iter', 'seed', 'mmengine_version')}
    if isinstance(plain_meta.get('mmengine_version'), str):  # mmengine appends the git hash
        plain_meta['mmengine_version'] = _mmengine_version(plain_meta['mmengine_version'])
    os.makedirs(out_dir, exist_ok=True)
    name = name or osp.splitext(osp.basename(src))[0]
    tmp = osp.join(out_dir, f'.{name}.tmp.pth')
    torch.save(dict(state_dict=state, meta=plain_meta), tmp)
    sha = file_sha256(tmp)
    final = osp.join(out_dir, f'{name}-{sha[:8]}.pth')
    shutil.move(tmp, final)
    return dict(path=final, sha256=sha)


# ------------------------------------------------------------------ crash safety
_STEP = re.compile(r'^(epoch|iter)_(\d+)\.pth$')
_TMP = re.compile(r'^\..+\.tmp\d+$')


def atomic_write_bytes(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, fsync, rename.

    A crash at any moment leaves either the old file or the complete new one
    (plus a ``.<name>.tmp<pid>`` file that :func:`remove_stale_temporaries` clears).
    """
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = osp.join(folder, f'.{osp.basename(path)}.tmp{os.getpid()}')
    try:
        with open(tmp, 'wb') as f:
            half = len(data) // 2
            f.write(data[:half])
            f.flush()
            fault_point('checkpoint_write')
            f.write(data[half:])
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise


def remove_stale_temporaries(folder: str) -> List[str]:
    """Delete the temporary files that killed writes left in ``folder``; returns them."""
    removed = []
    if osp.isdir(folder):
        for name in sorted(os.listdir(folder)):
            if _TMP.match(name) and osp.isfile(osp.join(folder, name)):
                os.remove(osp.join(folder, name))
                removed.append(osp.join(folder, name))
    return removed


def file_damage(path: str) -> Optional[str]:
    """How a checkpoint file is damaged (empty, truncated, corrupt), without unpickling
    it; None when it looks whole."""
    if not osp.isfile(path):
        return 'missing'
    if osp.getsize(path) == 0:
        return 'empty (0 bytes; a run killed while writing it?)'
    if not zipfile.is_zipfile(path):
        with open(path, 'rb') as f:
            legacy = f.read(2) == b'\x80\x02'  # torch < 1.6 pickles: checked by torch.load
        return None if legacy else 'truncated or not a PyTorch checkpoint (no zip directory)'
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        return f'corrupt ({err})'
    return None if bad is None else f'corrupt (member {bad} fails its CRC check)'


def checkpoint_problem(path: str) -> Optional[str]:
    """Why ``path`` cannot be loaded with ``weights_only=True``, or None (the whole
    file is CRC-checked; tensors are memory-mapped, not read)."""
    damage = file_damage(path)
    if damage is not None:
        return damage
    try:
        torch.load(path, map_location='cpu', weights_only=True,
                   mmap=zipfile.is_zipfile(path))
    except Exception as err:  # noqa: BLE001 - every failure is a reason to skip it
        return f'cannot be loaded with weights_only=True ({type(err).__name__}: ' \
               f'{str(err).splitlines()[0][:200]})'
    return None


def _step(path: str) -> Optional[int]:
    match = _STEP.match(osp.basename(path))
    return int(match.group(2)) if match else None


@dataclass
class ResumeChoice:
    """The checkpoint to resume from (None: none loadable), those skipped with why, and
    notes on how the work dir's pointer was read."""
    path: Optional[str]
    skipped: List[Tuple[str, str]] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)


def read_last_checkpoint(work_dir: str, notes: Optional[List[str]] = None) -> Optional[str]:
    """The checkpoint ``<work_dir>/last_checkpoint`` names, resolved inside ``work_dir``.

    The pointer is relative to the work dir (a copied work dir resumes in the copy). An
    absolute pointer into another folder, as older runs wrote, means the work dir was
    copied or moved: its own file of that name is used when it exists (said in
    ``notes``)."""
    pointer = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(pointer):
        return None
    with open(pointer, encoding='utf-8', errors='replace') as f:
        latest = f.read().strip()
    if not latest:
        return None
    if not osp.isabs(latest):
        return osp.join(work_dir, latest)
    own = osp.join(work_dir, osp.basename(latest))
    if osp.dirname(latest) != osp.abspath(work_dir) and osp.isfile(own):
        if notes is not None:
            notes.append(f'{pointer} names {latest}, outside this work dir (a copied or '
                         f'moved work dir?); resuming from its own {own}')
        return own
    return latest


def resume_candidates(work_dir: str, requested: Optional[str] = None,
                      notes: Optional[List[str]] = None) -> List[str]:
    """Checkpoints to try, best first: ``requested`` (``--resume PATH``) then the older
    ``epoch_N``/``iter_N`` files of its folder; or the work dir's ``last_checkpoint``,
    then every ``epoch_N``/``iter_N`` file of the work dir, newest first."""
    if requested is not None:
        folder, first, limit = osp.dirname(osp.abspath(requested)), [requested], _step(requested)
    else:
        folder, first, limit = work_dir, [], None
        latest = read_last_checkpoint(work_dir, notes)
        if latest:
            first.append(latest)
    found = []
    if osp.isdir(folder):
        found = [osp.join(folder, n) for n in os.listdir(folder) if _step(n) is not None]
    found = [p for p in found if limit is None or _step(p) < limit]
    found.sort(key=lambda p: (_step(p), osp.getmtime(p)), reverse=True)
    out: List[str] = []
    for p in first + found:
        if osp.abspath(p) not in {osp.abspath(q) for q in out}:
            out.append(p)
    return out


def find_resume_checkpoint(work_dir: str, requested: Optional[str] = None) -> ResumeChoice:
    """The newest loadable checkpoint among :func:`resume_candidates`; the broken ones
    before it (a kill mid-write, a truncated copy) are listed with their problem."""
    choice = ResumeChoice(None)
    for path in resume_candidates(work_dir, requested, choice.notes):
        problem = checkpoint_problem(path)
        if problem is None:
            choice.path = path
            break
        choice.skipped.append((path, problem))
    return choice
