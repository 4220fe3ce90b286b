"""Turn another codebase's clip lists into our annotation files (``tools/data/import_list.py``).

Why: those lists carry face folders only, with their authors' absolute
paths and their own label orders. Here every line is reduced to its clip
key, its label to a class word, and the clip's face folder and whole-scene
clip are looked up in the official layout under ``root``, exactly as the
converters do (same :class:`OfficialLayout`, same record writer).

Before anything is resolved, each list must have the exact shape of its
``list_format`` (:func:`.list_formats.check_list_shape`) and its lines must
not point at another dataset (:func:`.dataset_guard.dataset_mismatch`);
outputs are written only when the whole run succeeded.

Exit codes: 0 done; 1 with ``strict`` when a line was not written or a clip
lacks its face folder; 2 fatal (nothing written): bad root, unreadable list,
a list of another format or dataset, two lists mapping to one output file,
or a list giving no clip.
"""
import os.path as osp
import re
from collections import OrderedDict
from typing import Callable, Dict, Iterable, Optional, Sequence

from ..layouts import build_layout
from ..layouts.base import LayoutError
from ..layouts.records import NOT_WRITTEN, ConversionReport, no_progress, resolve_entries
from ..layouts.run import RunResult, commit_outputs, failed, report_file
from .dataset_guard import dataset_evidence, dataset_mismatch, unproven_dataset
from .list_formats import ListFormatError, read_rows, rows_to_entries

_FOLD = re.compile(r'(?:set|split|fold)[_-]?0*(\d+)', re.IGNORECASE)
_PHASE = re.compile(r'(train|test|val)', re.IGNORECASE)


def output_name(dataset: str, list_path: str) -> str:
    """The converter-style output name for a list, e.g. ``DFEW_set_1_train.txt`` ->
    ``dfew_set_1_train.jsonl``; MAE-DFER's ``split01/train.csv`` -> ``dfew_set_1_train.jsonl``.

    Falls back to ``<dataset>_<list stem>.jsonl`` when fold or phase cannot be read.
    """
    base = osp.splitext(osp.basename(list_path))[0]
    parent = osp.basename(osp.dirname(osp.abspath(list_path)))
    phase = _PHASE.search(base)
    fold = _FOLD.search(base) or _FOLD.search(parent)
    if phase is None:
        return f'{dataset}_{re.sub(r"[^0-9a-zA-Z_]+", "_", base).lower()}.jsonl'
    if dataset == 'ferv39k' or fold is None:
        return f'{dataset}_{phase.group(1).lower()}.jsonl'
    return f'{dataset}_set_{int(fold.group(1))}_{phase.group(1).lower()}.jsonl'


def output_paths(lists: Sequence[str], dataset: str, out: str) -> Dict[str, str]:
    """List -> output file; ``out`` is a folder, or a ``.jsonl`` file for a single list.

    Raises:
        ListFormatError: when two lists would be written to the same file.
    """
    if len(lists) == 1 and out.endswith('.jsonl'):
        return OrderedDict([(lists[0], out)])
    outputs: Dict[str, str] = OrderedDict()
    owner: Dict[str, str] = {}
    for src in lists:
        dst = osp.join(out, output_name(dataset, src))
        if dst in owner:
            raise ListFormatError(f'{src} and {owner[dst]} would both be written to {dst}; '
                                  'import them one at a time with --out FILE.jsonl')
        owner[dst] = src
        outputs[src] = dst
    return outputs


def import_lists(list_format: str, lists: Sequence[str], dataset: str, root: str, out: str,
                 face_dir: Optional[str] = None, scene_dir: Optional[str] = None,
                 verify_videos: bool = False, strict: bool = False,
                 progress: Callable[[Iterable, int, str], Iterable] = no_progress,
                 confirm_dataset: bool = False) -> RunResult:
    """Import every list of ``lists`` (``list_format``, one ``dataset``) found under ``root``.

    The report counts per input list, keyed by the list's path (MAE-DFER's
    five folds are all called ``train.csv``). A list that shows nothing of its dataset
    (:func:`.dataset_guard.dataset_evidence`) is refused unless ``confirm_dataset``;
    ``result.established`` says, per list, how its dataset was established.
    """
    report = ConversionReport()
    try:
        outputs = output_paths(lists, dataset, out)
        layout = build_layout(dataset, root, face_dir=face_dir, scene_dir=scene_dir)
    except (ListFormatError, LayoutError) as err:
        return failed(report, str(err))
    for path, message in layout.duplicate_messages():
        report.warn(path, message)
    pending = OrderedDict()
    established = OrderedDict()
    try:
        for src, dst in outputs.items():
            header, rows = read_rows(src, list_format, src, report)
            mismatch = dataset_mismatch(src, dataset, list_format, header, rows)
            if mismatch is not None:
                raise ListFormatError(mismatch)
            evidence = dataset_evidence(src, dataset, list_format, header, rows)
            if evidence is None and not confirm_dataset:
                raise ListFormatError(unproven_dataset(src, dataset, list_format))
            established[src] = evidence or 'confirmed by --confirm-dataset (the list shows none)'
            entries = rows_to_entries(src, rows, list_format, dataset, src, report)
            pending[dst] = resolve_entries(layout, src, entries, report,
                                           check_frames=list_format == 'dfer-clip',
                                           verify_scene=verify_videos, progress=progress)
    except ListFormatError as err:
        return failed(report, str(err), layout.describe())
    strict_failure = None
    if strict and (report.has_missing() or any(
            c[k] for c in report.counts.values() for k in NOT_WRITTEN)):
        strict_failure = 'strict: some lines were not written or clips lack face folders'
    result = commit_outputs(pending, report, report_file(out, f'{dataset}_import_report.txt'),
                            layout.describe(), strict_failure)
    result.established = established
    written = sum(result.outputs.values())
    read = sum(c['lines read'] for c in report.counts.values())
    if result.outputs and written < read / 2:
        result.warnings.append(
            f'only {written} of {read} lines became clips: is {root} the {dataset} root '
            f'and --format {list_format} the right format?')
    return result
