"""The sign-language workspace: pick the signed video recorded elsewhere, check it, preview it, deliver.

Why it exists: a sign-language task (serviceFeature 19) returns a video of the interpreter, delivered as a
child entry of the customer's entry (parentEntryId, admin tags signLang + signLang<ASL|BSL> + the vendor's
name; see domain/delivery_plan.py). The interpreter films in a studio, so this editor does not record: it
takes the finished file, probes it (a video stream must be there; its length should match the entry's),
lets the linguist play it next to the original, and delivers it through the delivery engine off the GUI
thread. The chosen file is kept in the draft store so reopening the task finds it again.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from reach_studio.domain.delivery_plan import (
    PlanError,
    WorkProduct,
    sign_language_entry_name,
    sign_language_suffix,
    sign_language_tags,
)
from reach_studio.ui.editors.base import EditorBase
from reach_studio.ui.editors.cue_model import clock
from reach_studio.ui.editors.registry import TaskContext
from reach_studio.ui.player import MediaPlayerBase, VideoView, create_player
from reach_studio.ui.style import esc, plain, rich, set_tone
from reach_studio.workers.background import run_in_background

log = logging.getLogger(__name__)

KIND = "sign_language"
DURATION_TOLERANCE_MS = 2000  # a signed video a little longer/shorter than the entry is normal (lead-in)
DURATION_TOLERANCE_RATIO = 0.05


def video_checks(info, entry_duration_ms: int | None) -> list[tuple[str, str]]:
    """(severity, message) about a probed signed video: "error" blocks delivery, "warning" and "ok" inform."""
    checks: list[tuple[str, str]] = []
    video = info.first("video")
    if video is None:
        checks.append(("error", "The file has no video stream"))
    else:
        size = f"{video.width}×{video.height}" if video.width else "unknown size"
        checks.append(("ok", f"Video stream: {video.codec}, {size}"))
    if entry_duration_ms:
        diff = info.duration_ms - entry_duration_ms
        allowed = max(DURATION_TOLERANCE_MS, int(entry_duration_ms * DURATION_TOLERANCE_RATIO))
        if abs(diff) > allowed:
            longer = "longer" if diff > 0 else "shorter"
            message = (
                f"{clock(info.duration_ms)} long: {abs(diff) / 1000:.1f} s {longer} than the entry "
                f"({clock(entry_duration_ms)})"
            )
            checks.append(("warning", message))
        else:
            checks.append(
                ("ok", f"{clock(info.duration_ms)} long, matching the entry ({clock(entry_duration_ms)})")
            )
    else:
        checks.append(("ok", f"{clock(info.duration_ms)} long (the entry's length is unknown)"))
    return checks


class SignLanguageEditor(EditorBase):
    """Works on one claimed sign-language task."""

    def __init__(
        self, ctx: TaskContext, parent: QWidget | None = None, player: MediaPlayerBase | None | str = "auto"
    ) -> None:
        super().__init__(ctx, parent)
        self.video_path: Path | None = None
        self.info = None
        self.checks: list[tuple[str, str]] = []
        self._probe_job = None
        self.start_journal(KIND, "Sign language")
        self.player = create_player(self) if player == "auto" else player
        self._build_ui()
        restored, note = self._restore()
        if restored is not None:
            self.set_sign_video(restored, save=False)
            self.show_status(f"Restored your draft: {restored.name}")
        else:
            self.show_status(
                note or "Choose the signed video recorded for this entry (“Choose signed video…”).",
                error=bool(note),
            )

    def _restore(self) -> tuple[Path | None, str]:
        draft, note = self.load_draft(KIND)
        if draft is None or not draft.snapshot:
            return None, note
        video = draft.snapshot.get("video")
        return (Path(video) if isinstance(video, str) and video else None), ""

    def _snapshot_payload(self) -> dict[str, Any]:
        return {"version": 1, "video": str(self.video_path) if self.video_path else None}

    # ------------------------------------------------------------------------------------ UI

    def _build_ui(self) -> None:
        try:
            suffix = sign_language_suffix(self.task.target_language)
        except PlanError:
            suffix = "?"
        self.suffix = suffix
        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addWidget(
            rich(QLabel(f"<b>Sign language</b> · {esc(self.task.target_language or '?')}  ", self))
        )
        self.toolbar.addAction("Choose signed video…", self.choose_video)
        self.toolbar.addSeparator()
        self.deliver_action = self.toolbar.addAction("Deliver", self.deliver)

        self.video = VideoView(self)
        self.video.attach(self.player)
        self.source_box = QComboBox(self)
        self.source_box.addItems(["Signed video", "Original entry"])
        self.source_box.currentIndexChanged.connect(self._show_source)
        self.play_button = QPushButton("▶ Play", self)
        self.play_button.clicked.connect(lambda: self.player is not None and self.player.toggle())
        self.time_label = QLabel(clock(0), self)
        transport = QHBoxLayout()
        transport.addWidget(self.source_box)
        transport.addWidget(self.play_button)
        transport.addWidget(self.time_label)
        transport.addStretch(1)
        left = self.video_side(transport, "No signed video chosen yet")
        if self.player is not None:
            self.player.positionChanged.connect(lambda ms: self.time_label.setText(clock(ms)))
            self.player.playingChanged.connect(
                lambda on: self.play_button.setText("❚❚ Pause" if on else "▶ Play")
            )
            self.player.errorOccurred.connect(lambda m: self.show_status(f"Player: {m}", error=True))

        panel = QWidget(self)
        outer = QVBoxLayout(panel)
        form = QFormLayout()
        outer.addLayout(form)
        outer.addStretch(1)
        self.file_label = plain(QLabel("—", panel))
        self.file_label.setWordWrap(True)
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("Signed video", self.file_label)
        entry_len = clock(self.task.entry_duration_ms) if self.task.entry_duration_ms else "unknown"
        form.addRow("Entry", plain(QLabel(f"{self.task.entry_id} · {entry_len}", panel)))
        self.checks_list = QListWidget(panel)
        self.checks_list.setMaximumHeight(110)
        self.checks_list.setWordWrap(True)
        form.addRow("Checks", self.checks_list)
        plan = QLabel(
            f"A child entry named “{esc(self._child_entry_name(suffix))}” is created under "
            f"{esc(self.task.entry_id)} with admin tags <i>{esc(self._tags(suffix))}</i>; the task's output "
            "is that entry.",
            panel,
        )
        rich(plan).setWordWrap(True)
        set_tone(plan, "muted")
        form.addRow("Delivery", plan)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(left)
        split.addWidget(panel)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([900, 520])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.toolbar)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)

    # ----------------------------------------------------------------------- shell contract

    def set_media(self, path: Path) -> None:
        """The original entry's media (to compare with); shown when "Original entry" is selected (its stream
        then hands over to the file at the same position)."""
        super().set_media(path)
        if self.source_box.currentIndex() == 1:
            self._show_source(1)

    def set_stream(self, source) -> None:
        """While the original downloads, "Original entry" plays its stream."""
        self.stream_source = source
        if self.source_box.currentIndex() == 1:
            self.play_stream(source)

    # ------------------------------------------------------------------------------ video

    def choose_video(self) -> None:
        path = self.ask_for_file(
            "Choose the signed video", "Video (*.mp4 *.mov *.mkv *.webm *.avi *.m4v);;All files (*)"
        )
        if path is not None:
            self.set_sign_video(path)

    def set_sign_video(self, path: Path, save: bool = True):
        """Use `path` as the signed video: probe it in the background and show it. Returns the probe job."""
        from reach_studio.media.probe import probe

        path = Path(path)
        self.video_path = path
        self.info = None
        self.checks = []
        self.file_label.setText(str(path))
        self._fill_checks([("info", "Reading the file…")])
        if save and not self.locked:
            self.journal.snapshot()
        entry_ms = self.task.entry_duration_ms

        def done(info) -> None:
            if not shiboken6.isValid(self) or self.video_path != path:
                return
            self.info = info
            self.checks = video_checks(info, entry_ms)
            self._fill_checks(self.checks)
            errors = [m for s, m in self.checks if s == "error"]
            if errors:
                self.show_status(f"{path.name} cannot be delivered: {errors[0]}", error=True)
            else:
                self.show_status(f"{path.name} is ready to deliver")
            if self.source_box.currentIndex() == 0:
                self._show_source(0)

        def failed(exc: BaseException) -> None:
            if not shiboken6.isValid(self) or self.video_path != path:
                return
            self.checks = [("error", f"Not a readable video: {exc}")]
            self._fill_checks(self.checks)
            self.show_status(f"{path.name} is not a readable video", error=True)

        self._probe_job = run_in_background(lambda token, progress: probe(path), done, failed)
        return self._probe_job

    def _fill_checks(self, checks: list[tuple[str, str]]) -> None:
        self.checks_list.clear()
        marks = {"ok": "✔", "warning": "⚠", "error": "✖", "info": "…"}
        for severity, message in checks:
            item = QListWidgetItem(f"{marks.get(severity, '')} {message}")
            if severity == "error":
                item.setForeground(Qt.GlobalColor.red)
            elif severity == "warning":
                item.setForeground(Qt.GlobalColor.darkYellow)
            self.checks_list.addItem(item)

    def _show_source(self, index: int) -> None:
        if self.player is None:
            return
        path = self.video_path if index == 0 else self.ctx.media_path
        if path is None and index == 1 and self.stream_source is not None:
            self.play_stream(self.stream_source)  # the original plays while it downloads
            return
        if path is None:
            self.video.set_message("No signed video chosen yet" if index == 0 else "Downloading media…")
            return
        self.load_into_player(path, keep_position=index == 1)

    # ------------------------------------------------------------------------------ deliver

    def _tags(self, suffix: str) -> str:
        vendor = self.ctx.connection.account.vendor_name if self.ctx.connection is not None else ""
        return ", ".join(sign_language_tags(suffix, vendor))

    def work_product(self) -> WorkProduct:
        return WorkProduct(sign_video=self.video_path)

    def delivery_problem(self) -> str | None:
        if self.video_path is None:
            return "Delivery blocked: choose the signed video first"
        if self.info is None and not any(s == "error" for s, _ in self.checks):
            return "Delivery blocked: the video is still being checked"
        errors = [m for s, m in self.checks if s == "error"]
        return f"Delivery blocked: {errors[0]}" if errors else None

    def _child_entry_name(self, suffix: str) -> str:
        """The child entry's name as the delivery plan gives it, where the entry's name is known."""
        from reach_studio.ui.queue_model import entry_label

        name = entry_label(self.task)
        return sign_language_entry_name(name if name != self.task.entry_id else "<entry name>", suffix)

    def upload_summary(self) -> str:
        from reach_studio.ui.editors.deliver import entry_phrase

        suffix = sign_language_suffix(self.task.target_language)
        length = f", {clock(self.info.duration_ms)}" if self.info is not None else ""
        lines = [
            (
                f"Upload the signed video {self.video_path.name}{length} as a new child entry "
                f"“{self._child_entry_name(suffix)}” of {entry_phrase(self.task)}, tagged {self._tags(suffix)}."
            )
        ]
        lines += [f"Warning: {m}." for s, m in self.checks if s == "warning"]
        lines.append(f"Then task {self.task.id} becomes READY and this editor locks.")
        return "\n\n".join(lines)

    def delivery_label(self) -> str:
        return "Uploading the signed video to Kaltura…"

    def delivery_work(self):
        return self.deliver_product(self.work_product())

    def delivered_output(self, outcome) -> str:
        return f"child entry {outcome.output_object_id}"
