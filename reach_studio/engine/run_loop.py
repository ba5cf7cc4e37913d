"""How a headless service ends: one set of exit codes, and SIGTERM as a request to stop.

`sync`, `sync --live` and `sync --serve` are run by supervisors' scripts and service managers,
which read the exit code; all three must mean the same thing by it.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

EXIT_OK, EXIT_USAGE, EXIT_AUTH, EXIT_UNAVAILABLE, EXIT_STORE = 0, 2, 3, 4, 5


def exit_code_for(errors: list[Exception]) -> int:
    """0 when nothing failed; 3 when Kaltura refused the sign-in (fix the account); 4 otherwise (try later)."""
    from reach_studio.kaltura.connection import ReachError

    if not errors:
        return EXIT_OK
    if any(isinstance(e, ReachError) and e.auth_failure for e in errors):
        return EXIT_AUTH
    return EXIT_UNAVAILABLE


@contextmanager
def stop_on_sigterm(stop: threading.Event) -> Iterator[threading.Event]:
    """While inside, SIGTERM sets `stop` (the loop finishes its pass and exits 0); the old handler
    comes back afterwards. Only the main thread may install handlers: elsewhere (tests) nothing changes."""
    old = None
    if threading.current_thread() is threading.main_thread():
        old = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        yield stop
    finally:
        if old is not None:
            signal.signal(signal.SIGTERM, old)
