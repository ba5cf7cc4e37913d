"""One background delivery behind a modal, cancellable progress dialog, shared by every editor's Deliver.

The editors differ in what they check before delivering and in what they do once the task is READY;
how the run is shown and how it ends (READY, ERROR outcome, blocked by the engine, cancelled) is the
same everywhere, so it lives here once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QProgressDialog

from reach_studio.workers.background import Job, run_in_background

if TYPE_CHECKING:
    from reach_studio.ui.editors.base import EditorBase


class DeliveryRun(QObject):
    """Runs `work(token, progress) -> DeliveryOutcome` off the GUI thread for `editor`.

    The editor (`EditorBase`) gives `task`, `deliver_action`, `show_status` and `locked`.
    `on_ready(outcome)` runs on READY; `on_blocked(exc)` after an exception was reported;
    `on_end()` whenever the run is over, whatever the result.
    """

    def __init__(
        self,
        editor: EditorBase,
        label: str,
        work: Callable[..., Any],
        on_ready: Callable[[Any], None],
        on_blocked: Callable[[BaseException], None] | None = None,
        on_end: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(editor)
        self.editor = editor
        self.label = label
        self.work = work
        self.on_ready = on_ready
        self.on_blocked = on_blocked
        self.on_end = on_end
        self.dialog: QProgressDialog | None = None
        self.job: Job | None = None

    def start(self) -> Job:
        ed = self.editor
        self.dialog = QProgressDialog(self.label, "Cancel", 0, 0, ed)
        self.dialog.setWindowTitle(f"Deliver task {ed.task.id}")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(0)
        self.dialog.show()
        ed.deliver_action.setEnabled(False)
        ed.show_status("Delivering…")
        self.job = run_in_background(self.work, self._done, self._failed, self._progress, self._cancelled)
        self.dialog.canceled.connect(self.job.cancel)
        return self.job

    def _alive(self) -> bool:
        return shiboken6.isValid(self.editor)

    def _progress(self, done: int, total: int) -> None:
        if not self._alive() or self.dialog is None:
            return
        if total > 0:
            self.dialog.setRange(0, total)
            self.dialog.setValue(min(done, total))
        else:
            self.dialog.setRange(0, 0)

    def _finish(self) -> None:
        self.editor.deliver_action.setEnabled(not self.editor.locked)
        if self.dialog is not None:
            self.dialog.reset()
            self.dialog.hide()
            self.dialog.deleteLater()
            self.dialog = None
        if self.on_end is not None:
            self.on_end()

    def _done(self, outcome: Any) -> None:
        if not self._alive():
            return
        self._finish()
        if getattr(outcome, "ok", False):
            self.on_ready(outcome)
        else:
            self.editor.show_status(
                f"Delivery failed and the task was set to ERROR: {outcome.err_description}", error=True
            )

    def _failed(self, exc: BaseException) -> None:
        if not self._alive():
            return
        self._finish()
        prefix = getattr(exc, "ui_prefix", "Delivery blocked")  # "Delivery paused": resumable
        self.editor.show_status(f"{prefix}: {getattr(exc, 'message', None) or exc}", error=True)
        if self.on_blocked is not None:
            self.on_blocked(exc)

    def _cancelled(self) -> None:
        if self._alive():
            self._finish()
            self.editor.show_status("Delivery cancelled; nothing was marked READY", error=True)
