"""Say which annotation files a config lacks and how to make them, before anything is built.

Why: without it a user waits for the model (49 s for ViT-L/14) and then reads a long
traceback ending in one ``FileNotFoundError``, with no word on how to get the data.
"""
import os.path as osp
from typing import List, MutableMapping, Optional, Sequence, Tuple

DOCS = 'docs/data.md'
#: the converters of tools/data/<name>/prepare.py, recognised by the annotation file name
PREPARED = ('dfew', 'ferv39k', 'mafw')


def _leaf(dataset: MutableMapping) -> MutableMapping:
    while isinstance(dataset.get('dataset'), MutableMapping) and 'ann_file' not in dataset:
        dataset = dataset['dataset']
    return dataset


def annotation_path(dataset: MutableMapping) -> Optional[str]:
    """The annotation file a dataset config reads (``{fold}`` filled), or None."""
    dataset = _leaf(dataset)
    ann = dataset.get('ann_file')
    if not ann:
        return None
    ann = str(ann)
    if dataset.get('fold') is not None:
        ann = ann.replace('{fold}', str(dataset['fold']))
    root = dataset.get('data_root') or ''
    return ann if osp.isabs(ann) else osp.join(str(root), ann)


def prepare_command(ann_file: str, data_root: str) -> str:
    """The command that writes ``ann_file``: a converter, or the synthetic generator."""
    name = osp.basename(ann_file).lower()
    root = data_root or osp.dirname(ann_file)
    for dataset in PREPARED:
        if name.startswith(dataset):
            return (f'python tools/data/{dataset}/prepare.py --root {root} '
                    f'--out {osp.dirname(ann_file)}')
    return (f'python tools/data/synthetic/generate.py --out {root}  (or `make demo`, which '
            'writes data/synthetic_base and data/synthetic_indep_like)')


def missing_annotations(cfg: MutableMapping, splits: Sequence[str] = ('train', 'val', 'test')
                        ) -> List[Tuple[str, str, str]]:
    """``(split, file, data_root)`` for each split's annotation file that does not exist."""
    missing, seen = [], set()
    for split in splits:
        loader = cfg.get(f'{split}_dataloader')
        if not isinstance(loader, MutableMapping) or not loader.get('dataset'):
            continue
        path = annotation_path(loader['dataset'])
        if path and path not in seen and not osp.isfile(path):
            missing.append((split, path, _leaf(loader['dataset']).get('data_root') or ''))
        seen.add(path)
    return missing


def missing_data_message(cfg: MutableMapping, splits: Sequence[str] = ('train', 'val', 'test')
                         ) -> Optional[str]:
    """One paragraph naming the missing annotation files, the command and the docs; None
    when every file is there."""
    missing = missing_annotations(cfg, splits)
    if not missing:
        return None
    config = getattr(cfg, 'filename', None) or 'the config'
    files = ', '.join(f'{path} ({split})' for split, path, _ in missing)
    _, first, root = missing[0]
    return (f'error: {config} reads annotation files that do not exist: {files}. '
            f'Prepare the dataset first: {prepare_command(first, root)}; the steps '
            f'(download, convert, check) are in {DOCS}. Data somewhere else: '
            '--cfg-options data_root=DIR.')
