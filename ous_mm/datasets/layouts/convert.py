"""The official-layout converter behind ``tools/data/{dfew,ferv39k,mafw,caer,caer_s}/prepare.py``.

Why one function: the three datasets differ only in their layout class; the
checks, the report and the exit codes are the same. The tools parse the
command line and print the :class:`~.run.RunResult` this returns.

Exit codes: 0 done (missing clips are reported, not fatal); 1 with
``strict`` when any clip lacks its scene clip or face folder; 2 fatal: the
root or the split files cannot be found or read, a split file has 0-based
labels, or a split would be written without any clip (then nothing is written).
"""
import os.path as osp
from collections import OrderedDict
from typing import Callable, Iterable, Optional

from . import build_layout
from .base import LayoutError
from .caer import FOLDER_DATASETS, convert_class_folders
from .records import ConversionReport, no_progress, resolve_entries
from .run import RunResult, commit_outputs, failed


def convert_dataset(dataset: str, root: str, out_dir: Optional[str] = None,
                    face_dir: Optional[str] = None, scene_dir: Optional[str] = None,
                    verify_videos: bool = False, strict: bool = False,
                    progress: Callable[[Iterable, int, str], Iterable] = no_progress) -> RunResult:
    """Convert every official split of ``dataset`` under ``root`` into
    ``<out_dir>/<dataset>_<split>.jsonl`` (default ``out_dir``: ``root/annotations``).

    Args:
        face_dir, scene_dir: face folders / scene videos in a non-official place.
        verify_videos: decode every scene clip once (slow); undecodable ones are not written.
        strict: exit code 1 when a clip lacks its scene clip or face folder.
        progress: ``progress(iterable, total, description)`` wraps each split's clips.
    """
    if dataset in FOLDER_DATASETS:  # CAER, CAER-S: splits and labels are folders
        if face_dir or scene_dir:
            return failed(ConversionReport(), f'{dataset}: --face-dir / --scene-dir do not '
                          'apply (the set has no face crops; scenes are its class folders)')
        return convert_class_folders(dataset, root, out_dir, verify_videos=verify_videos,
                                     strict=strict, progress=progress)
    out_dir = out_dir or osp.join(root, 'annotations')
    report = ConversionReport()
    layout_text = ''
    try:
        layout = build_layout(dataset, root, face_dir=face_dir, scene_dir=scene_dir)
        layout_text = layout.describe()
        if not layout.scenes.paths and not layout.scene_frame_dirs.paths:
            raise LayoutError(f'no scene video found under {root}; the official scene '
                              'clips are needed for OUS (see docs/data.md)')
        splits = layout.read_splits(report)
    except LayoutError as err:
        return failed(report, str(err), layout_text)
    for path, message in layout.duplicate_messages():
        report.warn(path, message)
    pending = OrderedDict()
    for split, entries in splits.items():
        pending[osp.join(out_dir, f'{dataset}_{split}.jsonl')] = resolve_entries(
            layout, split, entries, report, verify_scene=verify_videos, progress=progress)
    strict_failure = 'strict: some clips lack a scene clip or a face folder' \
        if strict and report.has_missing() else None
    return commit_outputs(pending, report, osp.join(out_dir, f'{dataset}_prepare_report.txt'),
                          layout_text, strict_failure)
