"""Engine parts: hooks and the runner that applies the config switches (the DDP wrapper
is an upstream fix in ``ous_mm.compat``)."""
from .hooks import *  # noqa: F401,F403
from .runner import OUSRunner

__all__ = ['OUSRunner']
