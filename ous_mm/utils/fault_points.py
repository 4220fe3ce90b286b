"""Named points where a test makes this process die as ``kill -9`` would, deterministically.

Why: crash safety (atomic checkpoint writes, the best-checkpoint swap, resume)
can only be tested by killing a run at the moment that matters; a test that
sleeps and then kills is flaky. With ``OUS_FAULT_POINT=<name>@<n>`` (e.g.
``checkpoint_write@3``) the process sends itself SIGKILL the n-th time it
reaches the point ``name``; unset (always, outside tests) every point is a no-op.

Two optional variables narrow and widen it, for tools that start tools:
``OUS_FAULT_MATCH=<text>`` arms the point only in processes whose command line
contains the text (e.g. ``/fold3/``: one fold's training among several), and
``OUS_FAULT_SCOPE=group`` kills the whole process group, parent tool included, as a
scheduler's pre-emption or ``kill -9 -PGID`` does.

Points: ``train_iter`` (after a training iteration), ``checkpoint_write``
(half of a checkpoint written to its temporary file), ``checkpoint_saved`` (an
epoch checkpoint and ``last_checkpoint`` complete, before the epoch's validation or
after a re-save), ``best_swap`` (the new
best checkpoint and the epoch checkpoint naming it complete, the old best not
yet removed).
"""
import os
import signal
import sys
from collections import Counter

ENV = 'OUS_FAULT_POINT'
MATCH_ENV = 'OUS_FAULT_MATCH'
SCOPE_ENV = 'OUS_FAULT_SCOPE'
_hits: Counter = Counter()


def fault_point(name: str) -> None:
    """Die here (SIGKILL, no cleanup) if ``OUS_FAULT_POINT`` names this point and count."""
    spec = os.environ.get(ENV)
    if not spec:
        return
    target, _, count = spec.partition('@')
    if target != name:
        return
    match = os.environ.get(MATCH_ENV)
    if match and match not in ' '.join(sys.argv):
        return
    _hits[name] += 1
    if _hits[name] == int(count or 1):
        sig = getattr(signal, 'SIGKILL', signal.SIGTERM)
        if os.environ.get(SCOPE_ENV) == 'group' and hasattr(os, 'killpg'):
            os.killpg(os.getpgid(0), sig)
        os.kill(os.getpid(), sig)
