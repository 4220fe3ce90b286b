"""Find, fetch and read pretrained open_clip / OpenAI CLIP weight files.

The one module of ous-mm that touches CLIP weight files. The models call
:func:`read_clip_weights` from their ``init_weights()`` only (never while building
or while a checkpoint loads), so building a model never reads a file or the network.

``pretrained`` is a local file or an open_clip tag (``'openai'``, ``'laion2b_s32b_b82k'``).
A tag resolves to open_clip's cache: the Hugging Face hub cache (``HF_HUB_CACHE``,
else ``$HF_HOME/hub``, else ``~/.cache/huggingface/hub``) for tags hosted on the hub,
``~/.cache/clip`` for the few URL-only ones. When the file is not cached:

* offline (``HF_HUB_OFFLINE=1``) or no route to the host: a :class:`ClipWeightsError`
  within seconds, naming the cache directory that was searched and how to provide
  the file, instead of open_clip's retries (~47 s per process);
* distributed runs: local rank 0 of each node downloads while the other ranks wait
  at a barrier, then everybody reads the cache (one download per node, not per GPU).
"""
import os
import os.path as osp
import socket
import threading
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

import torch

PROBE_TIMEOUT_S = 3.0
_TRUE = {'1', 'ON', 'YES', 'TRUE'}


class ClipWeightsError(RuntimeError):
    """CLIP weights that cannot be found, fetched or read; the message says what to do."""


@dataclass
class ClipWeights:
    """A CLIP state dict read from ``path``.

    ``quick_gelu`` is the activation the weights were trained with when the file or
    tag tells it (OpenAI's TorchScript archives and tags like ``'openai'``: True;
    other known tags: False), None when a plain state dict does not say.
    """
    path: str
    state: Dict[str, torch.Tensor]
    quick_gelu: Optional[bool]


# ----------------------------------------------------------------------- tags and caches
def tag_config(arch, pretrained: Optional[str]) -> dict:
    """open_clip's pretrained config of ``arch``/``pretrained`` ({} when not a tag)."""
    from open_clip import pretrained as open_clip_pretrained
    if not isinstance(arch, str) or not pretrained:
        return {}
    return dict(open_clip_pretrained.get_pretrained_cfg(arch, str(pretrained)))


def hf_hub_cache_dir() -> str:
    """The Hugging Face hub cache as huggingface_hub resolves it, read from the environment now."""
    env = os.environ
    explicit = env.get('HF_HUB_CACHE') or env.get('HUGGINGFACE_HUB_CACHE')
    if explicit:
        return osp.expanduser(osp.expandvars(explicit))
    home = env.get('HF_HOME') or osp.join(env.get('XDG_CACHE_HOME', '~/.cache'), 'huggingface')
    return osp.join(osp.expanduser(osp.expandvars(home)), 'hub')


def url_cache_dir() -> str:
    """Where open_clip keeps weights downloaded from a plain URL."""
    return osp.expanduser('~/.cache/clip')


def hf_offline() -> bool:
    """``HF_HUB_OFFLINE`` (or ``TRANSFORMERS_OFFLINE``) is set to a true value."""
    value = os.environ.get('HF_HUB_OFFLINE') or os.environ.get('TRANSFORMERS_OFFLINE') or ''
    return value.upper() in _TRUE


def _hub_source(cfg: dict) -> Optional[Tuple[str, Tuple[str, ...]]]:
    """(repo id, candidate file names) of a hub-hosted tag, as open_clip downloads it."""
    from open_clip.constants import HF_SAFE_WEIGHTS_NAME, HF_WEIGHTS_NAME
    from open_clip.pretrained import has_hf_hub
    if not cfg.get('hf_hub') or not has_hf_hub():
        return None
    repo_id, filename = osp.split(cfg['hf_hub'])  # 'org/repo/' -> default file name
    filename = filename or HF_WEIGHTS_NAME
    if filename == HF_WEIGHTS_NAME:  # open_clip tries the safetensors twin first
        return repo_id, (HF_SAFE_WEIGHTS_NAME, filename)
    if filename.endswith(('.bin', '.pth')):
        return repo_id, (filename[:-4] + '.safetensors', filename)
    return repo_id, (filename, )


def cache_location(cfg: dict) -> str:
    """The cache directory (hub repo folder or URL cache) where a tag's file would be."""
    hub = _hub_source(cfg)
    if hub is not None:
        return osp.join(hf_hub_cache_dir(), 'models--' + hub[0].replace('/', '--'))
    return url_cache_dir()


def cached_tag_file(cfg: dict) -> Optional[str]:
    """The already downloaded file of a tag, or None (never touches the network)."""
    hub = _hub_source(cfg)
    if hub is not None:
        from huggingface_hub import try_to_load_from_cache
        for name in hub[1]:
            found = try_to_load_from_cache(hub[0], name, cache_dir=hf_hub_cache_dir())
            if isinstance(found, str) and osp.isfile(found):
                return found
        return None
    url = cfg.get('url', '')
    path = osp.join(url_cache_dir(), osp.basename(url)) if url else ''
    return path if path and osp.isfile(path) else None


# ----------------------------------------------------------------------- network
def _source_host(cfg: dict) -> Tuple[str, int]:
    """(host, port) a download of ``cfg`` connects to first (the proxy when one is set)."""
    if _hub_source(cfg) is not None:
        from huggingface_hub import constants
        url = os.environ.get('HF_ENDPOINT') or constants.ENDPOINT
    else:
        url = cfg.get('url', '')
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ''
    proxy = urllib.request.getproxies().get(parts.scheme)
    if proxy and not urllib.request.proxy_bypass(host):
        parts = urllib.parse.urlsplit(proxy if '://' in proxy else 'http://' + proxy)
        host = parts.hostname or ''
    port = parts.port or (443 if parts.scheme == 'https' else 80)
    return host, port


def unreachable_reason(host: str, port: int, timeout: float = PROBE_TIMEOUT_S) -> Optional[str]:
    """None when a TCP connection to ``host:port`` opens within ``timeout`` s, else why not.

    Runs in a daemon thread so that a hanging DNS lookup cannot block the caller
    longer than ``timeout``.
    """
    result = {}

    def probe():
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            result['ok'] = True
        except OSError as err:
            result['error'] = f'{type(err).__name__}: {err}'

    worker = threading.Thread(target=probe, daemon=True)
    worker.start()
    worker.join(timeout + 0.5)
    if result.get('ok'):
        return None
    return result.get('error', f'no answer within {timeout:.0f} s')


def _download(cfg: dict) -> str:
    """Download a tag's file into the cache (open_clip's own downloaders, hub preferred)."""
    from open_clip import pretrained as open_clip_pretrained
    hub = _hub_source(cfg)
    if hub is not None:
        return open_clip_pretrained.download_pretrained_from_hf(
            hub[0], filename=hub[1][-1], cache_dir=hf_hub_cache_dir())
    return open_clip_pretrained.download_pretrained_from_url(cfg['url'], cache_dir=url_cache_dir())


def _missing_message(arch, pretrained: str, cfg: dict, why: str) -> str:
    name = arch if isinstance(arch, str) else 'custom dict arch'
    fetch = (f'python -c "from ous_mm.utils.clip_weights import resolve_clip_file; '
             f'print(resolve_clip_file({name!r}, {pretrained!r}))"')
    return (f'the open_clip weights {name}/{pretrained} are not in the cache '
            f'{cache_location(cfg)} and cannot be downloaded: {why}. Either fetch them once '
            f'where the network is reachable, into the same cache ({fetch}; HF_HOME or '
            f'HF_HUB_CACHE choose the cache, HF_HUB_OFFLINE=1 then stops any download '
            f'attempt), or download the file elsewhere and pass it: --cfg-options '
            f'model.backbone.pretrained=/path/to/file (OpenAI\'s ViT-L-14.pt or an open_clip '
            f'state dict)')


def fetch_tag(arch, pretrained: str, cfg: dict) -> str:
    """The local file of a tag: the cached one, else downloaded, else a fast clear error."""
    cached = cached_tag_file(cfg)
    if cached:
        return cached
    if hf_offline():
        raise ClipWeightsError(_missing_message(arch, pretrained, cfg, 'HF_HUB_OFFLINE is set'))
    host, port = _source_host(cfg)
    reason = unreachable_reason(host, port)
    if reason is not None:
        raise ClipWeightsError(_missing_message(arch, pretrained, cfg,
                                                f'{host}:{port} is not reachable ({reason})'))
    try:
        path = _download(cfg)
    except Exception as err:
        raise ClipWeightsError(_missing_message(arch, pretrained, cfg, str(err))) from err
    if not path or not osp.isfile(path):
        raise ClipWeightsError(f'open_clip returned no file for {arch}/{pretrained}')
    return path


def _fetch_once_per_node(arch, pretrained: str, cfg: dict) -> str:
    """:func:`fetch_tag` on local rank 0; the other ranks wait, then read the cache."""
    from mmengine.dist import barrier, get_dist_info
    rank, world = get_dist_info()
    if world == 1:
        return fetch_tag(arch, pretrained, cfg)
    error = None
    if int(os.environ.get('LOCAL_RANK', rank)) == 0:  # set by torchrun and mmengine's launchers
        try:
            fetch_tag(arch, pretrained, cfg)
        except ClipWeightsError as err:
            error = err
    barrier()  # every rank reaches it, also when the download failed
    if error is not None:
        raise error
    cached = cached_tag_file(cfg)
    if cached is None:
        raise ClipWeightsError(_missing_message(
            arch, pretrained, cfg, 'local rank 0 did not leave the file in this cache '
            '(see its log; a per-node cache must be on a filesystem all ranks of a node see)'))
    return cached


def resolve_clip_file(arch, pretrained: str) -> str:
    """A local file for ``pretrained``: an existing path, or the cached/downloaded tag."""
    expanded = osp.expanduser(str(pretrained))
    if osp.isfile(expanded):
        return expanded
    cfg = tag_config(arch, pretrained)
    if cfg:
        return _fetch_once_per_node(arch, str(pretrained), cfg)
    text = str(pretrained)
    if os.sep in text or text.endswith(('.pt', '.pth', '.bin', '.safetensors')):
        raise FileNotFoundError(f'pretrained CLIP weights file not found: {pretrained}')
    from open_clip import list_pretrained_tags_by_model
    tags = list_pretrained_tags_by_model(arch) if isinstance(arch, str) else []
    name = arch if isinstance(arch, str) else 'custom dict arch'
    raise ValueError(f'pretrained={pretrained!r} is neither a file nor an open_clip tag of '
                     f'{name} (tags: {tags})')


# ----------------------------------------------------------------------- reading
def is_torchscript_archive(path: str) -> bool:
    """A TorchScript zip (OpenAI's original CLIP ``.pt`` files): it holds ``*/code/`` entries."""
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        return any(name.split('/', 1)[-1].startswith('code/') for name in archive.namelist())


def _read_state(path: str) -> Tuple[dict, bool]:
    """(state dict, is a TorchScript archive) of a CLIP weight file."""
    from open_clip import factory as open_clip_factory
    try:
        if is_torchscript_archive(path):
            return torch.jit.load(path, map_location='cpu').state_dict(), True
        return open_clip_factory.load_state_dict(path, device='cpu', weights_only=True), False
    except Exception as exc:
        raise ClipWeightsError(f'cannot read CLIP weights from {path}: {exc}') from exc


def read_clip_weights(arch, pretrained: str) -> ClipWeights:
    """Read the full CLIP state dict of ``pretrained`` (a file or an open_clip tag).

    Plain state dicts and ``{'state_dict': ...}`` checkpoints are unpickled with
    ``weights_only=True``; OpenAI's original ``.pt`` files are TorchScript archives,
    read with ``torch.jit.load`` (OpenAI trained every CLIP with QuickGELU).
    """
    path = resolve_clip_file(arch, pretrained)
    state, torchscript = _read_state(path)
    if not isinstance(state, dict) or not state:
        raise ClipWeightsError(f'{path} holds no state dict (got {type(state).__name__})')
    state = dict(state)
    for key in ('input_resolution', 'context_length', 'vocab_size'):
        state.pop(key, None)
    # open_clip's CustomTextCLIP layout keeps the text tower under ``text.``
    if any(k.startswith('text.') for k in state):
        state = {(k[len('text.'):] if k.startswith('text.') else k): v for k, v in state.items()}
    cfg = tag_config(arch, pretrained) if not osp.isfile(osp.expanduser(str(pretrained))) else {}
    quick_gelu = True if torchscript else (bool(cfg.get('quick_gelu', False)) if cfg else None)
    return ClipWeights(path=path, state=state, quick_gelu=quick_gelu)
