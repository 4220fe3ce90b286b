"""Finding scene clips and face folders in an unpacked official dataset.

Why an index: archives unpack with or without an extra folder level
(``clip_224x224/00001`` vs ``clip_224x224/clip_224x224_part_1/00001``), so
clip folders are found by walking the tree once and keying every folder or
video by its clip key, never by a hard-coded depth. The same index serves the
converters and the list importer, which is what makes their outputs agree.
"""
import os
import os.path as osp
import re
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from ..clip_keys import VIDEO_EXTENSIONS, try_clip_key

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp')


class LayoutError(RuntimeError):
    """A fatal problem with the dataset root (missing folders, no split files)."""


def to_posix_rel(path: str, root: str) -> str:
    """``path`` relative to ``root`` with ``/`` separators (what annotation files store)."""
    return osp.relpath(path, root).replace(os.sep, '/')


def find_dirs(root: str, match: Callable[[str, str], bool], max_depth: int = 4) -> List[str]:
    """Directories under ``root`` (root included) for which ``match(name, path)`` holds.

    Breadth-first, at most ``max_depth`` levels down; a matching folder is not
    searched further, nor is a folder named by digits (a clip's frame folder:
    skipping the ~16k of them keeps the search from listing every frame file).
    Sorted results keep runs reproducible.
    """
    found: List[str] = []
    queue = deque([(root, 0)])
    while queue:
        path, depth = queue.popleft()
        if match(osp.basename(osp.normpath(path)), path):
            found.append(path)
            continue
        if depth >= max_depth:
            continue
        try:
            with os.scandir(path) as it:
                subdirs = sorted(e.path for e in it
                                 if not e.name.isdigit() and e.is_dir(follow_symlinks=True))
        except OSError:
            continue
        queue.extend((p, depth + 1) for p in subdirs)
    return found


def find_dir_named(root: str, names: Iterable[str], max_depth: int = 4) -> List[str]:
    """Directories whose name is one of ``names`` (case-insensitive)."""
    wanted = {n.lower() for n in names}
    return find_dirs(root, lambda name, _: name.lower() in wanted, max_depth)


def count_images(folder: str) -> int:
    """Number of image frames directly inside ``folder`` (0 if unreadable)."""
    try:
        with os.scandir(folder) as it:
            return sum(1 for e in it if e.is_file()
                       and osp.splitext(e.name)[1].lower() in IMAGE_EXTENSIONS)
    except OSError:
        return 0


@dataclass
class ClipIndex:
    """Clip key -> path, built by one walk, with the duplicates it met."""
    paths: Dict[str, str] = field(default_factory=dict)
    duplicates: List[Tuple[str, str, str]] = field(default_factory=list)  # key, kept, ignored

    def add(self, key: str, path: str) -> None:
        if key in self.paths:
            self.duplicates.append((key, self.paths[key], path))
        else:
            self.paths[key] = path

    def __len__(self) -> int:
        return len(self.paths)


def index_videos(dataset: str, roots: Sequence[str], root: str) -> ClipIndex:
    """Every video file under ``roots`` whose path names a clip of ``dataset``.

    FERV39k keys need the ``Scene/Class`` parents, so the key is read from the
    path relative to ``root``; DFEW/MAFW keys from the file stem.
    """
    index = ClipIndex()
    for top in roots:
        for dirpath, dirnames, filenames in os.walk(top, followlinks=True):
            dirnames.sort()
            for name in sorted(filenames):
                if osp.splitext(name)[1].lower() not in VIDEO_EXTENSIONS:
                    continue
                path = osp.join(dirpath, name)
                key = try_clip_key(dataset, to_posix_rel(path, root))
                if key is not None:
                    index.add(key, path)
    return index


def index_frame_folders(dataset: str, roots: Sequence[str], root: str) -> ClipIndex:
    """Every folder under ``roots`` that is a clip's frame folder.

    A clip folder is a folder named by a numeric id (FERV39k: whose last three
    path parts form a key); the walk does not descend into it, so frame files
    are never listed here (they are counted later, only for clips asked for).
    """
    index = ClipIndex()
    for top in roots:
        for dirpath, dirnames, _ in os.walk(top, followlinks=True):
            dirnames.sort()
            keep = []
            for name in dirnames:
                path = osp.join(dirpath, name)
                key = try_clip_key(dataset, to_posix_rel(path, root)) if name.isdigit() else None
                if key is None:
                    keep.append(name)
                else:
                    index.add(key, path)
            dirnames[:] = keep
    return index


@dataclass
class FaceFolder:
    """A clip's face-frame folder (relative to the dataset root) and its frame count."""
    path: str
    num_frames: int


class OfficialLayout:
    """Scene sources and face folders of one unpacked dataset, by clip key.

    Subclasses say where to look (:meth:`scene_roots`, :meth:`face_roots`) and
    how to read the official split files (:meth:`read_splits`).

    Args:
        root (str): the dataset root; every path written is relative to it.
        face_dir (str, optional): use this folder (relative to ``root`` or
            absolute) for face folders instead of the official location, e.g.
            MAE-DFER's ``Clip/jpg_256`` or a re-extraction of your own.
        scene_dir (str, optional): likewise for the scene videos.
    """

    dataset: str = ''

    def __init__(self, root: str, face_dir: Optional[str] = None,
                 scene_dir: Optional[str] = None) -> None:
        if not osp.isdir(root):
            raise LayoutError(f'dataset root {root!r} is not a directory')
        self.root = osp.abspath(root)
        self.face_dir = self._resolve_override(face_dir, '--face-dir')
        self.scene_dir = self._resolve_override(scene_dir, '--scene-dir')
        scene_roots = [self.scene_dir] if self.scene_dir else self.scene_roots()
        face_roots = [self.face_dir] if self.face_dir else self.face_roots()
        self.scene_root_dirs = scene_roots
        self.face_root_dirs = face_roots
        self.scenes = index_videos(self.dataset, scene_roots, self.root)
        self.scene_frame_dirs = index_frame_folders(
            self.dataset, self.scene_frame_roots(), self.root) if not self.scene_dir else ClipIndex()
        self.faces_index = index_frame_folders(self.dataset, face_roots, self.root)
        self._frame_counts: Dict[str, int] = {}
        self._scene_problems: Dict[Tuple[str, bool], Optional[str]] = {}

    def _resolve_override(self, path: Optional[str], flag: str) -> Optional[str]:
        if path is None:
            return None
        full = path if osp.isabs(path) else osp.join(self.root, path)
        if not osp.isdir(full):
            raise LayoutError(f'{flag} {path!r} is not a directory (looked at {full})')
        return osp.abspath(full)

    # -- where to look (subclasses) -----------------------------------------
    def scene_roots(self) -> List[str]:
        raise NotImplementedError

    def scene_frame_roots(self) -> List[str]:
        """Folders of whole-scene frame folders, used when a clip has no video."""
        return []

    def face_roots(self) -> List[str]:
        raise NotImplementedError

    def read_splits(self, report) -> Dict[str, list]:
        """Official split name -> list of :class:`ListEntry` (subclasses)."""
        raise NotImplementedError

    # -- look-ups -----------------------------------------------------------
    def scene(self, key: str) -> Optional[str]:
        """The clip's whole-scene source relative to the root: video, else frame folder."""
        path = self.scenes.paths.get(key)
        if path is None:
            path = self.scene_frame_dirs.paths.get(key)
            if path is not None and count_images(path) == 0:
                path = None
        return None if path is None else to_posix_rel(path, self.root)

    def faces(self, key: str) -> Optional[FaceFolder]:
        """The clip's face folder (possibly with 0 frames), or None if there is none."""
        path = self.faces_index.paths.get(key)
        if path is None:
            return None
        if key not in self._frame_counts:
            self._frame_counts[key] = count_images(path)
        return FaceFolder(to_posix_rel(path, self.root), self._frame_counts[key])

    def scene_problem(self, scene: str, decode: bool) -> Optional[str]:
        """Why the scene source ``scene`` (relative to the root) is unusable, or None;
        checked once per clip however many splits list it."""
        from .records import scene_problem
        key = (scene, decode)
        if key not in self._scene_problems:
            self._scene_problems[key] = scene_problem(osp.join(self.root, scene), decode)
        return self._scene_problems[key]

    def duplicate_messages(self) -> List[Tuple[str, str]]:
        """``(path, message)`` for clips found twice. Two whole copies (e.g. both
        ``clip_224x224`` and MAE-DFER's ``jpg_256``) give one line, not one per clip."""
        out: List[Tuple[str, str]] = []
        for index, roots in ((self.scenes, self.scene_root_dirs),
                             (self.faces_index, self.face_root_dirs)):
            def top(path: str) -> str:
                owners = [r for r in roots if path.startswith(r.rstrip(os.sep) + os.sep)]
                return max(owners, key=len) if owners else osp.dirname(path)
            groups: Dict[Tuple[str, str], List[Tuple[str, str, str]]] = {}
            for key, kept, ignored in index.duplicates:
                groups.setdefault((top(kept), top(ignored)), []).append((key, kept, ignored))
            for (kept_root, ignored_root), dups in groups.items():
                if kept_root != ignored_root:
                    out.append((ignored_root, f'{len(dups)} clip(s) also found here; the copies '
                                f'in {to_posix_rel(kept_root, self.root)} are used'))
                else:
                    out.extend((ignored, f'clip {key} also found at {kept}; that one is used')
                               for key, kept, ignored in dups)
        return out

    def describe(self) -> str:
        """One line per searched location, for the summary (helps when nothing is found)."""
        rel = lambda ps: ', '.join(to_posix_rel(p, self.root) for p in ps) or '(none found)'  # noqa: E731
        lines = [f'scene videos under: {rel(self.scene_root_dirs)} -> {len(self.scenes)} clips']
        if self.scene_frame_dirs.paths:
            lines.append(f'scene frame folders -> {len(self.scene_frame_dirs)} clips')
        lines.append(f'face folders under: {rel(self.face_root_dirs)} -> {len(self.faces_index)} clips')
        return '\n'.join(lines)


def find_split_file(root: str, candidates: Sequence[str], max_depth: int = 4) -> Optional[str]:
    """First existing ``root/<anchor...>/<candidate>``: candidates are relative paths
    whose first part is searched for as a folder name at any depth."""
    for cand in candidates:
        parts = cand.split('/')
        for top in find_dir_named(root, [parts[0]], max_depth):
            path = osp.join(top, *parts[1:])
            if osp.isfile(path):
                return path
    return None


def is_header_like(text: str) -> bool:
    """A first line that names columns rather than a clip (letters, no digits-only field)."""
    fields = re.split(r'[\s,;]+', text.strip())
    return bool(fields) and not any(f.isdigit() for f in fields) and any(
        c.isalpha() for c in text)
