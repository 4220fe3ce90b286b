"""CAER and CAER-S (Lee et al., ICCV 2019): splits and labels are FOLDERS, not lists.

CAER: ``<root>/[CAER/...]/{train,validation,test}/<Class>/<NNNN>.avi`` (13,201 TV-show
clips); CAER-S: ``<root>/[CAER-S/...]/{train,test}/<Class>/<NNNN>.png`` (~70k stills
from the same shows). The class is the folder (official words: Anger, Disgust, Fear,
Happy, Neutral, Sad, Surprise); the file number restarts in every class folder, so a
clip is keyed ``<split folder>/<Class>/<stem>``. Neither set ships face crops: records
get ``faces: null`` and the pipeline's face detector (or ``tools/detect_faces.py``
boxes) finds the face, as CAER-Net does.

Traps handled (each tested, each counted in the report; docs/data.md): an extra
``CAER/CAER/`` level (archives unpack so); ``__MACOSX/`` copies and ``._0001.avi``
resource forks from archives made on macOS, ``.DS_Store`` / ``Thumbs.db``; class
folders in another case (``happy``) or spelled ``Angry`` (as in public CAER-S counts);
upper-case extensions; 0-byte files (interrupted downloads); a folder that is no class.
"""
import os
import os.path as osp
from collections import Counter, OrderedDict
from typing import Dict, List, Optional, Tuple

from ..class_sets import CAER_CLASSES
from .base import find_dirs, to_posix_rel
from .records import (MALFORMED, UNKNOWN_LABEL, UNREADABLE_SCENE, ConversionReport,
                      no_progress, scene_problem)
from .run import RunResult, commit_outputs, failed

VIDEO_EXT = ('.avi', '.mp4')
IMAGE_EXT = ('.png', '.jpg', '.jpeg')
#: dataset -> (official split folder -> our split name, media extensions)
FOLDER_DATASETS: Dict[str, Tuple[Dict[str, str], Tuple[str, ...]]] = {
    'caer': (OrderedDict(train='train', validation='val', test='test'), VIDEO_EXT),
    'caer_s': (OrderedDict(train='train', test='test'), IMAGE_EXT),
}
#: other spellings of a class folder met in public copies -> the official word
CLASS_ALIASES = {'angry': 'Anger'}
#: archive debris, never a clip
JUNK_FILES = ('.ds_store', 'thumbs.db', 'desktop.ini')
JUNK_DIRS = ('__macosx',)


def class_word(folder: str) -> Optional[str]:
    """The official class word a class folder stands for, or None (any case; aliases)."""
    low = folder.strip().lower()
    for word in CAER_CLASSES:
        if word.lower() == low:
            return word
    return CLASS_ALIASES.get(low)


def find_split_dirs(root: str, dataset: str, report: ConversionReport) -> Dict[str, str]:
    """Official split folder name -> the folder, found at any depth (shallowest wins).

    A split folder must hold at least one class folder, so a ``test`` folder of
    something else is not taken; ``__MACOSX`` copies are never searched.
    """
    splits, _ = FOLDER_DATASETS[dataset]

    def is_split(name: str, path: str) -> bool:
        if name.lower() not in splits or any(
                part.lower() in JUNK_DIRS for part in path.replace(os.sep, '/').split('/')):
            return False
        with os.scandir(path) as it:
            return any(e.is_dir() and class_word(e.name) for e in it)

    found: Dict[str, str] = OrderedDict()
    for path in find_dirs(root, is_split, max_depth=4):
        name = osp.basename(path).lower()
        if name in found:
            report.warn(path, f'a second {name}/ split folder; the one at '
                        f'{to_posix_rel(found[name], root)} is used')
            continue
        found[name] = path
    return OrderedDict((k, found[k]) for k in splits if k in found)


def _media_files(folder: str, exts: Tuple[str, ...], report: ConversionReport) -> List[str]:
    """Media files of a class folder, archive debris left out (and counted)."""
    names, junk = [], Counter()
    for name in sorted(os.listdir(folder)):
        path = osp.join(folder, name)
        if name.startswith('._'):
            junk['macOS resource fork (._*)'] += 1
        elif name.lower() in JUNK_FILES or not osp.isfile(path):
            junk['not a media file'] += 1
        elif osp.splitext(name)[1].lower() in exts:
            names.append(path)
        else:
            junk[f'not {"/".join(exts)}'] += 1
    for what, n in junk.items():
        report.warn(folder, f'{n} file(s) ignored: {what}')
    return names


def convert_class_folders(dataset: str, root: str, out_dir: Optional[str] = None,
                          verify_videos: bool = False, strict: bool = False,
                          progress=no_progress) -> RunResult:
    """Write ``<out_dir>/<dataset>_<split>.jsonl`` (train / val / test) for CAER or CAER-S.

    Every media file under a split's class folders counts as one line read; it is
    written, or counted under the reason it is not (unknown class folder, unusable
    name, 0-byte or undecodable file). ``verify_videos`` decodes each file once.
    """
    out_dir = out_dir or osp.join(root, 'annotations')
    report = ConversionReport()
    if not osp.isdir(root):
        return failed(report, f'dataset root {root!r} is not a directory')
    splits, exts = FOLDER_DATASETS[dataset]
    try:
        found = find_split_dirs(osp.abspath(root), dataset, report)
    except OSError as err:
        return failed(report, f'{root}: cannot be read ({err})')
    if not found:
        return failed(report, f'no {dataset.upper()} split folder found under {root}: '
                      'expected ' + ', '.join(f'{s}/<Class>/' for s in splits)
                      + ' (class folders ' + ', '.join(CAER_CLASSES) + ')')
    for official in splits:
        if official not in found:
            report.warn(root, f'{dataset.upper()} split folder {official}/ not found; skipped')
    pending, lines = OrderedDict(), []
    for official, split_dir in found.items():
        split = splits[official]
        counts = report.split(split)
        per_class: Counter = Counter()
        records: List[dict] = []
        for entry in sorted(os.listdir(split_dir)):
            folder = osp.join(split_dir, entry)
            if not osp.isdir(folder) or entry.lower() in JUNK_DIRS:
                continue
            word = class_word(entry)
            files = _media_files(folder, exts, report)
            if word is not None and entry != word:
                report.warn(folder, f'class folder spelled {entry!r}: read as {word}')
            for path in progress(files, len(files), f'{split} {entry}'):
                counts['lines read'] += 1
                rel = to_posix_rel(path, root)
                stem = osp.splitext(osp.basename(path))[0].strip()
                if word is None:
                    report.add(split, UNKNOWN_LABEL, rel, None,
                               f'folder {entry!r} is not a {dataset.upper()} class '
                               f'({", ".join(CAER_CLASSES)})')
                    continue
                if not stem or any(c in stem for c in '/\\'):
                    report.add(split, MALFORMED, rel, None, f'unusable file name {stem!r}')
                    continue
                problem = scene_problem(path, verify_videos)
                if problem is not None:
                    report.add(split, UNREADABLE_SCENE, rel, None, problem)
                    continue
                records.append(OrderedDict(clip_id=f'{official}/{word}/{stem}', scene=rel,
                                           faces=None, label=word, boxes=None))
                per_class[word] += 1
                counts['written'] += 1
        lines.append(f'{official}/ ({to_posix_rel(split_dir, root)}) -> {split}: '
                     f'{len(records)} clips (' + ', '.join(
                         f'{w} {per_class[w]}' for w in CAER_CLASSES) + ')')
        pending[osp.join(out_dir, f'{dataset}_{split}.jsonl')] = records
    strict_failure = 'strict: some files were not written' if strict and any(
        c['written'] != c['lines read'] for c in report.counts.values()) else None
    return commit_outputs(pending, report, osp.join(out_dir, f'{dataset}_prepare_report.txt'),
                          '\n'.join(lines), strict_failure)
