"""Cancellation and progress reporting shared by every long job, so that workers stay Qt-free."""

from __future__ import annotations

import threading
from collections.abc import Callable

ProgressCallback = Callable[[int, int], None]
"""Called with (done, total); total is 0 when unknown."""


class Cancelled(Exception):
    """Raised inside a job when its CancelToken was cancelled."""


class CancelToken:
    """A thread-safe flag a job checks between steps; the GUI sets it when the user presses Cancel."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


def no_progress(done: int, total: int) -> None:
    """Default progress callback that ignores reports."""
