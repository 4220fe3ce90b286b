"""Look up model-zoo entries in ``configs/**/metafile.yml`` (MMAction2's metafile format).

A zoo entry gives a config, a weights location (URL or path relative to the
repository root) and the weights' sha256 (``Metadata.SHA256`` in our
metafiles). :func:`resolve_zoo_checkpoint` returns a verified local file.
"""
import glob
import os
import os.path as osp
from typing import Dict, List, Optional

from .checkpoint import CheckpointError, verify_sha256

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def load_metafiles(root: str = REPO_ROOT) -> List[dict]:
    """All ``Models`` entries of every ``configs/**/metafile.yml`` under ``root``."""
    import yaml  # mmengine depends on pyyaml

    models = []
    for path in sorted(glob.glob(osp.join(root, 'configs', '**', 'metafile.yml'),
                                 recursive=True)):
        with open(path, encoding='utf-8') as f:
            content = yaml.safe_load(f) or {}
        for model in content.get('Models', []) or []:
            model = dict(model)
            model['_metafile'] = path
            models.append(model)
    return models


def find_zoo_model(name: str, root: str = REPO_ROOT) -> dict:
    """The metafile entry called ``name`` (a clear error listing the known names otherwise)."""
    models = load_metafiles(root)
    for model in models:
        if model.get('Name') == name:
            return model
    known = ', '.join(m.get('Name', '?') for m in models)
    raise KeyError(f'no model {name!r} in configs/**/metafile.yml; known: {known}')


def resolve_zoo_checkpoint(name: str, root: str = REPO_ROOT,
                           cache_dir: Optional[str] = None) -> Dict[str, str]:
    """Config path and a sha256-verified local checkpoint for zoo model ``name``.

    Local ``Weights`` paths are taken relative to the repository root; URLs are
    downloaded once into ``cache_dir`` (default ``~/.cache/ous_mm``).

    Raises:
        CheckpointError: no released weights, missing file or hash mismatch.
    """
    model = find_zoo_model(name, root)
    weights = model.get('Weights')
    sha256 = (model.get('Metadata') or {}).get('SHA256')
    if not weights:
        raise CheckpointError(
            f'zoo model {name!r} has no released checkpoint yet; train it with the '
            'command in model_zoo.md')
    if not sha256:
        raise CheckpointError(f'zoo model {name!r} has no Metadata.SHA256 to verify against')
    if weights.startswith(('http://', 'https://')):
        import torch.hub

        cache_dir = cache_dir or osp.join(osp.expanduser('~'), '.cache', 'ous_mm')
        os.makedirs(cache_dir, exist_ok=True)
        local = osp.join(cache_dir, osp.basename(weights))
        if not osp.isfile(local):
            torch.hub.download_url_to_file(weights, local, progress=True)
    else:
        local = weights if osp.isabs(weights) else osp.join(root, weights)
        if not osp.isfile(local):
            raise CheckpointError(
                f'zoo checkpoint {local} for {name!r} is not there; regenerate it with '
                'the command in model_zoo.md')
    verify_sha256(local, sha256)
    config = model.get('Config', '')
    return dict(config=config if osp.isabs(config) else osp.join(root, config),
                checkpoint=local, sha256=sha256)
