"""The details pane: everything the vendor guide says a linguist must receive with a task.

Notes, dictionary terms, expected finish time and turn-around time, and the REACH profile flags that
change the deliverable (output format, metadata extraction, audio tags, profanity removal, deletion
policy, processing region, characters per line, flavor order, speaker id / change indication).
"""

from __future__ import annotations

import html
import time

from PySide6.QtWidgets import QTextBrowser, QWidget

from reach_studio.domain.delivery_plan import delivered_caption_format
from reach_studio.domain.enums import OutputFormat
from reach_studio.domain.task import Task
from reach_studio.ui.queue_model import (
    customer_label,
    entry_label,
    format_duration,
    languages_label,
    service_label,
    service_type_label,
    task_key,
    tat_label,
)


def _yes(value: bool | None) -> str:
    return "yes" if value else "no"


_FORMAT_NAMES = {OutputFormat.SRT: "SRT", OutputFormat.DFXP: "DFXP (TTML)", OutputFormat.VTT: "WebVTT"}


def _format_name(fmt: OutputFormat) -> str:
    return _FORMAT_NAMES.get(fmt) or _enum(fmt)  # a format Kaltura added later: by its name


def _enum(value) -> str:
    return "—" if value is None else value.name.replace("_", " ").title()


def task_details_html(
    task: Task, customer_names: dict[int, str] | None = None, now: float | None = None, warning: str = ""
) -> str:
    """HTML for one task; plain data escaped, so notes written by a customer cannot inject markup.
    `warning`: why the task cannot be worked (found before a claim), shown first."""
    e = html.escape
    now = time.time() if now is None else now
    rows: list[tuple[str, str]] = []
    rows.append(("Customer", e(customer_label(task, customer_names or {}))))
    rows.append(
        (
            "Entry",
            e(
                f"{entry_label(task)}  ({task.entry_id})"
                if entry_label(task) != task.entry_id
                else task.entry_id
            ),
        )
    )
    service_type = task.service_type or (task.catalog_item.service_type if task.catalog_item else None)
    rows.append(("Service", e(f"{service_label(task)} · {service_type_label(service_type)}")))
    if languages_label(task):
        rows.append(("Languages", e(languages_label(task))))
    tat = task.turn_around_time or (task.catalog_item.turn_around_time if task.catalog_item else None)
    rows.append(("Turn-around time", e(tat_label(tat) or "—")))
    if task.expected_finish_time:
        left = task.expected_finish_time - now
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(task.expected_finish_time))
        state = f"overdue by {format_duration(-left)}" if left < 0 else f"in {format_duration(left)}"
        colour = "#c62828" if left < 0 else "inherit"
        rows.append(("Expected finish", f"<span style='color:{colour}'>{e(when)} ({e(state)})</span>"))
    else:
        rows.append(("Expected finish", "not given"))
    if task.entry_duration_ms:
        rows.append(("Media duration", e(format_duration(task.entry_duration_ms / 1000))))
    rows.append(("Status", e(_enum(task.status))))
    rows.append(
        ("Task", e(f"{task.id} (catalog item {task.catalog_item_id}, profile {task.reach_profile_id})"))
    )

    delivered = delivered_caption_format(task)
    if delivered is not None:
        rows.append(("Delivered as", e(_format_name(delivered))))
    ci = task.catalog_item
    if ci is not None:
        rows.append(("Speaker id", _yes(ci.enable_speaker_id)))
        if ci.require_source is not None or (task.feature is not None and task.feature.name == "TRANSLATION"):
            rows.append(("Requires source captions", _yes(ci.require_source is None or ci.require_source)))

    profile_rows: list[tuple[str, str]] = []
    p = task.reach_profile
    if p is not None:
        if p.default_output_format is not None:
            profile_rows.append(("Default output format", e(_format_name(p.default_output_format))))
        profile_rows += [
            ("Speaker change indication (>>)", _yes(p.enable_speaker_change_indication)),
            ("Audio tags", _yes(p.enable_audio_tags)),
            ("Profanity removal", _yes(p.enable_profanity_removal)),
            ("Metadata extraction (tags)", _yes(p.enable_metadata_extraction)),
            ("Max characters per line", e(str(p.max_characters_per_caption_line or "no limit"))),
            ("Content deletion policy", e(_enum(p.content_deletion_policy))),
            ("Processing region", e(p.processing_region.name if p.processing_region else "any")),
            ("Flavor params ids", e(", ".join(map(str, p.flavor_params_ids)) or "any")),
        ]

    def table(items: list[tuple[str, str]]) -> str:
        return (
            "<table cellspacing=2>"
            + "".join(
                f"<tr><td style='color:#666;padding-right:12px'>{k}</td><td>{v}</td></tr>" for k, v in items
            )
            + "</table>"
        )

    parts = [f"<h3>{e(entry_label(task))}</h3>"]
    if warning:
        parts.append(f"<p style='color:#c62828'>⚠ <b>Cannot be worked:</b> {e(warning)}</p>")
    parts.append(table(rows))
    parts.append("<h4>Notes from the customer</h4>")
    parts.append(
        f"<p style='white-space:pre-wrap'>{e(task.notes)}</p>" if task.notes else "<p><i>none</i></p>"
    )
    terms = task.dictionary_terms
    parts.append("<h4>Dictionary</h4>")
    parts.append(
        "<p>" + ", ".join(f"<b>{e(t)}</b>" for t in terms) + "</p>" if terms else "<p><i>none</i></p>"
    )
    if profile_rows:
        parts.append(f"<h4>REACH profile {e(p.name or str(p.id))}</h4>")
        parts.append(table(profile_rows))
    if task.err_description:
        parts.append(f"<h4>Error</h4><p>{e(task.err_description)}</p>")
    return "".join(parts)


class TaskDetails(QTextBrowser):
    """Read-only pane under the queue; shows the current task or a hint."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenExternalLinks(False)
        self.customer_names: dict[int, str] = {}
        self.warnings: dict = {}  # task key -> why it cannot be worked (the queue marks the same tasks)
        self.task: Task | None = None
        self.show_task(None)

    def show_task(self, task: Task | None) -> None:
        self.task = task
        if task is None:
            self.setHtml(
                "<p style='color:#777'>Select a task to see its notes, dictionary, deadline and profile.</p>"
            )
        else:
            warning = self.warnings.get(task_key(task), "")
            self.setHtml(task_details_html(task, self.customer_names, warning=warning))

    def set_warnings(self, warnings: dict) -> None:
        """The tasks that cannot be worked changed: the task shown says so at once."""
        self.warnings = dict(warnings)
        self.show_task(self.task)
