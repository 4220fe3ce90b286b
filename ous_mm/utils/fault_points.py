"""Named points where a test makes this process die as ``kill -9`` would, deterministically.

Why: crash safety (atomic checkpoint writes, the best-checkpoint swap, resume)
can only be tested by killing a run at the moment that matters; a test that
sleeps and then kills is flaky. With ``OUS_FAULT_POINT=<name>@<n>`` (e.g.
``checkpoint_write@3``) the process sends itself SIGKILL the n-th time it
reaches the point ``name``; unset (always, outside tests) every point is a no-op.

Points: ``train_iter`` (after a training iteration), ``checkpoint_write``
(half of a checkpoint written to its temporary file), ``checkpoint_saved`` (an
epoch checkpoint and ``last_checkpoint`` complete, before the epoch's validation or
after a re-save), ``best_swap`` (the new
best checkpoint and the epoch checkpoint naming it complete, the old best not
yet removed).
"""
import os
import signal
from collections import Counter

ENV = 'OUS_FAULT_POINT'
_hits: Counter = Counter()


def fault_point(name: str) -> None:
    """Die here (SIGKILL, no cleanup) if ``OUS_FAULT_POINT`` names this point and count."""
    spec = os.environ.get(ENV)
    if not spec:
        return
    target, _, count = spec.partition('@')
    if target != name:
        return
    _hits[name] += 1
    if _hits[name] == int(count or 1):
        os.kill(os.getpid(), getattr(signal, 'SIGKILL', signal.SIGTERM))
