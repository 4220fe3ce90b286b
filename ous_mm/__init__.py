"""ous-mm: OUS (Overall Understanding of the Scene) for MMAction2.

``import ous_mm`` first applies the upstream fixes (:mod:`ous_mm.compat`), then
registers every OUS component into the ``mmaction`` scope registries. Configs
load it with ``custom_imports=dict(imports=['ous_mm'], allow_failed_imports=False)``.
"""
from . import compat  # noqa: F401  (must run before mmaction.models is imported)
from .version import __version__

from . import datasets, engine, evaluation, models  # noqa: F401,E402  (registration)

__all__ = ['__version__']
