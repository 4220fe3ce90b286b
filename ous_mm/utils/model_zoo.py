"""Look up model-zoo entries (MMAction2's metafile format) and their checkpoints.

Where the zoo is: ``model-index.yml`` lists the metafiles (as OpenMIM reads it),
whose ``Config`` paths are relative to the same root. A wheel install ships the
configs, metafiles and ``model-index.yml`` inside the package as
``ous_mm/.mim/`` (OpenMIM's place, written by ``setup.py``); a source checkout or
an editable install has them in the repository. :func:`zoo_roots` tries the
installed copy first, then the source tree.

A zoo entry gives a config, a weights location (URL or a path relative to the
project root or the working directory) and the weights' sha256
(``Metadata.SHA256``). :func:`resolve_zoo_checkpoint` returns a verified local file.
"""
import glob
import json
import os
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence

from mmengine.logging import print_log

from .checkpoint import CheckpointError, sha256_from_filename, verify_sha256

PACKAGE_DIR = osp.dirname(osp.dirname(osp.abspath(__file__)))
#: OpenMIM's place for package data (configs, model-index.yml) inside an installed package
MIM_DIR = osp.join(PACKAGE_DIR, '.mim')
#: the repository root when running from a source checkout (or an editable install)
REPO_ROOT = osp.dirname(PACKAGE_DIR)
INDEX_FILE = 'model-index.yml'
_PUBLISHED_NAME = re.compile(r'^(?P<stem>.+)-[0-9a-f]{8}\.pth$')


def zoo_roots() -> List[str]:
    """Roots holding ``configs/``: the installed package data first, then the source tree.

    An editable install's ``.mim/configs`` is a link to the source tree's: the source
    path is the one reported, so both spellings of a config never coexist."""
    return [root for root in (MIM_DIR, REPO_ROOT) if osp.isdir(osp.join(root, 'configs'))
            and not (root == MIM_DIR and osp.islink(osp.join(root, 'configs')))]


def _default_root(root: Optional[str]) -> str:
    if root is not None:
        return root
    roots = zoo_roots()
    if not roots:
        raise FileNotFoundError(
            f'no OUS configs found: neither {MIM_DIR}/configs (a wheel install) nor '
            f'{REPO_ROOT}/configs (a source checkout) exists; reinstall ous_mm')
    return roots[0]


def metafile_paths(root: Optional[str] = None) -> List[str]:
    """The metafiles ``model-index.yml`` imports (else every ``configs/**/metafile.yml``)."""
    import yaml  # mmengine depends on pyyaml

    root = _default_root(root)
    index = osp.join(root, INDEX_FILE)
    if osp.isfile(index):
        with open(index, encoding='utf-8') as f:
            imports = (yaml.safe_load(f) or {}).get('Import') or []
        return [osp.join(root, path) for path in imports]
    return sorted(glob.glob(osp.join(root, 'configs', '**', 'metafile.yml'), recursive=True))


def load_metafiles(root: Optional[str] = None) -> List[dict]:
    """All ``Models`` entries of the zoo's metafiles (``_metafile`` names the file)."""
    import yaml

    models = []
    for path in metafile_paths(root):
        with open(path, encoding='utf-8') as f:
            content = yaml.safe_load(f) or {}
        for model in content.get('Models', []) or []:
            model = dict(model)
            model['_metafile'] = path
            models.append(model)
    return models


def find_zoo_model(name: str, root: Optional[str] = None) -> dict:
    """The metafile entry called ``name`` (a clear error listing the known names otherwise)."""
    models = load_metafiles(root)
    for model in models:
        if model.get('Name') == name:
            return model
    known = ', '.join(m.get('Name', '?') for m in models)
    raise KeyError(f'no model {name!r} in the model zoo ({INDEX_FILE}); known: {known}')


def find_zoo_config(name_or_path: str, root: Optional[str] = None) -> str:
    """The config file of zoo model ``name_or_path``, or of a zoo-relative config path.

    ``'ous_tiny_synthetic'`` and ``'configs/ous/ous_tiny_synthetic.py'`` both
    resolve, from any working directory, in the installed package or the source tree.
    """
    if name_or_path.endswith('.py'):
        roots = [root] if root is not None else zoo_roots()
        for base in roots:
            path = osp.join(base, name_or_path)
            if osp.isfile(path):
                return path
        raise FileNotFoundError(f'config not found: {name_or_path} (looked under '
                                f'{", ".join(roots) or "no zoo root"})')
    root = _default_root(root)
    config = find_zoo_model(name_or_path, root).get('Config', '')
    return config if osp.isabs(config) else osp.join(root, config)


def _recorded_sha256(path: str) -> Optional[str]:
    """The sha256 recorded for a locally published checkpoint.

    ``tools/run_demo.py`` records the full hash of what it publishes in
    ``<run>/summary.json`` beside ``<run>/published/``; without such a record the
    ``-<sha256[:8]>`` in the name (OpenMMLab's publishing convention) is the record.
    """
    summary = osp.join(osp.dirname(osp.dirname(path)), 'summary.json')
    if osp.isfile(summary):
        try:
            with open(summary, encoding='utf-8') as f:
                stack = [json.load(f)]
        except (OSError, ValueError):
            stack = []
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                if (osp.basename(str(item.get('path', ''))) == osp.basename(path)
                        and isinstance(item.get('sha256'), str)):
                    return item['sha256']
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
    return sha256_from_filename(path)


def _local_published(weights: str, bases: Sequence[str]) -> Optional[str]:
    """Newest ``<stem>-<8 hex>.pth`` beside the metafile's ``<stem>-<8 hex>.pth``."""
    match = _PUBLISHED_NAME.match(osp.basename(weights))
    if not match:
        return None
    for base in bases:
        folder = osp.join(base, osp.dirname(weights))
        found = [p for p in glob.glob(osp.join(folder, match.group('stem') + '-*.pth'))
                 if _PUBLISHED_NAME.match(osp.basename(p))]
        if found:
            return max(found, key=osp.getmtime)
    return None


def _local_weights(name: str, weights: str, sha256: str, root: str) -> Dict[str, str]:
    """The metafile's own file when it is here, else the user's own published run of it."""
    bases = [root] if osp.isabs(weights) else [root, os.getcwd()]
    for base in bases:
        path = osp.join(base, weights)
        if osp.isfile(path):
            verify_sha256(path, sha256)
            return dict(checkpoint=path, sha256=sha256, note='')
    local = _local_published(weights, bases)
    if local is None:
        raise CheckpointError(
            f'zoo checkpoint {weights} for {name!r} is not there (looked under '
            f'{" and ".join(bases)}, also for another <name>-<sha256[:8]>.pth beside it); '
            'regenerate it with the command in model_zoo.md')
    recorded = _recorded_sha256(local)
    if not recorded:
        raise CheckpointError(f'{local}: no sha256 recorded for it; load it by path instead')
    recorded = verify_sha256(local, recorded)
    note = (f'zoo model {name!r}: using the local checkpoint {local} (sha256 '
            f'{recorded[:12]}..., verified against its own record), not the metafile\'s '
            f'{osp.basename(weights)} (sha256 {sha256[:12]}..., trained on another machine)')
    print_log(note, logger='current')
    return dict(checkpoint=local, sha256=recorded, note=note)


def resolve_zoo_checkpoint(name: str, root: Optional[str] = None,
                           cache_dir: Optional[str] = None) -> Dict[str, str]:
    """Config path and a sha256-verified local checkpoint for zoo model ``name``.

    URLs are downloaded once into ``cache_dir`` (default ``~/.cache/ous_mm``).
    Local ``Weights`` paths are looked up under the zoo root, then the working
    directory. When that exact file is absent but a checkpoint of the same
    published name with another hash prefix lies beside it (``make demo`` run on
    this machine: another CPU gives other weights, hence another hash), that file
    is used, verified against its own recorded sha256, and ``note`` says so.

    Returns:
        dict: ``config``, ``checkpoint``, ``sha256`` and ``note`` ('' or the message above).

    Raises:
        CheckpointError: no released weights, missing file or hash mismatch.
    """
    root = _default_root(root)
    model = find_zoo_model(name, root)
    weights = model.get('Weights')
    sha256 = (model.get('Metadata') or {}).get('SHA256')
    if not weights:
        raise CheckpointError(
            f'zoo model {name!r} has no released checkpoint yet; train it with the '
            'command in model_zoo.md, then pass the checkpoint file')
    if not sha256:
        raise CheckpointError(f'zoo model {name!r} has no Metadata.SHA256 to verify against')
    if weights.startswith(('http://', 'https://')):
        import torch.hub

        cache_dir = cache_dir or osp.join(osp.expanduser('~'), '.cache', 'ous_mm')
        os.makedirs(cache_dir, exist_ok=True)
        local = osp.join(cache_dir, osp.basename(weights))
        if not osp.isfile(local):
            torch.hub.download_url_to_file(weights, local, progress=True)
        verify_sha256(local, sha256)
        found = dict(checkpoint=local, sha256=sha256, note='')
    else:
        found = _local_weights(name, weights, sha256, root)
    return dict(config=find_zoo_config(name, root), **found)


def resolve_zoo_model(name_or_path: str, checkpoint: Optional[str] = None,
                      sha256: Optional[str] = None) -> tuple:
    """``(config file, checkpoint, sha256)`` for a zoo name or a zoo-relative config path.

    What ``init_ous_model`` does with a ``config`` that is not a file here: a given
    ``checkpoint`` is kept (your own weights for a zoo config); otherwise a zoo
    name brings its verified released checkpoint (:func:`resolve_zoo_checkpoint`).
    """
    if name_or_path.endswith('.py') or checkpoint is not None:
        return find_zoo_config(name_or_path), checkpoint, sha256
    zoo = resolve_zoo_checkpoint(name_or_path)
    return zoo['config'], zoo['checkpoint'], zoo['sha256']
