"""Deliver: validate, show what will be uploaded, then `EditorBase.run_delivery`.

Every editor asks first (`DeliverFlow`): the timed editor with `delivery_summary`, the voice and
sign-language editors with their own `upload_summary`.

Errors found by the validator block delivery and jump to the first offending cue; nothing is sent. The
engine (engine/delivery.py) plans, uploads and sets the task READY in the background; READY is handled
once for every editor in `EditorBase` (draft discarded, editor locked, `delivered` emitted).
"""

from __future__ import annotations

import logging
import re

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox

from reach_studio.ui.editors.cue_model import ERROR
from reach_studio.ui.editors.row_checks import full_check

log = logging.getLogger(__name__)

_CUE_RE = re.compile(r"\bcue (\d+)\b", re.IGNORECASE)


def check_before_delivery(ed) -> tuple[str | None, int]:
    """(what blocks delivery or None, how many warnings remain). Marks every item's findings and selects
    the first item with an error."""
    items = ed.model.items
    if not items:
        return "There is nothing to deliver yet", 0
    markers = full_check(items, ed.model._validator) if ed.model._validator else {}
    ed.model.set_markers(markers)
    ed._update_markers_view()
    warnings = sum(1 for ms in markers.values() for m in ms if m.severity != ERROR)
    errors = sorted(r for r, ms in markers.items() if any(m.severity == ERROR for m in ms))
    if errors:
        first = errors[0]
        message = next(m.message for m in markers[first] if m.severity == ERROR)
        ed.select(first)
        return f"Delivery blocked: {len(errors)} item(s) have errors. Item {first + 1}: {message}", warnings
    return None, warnings


class DeliverFlow(QObject):
    """The confirmation box ("what will be uploaded") between a passed check and the delivery run."""

    def __init__(self, editor, warnings: int = 0, summary: str | None = None) -> None:
        super().__init__(editor)
        self.editor = editor
        self.warnings = warnings
        self.summary = summary  # the editor's own words; None: the timed editor's (delivery_summary)
        self.confirm: QMessageBox | None = None
        self.deliver_button = None

    def ask(self) -> bool:
        ed = self.editor
        self.confirm = QMessageBox(
            QMessageBox.Icon.Question,
            f"Deliver task {ed.task.id}",
            self.summary if self.summary is not None else delivery_summary(ed, self.warnings),
            parent=ed,
        )
        self.deliver_button = self.confirm.addButton("Deliver", QMessageBox.ButtonRole.AcceptRole)
        self.confirm.addButton(QMessageBox.StandardButton.Cancel)
        self.confirm.setDefaultButton(self.deliver_button)
        self.confirm.setWindowModality(Qt.WindowModality.WindowModal)
        self.confirm.finished.connect(self._confirmed)
        ed.deliver_confirm = self.confirm
        ed.show_status("Check what will be uploaded, then press Deliver")
        self.confirm.open()
        return True

    def _confirmed(self, _result: int) -> None:
        """The linguist read the summary: deliver, or leave everything as it is."""
        ed = self.editor
        box, self.confirm = self.confirm, None
        ed.deliver_confirm = None
        if box is None or box.clickedButton() is not self.deliver_button:
            ed.show_status("Delivery cancelled: nothing was sent")
            return
        if ed._delivery_job is not None:
            return
        ed.run_delivery(
            ed.delivery_label(), ed.delivery_work(), self._blocked if self.summary is None else None
        )

    def _blocked(self, exc: BaseException) -> None:
        problems = list(getattr(exc, "problems", []) or [])
        match = _CUE_RE.search(problems[0] if problems else str(getattr(exc, "message", None) or exc))
        if match:
            self.editor.select(int(match.group(1)) - 1)


SPEAKER_FORMS = {
    "label": "speakers as [Name]",
    "change": "speaker changes as >>",
    "both": "speakers as >> [Name]",
    "none": "no speaker labels",
}


def entry_phrase(task) -> str:
    """The entry as a summary names it: “name” (id), or the id alone when its name is not known."""
    from reach_studio.ui.queue_model import entry_label

    name = entry_label(task)
    return f"“{name}” ({task.entry_id})" if name and name != task.entry_id else task.entry_id


def delivery_summary(ed, warnings: int = 0) -> str:
    """What Deliver will upload, in the linguist's words (kind, count, language, format, time span)."""
    from reach_studio.domain.formats import output_format_for
    from reach_studio.ui.editors.cue_model import clock

    task = ed.task
    items = ed.model.items
    entry = entry_phrase(task)
    first, last = items[0].start_ms, max(getattr(i, "end_ms", i.start_ms) for i in items)
    span = f"{clock(first)} → {clock(last)}"
    mode = ed.mode
    speakers = SPEAKER_FORMS.get(ed.speaker_style, "") if mode.speakers else ""
    what = mode.describe_upload(
        items, task=task, entry=entry, span=span, language=ed.language, speakers=speakers
    )
    lines = [f"Upload {what}.", f"Then task {task.id} becomes READY and this editor locks."]
    if mode.text_lines:
        # about the file as a whole (no cue to mark): Kaltura's size limits for its player and its search
        from reach_studio.domain.captions import CaptionDocument
        from reach_studio.domain.validation import file_size_findings

        fmt = output_format_for(task.reach_profile, task.catalog_item)
        doc = CaptionDocument(cues=list(items))
        lines += [f"Warning: {f.message}." for f in file_size_findings(doc, fmt, ed.model.speaker_style)]
    if warnings:
        lines.append(f"{warnings} warning(s) remain (they do not block delivery).")
    return "\n\n".join(lines)
