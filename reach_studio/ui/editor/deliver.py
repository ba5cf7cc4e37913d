"""The Deliver button: validate, then hand the work to the delivery engine with a progress dialog.

Errors found by the validator block delivery and jump to the first offending cue; nothing is sent. The
engine (engine/delivery.py) plans, uploads and sets the task READY in the background; on READY the
editor's draft is discarded and `delivered` is emitted so the shell drops the task from "My tasks".
"""

from __future__ import annotations

import logging
import re

from PySide6.QtCore import QObject

from reach_studio.ui.editor.cue_model import ERROR
from reach_studio.ui.editor.delivery_run import DeliveryRun
from reach_studio.ui.editor.row_checks import full_check

log = logging.getLogger(__name__)

_CUE_RE = re.compile(r"\bcue (\d+)\b", re.IGNORECASE)


class DeliverFlow(QObject):
    def __init__(self, editor) -> None:
        super().__init__(editor)
        self.editor = editor
        self.run: DeliveryRun | None = None
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

        self.run = DeliveryRun(ed, "Delivering to Kaltura…", run, self._ready, self._blocked, self._ended)
        self.job = ed._delivery_job = self.run.start()
        return True

    def _ended(self) -> None:
        self.editor._delivery_job = None

    def _ready(self, outcome) -> None:
        ed = self.editor
        ed.journal.discard()
        ed.lock_after_delivery()
        ed.show_status(f"Delivered: task {outcome.task_id} is READY (output {outcome.output_object_id})")
        ed.delivered.emit(outcome)

    def _blocked(self, exc: BaseException) -> None:
        problems = list(getattr(exc, "problems", []) or [])
        match = _CUE_RE.search(problems[0] if problems else str(getattr(exc, "message", None) or exc))
        if match:
            self.editor.select(int(match.group(1)) - 1)
