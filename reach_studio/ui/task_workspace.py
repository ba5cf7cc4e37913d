"""The workspace of one claimed task: header, media download, and the editor for its service.

It routes to the editor registered for the task's service feature (`ui/editors/registry.py`); when none is
registered yet it says plainly which editor is missing and still shows the media in a player and a
working-notes pad, journaled to the drafts store like any editor's work.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from reach_studio.domain.task import Task
from reach_studio.redaction import redact
from reach_studio.store.drafts import DraftStore, draft_key
from reach_studio.ui.editors.base import TaskEditor
from reach_studio.ui.editors.registry import TaskContext, editor_for
from reach_studio.ui.queue_model import entry_label, format_duration, languages_label, service_label
from reach_studio.ui.style import esc as _e
from reach_studio.ui.style import plain, rich, set_tone
from reach_studio.workers.background import document_executor, run_in_background
from reach_studio.workers.task_service import is_live_task

log = logging.getLogger(__name__)

NOTES_KIND = "working-notes"
NOTES_DEBOUNCE_MS = 300  # well under the one second a kill may cost


def workspace_draft_key(task: Task) -> str:
    return draft_key(task.account, task.id)


class _NotesPad(QPlainTextEdit):
    """Plain-text working notes for a task; snapshots to the drafts store on a short debounce."""

    def __init__(self, drafts: DraftStore, key: str, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.drafts, self.key, self.label = drafts, key, label
        self.setPlaceholderText("Working notes for this task (kept as a draft until the task is delivered)…")
        self._timer = QTimer(self, singleShot=True, interval=NOTES_DEBOUNCE_MS)
        self._timer.timeout.connect(self.flush_draft)
        draft = drafts.load(key)
        if draft is not None and draft.kind == NOTES_KIND and draft.snapshot:
            self.setPlainText(draft.snapshot.get("text", ""))
        self.textChanged.connect(self._changed)

    def _changed(self) -> None:
        # Not restarted on every keystroke: continuous typing is still saved every NOTES_DEBOUNCE_MS.
        if not self._timer.isActive():
            self._timer.start()

    def flush_draft(self) -> None:
        self._timer.stop()
        payload = {"text": self.toPlainText()}
        drafts, key, label = self.drafts, self.key, self.label
        # Disk writes stay off the GUI thread; the single document executor keeps snapshots in order.
        run_in_background(
            lambda token, progress: drafts.save_snapshot(key, NOTES_KIND, payload, label=label),
            on_error=lambda exc: log.error("could not save working notes: %s", exc),
            executor=document_executor(),
        )


class TaskWorkspace(QWidget):
    """One tab per opened task."""

    cancel_download_requested = Signal(object)  # task key
    fail_requested = Signal(object)  # Task
    retry_download_requested = Signal(object)  # Task
    delivered = Signal(object)  # Task: the editor delivered it (READY), the shell drops it from "My tasks"

    def __init__(self, context: TaskContext, parent: QWidget | None = None, *, player_factory=None) -> None:
        super().__init__(parent)
        self.context = context
        task = context.task
        self.task = task
        self.key = (task.account, task.id)
        self.draft_key = workspace_draft_key(task)
        self.editor: TaskEditor | None = None
        self.notes: _NotesPad | None = None
        self.player = None
        self.video = None

        title = rich(QLabel())
        title.setText(
            f"<b>{_e(entry_label(task))}</b> — {_e(service_label(task))}"
            + (f" · {_e(languages_label(task))}" if languages_label(task) else "")
        )
        self.deadline = rich(QLabel())  # its texts are built here from numbers
        header = QHBoxLayout()
        header.addWidget(title)
        header.addStretch(1)
        header.addWidget(self.deadline)
        self.fail_button = QPushButton("Fail task…")
        self.fail_button.setToolTip(
            "Give the task back to Kaltura as failed, with a reason the customer sees"
        )
        self.fail_button.clicked.connect(lambda: self.fail_requested.emit(self.task))
        header.addWidget(self.fail_button)

        self.progress = QProgressBar()
        self.progress.setFormat("Downloading media… %p%")
        self.download_label = plain(QLabel("Waiting for the media download…"))
        self.cancel_button = QPushButton("Cancel download")
        self.cancel_button.clicked.connect(lambda: self.cancel_download_requested.emit(self.key))
        self.retry_button = QPushButton("Download again")
        self.retry_button.clicked.connect(lambda: self.retry_download_requested.emit(self.task))
        self.retry_button.hide()
        download_row = QHBoxLayout()
        download_row.addWidget(self.download_label)
        download_row.addWidget(self.progress, 1)
        download_row.addWidget(self.cancel_button)
        download_row.addWidget(self.retry_button)
        self.download_bar = QFrame()
        self.download_bar.setLayout(download_row)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.download_bar)

        factory = editor_for(task.feature)
        if factory is not None:
            try:
                self.editor = factory(context)
                if not isinstance(self.editor, TaskEditor):
                    raise TypeError(f"{type(self.editor).__name__} is not a TaskEditor")
            except Exception as exc:  # a broken editor must not take the shell down
                log.exception("the %s editor failed to open task %s", service_label(task), task.id)
                self.editor = None
                self._missing(f"The {service_label(task)} editor could not open this task: {exc}", layout)
            else:
                layout.addWidget(self.editor, 1)
                self.setFocusProxy(self.editor)  # showing the tab puts the keyboard in the editor
                self.editor.delivered.connect(lambda _outcome: self.delivered.emit(self.task))
        else:
            self._missing(
                f"No editor for {service_label(task)} tasks is installed yet. You can watch the media and keep "
                "working notes here; delivery needs the editor.",
                layout,
            )
        if is_live_task(task):
            self.download_bar.hide()  # a live event has no media file: the console is the whole workspace
        self._deadline_timer = QTimer(self, interval=1000)
        self._deadline_timer.timeout.connect(self._update_deadline)
        self._deadline_timer.start()
        self._update_deadline()
        if context.media_path is not None:
            self.media_ready(context.media_path)

    def _missing(self, message: str, layout: QVBoxLayout) -> None:
        self.missing_label = plain(QLabel(message))
        self.missing_label.setWordWrap(True)
        set_tone(self.missing_label, "notice")
        layout.addWidget(self.missing_label)
        split = QSplitter(Qt.Orientation.Horizontal)
        player_box = QWidget()
        pv = QVBoxLayout(player_box)
        pv.setContentsMargins(0, 0, 0, 0)
        try:
            from reach_studio.ui.player import VideoView, create_player

            self.video = VideoView()
            self.player = create_player(self)
            self.video.attach(self.player)
            if self.player is None:
                self.video.set_message("No media player is available on this machine")
        except Exception as exc:  # noqa: BLE001 - no multimedia back-end: the notes still work
            log.info("no player: %s", exc)
            self.video = QLabel("No media player is available on this machine")
        pv.addWidget(self.video, 1)
        self.play_button = QPushButton("Play / pause")
        self.play_button.setEnabled(False)
        self.play_button.clicked.connect(lambda: self.player and self.player.toggle())
        pv.addWidget(self.play_button)
        split.addWidget(player_box)
        self.notes = _NotesPad(
            self.context.drafts, self.draft_key, f"{entry_label(self.task)} ({self.task.id})"
        )
        split.addWidget(self.notes)
        split.setSizes([500, 400])
        layout.addWidget(split, 1)

    # -- download --------------------------------------------------------------------------------------

    @property
    def streaming(self) -> bool:
        """The notes pad's player plays the stream while the file downloads."""
        return self.player is not None and self.player.streaming

    def download_started(self) -> None:
        self.download_bar.show()
        self.progress.setRange(0, 0)
        self.download_label.setText("Downloading media…")
        self.cancel_button.show()
        self.retry_button.hide()

    def download_progress(self, done: int, total: int) -> None:
        self.download_bar.show()
        if total > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(done * 1000 / total))
        else:
            self.progress.setRange(0, 0)

    def download_failed(self, message: str) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.download_label.setText(f"Download failed: {message}")
        self.cancel_button.hide()
        self.retry_button.show()

    def download_cancelled(self) -> None:
        self.download_failed("cancelled")

    def stream_ready(self, source) -> None:
        """The media plays from its stream while it downloads (engine.media_fetch.StreamSource)."""
        if self.context.media_path is not None:
            return
        if self.retry_button.isHidden():  # a fresh key after a failed download: its message stays
            self.download_label.setText("Playing the stream while the media downloads…")
        if self.editor is not None:
            self.editor.set_stream(source)
        elif self.player is not None:
            try:
                self.player.play_stream(source.url, source.duration_ms)  # again with a fresh key: same place
            except Exception as exc:  # noqa: BLE001 - no stream: the file plays once downloaded
                log.info("not streaming task %s: %s", self.task.id, redact(exc))
                return
            self.play_button.setEnabled(True)
            if hasattr(self.video, "set_message"):
                self.video.set_message("")

    def waveform_progress(self, wave) -> None:
        """The waveform of the audio downloaded so far, for an editor that draws one."""
        if self.editor is not None:
            self.editor.set_partial_waveform(wave)

    def media_ready(self, path: Path) -> None:
        self.context.media_path = Path(path)
        self.download_bar.hide()
        if self.editor is not None:
            self.editor.set_media(Path(path))
        if self.player is not None:
            try:
                self.player.play_file(Path(path))  # after the stream: at the same position
                self.play_button.setEnabled(True)
                if hasattr(self.video, "set_message"):
                    self.video.set_message("")
            except Exception as exc:  # noqa: BLE001 - a media back-end error: say so, keep the editor
                log.warning("cannot play %s: %s", Path(path).name, exc)
                if hasattr(self.video, "set_message"):
                    self.video.set_message(f"Cannot play this media: {exc}")

    # -- live tasks ------------------------------------------------------------------------------------

    def attach_live_session(self, session) -> bool:
        """Hand the live console the session the shell scheduled, so it shows and serves that one.

        The console's own Schedule button would open a second caption address; this keeps one. Returns
        False when the editor is not a live console (or already has this session).
        """
        if self.editor is None or not self.editor.attach_live_session(session):
            return False
        self.update_task(session.task)
        return True

    # -- lifecycle -------------------------------------------------------------------------------------

    def update_task(self, task: Task) -> None:
        """The task was re-read (e.g. a new access key): editors keep working with the fresh copy."""
        self.task = task
        self.context.task = task

    def flush_draft(self) -> None:
        target = self.editor if self.editor is not None else self.notes
        if target is not None:
            try:
                target.flush_draft()
            except Exception:
                log.exception("could not save the draft of task %s", self.task.id)

    def close_workspace(self) -> None:
        self.flush_draft()
        self._deadline_timer.stop()
        if self.player is not None:
            try:
                self.player.close()
            except Exception:  # noqa: BLE001, S110 - closing a broken player must not stop closing the task
                pass

    def _update_deadline(self) -> None:
        left = self.task.seconds_left()
        if left is None:
            self.deadline.setText("")
        elif left < 0:
            self.deadline.setText(f"<span style='color:#c62828'>overdue by {format_duration(-left)}</span>")
        else:
            finish = time.strftime("%a %H:%M", time.localtime(self.task.expected_finish_time))
            self.deadline.setText(f"due {finish} (in {format_duration(left)})")
