"""Is this list really a list of ``--dataset``? Read from its lines, not its file name.

Why: DFEW and MAFW both number clips ``00001...``, so a MAFW list imported
with ``--dataset dfew`` resolves to real DFEW clips and writes MAFW labels
onto them, with exit 0. The lines tell: paths name their dataset
(``.../MAFW/data/frames/00025``), label ids run past the class count
(MAFW has 11 classes, DFEW 7), ids run past the clip count, FERV39k paths
carry ``Scene/Class/id``, and S2D's csv header differs per dataset.

A list can also carry nothing either way (a few DFEW lines with ids <= 10045 and
labels 0..6 fit MAFW as well): :func:`dataset_evidence` says what in the list
shows its dataset, and without any the import needs the user's explicit word.
"""
import os.path as osp
import re
from typing import List, Optional, Sequence

from ..class_sets import canonical_class_word, class_names
from ..clip_keys import DATASETS, try_clip_key
from .list_formats import ListRow, label_ids

#: Official clip counts: DFEW and MAFW number their clips 1..N.
MAX_CLIP_ID = {'dfew': 16372, 'mafw': 10045}
#: S2D's csv headers (docs/data.md): one per dataset.
S2D_HEADERS = {'video_name,label': 'dfew', 'video_name,labels': 'mafw', 'path,id': 'ferv39k'}
_TOKENS = re.compile(r'[^0-9a-z]+')


def _names(text: str) -> List[str]:
    """Datasets named by a path or file name (``DFEW_Frame_Face`` -> dfew, ``FERV39K`` -> ferv39k)."""
    tokens = set(_TOKENS.split(text.lower()))
    return [d for d in DATASETS if d in tokens]


def _many(count: int, total: int) -> bool:
    """Evidence strong enough to stop a run: two lines and at least 5 % of them.
    (One odd line is reported per line instead, as a typo would be.)"""
    return count >= 2 and count * 20 >= total


def _from_file_name(path: str, dataset: str) -> Optional[str]:
    other = [d for d in _names(osp.basename(path)) if d != dataset]
    if other and dataset not in _names(osp.basename(path)):
        return f'its file name says {other[0].upper()}'
    return None


def _from_header(header: Optional[str], dataset: str, list_format: str) -> Optional[str]:
    if list_format != 's2d' or header is None:
        return None
    owner = S2D_HEADERS.get(re.sub(r'\s+', '', header.lower()))
    if owner is not None and owner != dataset:
        return f'its header {header!r} is the one of S2D\'s {owner.upper()} lists'
    return None


def _from_paths(rows: Sequence[ListRow], dataset: str) -> Optional[str]:
    named = {d: [r for r in rows if d in _names(r.path)] for d in DATASETS}
    other = max((d for d in DATASETS if d != dataset), key=lambda d: len(named[d]))
    if named[other] and len(named[other]) > len(named[dataset]):
        first = named[other][0]
        return (f'{len(named[other])} of {len(rows)} paths name {other.upper()} '
                f'(line {first.line}: {first.path})')
    if dataset != 'ferv39k':
        ferv = [r for r in rows if try_clip_key('ferv39k', r.path) is not None]
        if ferv and len(ferv) * 2 > len(rows):
            return f'its paths are FERV39k Scene/Class/id paths (line {ferv[0].line}: {ferv[0].path})'
    return None


def _from_labels(rows: Sequence[ListRow], dataset: str) -> Optional[str]:
    ids = label_ids(rows)
    if not ids:
        return None
    n = len(class_names(dataset))
    numeric = [r for r in rows if r.label.lstrip('-').isdigit()]
    beyond = [r for r in numeric if not 0 <= int(r.label) < n]
    if len(ids) <= n and not _many(len(beyond), len(numeric)):
        return None
    top = max(ids)
    if min(ids) == 1 and top == n:
        hint = f'ids 1..{n} are 1-based: the official {dataset.upper()} split file? ' \
               f'convert it with tools/data/{dataset}/prepare.py'
    else:
        fits = [d for d in DATASETS if d != dataset and top < len(class_names(d))]
        hint = f'a {fits[0].upper()} list?' if fits else 'not a list of this dataset?'
    return (f'its labels use {len(ids)} distinct ids up to {top} (line {ids[top]}), '
            f'but {dataset.upper()} has {n} classes (ids 0..{n - 1}): {hint}')


def _from_clip_ids(rows: Sequence[ListRow], dataset: str) -> Optional[str]:
    top = MAX_CLIP_ID.get(dataset)
    if top is None:
        return None
    keys = [(r, try_clip_key(dataset, r.path)) for r in rows]
    beyond = [(r, k) for r, k in keys if k is not None and int(k) > top]
    if not _many(len(beyond), len(rows)):
        return None
    first = beyond[0][0]
    return (f'{len(beyond)} clip ids exceed {dataset.upper()}\'s {top} clips '
            f'(line {first.line}: {first.path})')


def dataset_mismatch(path: str, dataset: str, list_format: str, header: Optional[str],
                     rows: Sequence[ListRow]) -> Optional[str]:
    """Why ``path`` is not a ``dataset`` list (the first piece of evidence found), or None."""
    for reason in (_from_file_name(path, dataset), _from_header(header, dataset, list_format),
                   _from_paths(rows, dataset), _from_labels(rows, dataset),
                   _from_clip_ids(rows, dataset)):
        if reason is not None:
            return (f'{path} does not look like a {dataset.upper()} list: {reason}. '
                    f'Importing it with --dataset {dataset} would put its labels on the '
                    f'{dataset.upper()} clips with the same ids; check --dataset.')
    return None


def dataset_evidence(path: str, dataset: str, list_format: str, header: Optional[str],
                     rows: Sequence[ListRow]) -> Optional[str]:
    """What in the list shows it is a ``dataset`` list (for the summary), or None when
    nothing does: its file name or most paths name it, its S2D header is that dataset's,
    its FERV39k paths carry Scene/Class, its label ids or clip ids exist only in
    ``dataset``, or its label words are ``dataset``'s own spelling."""
    name = dataset.upper()
    if dataset in _names(osp.basename(path)):
        return f'its file name names {name}'
    if list_format == 's2d' and header is not None and \
            S2D_HEADERS.get(re.sub(r'\s+', '', header.lower())) == dataset:
        return f'its header {header!r} is the one of S2D\'s {name} lists'
    if not rows:
        return None
    named = [r for r in rows if dataset in _names(r.path)]
    if len(named) * 2 > len(rows):
        return f'{len(named)} of {len(rows)} paths name {name}'
    if dataset == 'ferv39k':
        ferv = [r for r in rows if try_clip_key('ferv39k', r.path) is not None]
        if len(ferv) * 2 > len(rows):
            return 'its paths are FERV39k Scene/Class/id paths'
    fewest = min(len(class_names(d)) for d in DATASETS if d != dataset)
    numeric = [r for r in rows if r.label.lstrip('-').isdigit()]
    beyond = [r for r in numeric if fewest <= int(r.label) < len(class_names(dataset))]
    if _many(len(beyond), len(numeric)):
        return (f'{len(beyond)} labels use ids >= {fewest} (line {beyond[0].line}), which only '
                f'{name}\'s {len(class_names(dataset))} classes have')
    others = [d for d in MAX_CLIP_ID if d != dataset]
    if dataset in MAX_CLIP_ID and others:
        top = max(MAX_CLIP_ID[d] for d in others)
        keys = [(r, try_clip_key(dataset, r.path)) for r in rows]
        beyond_ids = [r for r, k in keys if k is not None and top < int(k) <= MAX_CLIP_ID[dataset]]
        if _many(len(beyond_ids), len(rows)):
            return (f'{len(beyond_ids)} clip ids exceed the {top} clips of '
                    f'{"/".join(d.upper() for d in others)} (line {beyond_ids[0].line})')
    words = [r for r in rows if not r.label.lstrip('-').isdigit()]
    own = [r for r in words if canonical_class_word(dataset, r.label) and not any(
        canonical_class_word(d, r.label) for d in DATASETS if d != dataset)]
    if own and all(canonical_class_word(dataset, r.label) for r in words):
        return f'its label words are {name}\'s own (line {own[0].line}: {own[0].label!r})'
    return None


def unproven_dataset(path: str, dataset: str, list_format: str) -> str:
    """The refusal of a list that shows no dataset, with the flag that confirms it."""
    name = dataset.upper()
    return (f'{path}: nothing in this list shows that it is a {name} list (no dataset in its '
            f'file name or paths, and its label ids, clip ids and label words fit another '
            f'dataset too); its labels would be read as {name} classes in the {list_format} '
            f'order. If it is a {name} list, import it again with --confirm-dataset.')
