"""The on-disk cache of pretrained CLIPs: one directory per key, written atomically, verified on read.

Layout (like the mmcv wheel cache of ``tools/install/build_mmcv.sh``)::

    $OUS_CLIP_CACHE (default ~/.cache/ous-mm/clip)/<key>/
        clip-<sha256[:8]>.pt         open_clip CLIP state dict (keys of ``CLIP(**arch).state_dict()``)
        clip-<sha256[:8]>.pt.sha256  "<sha256>  <file name>" (``sha256sum -c`` format)
        card.json                    how it was made and what it scores (``sha256`` included)

An entry is built in a hidden temporary directory next to its final place and
renamed into place when complete, so a reader never sees half an entry, and
two processes racing for the same key both end with one valid entry.
"""
import json
import os
import os.path as osp
import shutil
import tempfile
import time
import warnings
from typing import Dict, Optional

import torch

from ..utils.checkpoint import file_sha256

CACHE_ENV = 'OUS_CLIP_CACHE'
CARD_NAME = 'card.json'


class CorruptCacheWarning(UserWarning):
    """A cache entry failed verification and is rebuilt."""


def clip_cache_root() -> str:
    """``$OUS_CLIP_CACHE``, else ``~/.cache/ous-mm/clip``."""
    return osp.expanduser(os.environ.get(CACHE_ENV) or osp.join('~', '.cache', 'ous-mm', 'clip'))


def read_card(entry_dir: str) -> Dict:
    """The card of a cache entry (raises ``FileNotFoundError`` / ``ValueError``)."""
    path = osp.join(entry_dir, CARD_NAME)
    with open(path, encoding='utf-8') as f:
        try:
            card = json.load(f)
        except json.JSONDecodeError as exc:
            raise ValueError(f'{path}: not valid JSON ({exc})') from None
    if not isinstance(card, dict) or 'checkpoint' not in card or 'sha256' not in card:
        raise ValueError(f'{path}: a card needs "checkpoint" and "sha256"')
    return card


def verified_checkpoint(entry_dir: str) -> Optional[str]:
    """The checkpoint path of a complete, sha256-verified entry; None if there is no entry.

    Raises:
        ValueError: the entry exists but is incomplete or its checkpoint's sha256
            differs from the card's (the message names the file).
    """
    if not osp.isdir(entry_dir):
        return None
    try:
        card = read_card(entry_dir)
    except FileNotFoundError:
        raise ValueError(f'{entry_dir}: cache entry without {CARD_NAME}') from None
    path = osp.join(entry_dir, card['checkpoint'])
    if not osp.isfile(path):
        raise ValueError(f'{path}: checkpoint named by the card is missing')
    actual = file_sha256(path)
    if actual != card['sha256']:
        raise ValueError(f'{path}: sha256 {actual} differs from the card\'s {card["sha256"]} '
                         '(corrupt or modified file)')
    return path


def write_entry(entry_dir: str, state_dict: Dict[str, torch.Tensor], card: Dict,
                replace: bool = False) -> str:
    """Save ``state_dict`` with its sha256 and ``card`` as the cache entry ``entry_dir``.

    Returns the checkpoint path. When another process completed the same entry
    first, its (verified) checkpoint is returned and ours is dropped, unless
    ``replace`` (a forced rebuild), which replaces the existing entry.
    """
    parent = osp.dirname(osp.abspath(entry_dir))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f'.tmp-{osp.basename(entry_dir)}-', dir=parent)
    try:
        raw = osp.join(tmp, 'clip.pt')
        torch.save(state_dict, raw)
        sha = file_sha256(raw)
        name = f'clip-{sha[:8]}.pt'
        os.rename(raw, osp.join(tmp, name))
        with open(osp.join(tmp, f'{name}.sha256'), 'w', encoding='utf-8') as f:
            f.write(f'{sha}  {name}\n')
        with open(osp.join(tmp, CARD_NAME), 'w', encoding='utf-8') as f:
            json.dump(dict(card, checkpoint=name, sha256=sha), f, indent=2)
        try:
            os.rename(tmp, entry_dir)
        except OSError:  # the entry appeared meanwhile (another process): keep theirs if valid
            try:
                found = verified_checkpoint(entry_dir)
            except ValueError:
                found = None
            if found is None or replace:
                discard(entry_dir)
                os.rename(tmp, entry_dir)
            else:
                return found
    finally:
        if osp.isdir(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
    return osp.join(entry_dir, name)


def discard(entry_dir: str) -> None:
    """Remove an entry: renamed aside first (atomic), then deleted."""
    if not osp.exists(entry_dir):
        return
    aside = f'{entry_dir}.corrupt-{os.getpid()}-{time.time_ns()}'
    os.rename(entry_dir, aside)
    shutil.rmtree(aside, ignore_errors=True)


def cached_checkpoint(entry_dir: str) -> Optional[str]:
    """A verified cached checkpoint, or None; a corrupt entry is discarded with a warning."""
    try:
        return verified_checkpoint(entry_dir)
    except (ValueError, OSError) as exc:
        warnings.warn(f'pretrained-CLIP cache entry is corrupt, retraining it: {exc}',
                      CorruptCacheWarning, stacklevel=3)
        discard(entry_dir)
        return None
