"""The one place that runs work off the GUI thread and calls back on it.

Every widget uses `run_in_background` (network, disk, ffmpeg) and never creates threads of its own.
Callbacks are delivered on the GUI thread through a queued signal. Writes to a task's document go
through `document_executor()` — a single worker — so they are serialised, as Anki does.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from reach_studio.domain.progress import Cancelled, CancelToken

log = logging.getLogger(__name__)


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(object)
    progress = Signal(int, int)
    cancelled = Signal()


class Job(QRunnable):
    """A unit of background work. `fn(token, progress)` runs on a pool thread."""

    def __init__(self, fn: Callable[[CancelToken, Callable[[int, int], None]], Any]) -> None:
        super().__init__()
        self.fn = fn
        self.token = CancelToken()
        self.relay = _Relay()
        self.setAutoDelete(False)  # the Job object is kept by its caller until a callback fired

    def cancel(self) -> None:
        self.token.cancel()

    def run(self) -> None:
        try:
            result = self.fn(self.token, self.relay.progress.emit)
        except Cancelled:
            self.relay.cancelled.emit()
        except BaseException as exc:  # noqa: BLE001 - reported to the GUI, never lost in a thread
            log.debug("background job failed:\n%s", traceback.format_exc())
            self.relay.failed.emit(exc)
        else:
            self.relay.done.emit(result)


_live_jobs: set[Job] = set()
_pool: QThreadPool | None = None
_document_pool: QThreadPool | None = None
_inline = 0


@contextmanager
def inline_jobs() -> Iterator[None]:
    """Tests: run every job at once on the calling thread, its callbacks before `run_in_background` returns.

    A widget's whole flow then runs without a pool, so a test asserts its outcome straight away
    instead of waiting for threads; the callbacks and their order are the same as with the pool.
    """
    global _inline
    _inline += 1
    try:
        yield
    finally:
        _inline -= 1


def pool() -> QThreadPool:
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(6)
    return _pool


def document_executor() -> QThreadPool:
    """A single-thread pool: all writes of edited documents, in order."""
    global _document_pool
    if _document_pool is None:
        _document_pool = QThreadPool()
        _document_pool.setMaxThreadCount(1)
    return _document_pool


def run_in_background(
    fn: Callable[[CancelToken, Callable[[int, int], None]], Any],
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    on_cancelled: Callable[[], None] | None = None,
    *,
    executor: QThreadPool | None = None,
) -> Job:
    """Run `fn(token, progress)` off the GUI thread; callbacks arrive on the GUI thread."""
    job = Job(fn)
    _live_jobs.add(job)

    def finish(callback, *args):
        _live_jobs.discard(job)
        if callback is not None:
            callback(*args)

    job.relay.done.connect(lambda result: finish(on_done, result))
    job.relay.failed.connect(lambda exc: finish(on_error or _log_error, exc))
    job.relay.cancelled.connect(lambda: finish(on_cancelled))
    if on_progress is not None:
        job.relay.progress.connect(on_progress)
    if _inline:
        job.run()  # the relay lives on this thread: its signals call the callbacks directly
    else:
        (executor or pool()).start(job)
    return job


def _log_error(exc: BaseException) -> None:
    log.error("background job failed: %s", exc)


def wait_for_all(timeout_ms: int = 30000) -> bool:
    """For shutdown and tests: wait until the pools are idle."""
    ok = pool().waitForDone(timeout_ms)
    return document_executor().waitForDone(timeout_ms) and ok
