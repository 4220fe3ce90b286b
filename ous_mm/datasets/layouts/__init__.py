"""Official dataset layouts (DFEW, FERV39k, MAFW): where scene clips and face
folders are, how the official split files read, and the shared record writer
used by ``tools/data/*/prepare.py`` and ``tools/data/import_list.py``."""
from .base import FaceFolder, LayoutError, OfficialLayout
from .dfew import DFEWLayout
from .ferv39k import FERV39kLayout
from .mafw import MAFWLayout
from .records import ConversionReport, ListEntry, read_jsonl, resolve_entries, write_jsonl
from .run import EXIT_FATAL, EXIT_OK, EXIT_STRICT, RunResult

LAYOUTS = {'dfew': DFEWLayout, 'ferv39k': FERV39kLayout, 'mafw': MAFWLayout}


def build_layout(dataset: str, root: str, **kwargs) -> OfficialLayout:
    """The :class:`OfficialLayout` of ``dataset`` indexed under ``root``."""
    try:
        cls = LAYOUTS[dataset.lower()]
    except KeyError:
        raise LayoutError(f'unknown dataset {dataset!r}; expected one of {sorted(LAYOUTS)}') from None
    return cls(root, **kwargs)


__all__ = ['LAYOUTS', 'build_layout', 'OfficialLayout', 'DFEWLayout', 'FERV39kLayout',
           'MAFWLayout', 'FaceFolder', 'LayoutError', 'ConversionReport', 'ListEntry',
           'resolve_entries', 'write_jsonl', 'read_jsonl', 'RunResult', 'EXIT_OK', 'EXIT_STRICT',
           'EXIT_FATAL']
