"""Engine parts: hooks (the DDP wrapper is an upstream fix in ``ous_mm.compat``)."""
from .hooks import *  # noqa: F401,F403
