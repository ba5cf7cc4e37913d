"""The live-caption console: a captioner's window onto one live task (LIVE_CAPTION / LIVE_TRANSLATION).

Why it exists: a live task has no media file to edit — the captioner writes while the event runs.
The console shows the event's start/end dates and where the task stands (not scheduled, scheduled and
waiting for Kaltura, live, ended), schedules the task (live/provisioning through live/session), and
has one line editor: typing sends interim captions, Enter sends the final caption, and a list shows
what went out with its time in the stream. The caption websocket runs on its own thread
(live/caption_server) and every Kaltura call runs through workers/background, so the GUI never waits.

Where Kaltura reaches the caption websocket: `REACH_LIVE_PUBLIC_URL` (e.g. wss://captions.vendor.example,
behind the vendor's TLS proxy), `REACH_LIVE_HOST` / `REACH_LIVE_PORT` for the listening socket
(default 127.0.0.1 and any free port, which only a local emulator can reach); `REACH_LIVE_MEDIA_URL`
is the vendor's own RTMP(S) ingest for the media relay (Reach Studio hosts no RTMP server).
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reach_studio.domain.enums import TaskStatus
from reach_studio.live.caption_server import CaptionServer, CaptionServerError
from reach_studio.live.provisioning import live_window
from reach_studio.live.scheduling import LiveScheduler, LiveSettingsError, live_external_id, vendor_owner
from reach_studio.live.session import LiveSession
from reach_studio.ui.editor_registry import TaskContext
from reach_studio.workers.background import run_in_background

log = logging.getLogger(__name__)

STATE_TEXT = {
    "new": "Not scheduled yet — press Schedule to give Kaltura this console's caption address",
    "scheduled": "Scheduled — waiting for Kaltura to connect when the event starts",
    "live": "Live — Kaltura is reading the captions",
    "ended": "Ended — the task is ready",
    "failed": "Failed",
}


def _when(epoch: int | None) -> str:
    return time.strftime("%a %d %b %Y, %H:%M", time.localtime(epoch)) if epoch else "not given"


class LiveConsole(QWidget):
    """`LiveConsole(ctx)`; `server=` for tests (a loopback CaptionServer the test owns)."""

    delivered = Signal(object)  # Task (READY): the shell drops it from "My tasks"
    _session_changed = Signal()  # from the caption server's threads to the GUI thread

    def __init__(
        self, context: TaskContext, parent: QWidget | None = None, *, server: CaptionServer | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.task = context.task
        self._own_server = server is None
        self.server = server
        self.session: LiveSession | None = None
        self._job = None
        self.sent: list[dict] = []

        start, end = live_window(self.task)
        self.start_label = QLabel(_when(start))
        self.end_label = QLabel(_when(end))
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.url_label = QLabel("—")
        self.url_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        form.addRow("Captions start", self.start_label)
        form.addRow("Captions end", self.end_label)
        form.addRow("Status", self.status_label)
        form.addRow("Caption address", self.url_label)

        self.schedule_button = QPushButton("Schedule")
        self.schedule_button.setToolTip(
            "Give Kaltura this console's caption address and token (task → Scheduled)"
        )
        self.schedule_button.clicked.connect(self.schedule)
        self.end_button = QPushButton("End stream")
        self.end_button.setToolTip("Send the end of the caption stream and mark the task ready")
        self.end_button.clicked.connect(self.end_stream)
        buttons = QHBoxLayout()
        buttons.addWidget(self.schedule_button)
        buttons.addWidget(self.end_button)
        buttons.addStretch(1)

        self.line = QLineEdit()
        self.line.setPlaceholderText(
            "Type the caption; Enter sends it as final ([Name] at the start names the speaker)"
        )
        self.line.textEdited.connect(self._typed)
        self.line.returnPressed.connect(self._enter)
        self.history = QListWidget()
        self.history.setAccessibleName("Captions sent")

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.line)
        layout.addWidget(self.history, 1)
        self._session_changed.connect(self._refresh)
        self._refresh()

    # ---- state ---------------------------------------------------------------------------------------
    @property
    def state(self) -> str:
        if self.session is not None:
            return self.session.state
        if self.task.status == TaskStatus.READY:
            return "ended"
        return "new"

    def _refresh(self) -> None:
        state = self.state
        text = STATE_TEXT.get(state, state)
        if self.session is not None and self.session.last_error:
            text += f" ({self.session.last_error})"
        if self.context.connection is None:
            text = "No Kaltura connection: sign in to schedule this task"
        self.status_label.setText(text)
        busy = self._job is not None
        self.schedule_button.setEnabled(self.context.connection is not None and state == "new" and not busy)
        self.end_button.setEnabled(state == "live" and not busy)
        self.line.setEnabled(state in ("scheduled", "live"))
        if self.session is not None and self.session.channel is not None:
            self.url_label.setText(self.session.channel.url)

    # ---- actions -------------------------------------------------------------------------------------
    def attach_session(self, session: LiveSession) -> None:
        """Show and serve a session someone else scheduled (the shell's claim). Its caption server
        belongs to that owner, so closing the console leaves it running."""
        self.server = session.server
        self._own_server = False
        self.session = session
        self.task = session.task
        previous = session.on_change

        def changed(s: LiveSession) -> None:
            if previous is not None:
                previous(s)
            self._session_changed.emit()

        session.on_change = changed
        self._refresh()

    def schedule(self) -> None:
        """Provision the task in the background (caption server first, then Kaltura)."""
        conn = self.context.connection
        if conn is None or self.session is not None or self._job is not None:
            return
        try:
            scheduler = LiveScheduler()
            if self.server is not None:
                scheduler.adopt_server(self.server)
            self.server = scheduler.caption_server()
        except (CaptionServerError, LiveSettingsError) as exc:
            self.status_label.setText(f"The caption server cannot start: {exc}")
            return
        # a task the shell claimed already carries our externalTaskId: keep it (another id would look like
        # someone else's claim)
        owner = vendor_owner(conn.account.vendor_name)
        external = self.task.external_task_id or live_external_id(owner, self.task.id)
        session = scheduler.session_for(
            conn, self.task, external, on_change=lambda s: self._session_changed.emit()
        )

        def done(_result) -> None:
            self._job = None
            self.session = session
            self.task = session.task
            self._refresh()

        def failed(exc: BaseException) -> None:
            self._job = None
            self.status_label.setText(f"Could not schedule: {getattr(exc, 'message', exc)}")
            self._refresh_buttons_only()

        self._job = run_in_background(lambda token, progress: session.provision(), done, failed)
        self._refresh_buttons_only()

    def _refresh_buttons_only(self) -> None:
        busy = self._job is not None
        self.schedule_button.setEnabled(
            not busy and self.session is None and self.context.connection is not None
        )
        self.end_button.setEnabled(not busy and self.state == "live")

    def _typed(self, text: str) -> None:
        if self.session is None or self.session.relay.ended:
            return
        self.session.relay.interim(text)

    def _enter(self) -> None:
        text = self.line.text()
        if self.session is None or self.session.relay.ended or not text.strip():
            return
        message = self.session.relay.final(text)
        self.line.clear()
        if message is not None:
            self.sent.append(message)
            r = message["response"]
            minutes, seconds = divmod(r["start"], 60)
            self.history.addItem(f"{int(minutes):02d}:{seconds:04.1f}  {r['alternatives'][0]['transcript']}")
            self.history.scrollToBottom()

    def end_stream(self) -> None:
        """End of stream and READY, in the background."""
        session = self.session
        if session is None or self._job is not None:
            return
        text = self.line.text().strip()
        if text:
            self._enter()

        def done(task) -> None:
            self._job = None
            self.task = task
            self._refresh()
            self.delivered.emit(task)

        def failed(exc: BaseException) -> None:
            self._job = None
            self.status_label.setText(f"Could not end the stream: {getattr(exc, 'message', exc)}")
            self._refresh_buttons_only()

        self._job = run_in_background(lambda token, progress: session.end(), done, failed)
        self._refresh_buttons_only()

    # ---- shutdown ------------------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop serving captions (the task keeps its status); the workspace closing calls it."""
        if self.session is not None:
            self.session.close()
        if self._own_server and self.server is not None:
            self.server.stop()
            self.server = None

    def flush_draft(self) -> None:  # the workspace calls this before closing a task
        self.shutdown()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)
