"""The live-caption console: a captioner's window onto one live task (LIVE_CAPTION / LIVE_TRANSLATION).

Why it exists: a live task has no media file to edit — the captioner writes while the event runs, from
its sound. The console schedules the task (live/scheduling → a LiveSession with its own RTMP ingest and
caption channel), plays the restream Kaltura sends to that ingest (ui/editors/live_audio: lowest-latency
audio, level meter, waveform strip, stream clock) and stamps every caption with the media position the
captioner heard. The line editor sends interims while typing and a final on Enter; F1 inserts ">>" and
F2..F8 the task's named speakers; briefs (the captioner's abbreviations, live/briefs) expand as typed;
Up on an empty line recalls the last caption to correct it; Hold (F12) keeps captions back (sent, with
their stream times, on release); the record of what was sent (live/caption_log) exports as VTT/SRT.
The ingest, the caption websocket and the Kaltura calls run on their own threads, so the GUI never waits.

Where Kaltura reaches it: REACH_LIVE_* (live/scheduling; README "Live captions").
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reach_studio.domain.enums import TaskStatus
from reach_studio.live.briefs import Briefs, BriefsError, speaker_names
from reach_studio.live.caption_log import CaptionLog
from reach_studio.live.caption_server import CaptionServer, CaptionServerError
from reach_studio.live.ingest import STATE_TEXT as INGEST_TEXT
from reach_studio.live.provisioning import live_window
from reach_studio.live.scheduling import LiveScheduler, LiveSettingsError, live_external_id, vendor_owner
from reach_studio.live.session import LiveSession
from reach_studio.ui.editors.base import TaskEditor
from reach_studio.ui.editors.live_audio import LevelMeter, LivePlayer, VideoView, WaveformStrip, clock_text
from reach_studio.ui.editors.registry import TaskContext
from reach_studio.ui.style import plain, set_tone
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


def _stamp(seconds: float) -> str:
    minutes, secs = divmod(seconds, 60)
    return f"{int(minutes):02d}:{secs:04.1f}"


class LiveConsole(TaskEditor):
    """`LiveConsole(ctx)`; `server=` for tests (a loopback CaptionServer the test owns). Its `delivered`
    carries the Task (READY) when the event ended."""

    _session_changed = Signal()  # from the caption server's and the ingest's threads to the GUI thread

    def __init__(
        self,
        context: TaskContext,
        parent: QWidget | None = None,
        *,
        server: CaptionServer | None = None,
        briefs: Briefs | None = None,
    ) -> None:
        super().__init__(context, parent)
        self._own_server = server is None
        self.server = server
        self.session: LiveSession | None = None
        self._job = None
        self.end_confirm: QMessageBox | None = None  # "End the live captions?" while it is open
        self.sent: list[dict] = []
        self._correcting = False
        try:
            self.briefs = briefs if briefs is not None else Briefs.load()
        except BriefsError as exc:
            log.warning("%s", exc)
            self.briefs = Briefs({}, Briefs.default_path())
        self.record = CaptionLog.for_task(self.task.account or "account", self.task.id)
        self.speakers = [">>", *speaker_names(self.task)]

        start, end = live_window(self.task)
        self.start_label = QLabel(_when(start))
        self.end_label = QLabel(_when(end))
        self.status_label = plain(QLabel())
        self.status_label.setWordWrap(True)
        self.ingest_label = plain(QLabel("—"))
        self.ingest_label.setWordWrap(True)
        self.url_label = plain(QLabel("—"))
        self.url_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        form.addRow("Captions start", self.start_label)
        form.addRow("Captions end", self.end_label)
        form.addRow("Status", self.status_label)
        form.addRow("Stream", self.ingest_label)
        form.addRow("Caption address", self.url_label)

        # the event's sound: clock, level, waveform
        self.player = LivePlayer(self)
        self.player.ticked.connect(self._audio_tick)
        self.clock_label = QLabel(clock_text(None))
        font = QFont(self.clock_label.font())
        font.setPointSize(font.pointSize() + 8)
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setFamily("monospace")
        self.clock_label.setFont(font)
        self.clock_label.setAccessibleName("Stream clock")
        self.clock_label.setToolTip("Where in the event's stream the sound you hear is")
        self.meter = LevelMeter()
        self.waveform = WaveformStrip()
        sound = plain(QLabel(f"Sound: {self.player.device_name}"))
        sound.setToolTip("The event's audio as Kaltura restreams it to this console's ingest")
        self.video = VideoView()
        audio = QHBoxLayout()
        col = QVBoxLayout()
        col.addWidget(self.clock_label)
        col.addWidget(self.meter)
        col.addWidget(sound)
        col.addStretch(1)
        audio.addWidget(self.video)
        audio.addLayout(col, 1)

        self.schedule_button = QPushButton("Schedule")
        self.schedule_button.setToolTip(
            "Give Kaltura this console's stream ingest and caption address (task → Scheduled)"
        )
        self.schedule_button.clicked.connect(self.schedule)
        self.hold_button = QPushButton("Hold (F12)")
        self.hold_button.setCheckable(True)
        self.hold_button.setToolTip("Keep captions back; on release they go out with their stream times")
        self.hold_button.toggled.connect(self.set_hold)
        self.briefs_button = QPushButton("Briefs…")
        self.briefs_button.setToolTip("Your abbreviations, expanded as you type (kept for all your tasks)")
        self.briefs_button.clicked.connect(self.edit_briefs)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save the captions sent in this event as WebVTT or SRT")
        self.export_button.clicked.connect(self.export_dialog)
        self.end_button = QPushButton("End stream")
        self.end_button.setToolTip("Send the end of the caption stream and mark the task ready")
        self.end_button.clicked.connect(self.end_stream)
        buttons = QHBoxLayout()
        for b in (self.schedule_button, self.hold_button, self.briefs_button, self.export_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.end_button)

        keys = QHBoxLayout()
        self.speaker_buttons: list[QPushButton] = []
        for i, name in enumerate(self.speakers):
            button = QPushButton(f"F{i + 1} {name}")
            button.setFlat(True)
            button.setToolTip("Speaker change" if name == ">>" else f"Start a caption by {name}")
            button.clicked.connect(lambda _=False, n=name: self.insert_speaker(n))
            keys.addWidget(button)
            self.speaker_buttons.append(button)
        keys.addStretch(1)
        # F-keys are handled as key presses of the console (not window shortcuts): the shell has its own
        self._fkeys = {getattr(Qt.Key, f"Key_F{i + 1}"): name for i, name in enumerate(self.speakers)}

        self.line = QLineEdit()
        self.line.setPlaceholderText(
            "Type the caption; Enter sends it. Up on an empty line corrects the last caption."
        )
        self.line.setAccessibleName("Caption")
        self.line.textEdited.connect(self._typed)
        self.line.returnPressed.connect(self._enter)
        self.line.installEventFilter(self)
        self.history = QListWidget()
        self.history.setAccessibleName("Captions sent")

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(audio)
        layout.addWidget(self.waveform)
        layout.addLayout(buttons)
        layout.addLayout(keys)
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
        session = self.session
        if session is not None and session.last_error:
            text += f" ({session.last_error})"
        if session is not None and session.channel is not None and state == "live":
            channel = session.channel
            if not channel.connected_now:
                text = (
                    f"Kaltura is disconnected — {channel.pending} caption(s) queued, sent when it reconnects"
                )
        if self.ctx.connection is None:
            text = "No Kaltura connection: sign in to schedule this task"
        self.status_label.setText(text)
        if session is not None and session.listener is not None:
            listener = session.listener
            text = f"{INGEST_TEXT.get(listener.state, listener.state)} — {listener.media_url}"
            notes = []
            if listener.refusals:  # the state itself moves on at once: keep what happened in sight
                notes.append(f"{listener.refusals} push(es) with a wrong stream key refused")
            if listener.drops and listener.state != "receiving":
                notes.append("the stream stopped; listening again")
            self.ingest_label.setText(text + (f" ({'; '.join(notes)})" if notes else ""))
        elif session is not None:
            self.ingest_label.setText("Kaltura restreams to the vendor's own ingest")
        busy = self._job is not None
        self.schedule_button.setEnabled(self.ctx.connection is not None and state == "new" and not busy)
        self.end_button.setEnabled(state == "live" and not busy)
        self.line.setEnabled(state in ("scheduled", "live"))
        self.hold_button.setEnabled(state in ("scheduled", "live"))
        if session is not None and session.channel is not None:
            self.url_label.setText(session.channel.url)

    def _audio_tick(self) -> None:
        self.clock_label.setText(clock_text(self.player.position()))
        self.video.show_latest()
        self.meter.set_level(self.player.level())
        self.waveform.set_peaks(self.player.playout.peaks)
        if self.session is not None and self.session.listener is not None:
            self._refresh()

    # ---- actions -------------------------------------------------------------------------------------
    def _bind(self, session: LiveSession) -> None:
        """The session's ingest feeds the player; captions take the player's clock."""
        session.stream_clock = self.player.position
        if session.listener is not None:
            session.listener.on_audio = self.player.feed
            session.listener.on_video = self.video.offer

    def attach_session(self, session: LiveSession) -> None:
        """Show and serve a session someone else scheduled (the shell's claim). Its caption server
        belongs to that owner, so closing the console leaves it running."""
        self.server = session.server
        self._own_server = False
        self.session = session
        self.task = session.task
        self._bind(session)
        previous = session.on_change

        def changed(s: LiveSession) -> None:
            if previous is not None:
                previous(s)
            self._session_changed.emit()

        session.on_change = changed
        self._refresh()

    def attach_live_session(self, session: LiveSession) -> bool:
        if self.session is session:
            return False
        self.attach_session(session)
        return True

    def schedule(self) -> None:
        """Provision the task in the background (caption server and ingest first, then Kaltura)."""
        conn = self.ctx.connection
        if conn is None or self.session is not None or self._job is not None:
            return
        try:
            scheduler = LiveScheduler(video=True)
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
        self._bind(session)

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
        self.schedule_button.setEnabled(not busy and self.session is None and self.ctx.connection is not None)
        self.end_button.setEnabled(not busy and self.state == "live")

    # ---- writing -------------------------------------------------------------------------------------
    def insert_speaker(self, name: str) -> None:
        """F1: ">> " (speaker change); F2..: "[Name] " at the start of the caption being written."""
        if not self.line.isEnabled():
            return
        from reach_studio.live.relay import split_speaker

        _, rest = split_speaker(self.line.text())
        rest = rest[3:].lstrip() if rest.startswith(">>") else rest
        prefix = ">> " if name == ">>" else f"[{name}] "
        self.line.setText(prefix + rest)
        self.line.setFocus()
        self._typed(self.line.text())

    def _typed(self, text: str) -> None:
        expanded = self.briefs.expand(text)
        if expanded != text:
            self.line.setText(expanded)
            text = expanded
        if self.session is None or self.session.relay.ended or self._correcting:
            return
        self.session.relay.interim(text)

    def _function_key(self, key: int) -> bool:
        if key in self._fkeys:
            self.insert_speaker(self._fkeys[key])
            return True
        if key == Qt.Key.Key_F12 and self.hold_button.isEnabled():
            self.hold_button.toggle()
            return True
        return False

    def _function_key_press(self, event) -> bool:
        """The line's F-keys: a ShortcutOverride is accepted (so no window shortcut takes the key),
        the key press itself acts."""
        if event.key() not in self._fkeys and event.key() != Qt.Key.Key_F12:
            return False
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()
            return False
        return self._function_key(event.key())

    def keyPressEvent(self, event) -> None:
        if not self._function_key(event.key()):
            super().keyPressEvent(event)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kinds = (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride)
        if obj is self.line and event.type() in kinds and self._function_key_press(event):
            return True
        if obj is self.line and event.type() == QEvent.Type.KeyPress:
            if event.key() == Qt.Key.Key_Up and not self.line.text() and self.session is not None:
                last = self.session.relay.last_final
                if last is not None:
                    self._correcting = True
                    self.line.setText(last["response"]["alternatives"][0]["transcript"])
                    set_tone(self.line, "editing")
                    self.line.setToolTip(
                        "Correcting the last caption: Enter sends the correction, Esc cancels"
                    )
                    return True
            if event.key() == Qt.Key.Key_Escape and self._correcting:
                self._end_correction()
                self.line.clear()
                return True
        return super().eventFilter(obj, event)

    def _end_correction(self) -> None:
        self._correcting = False
        set_tone(self.line, None)
        self.line.setToolTip("")

    def _enter(self) -> None:
        text = self.line.text()
        if self.session is None or self.session.relay.ended or not text.strip():
            return
        if self._correcting:
            message = self.session.relay.correct_last(text)
            self._end_correction()
            self.line.clear()
            if message is not None:
                self._recorded(message, replace_last=True)
            return
        message = self.session.relay.final(text)
        self.line.clear()
        if message is not None:
            self._recorded(message)

    def _recorded(self, message: dict, *, replace_last: bool = False) -> None:
        self.sent.append(message)
        self.record.add(message)
        r = message["response"]
        held = " (held)" if self.session is not None and self.session.relay.held else ""
        label = next((sp.get("label") for sp in r.get("speakers") or [] if sp.get("label")), None)
        who = f"[{label}] " if label else ""
        text = f"{_stamp(r['start'])}  {who}{r['alternatives'][0]['transcript']}{held}"
        if replace_last and self.history.count():
            self.history.item(self.history.count() - 1).setText(text + "  (corrected)")
        else:
            self.history.addItem(text)
        self.history.scrollToBottom()

    def set_hold(self, on: bool) -> None:
        if self.session is None or self.session.relay.ended:
            return
        released = self.session.relay.hold(on)
        self.hold_button.setText("Release (F12)" if on else "Hold (F12)")
        if released:
            for i in range(self.history.count()):
                item = self.history.item(i)
                item.setText(item.text().replace(" (held)", ""))

    # ---- briefs and export ---------------------------------------------------------------------------
    def edit_briefs(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle("Briefs")
        editor = QPlainTextEdit(self.briefs.to_text())
        editor.setPlaceholderText("tq = thank you\nqs = questions")
        error = plain(QLabel())
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        lay = QVBoxLayout(dialog)
        lay.addWidget(QLabel("One brief a line: abbreviation = expansion. Expanded when the word ends."))
        lay.addWidget(editor)
        lay.addWidget(error)
        lay.addWidget(box)

        def save() -> None:
            try:
                entries = Briefs.parse_text(editor.toPlainText())
            except BriefsError as exc:
                error.setText(str(exc))
                return
            self.briefs.entries = entries
            briefs = self.briefs
            run_in_background(lambda token, progress: briefs.save(), None, lambda e: error.setText(str(e)))
            dialog.accept()

        box.accepted.connect(save)
        box.rejected.connect(dialog.reject)
        dialog.open()

    def export_captions(self, dest: Path, on_done=None) -> None:
        """Write the record of this event as VTT or SRT (by the file's extension), off the GUI thread."""
        fmt = "srt" if dest.suffix.lower() == ".srt" else "vtt"
        record, language = self.record, self.task.source_language

        def done(path) -> None:
            self.status_label.setText(f"Captions of this event saved to {path}")
            if on_done is not None:
                on_done(path)

        run_in_background(
            lambda token, progress: record.export(dest, fmt, language),
            done,
            lambda exc: self.status_label.setText(f"Could not save the captions: {exc}"),
        )

    def export_dialog(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export the captions sent", f"live-{self.task.id}.vtt", "WebVTT (*.vtt);;SubRip (*.srt)"
        )
        if name:
            self.export_captions(Path(name))

    def end_stream(self) -> None:
        """Ask first: ending cannot be undone (Kaltura gets the end of the caption stream, the task becomes
        READY and nothing more can be sent), and the button sits next to Hold and Export in a live event."""
        if self.session is None or self._job is not None or self.end_confirm is not None:
            return
        from reach_studio.ui.queue_model import entry_label

        box = QMessageBox(
            QMessageBox.Icon.Warning,
            f"End the live captions of task {self.task.id}",
            f"End the live captions of “{entry_label(self.task)}”?\n\nKaltura receives the end of the caption "
            f"stream and task {self.task.id} becomes READY: nothing more can be sent for this event.",
            parent=self,
        )
        end = box.addButton("End stream", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Keep captioning", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(box.buttons()[-1])  # Enter while typing a caption must not end the event
        box.setWindowModality(Qt.WindowModality.WindowModal)

        def answered(_result: int) -> None:
            self.end_confirm = None
            if box.clickedButton() is end:
                self._end_stream_now()
            else:
                self.line.setFocus()

        box.finished.connect(answered)
        self.end_confirm = box
        box.open()

    def _end_stream_now(self) -> None:
        """End of stream and READY, in the background."""
        session = self.session
        if session is None or self._job is not None:
            return
        text = self.line.text().strip()
        if text:
            self._enter()
        if self.hold_button.isChecked():
            self.hold_button.setChecked(False)

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
        """Stop serving captions and the ingest (the task keeps its status); the workspace closing calls it."""
        self.player.stop()
        self.record.flush()
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
