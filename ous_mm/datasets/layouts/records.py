"""From list entries to our JSON Lines annotation records, with an honest report.

Why shared: the official-layout converters and the list importer differ only
in how they read their input; resolving a clip on disk, deciding what is
written, and counting what was not, is the same code, so the two give the
same records for the same clips (tested).

A record (one line of ``*.jsonl``)::

    {"clip_id": "00001", "scene": "Clip/original/part_1/1.mp4",
     "faces": "Clip/clip_224x224/00001", "label": "Happy", "boxes": null,
     "num_frames": 70}

``scene``/``faces`` are relative to the dataset root; ``faces`` is null when
the clip has no (non-empty) face folder; ``num_frames`` is the number of face
frames on disk (absent when ``faces`` is null).
"""
import json
import os
import os.path as osp
import re
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from ..clip_keys import key_sort_value

# Issue kinds. NOT_WRITTEN kinds remove the line from the output; the others
# are written (with faces null or the on-disk frame count) and only reported.
MALFORMED = 'malformed line'
UNKNOWN_LABEL = 'label outside the class set'
MISSING_CLIP = 'clip missing on disk (no scene clip, no face folder)'
NO_SCENE = 'no scene clip (face folder only)'
DUPLICATE = 'clip listed twice in the same split'
UNREADABLE_SCENE = 'unreadable scene clip'
NO_FACES = 'no face folder (written with faces=null)'
EMPTY_FACES = 'empty face folder (written with faces=null)'
FRAME_COUNT = 'frame count on disk differs from the list'
LABEL_MISMATCH = 'split label differs from the class folder (split label kept)'
PATH_LABEL_MISMATCH = 'list label contradicts the class folder of its path'
NOT_WRITTEN = (MALFORMED, UNKNOWN_LABEL, MISSING_CLIP, NO_SCENE, UNREADABLE_SCENE, DUPLICATE,
               PATH_LABEL_MISMATCH)
ALL_KINDS = NOT_WRITTEN + (NO_FACES, EMPTY_FACES, FRAME_COUNT, LABEL_MISMATCH)


@dataclass
class ListEntry:
    """One usable line of a split file or list: a clip key and its class word."""
    key: str
    label: str
    source: str  # file the line came from
    line: int  # 1-based line number in ``source``
    list_frames: Optional[int] = None  # frame count claimed by the list, if any


@dataclass
class Issue:
    kind: str
    source: str
    line: Optional[int]
    message: str

    def __str__(self) -> str:
        where = self.source if self.line is None else f'{self.source}:{self.line}'
        return f'{where}: {self.kind}: {self.message}'


class ConversionReport:
    """Counts per split and every problem met, with file name and line number.

    Invariant checked by :meth:`check_balance`: for each split,
    ``lines read == written + not written`` (header and blank lines are
    counted as skipped), so no line disappears unreported.
    """

    def __init__(self) -> None:
        self.issues: List[Issue] = []
        self.counts: Dict[str, Counter] = OrderedDict()
        #: the run was refused part-way (:func:`..run.failed`): lines read before the
        #: refusal are not accounted for, and that is no internal error
        self.refused = False

    def split(self, name: str) -> Counter:
        return self.counts.setdefault(name, Counter())

    def add(self, split: Optional[str], kind: str, source: str, line: Optional[int],
            message: str) -> None:
        self.issues.append(Issue(kind, source, line, message))
        if split is not None:
            self.split(split)[kind] += 1

    def warn(self, source: str, message: str) -> None:
        """A problem with a whole file (not a clip line); not counted per split."""
        self.issues.append(Issue('warning', source, None, message))

    def check_balance(self) -> List[str]:
        """Splits whose counts do not add up (should be empty; tested)."""
        bad = []
        for name, c in self.counts.items():
            out = c['written'] + c['skipped (header/blank)'] + sum(c[k] for k in NOT_WRITTEN)
            if out != c['lines read']:
                bad.append(f'{name}: read {c["lines read"]} != accounted {out}')
        return bad

    def has_missing(self) -> bool:
        return any(c[k] for c in self.counts.values()
                   for k in (MISSING_CLIP, NO_SCENE, UNREADABLE_SCENE, NO_FACES, EMPTY_FACES))

    def summary(self, max_issues_per_kind: int = 10) -> str:
        """Human-readable summary: a table of counts, then the first issues of each kind."""
        cols = ['lines read', 'written'] + [k for k in ALL_KINDS] + ['skipped (header/blank)']
        lines = ['', '=' * 72, 'Summary']
        for name, c in self.counts.items():
            parts = [f'{k}: {c[k]}' for k in cols if c[k] or k in ('lines read', 'written')]
            lines.append(f'  {name}: ' + '; '.join(parts))
        by_kind: Dict[str, List[Issue]] = OrderedDict()
        for issue in self.issues:
            by_kind.setdefault(issue.kind, []).append(issue)
        for kind, issues in by_kind.items():
            lines.append(f'-- {kind}: {len(issues)}')
            for issue in issues[:max_issues_per_kind]:
                lines.append(f'   {issue}')
            if len(issues) > max_issues_per_kind:
                lines.append(f'   ... {len(issues) - max_issues_per_kind} more in the report file')
        imbalance = self.check_balance()
        if imbalance and self.refused:
            lines.append('(refused part-way: the counts stop where the run stopped; '
                         'nothing was written)')
        elif imbalance:
            lines.append('INTERNAL ERROR, counts do not add up: ' + '; '.join(imbalance))
        lines.append('=' * 72)
        return '\n'.join(lines)

    def write(self, path: str) -> None:
        """All issues, one per line, and the summary table (for large datasets)."""
        lines = [f'{issue}' for issue in self.issues] + [self.summary(max_issues_per_kind=0)]
        write_text_atomic(path, '\n'.join(lines) + '\n')


def scene_problem(path: str, decode: bool) -> Optional[str]:
    """Why the scene source at ``path`` cannot be used, or None.

    Always catches 0-byte videos (interrupted downloads); with ``decode`` the
    source is opened and its first, middle and last frame decoded (slow on a
    full dataset).
    """
    if osp.isfile(path) and osp.getsize(path) == 0:
        return f'{path} is empty (0 bytes)'
    if decode:
        from ..video_io import verify_source  # decoders only when asked for
        try:
            verify_source(path)
        except Exception as err:  # noqa: BLE001 - any decoder failure is reported
            return str(err)
    return None


def no_progress(iterable: Iterable, total: int, desc: str) -> Iterable:
    """The default ``progress`` of the library: none (tools pass a tqdm bar)."""
    return iterable


def resolve_entries(layout, split: str, entries: Sequence[ListEntry],
                    report: ConversionReport, check_frames: bool = False,
                    verify_scene: bool = False,
                    progress: Callable[[Iterable, int, str], Iterable] = no_progress) -> List[dict]:
    """Find each entry's scene and faces in ``layout`` and build the records.

    Lines already counted as read by the caller; entries here are the parsed
    ones. A clip without a usable scene source is not written (OUS needs the
    scene); a clip without a usable face folder is written with ``faces=None``.
    Scene checks are cached on the layout, so a clip listed in several splits
    (DFEW's 5 folds) is decoded once with ``verify_scene``.
    """
    counts = report.split(split)
    searched = ', '.join(osp.relpath(p, layout.root) for p in layout.scene_root_dirs)
    records: List[dict] = []
    seen: Dict[str, ListEntry] = {}
    for e in progress(entries, len(entries), split):
        if e.key in seen:
            first = seen[e.key]
            clash = '' if first.label == e.label else \
                f' as {first.label} (this line says {e.label}; the first is kept)'
            report.add(split, DUPLICATE, e.source, e.line,
                       f'clip {e.key} already listed at line {first.line}{clash}')
            continue
        seen[e.key] = e
        scene = layout.scene(e.key)
        faces = layout.faces(e.key)
        if scene is None:
            kind = MISSING_CLIP if faces is None else NO_SCENE
            report.add(split, kind, e.source, e.line,
                       f'clip {e.key}: no scene video found under '
                       f'{searched or "(no scene folder found)"}')
            continue
        problem = layout.scene_problem(scene, verify_scene)
        if problem is not None:
            report.add(split, UNREADABLE_SCENE, e.source, e.line, f'clip {e.key}: {problem}')
            continue
        record = OrderedDict(clip_id=e.key, scene=scene, faces=None, label=e.label, boxes=None)
        if faces is None:
            report.add(split, NO_FACES, e.source, e.line, f'clip {e.key}: no face folder')
        elif faces.num_frames == 0:
            report.add(split, EMPTY_FACES, e.source, e.line,
                       f'clip {e.key}: face folder {faces.path} has no image frames')
        else:
            record['faces'] = faces.path
            record['num_frames'] = faces.num_frames
            if check_frames and e.list_frames is not None and e.list_frames != faces.num_frames:
                report.add(split, FRAME_COUNT, e.source, e.line,
                           f'clip {e.key}: list says {e.list_frames} frames, '
                           f'{faces.path} has {faces.num_frames} (record uses {faces.num_frames})')
        records.append(record)
        counts['written'] += 1
    return records


def write_jsonl(path: str, records: Sequence[dict], sort: bool = True) -> None:
    """Write ``records`` as JSON Lines (sorted by clip key for stable diffs)."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    if sort:
        records = sorted(records, key=lambda r: key_sort_value(r['clip_id']))
    write_text_atomic(path, ''.join(json.dumps(r, ensure_ascii=False) + '\n' for r in records))


def write_text_atomic(path: str, text: str) -> None:
    """Write ``path`` through a temporary file and a rename: a reader (or a crash)
    never sees a half-written file, and a failed write leaves the old one."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    tmp = f'{path}.tmp{os.getpid()}'
    try:
        with open(tmp, 'w', encoding='utf-8') as f:
            f.write(text)
        os.replace(tmp, path)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)


def read_jsonl(path: str) -> List[dict]:
    """Read a JSON Lines annotation file (used by tests and tools)."""
    with open(path, encoding='utf-8') as f:
        return [json.loads(line) for line in f if line.strip()]


#: Non-ASCII characters a GBK text (MAFW's Chinese captions) is made of: CJK ideographs,
#: CJK and full-width punctuation. Latin-1 bytes also decode as GBK, to other characters.
_CJK = re.compile(r'[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]')


def _not_utf8(path: str, data: bytes, err: UnicodeDecodeError) -> str:
    line = data.count(b'\n', 0, err.start) + 1
    column = err.start - (data.rfind(b'\n', 0, err.start) + 1) + 1
    return (f'{path}:{line}: not UTF-8 (byte 0x{data[err.start]:02x} at column {column}), '
            'and not Chinese GBK either; save the file as UTF-8')


def read_text_lines(path: str, report: ConversionReport) -> Optional[List[str]]:
    """Lines of a text file with CRLF handled: UTF-8 (BOM allowed), else GBK when it
    decodes to Chinese text (MAFW's captioned lists). Returns None (and reports why,
    with the line of the first undecodable byte) when the file is unreadable."""
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError as err:
        report.warn(path, f'cannot read: {err}')
        return None
    try:
        return data.decode('utf-8-sig').splitlines()
    except UnicodeDecodeError as err:
        utf8_error = err
    try:
        text = data.decode('gbk')
    except UnicodeDecodeError:
        text = None
    if text is not None and all(_CJK.match(ch) for ch in text if ord(ch) > 127):
        return text.splitlines()
    report.warn(path, _not_utf8(path, data, utf8_error))
    return None


def iter_list_lines(path: str, split: str, report: ConversionReport, error_cls: type,
                    what: str, comments: bool = False) -> Iterator[Tuple[int, str]]:
    """``(line number, stripped text)`` of every non-blank line of a split or list file.

    The one line loop of every split/list parser: each line counts as ``lines read``,
    blank lines (and ``#`` comments when ``comments``) as ``skipped (header/blank)``,
    so the summary adds up to the file; an unreadable file raises ``error_cls``
    naming it (``what`` says which file it was meant to be).
    """
    lines = read_text_lines(path, report)
    if lines is None:
        raise error_cls(f'{path}: unreadable {what}: {report.issues[-1].message}')
    counts = report.split(split)
    for no, raw in enumerate(lines, 1):
        text = raw.strip()
        counts['lines read'] += 1
        if not text or (comments and text.startswith('#')):
            counts['skipped (header/blank)'] += 1
            continue
        yield no, text
