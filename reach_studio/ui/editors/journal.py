"""Writes an editor's operations to the shell's draft store without ever blocking the GUI thread.

Each operation is queued and flushed by a short timer (≤ 200 ms) on the single document worker, so a
kill loses at most a fraction of a second of edits while typing never waits on SQLite. After many
operations a fresh snapshot replaces them, so restoring a draft never replays a huge log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QTimer

from reach_studio.domain.edit_ops import Op
from reach_studio.workers.background import document_executor, run_in_background

log = logging.getLogger(__name__)

FLUSH_MS = 200
SNAPSHOT_EVERY = 500


class DraftJournal(QObject):
    """Journal of one task: `record(op)` per edit, `snapshot()` at open, `flush()` before closing."""

    def __init__(
        self,
        drafts,
        task_key: str,
        kind: str,
        label: str,
        snapshot_payload: Callable[[], dict[str, Any]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.drafts = drafts
        self.task_key = task_key
        self.kind = kind
        self.label = label
        self._payload = snapshot_payload
        self._pending: list[dict[str, Any]] = []
        self._since_snapshot = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FLUSH_MS)
        self._timer.timeout.connect(self._flush_async)
        self.failed: str | None = None  # last write error, shown by the editor

    def record(self, op: Op) -> None:
        if self.drafts is None:
            return
        self._pending.append(op.to_dict())
        self._since_snapshot += 1
        if self._since_snapshot >= SNAPSHOT_EVERY:
            self.snapshot()
        elif not self._timer.isActive():
            self._timer.start()

    def snapshot(self) -> None:
        """Store the full document now (in the background) and drop the queued ops it contains."""
        if self.drafts is None:
            return
        payload = self._payload()
        self._pending.clear()
        self._since_snapshot = 0
        drafts, key, kind, label = self.drafts, self.task_key, self.kind, self.label
        self._submit(lambda: drafts.save_snapshot(key, kind, payload, label=label))

    def _flush_async(self) -> None:
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        drafts, key = self.drafts, self.task_key

        def write() -> None:
            for op in batch:
                drafts.append_op(key, op)

        self._submit(write)

    def _submit(self, write: Callable[[], None]) -> None:
        run_in_background(
            lambda token, progress: write(), on_error=self._on_error, executor=document_executor()
        )

    def _on_error(self, exc: BaseException) -> None:
        log.error("draft journal of %s: %s", self.task_key, exc)
        if shiboken6.isValid(self):
            self.failed = str(exc)

    def flush(self) -> None:
        """Write everything queued and wait for it (before closing the editor)."""
        self._timer.stop()
        self._flush_async()
        document_executor().waitForDone(10_000)

    def discard(self) -> None:
        """Forget the draft (after a successful delivery)."""
        self._timer.stop()
        self._pending.clear()
        if self.drafts is not None:
            document_executor().waitForDone(10_000)
            self.drafts.discard(self.task_key)
