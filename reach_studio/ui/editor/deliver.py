"""The Deliver button: validate, then hand the work to the delivery engine with a progress dialog.

Errors found by the validator block delivery and jump to the first offending cue; nothing is sent. The
engine (engine/delivery.py) plans, uploads and sets the task READY in the background; on READY the
editor's draft is discarded and `delivered` is emitted so the shell drops the task from "My tasks".
"""

from __future__ import annotations

import logging
import re

import shiboken6
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QProgressDialog

from reach_studio.ui.editor.cue_model import ERROR
from reach_studio.ui.editor.row_checks import full_check
from reach_studio.workers.background import run_in_background

log = logging.getLogger(__name__)

_CUE_RE = re.compile(r"\bcue (\d+)\b", re.IGNORECASE)


class DeliverFlow(QObject):
    def __init__(self, editor) -> None:
        super().__init__(editor)
        self.editor = editor
        self.dialog: QProgressDialog | None = None
        self.job = None

    def start(self) -> bool:
        """Returns False when delivery did not start (validation errors, nothing to deliver, offline)."""
        ed = self.editor
        if ed._delivery_job is not None:
            ed.show_status("A delivery is already running")
            return False
        items = ed.model.items
        if not items:
            ed.show_status("There is nothing to deliver yet", error=True)
            return False
        markers = full_check(items, ed.model._validator) if ed.model._validator else {}
        ed.model.set_markers(markers)
        ed._update_markers_view()
        errors = sorted(r for r, ms in markers.items() if any(m.severity == ERROR for m in ms))
        if errors:
            first = errors[0]
            message = next(m.message for m in markers[first] if m.severity == ERROR)
            ed.select(first)
            ed.show_status(f"Delivery blocked: {len(errors)} item(s) have errors. Item {first + 1}: {message}",
                           error=True)
            return False
        if ed.ctx.connection is None:
            ed.show_status("Not connected to Kaltura: cannot deliver", error=True)
            return False
        ed.flush_draft()
        product = ed.work_product()
        task = ed.task
        connection = ed.ctx.connection

        def run(token, progress):
            from reach_studio.engine.delivery import DeliveryService

            return DeliveryService(connection).deliver(task, product, cancel=token, progress=progress)

        self.dialog = QProgressDialog("Delivering to Kaltura…", "Cancel", 0, 0, ed)
        self.dialog.setWindowTitle(f"Deliver task {task.id}")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(0)
        self.dialog.show()
        ed.deliver_action.setEnabled(False)
        ed.show_status("Delivering…")
        self.job = run_in_background(run, self._done, self._failed, self._progress, self._cancelled)
        ed._delivery_job = self.job
        self.dialog.canceled.connect(self.job.cancel)
        return True

    def _progress(self, done: int, total: int) -> None:
        if not shiboken6.isValid(self.editor):
            return
        if self.dialog is not None:
            if total > 0:
                self.dialog.setRange(0, total)
                self.dialog.setValue(min(done, total))
            else:
                self.dialog.setRange(0, 0)

    def _finish(self) -> None:
        self.editor._delivery_job = None
        self.editor.deliver_action.setEnabled(True)
        if self.dialog is not None:
            self.dialog.reset()
            self.dialog.hide()
            self.dialog.deleteLater()
            self.dialog = None

    def _done(self, outcome) -> None:
        if not shiboken6.isValid(self.editor):
            return
        self._finish()
        ed = self.editor
        if getattr(outcome, "ok", False):
            ed.journal.discard()
            ed.lock_after_delivery()
            ed.show_status(f"Delivered: task {outcome.task_id} is READY (output {outcome.output_object_id})")
            ed.delivered.emit(outcome)
        else:
            ed.show_status(f"Delivery failed and the task was set to ERROR: {outcome.err_description}", error=True)

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self.editor):
            return
        self._finish()
        ed = self.editor
        problems = list(getattr(exc, "problems", []) or [])
        message = str(getattr(exc, "message", None) or exc)
        ed.show_status(f"Delivery blocked: {message}", error=True)
        match = _CUE_RE.search(problems[0] if problems else message)
        if match:
            ed.select(int(match.group(1)) - 1)

    def _cancelled(self) -> None:
        if not shiboken6.isValid(self.editor):
            return
        self._finish()
        self.editor.show_status("Delivery cancelled; nothing was marked READY", error=True)
