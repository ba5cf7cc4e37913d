"""The dubbing and audio-description editor: write or take the lines, record a take per line, mix, deliver.

Why it exists: these two REACH services return audio, not text. The linguist works line by line next to
the video — for dubbing the lines start from the (translated) captions, for audio description the
describer writes each description at the playhead in a natural pause — records a take per line (or
imports one recorded elsewhere when this computer has no microphone), checks the result with a mix
preview, and delivers. Delivery mixes the takes over the original audio with the original ducked under
them and extracts the clear original audio (engine/voice_product.py), and hands both to the delivery
engine (engine/delivery.py), off the GUI thread. The script is journaled to the draft store on a short debounce
and takes are files on disk, so a kill loses at most a second and never a recording.
"""

from __future__ import annotations

import logging
import re
import shutil
import uuid
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from reach_studio import paths
from reach_studio.domain.captions import CaptionDocument, DescriptionCue
from reach_studio.domain.delivery_plan import WorkProduct
from reach_studio.domain.enums import ServiceFeature
from reach_studio.domain.progress import CancelToken, ProgressCallback
from reach_studio.domain.voice_script import VoiceScript, VoiceScriptError
from reach_studio.engine.voice_product import entry_captions_for_dubbing, render_work_product
from reach_studio.ui.editors.base import EditorBase
from reach_studio.ui.editors.cue_model import clock
from reach_studio.ui.editors.recorder import RecorderError, RecorderPanel, TakeRecorder
from reach_studio.ui.editors.registry import TaskContext
from reach_studio.ui.editors.time_edit import TimeEdit
from reach_studio.ui.player import MediaPlayerBase, PlayerError, VideoView, create_player
from reach_studio.ui.queue_model import service_label
from reach_studio.ui.style import esc, plain, rich, set_tone
from reach_studio.ui.timeline import TimelineView
from reach_studio.workers.background import run_in_background

log = logging.getLogger(__name__)

SAVE_DEBOUNCE_MS = 300
COLUMNS = ("#", "Start", "Text", "Take")


def _setting(key: str, default):
    try:
        from reach_studio.settings import Settings

        return Settings().get(key)
    except Exception:  # noqa: BLE001 - damaged settings: the default
        return default


def takes_folder(key: str) -> Path:
    """Where the takes of one task live (under the data folder, next to the drafts)."""
    return paths.data_dir() / "takes" / re.sub(r"[^A-Za-z0-9._-]+", "_", key)


class VoiceEditor(EditorBase):
    """Edits one claimed dubbing or audio-description task."""

    def __init__(
        self,
        ctx: TaskContext,
        parent: QWidget | None = None,
        player: MediaPlayerBase | None | str = "auto",
        take_player: MediaPlayerBase | None | str = "auto",
        recorder_reason: str | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.kind = "dubbing" if self.task.feature == ServiceFeature.DUBBING else "audio_description"
        self.language = (
            self.task.target_language if self.kind == "dubbing" else None
        ) or self.task.source_language
        self.takes_dir = takes_folder(self.key)
        self.current: int | None = None
        self._refreshing = False
        self._playhead = 0
        self.script, note = self._initial_script()
        self.start_journal(self.kind, service_label(self.task))
        self._save_timer = QTimer(self, singleShot=True, interval=SAVE_DEBOUNCE_MS)
        self._save_timer.timeout.connect(self.journal.snapshot)
        self.dialogue: list[tuple[int, int]] = []  # where the original speaks (captions, else loud audio)
        self._dialogue_from_captions = False
        # Only a description must fit the pauses in the dialogue; a dub *replaces* the dialogue, so its lines
        # sit on it by design and are measured against their own slot (dubbing never fills self.dialogue).
        self._describes = self.kind == "audio_description"
        if self._describes and ctx.source_captions is not None and ctx.source_captions.cues:
            self.dialogue = [(c.start_ms, c.end_ms) for c in ctx.source_captions.cues]
            self._dialogue_from_captions = True
        self._take_peaks: dict[Path, object] = {}
        self._preparing = 0  # takes in a worker (clean-up, import), not yet on their line
        self._take_jobs: dict[Path, object] = {}
        self._previewing = False
        self._full_waveform = False  # the downloaded file's waveform is drawn (streamed ones then wait)
        self.player = create_player(self) if player == "auto" else player
        self.take_player = create_player(self) if take_player == "auto" else take_player
        self.recorder = TakeRecorder(self)
        self._build_ui(recorder_reason)
        self._connect()
        self._install_keys()
        self._install_undo()
        self.refresh()
        if self.script.lines:
            self.select(0, seek=False)
        self.show_status(note or self._hint())
        self._captions_job = None
        self._script_job = None
        if self.kind == "dubbing" and not self.script.lines and ctx.connection is not None:
            self.load_entry_captions()

    # --------------------------------------------------------------------------------- state

    def _initial_script(self) -> tuple[VoiceScript, str]:
        start = VoiceScript(self.kind, self.language)
        if self.kind == "dubbing" and self.ctx.source_captions is not None:
            start = VoiceScript.from_captions(self.ctx.source_captions, "dubbing")
            start.language = self.language
        self._dub_caption = self._accuracy = None
        draft, note = self.load_draft(self.kind)
        if draft is None or draft.snapshot is None:
            return start, note
        try:
            script = VoiceScript.from_dict(draft.snapshot.get("script", {}))
        except VoiceScriptError as exc:
            return start, f"Your draft could not be restored ({exc}); starting again"
        self._dub_caption = bool(draft.snapshot.get("dub_caption"))
        self._accuracy = draft.snapshot.get("dub_caption_accuracy")
        missing = [i + 1 for i, ln in enumerate(script.lines) if ln.take and not Path(ln.take).is_file()]
        note = f"Restored your draft ({len(script.lines)} lines, {len(script.takes())} takes)"
        if missing:
            note += f"; the take of line(s) {', '.join(map(str, missing))} is missing on disk"
        return script, note

    def _snapshot_payload(self) -> dict[str, Any]:
        return {
            "version": 1,
            "kind": self.kind,
            "script": self.script.to_dict(),
            "dub_caption": self.dub_caption_box.isChecked(),
            "dub_caption_accuracy": self.accuracy_box.value(),
        }

    def changed(self) -> None:
        """Something in the script changed: save within SAVE_DEBOUNCE_MS."""
        if not self.locked and not self._save_timer.isActive():
            self._save_timer.start()

    def _hint(self) -> str:
        if self.kind == "audio_description":
            return (
                "Play the video, pause in a natural gap, press “Add line at playhead”, write the description "
                "and record it."
            )
        if not self.script.lines:
            return (
                "Import the translated captions (“Import script…”) or add lines at the playhead, then record."
            )
        return "Select a line, rehearse it against the video, then record its take."

    # ------------------------------------------------------------------------------------ UI

    def _build_ui(self, recorder_reason: str | None) -> None:
        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addWidget(
            rich(QLabel(f"<b>{esc(service_label(self.task))}</b> · {esc(self.language or '')}  ", self))
        )
        self.add_action = self.toolbar.addAction("Add line at playhead", lambda: self.add_line_at_playhead())
        self.delete_action = self.toolbar.addAction("Delete line", self.delete_current)
        if self.kind == "dubbing":
            self.toolbar.addAction("Import script…", self.import_script)
            self.toolbar.addAction("Captions from Kaltura", self.load_entry_captions)
        self.toolbar.addSeparator()
        self.preview_action = self.toolbar.addAction("Preview mix", self.preview_mix)
        self.deliver_action = self.toolbar.addAction("Deliver", self.deliver)

        self.video = VideoView(self)
        self.video.attach(self.player)
        self.play_button = QPushButton("▶ Play", self)
        self.play_button.clicked.connect(self.toggle_play)
        self.time_label = QLabel(clock(0), self)
        # what waits for the whole file while the stream plays (said, never blocking the editor)
        self.waiting_note = plain(QLabel(self))
        self.waiting_note.setWordWrap(True)
        set_tone(self.waiting_note, "muted")
        transport = QHBoxLayout()
        transport.addWidget(self.play_button)
        transport.addWidget(self.time_label)
        transport.addWidget(self.waiting_note, 1)
        left = self.video_side(transport, "Downloading media…" if self.ctx.media_path is None else None)

        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for col, width in ((0, 40), (1, 96), (3, 90)):
            self.table.setColumnWidth(col, width)

        # The panel scrolls rather than squeezing its controls when the window is small (1024×700), and
        # gets the height it needs from the line list above it when there is room (_fit_panel).
        self.panel = panel = QWidget()
        outer = QVBoxLayout(panel)
        outer.setContentsMargins(4, 4, 4, 4)
        form = QFormLayout()
        outer.addLayout(form)
        outer.addStretch(1)
        times = QHBoxLayout()
        self.start_edit = TimeEdit(panel)
        self.to_playhead = QPushButton("Start at playhead", panel)
        self.to_playhead.clicked.connect(self.set_start_at_playhead)
        times.addWidget(self.start_edit)
        times.addWidget(self.to_playhead)
        times.addStretch(1)
        form.addRow("Start", times)
        # the slot and the over-dialogue warning: a row of its own, as wide as the panel, so it wraps into
        # a line or two instead of a narrow column (and never widens the editor)
        self.slot_label = plain(QLabel(panel))
        self.slot_label.setWordWrap(True)
        self.slot_label.hide()
        form.addRow(self.slot_label)
        self.text_edit = QPlainTextEdit(panel)
        self.text_edit.setMinimumHeight(44)
        self.text_edit.setMaximumHeight(72)
        self.text_edit.setPlaceholderText(
            "What is said in the " + ("dub" if self.kind == "dubbing" else "description")
        )
        form.addRow("Line" if self.kind == "dubbing" else "Description", self.text_edit)
        # how long the text takes to speak at the describer's rate, against the pause before the next dialogue
        self.speak_label = plain(QLabel(panel))
        self.speak_label.setWordWrap(True)
        self.rate_box = QSpinBox(panel, minimum=60, maximum=300, suffix=" wpm", singleStep=10)
        self.rate_box.setValue(_setting("description_wpm", 160))
        self.rate_box.setToolTip("Your speaking rate for descriptions (words per minute)")
        self.rate_box.valueChanged.connect(self._rate_changed)
        speak_row = QHBoxLayout()
        speak_row.addWidget(self.speak_label, 1)
        speak_row.addWidget(self.rate_box, 0, Qt.AlignmentFlag.AlignTop)
        form.addRow("Speaking time", speak_row)
        self.dub_caption_box = QCheckBox("Also deliver one, at", panel)
        self.dub_caption_box.setToolTip("A caption file timed to the dub (Kaltura's dub-aligned caption)")
        self.accuracy_box = QSpinBox(panel, minimum=50, maximum=98, suffix=" % accuracy")
        self.dub_caption_box.setChecked(bool(self._dub_caption))
        self.accuracy_box.setValue(int(self._accuracy or 95))
        if self.kind == "dubbing":
            row = QHBoxLayout()
            row.addWidget(self.dub_caption_box)
            row.addWidget(self.accuracy_box)
            row.addStretch(1)
            form.addRow("Caption", row)
        else:
            self.dub_caption_box.hide()
            self.accuracy_box.hide()
        self.recorder_panel = RecorderPanel(self.recorder, panel, reason=recorder_reason)
        form.addRow("Take", self.recorder_panel)
        # why recording is not possible here, across the whole panel under the Take row (a wrapped label
        # nested in a form row got less height than it needs and was cut off)
        outer.insertWidget(1, self.recorder_panel.note)

        self.panel_scroll = QScrollArea(self)
        self.panel_scroll.setWidget(panel)
        self.panel_scroll.setWidgetResizable(True)
        self.panel_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.panel_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # it scrolls only downwards, so it must be as wide as its controls need (with room for the vertical
        # bar): else a splitter beside it (the task details pane at 1024 px) squeezed the panel and cut it
        self.panel_scroll.setMinimumWidth(
            panel.minimumSizeHint().width() + self.panel_scroll.verticalScrollBar().sizeHint().width()
        )
        rows = self.table.verticalHeader().defaultSectionSize()
        self.table.setMinimumHeight(self.table.horizontalHeader().sizeHint().height() + 2 * rows + 6)
        top = self.workbench(left, self.table, self.panel_scroll)
        top.setSizes([360, 640])  # the picture needs less width than the lines and their panel
        self.right_split = top.widget(1)
        self.right_split.setStretchFactor(0, 1)  # a taller window gives the line list more rows
        self.right_split.setStretchFactor(1, 0)
        self.right_split.setCollapsible(1, False)
        self.timeline = TimelineView(self)
        self.timeline.canvas.set_duration(self.task.entry_duration_ms or 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.toolbar)
        layout.addWidget(top, 1)
        layout.addWidget(self.timeline)
        layout.addWidget(self.status)

    def _connect(self) -> None:
        self.table.currentCellChanged.connect(lambda row, _c, _pr, _pc: self._row_from_table(row))
        self.text_edit.textChanged.connect(self._text_typed)
        self.start_edit.timeEdited.connect(self._start_typed)
        self.recorder_panel.recordRequested.connect(self.start_recording)
        self.recorder_panel.stopRequested.connect(self.stop_recording)
        self.recorder_panel.playRequested.connect(self.play_take)
        self.recorder_panel.importRequested.connect(self.import_take_dialog)
        self.recorder.recordingChanged.connect(self._recording_changed)
        self.dub_caption_box.toggled.connect(lambda _on: self.changed())
        self.accuracy_box.valueChanged.connect(lambda _v: self.changed())
        canvas = self.timeline.canvas
        canvas.seekRequested.connect(self.seek)
        canvas.itemSelected.connect(lambda i: self.select(i, seek=False))
        canvas.itemActivated.connect(lambda i: (self.select(i), self.play_take()))
        canvas.timesEdited.connect(lambda i, s, _e: self.move_line(i, s))
        if self.take_player is not None:
            self.take_player.playingChanged.connect(self._take_playing_changed)
        if self.player is not None:
            self.player.positionChanged.connect(self._position_changed)
            self.player.durationChanged.connect(lambda d: d > 0 and self.timeline.canvas.set_duration(d))
            self.player.playingChanged.connect(
                lambda on: self.play_button.setText("❚❚ Pause" if on else "▶ Play")
            )
            self.player.errorOccurred.connect(lambda m: self.show_status(f"Player: {m}", error=True))
        if self.ctx.media_path is not None:
            self.set_media(self.ctx.media_path)
        else:
            self._update_waiting_tools()

    def _install_keys(self) -> None:
        """The timed editor's keys for what this editor shares with it (play, a line at the playhead, its
        start at the playhead, previous/next, delete, deliver): a linguist moving between a caption and a
        description task keeps their hands where they were. The focus lands in the line list on opening."""
        from reach_studio.ui.editors import shortcuts

        self.shortcuts = shortcuts.install(
            self,
            {
                "play_pause": lambda: self.toggle_play(),
                # as in the timed editor: Space plays/pauses outside the text field (which takes it first)
                "editor_play_pause_space": lambda: self.toggle_play(),
                "editor_insert_at_playhead": lambda: (
                    self.add_action.isEnabled() and self.add_line_at_playhead()
                ),
                "editor_set_start": self.set_start_at_playhead,
                "editor_previous": lambda: self._step_line(-1),
                "editor_next": lambda: self._step_line(1),
                "editor_delete": lambda: self.delete_action.isEnabled() and self.delete_current(),
                "editor_seek_back": lambda: self.seek(self.playhead_ms() - 2000),
                "editor_seek_forward": lambda: self.seek(self.playhead_ms() + 2000),
                "editor_deliver": self.deliver,
            },
        )
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFocusProxy(self.table)

    # ------------------------------------------------------------------------------ undo

    def _install_undo(self) -> None:
        """One history for the script (Ctrl+Z / Ctrl+Y, also in the text fields): a deleted line comes back
        with its take, a moved line goes back, typing in a line is one step."""
        from PySide6.QtGui import QUndoStack

        from reach_studio.ui.editors.undo import OneHistory, history_actions

        self.undo_stack = QUndoStack(self)
        self.undo_action, self.redo_action = history_actions(
            self, self.undo_stack, allowed=lambda: not self.locked and not self.recorder.recording
        )
        self.text_edit.setUndoRedoEnabled(False)  # the script's history is the only one
        self._one_history = OneHistory(self)
        for w in (self.text_edit, self.start_edit):
            w.installEventFilter(self._one_history)

    def _step_start(self) -> dict:
        return self.script.to_dict()

    def _step_done(self, label: str, before: dict, rows: tuple, typing: bool = False) -> None:
        from reach_studio.ui.editors.undo import ScriptStep

        row = rows[1] if typing else None
        self.undo_stack.push(ScriptStep(label, before, self.script.to_dict(), self._restore_step, rows, row))

    def _restore_step(self, data: dict, row: int | None) -> None:
        """Undo/redo: the script as it was, the line selected, saved like any edit."""
        if self.recorder.recording:
            return
        self.script = VoiceScript.from_dict(data)
        self.refresh()
        if self.script.lines:
            self.select(max(0, min(row if row is not None else 0, len(self.script.lines) - 1)), seek=False)
        else:
            self.select(None, seek=False)
        self.changed()

    def _step_line(self, delta: int) -> None:
        if self.script.lines:
            row = 0 if self.current is None else self.current + delta
            self.select(max(0, min(row, len(self.script.lines) - 1)))

    # ----------------------------------------------------------------------- shell contract

    def set_media(self, path: Path) -> None:
        """Called by the workspace when the media download finished: a stream playing meanwhile hands over
        to the file at the same position; the mix preview and dialogue detection become available."""
        from reach_studio.ui.editors.waveform_loader import load_peaks_async

        super().set_media(path)
        self._waveform_job = load_peaks_async(
            Path(path),
            self._media_peaks,
            lambda m: self.show_status(m, error=True),
            alive=lambda: shiboken6.isValid(self),
        )
        self.load_into_player(path)
        self._update_waiting_tools()

    def set_stream(self, source) -> None:
        """While the media downloads: its stream plays, so lines are written and takes rehearsed at once."""
        super().set_stream(source)
        if source.duration_ms:
            self.timeline.canvas.set_duration(source.duration_ms)

    def set_partial_waveform(self, wave) -> None:
        """The original's waveform as its audio arrives (until the file's own is drawn)."""
        if not self._full_waveform:
            self.timeline.canvas.set_peaks(wave)

    def _update_waiting_tools(self) -> None:
        """The mix preview (and dialogue detection, when no captions say where the dialogue is) need the
        whole file: until it is here they say so instead of holding the editor up."""
        waiting = self.ctx.media_path is None
        needs = ["Mix preview"] + ([] if self._dialogue_from_captions else ["dialogue detection"])
        note = f"{' and '.join(needs)}: available when the download completes" if waiting else ""
        self.waiting_note.setText(note)
        self.preview_action.setEnabled(not waiting and not self.locked and not self.recorder.recording)
        self.preview_action.setToolTip(note or "Mix what is recorded so far and play it from the playhead")

    def _media_peaks(self, wave) -> None:
        """The original's waveform: drawn on the timeline, and its loud stretches taken as the dialogue."""
        from reach_studio.media.dialogue import loud_spans

        self._full_waveform = True
        self.timeline.canvas.set_peaks(wave)
        if self._describes and not self._dialogue_from_captions:
            self.dialogue = loud_spans(wave)
            self.refresh()

    def slot_ms(self, row: int) -> int | None:
        """The time line `row` has: until the next dialogue (or the next line, or its own slot), from its start."""
        line = self.script.lines[row]
        ends = [s for s, e in self.dialogue if e > line.start_ms]
        if ends:
            return max(0, ends[0] - line.start_ms)
        if line.end_ms is not None:
            return line.end_ms - line.start_ms
        if row + 1 < len(self.script.lines):
            return self.script.lines[row + 1].start_ms - line.start_ms
        return None

    def _update_speaking_time(self) -> None:
        from reach_studio.domain.speaking_time import fit_note

        if self.current is None:
            self.speak_label.setText("")
            return
        text, fits = fit_note(
            self.script.lines[self.current].text,
            self.slot_ms(self.current),
            self.rate_box.value(),
            within="before the next dialogue" if self._describes else "of the original line",
        )
        self.speak_label.setText(text)
        set_tone(self.speak_label, None if fits else "error")
        self._fit_panel()  # a longer estimate may wrap onto a second line

    def _rate_changed(self, wpm: int) -> None:
        self._update_speaking_time()
        try:
            from reach_studio.settings import Settings

            Settings().set("description_wpm", int(wpm))
        except Exception as exc:  # noqa: BLE001 - the rate still applies to this session
            log.warning("could not keep the speaking rate: %s", exc)

    def take_over_dialogue(self, row: int) -> tuple[int, int] | None:
        """(where, how many ms) the take of line `row` runs over dialogue, or None."""
        from reach_studio.media.dialogue import overlap_with

        line = self.script.lines[row]
        if not line.has_take or not self.dialogue:
            return None
        return overlap_with(self.dialogue, line.start_ms, line.start_ms + line.take_ms)

    def _load_take_peaks(self) -> None:
        """Each take's own waveform, drawn inside its block on the timeline (computed once, cached)."""
        from reach_studio.ui.editors.waveform_loader import load_peaks_async

        for line in self.script.lines:
            path = Path(str(line.take)) if line.has_take else None
            if path is None or path in self._take_peaks or path in self._take_jobs or not path.is_file():
                continue

            def got(wave, path=path) -> None:
                self._take_jobs.pop(path, None)
                self._take_peaks[path] = wave
                self._show_take_peaks()

            self._take_jobs[path] = load_peaks_async(
                path,
                got,
                lambda _m, path=path: self._take_jobs.pop(path, None),
                alive=lambda: shiboken6.isValid(self),
            )

    def _show_take_peaks(self) -> None:
        self.timeline.canvas.set_block_peaks(
            {
                row: self._take_peaks[Path(str(ln.take))]
                for row, ln in enumerate(self.script.lines)
                if ln.has_take and Path(str(ln.take)) in self._take_peaks
            }
        )

    def set_source_captions(self, doc: CaptionDocument) -> None:
        """Dubbing: the translated captions arrived; an empty script takes their lines and timing."""
        super().set_source_captions(doc)
        if self.kind == "dubbing" and not self.script.lines:
            self.load_script(doc)

    def flush_draft(self) -> None:
        self._save_timer.stop()
        super().flush_draft()

    def _players(self) -> list:
        return [p for p in (self.player, self.take_player) if p is not None]

    def closeEvent(self, event) -> None:
        if self.recorder.recording:
            self.stop_recording(clean_up=False)  # into the draft now: no worker outlives the editor
        super().closeEvent(event)

    # ------------------------------------------------------------------------------ lines

    def refresh(self) -> None:
        """Rebuild the table and the timeline from the script."""
        self._refreshing = True
        lines = self.script.lines
        self.table.setRowCount(len(lines))
        for row, line in enumerate(lines):
            self._fill_row(row)
        self._timeline_items = [DescriptionCue(ln.start_ms, ln.shown_end_ms, ln.text or "…") for ln in lines]
        self.timeline.canvas.set_items(self._timeline_items)
        self.timeline.canvas.items_changed()
        # flagged (red edge): lines that block delivery — no take yet, or a take running into the next line
        self.timeline.canvas.set_error_rows(set(self.script.overlaps()) | set(self.script.missing_takes()))
        self._show_take_peaks()
        self._load_take_peaks()
        self._refreshing = False
        self._refresh_panel()

    def _fill_row(self, row: int) -> None:
        line = self.script.lines[row]
        take = f"✔ {line.take_ms / 1000:.1f} s" if line.has_take else "— none"
        if line.has_take and not Path(str(line.take)).is_file():
            take = "✖ missing"
        elif self.take_over_dialogue(row) is not None:
            take += " ⚠ over dialogue"
        for col, text in enumerate((str(row + 1), clock(line.start_ms), line.text, take)):
            item = self.table.item(row, col)
            if item is None:
                item = QTableWidgetItem()
                self.table.setItem(row, col, item)
            item.setText(text)

    def _refresh_panel(self) -> None:
        line = self.script.lines[self.current] if self.current is not None else None
        self._refreshing = True
        for w in (self.start_edit, self.text_edit, self.to_playhead):
            w.setEnabled(line is not None)
        self.delete_action.setEnabled(line is not None)
        if line is None:
            self.start_edit.set_ms(None)
            self.text_edit.setPlainText("")
            self.slot_label.setText("")
            self.speak_label.setText("")
        else:
            self.start_edit.set_ms(line.start_ms)
            if self.text_edit.toPlainText() != line.text:
                self.text_edit.setPlainText(line.text)
            slot = ""
            if line.end_ms is not None:
                slot = f"slot {(line.end_ms - line.start_ms) / 1000:.1f} s"
                if line.has_take and line.take_ms > line.end_ms - line.start_ms:
                    slot += (
                        f" — the take is {(line.take_ms - (line.end_ms - line.start_ms)) / 1000:.1f} s longer"
                    )
            self._update_speaking_time()
            over = self.take_over_dialogue(self.current)
            if over is not None:
                slot = (slot + " — " if slot else "") + (
                    f"⚠ the take runs over dialogue from {clock(over[0])} ({over[1] / 1000:.1f} s): "
                    "move the line into a pause or record a shorter take"
                )
            self.slot_label.setText(slot)
            set_tone(self.slot_label, "error" if over is not None or "longer" in slot else None)
        self.slot_label.setVisible(bool(self.slot_label.text()))
        self.recorder_panel.set_line(line is not None, bool(line and line.has_take))
        self._refreshing = False
        self._fit_panel()

    def _fit_panel(self) -> None:
        """Give the panel the height its content needs (a new warning, a wrapped note), taken from the line
        list while that keeps its minimum; what still does not fit scrolls. Never shrinks the panel: a
        linguist who dragged the splitter keeps what they chose."""
        if not self.isVisible():
            return
        width = self.panel_scroll.viewport().width()
        need = self.panel.heightForWidth(width) if self.panel.hasHeightForWidth() else -1
        need = max(need, self.panel.minimumSizeHint().height())
        table_h, panel_h = self.right_split.sizes()
        if need <= panel_h:
            return
        spare = table_h - self.table.minimumHeight()
        grow = min(need - panel_h, max(0, spare))
        if grow > 0:
            self.right_split.setSizes([table_h - grow, panel_h + grow])

    def showEvent(self, event) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, lambda: shiboken6.isValid(self) and self._fit_panel())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, lambda: shiboken6.isValid(self) and self._fit_panel())

    def select(self, row: int | None, seek: bool = True) -> None:
        if row is not None and not 0 <= row < len(self.script.lines):
            row = None
        self.current = row
        if row is not None and self.table.currentRow() != row:
            self._refreshing = True
            self.table.setCurrentCell(row, 2)
            self._refreshing = False
        self.timeline.canvas.set_selected(row)
        if row is not None and seek:
            self.seek(self.script.lines[row].start_ms)
        self._refresh_panel()

    def _row_from_table(self, row: int) -> None:
        if not self._refreshing and row >= 0:
            self.select(row)

    def add_line_at_playhead(self, text: str = "") -> int:
        before = self._step_start()
        index = self.script.add_line(self.playhead_ms(), text)
        self._step_done("Add line", before, (self.current, index))
        self.refresh()
        self.select(index, seek=False)
        self.text_edit.setFocus()
        self.changed()
        return index

    def delete_current(self) -> None:
        if self.current is None:
            return
        before = self._step_start()
        self.script.remove_line(self.current)
        self._step_done("Delete line", before, (self.current, self.current))
        self.refresh()
        self.select(min(self.current, len(self.script.lines) - 1) if self.script.lines else None, seek=False)
        self.changed()

    def move_line(self, row: int, start_ms: int) -> None:
        before = self._step_start()
        try:
            new = self.script.set_start(row, max(0, start_ms))
        except VoiceScriptError as exc:
            self.show_status(str(exc), error=True)
            return
        self._step_done("Move line", before, (row, new))
        self.refresh()
        self.select(new, seek=False)
        self.changed()

    def set_start_at_playhead(self) -> None:
        if self.current is not None:
            self.move_line(self.current, self.playhead_ms())

    def _start_typed(self, ms: int) -> None:
        if self.current is not None:
            self.move_line(self.current, ms)

    def _text_typed(self) -> None:
        if self._refreshing or self.current is None:
            return
        before = self._step_start()
        self.script.set_text(self.current, self.text_edit.toPlainText())
        self._step_done("Typing", before, (self.current, self.current), typing=True)
        self._fill_row(self.current)
        self._update_speaking_time()
        item = self._timeline_items[self.current]
        self._timeline_items[self.current] = DescriptionCue(
            item.start_ms, item.end_ms, self.script.lines[self.current].text or "…"
        )
        self.timeline.canvas.update()
        self.changed()

    def load_script(self, doc: CaptionDocument) -> None:
        """Replace the lines with one per caption (keeps nothing of the old lines; takes stay on disk)."""
        script = VoiceScript.from_captions(doc, self.kind)
        script.language = self.language
        before = self._step_start()
        self.script = script
        self._step_done("Load script", before, (self.current, 0))
        self.refresh()
        self.select(0 if script.lines else None, seek=False)
        self.changed()
        self.show_status(f"{len(script.lines)} lines from the captions")

    def load_entry_captions(self):
        """Fetch the entry's captions in the background and start the script from them (dubbing)."""
        if self.ctx.connection is None:
            self.show_status("Not connected to Kaltura: import the script from a file instead", error=True)
            return None
        connection, task = self.ctx.connection, self.task
        self.show_status("Looking for the entry's captions to start the script from…")

        def done(found) -> None:
            if not shiboken6.isValid(self) or self.locked:
                return
            if found is None:
                self.show_status("The entry has no captions to start from: import the script or add lines")
                return
            doc, what = found
            if self.script.lines and self.script.takes():
                self.show_status(
                    f"Found {what}, but lines with takes exist: use “Import script…” to replace them"
                )
                return
            self.load_script(doc)
            self.show_status(f"{len(self.script.lines)} lines from {what}")

        def failed(exc: BaseException) -> None:
            if shiboken6.isValid(self):
                self.show_status(f"The entry's captions could not be loaded: {exc}", error=True)

        self._captions_job = run_in_background(
            lambda token, progress: entry_captions_for_dubbing(connection, task), done, failed
        )
        return self._captions_job

    def import_script(self) -> None:
        path = self.ask_for_file(
            "Import the script (captions)", "Captions (*.srt *.vtt *.dfxp *.xml *.txt *.json);;All files (*)"
        )
        if path is not None:
            self.import_script_path(path)

    def import_script_path(self, path: Path) -> None:
        """Read the script's captions in the background; the lines and every repair made are reported."""
        from reach_studio.ui.editors.caption_import import import_caption_file

        suffix = Path(path).suffix.lower().lstrip(".")
        fmt = {"xml": "dfxp"}.get(suffix, suffix) if suffix in ("srt", "vtt", "dfxp", "xml", "json") else None

        def loaded(doc: CaptionDocument) -> str | None:
            replaced = bool(self.script.takes() and self.script.lines)
            self.load_script(doc)
            return "the recorded takes stay on disk" if replaced else None

        self._script_job = import_caption_file(
            self, path, loaded, nouns=("line", "lines"), fmt=fmt, language=self.language
        )

    # ------------------------------------------------------------------------------ takes

    def _new_take_path(self) -> Path:
        return self.takes_dir / f"line-{uuid.uuid4().hex[:12]}.wav"

    def start_recording(self, device=None) -> bool:
        """Record a take for the current line (from the microphone, or `device` in tests)."""
        if self.current is None:
            return False
        try:
            self.recorder.start(self._new_take_path(), device=device)
        except RecorderError as exc:
            self.show_status(str(exc), error=True)
            return False
        self._recording_row = self.current
        self.seek(self.script.lines[self.current].start_ms)
        if self.playable and not self.player.is_playing():
            self.player.play()  # the picture runs with the take, so the voice lands on its moment
        self.show_status(f"Recording line {self.current + 1}… press Stop when done")
        return True

    def _recording_changed(self, on: bool) -> None:
        # the row being recorded must stay where it is until the take is kept
        for widget in (
            self.add_action,
            self.delete_action,
            self.deliver_action,
            self.table,
        ):
            widget.setEnabled(not on and not self.locked)
        self._update_waiting_tools()
        if not on:
            self._refresh_panel()

    def stop_recording(self, clean_up: bool = True) -> None:
        """Keep the take: cleaned up in a worker first, or (closing) at once as recorded."""
        if not self.recorder.recording:
            return
        if self.player is not None and self.player.is_playing():
            self.player.pause()
        try:
            path, length = self.recorder.stop()
        except RecorderError as exc:
            self.show_status(str(exc), error=True)
            return
        if clean_up:
            self._polish_and_keep(self._recording_row, path, length)
        else:
            self._set_take(self._recording_row, path, length)

    @property
    def preparing_takes(self) -> int:
        """Takes being cleaned up (or imported) in a worker: not yet on their line."""
        return self._preparing

    def _polish_and_keep(self, row: int, path: Path, length: int):
        """Clean the recorded take up in a worker (media/take_polish.py: the pauses around the voice
        trimmed, loudness evened out, short fades), then keep it for the line; returns the job."""
        from reach_studio.media.take_polish import polish_take

        self._preparing += 1
        self.show_status(f"Line {row + 1}: cleaning up the take…")

        def done(report) -> None:
            self._preparing -= 1
            if shiboken6.isValid(self):
                self._set_take(row, path, report.length_ms, report)

        def failed(exc: BaseException) -> None:
            self._preparing -= 1
            if shiboken6.isValid(self):
                self._set_take(row, path, length)
                self.show_status(
                    f"Line {row + 1}: take kept as recorded (it could not be cleaned up: {exc})", error=True
                )

        self._polish_job = run_in_background(lambda token, progress: polish_take(path), done, failed)
        return self._polish_job

    def _set_take(self, row: int, path: Path, length: int, report=None) -> None:
        before = self._step_start()
        try:
            self.script.set_take(row, path, length)
        except VoiceScriptError as exc:
            self.show_status(str(exc), error=True)
            return
        self._step_done("Take", before, (row, row))
        self.refresh()
        self.select(row, seek=False)
        self.changed()
        kept = f"Line {row + 1}: take of {length / 1000:.1f} s kept"
        trimmed = (report.trimmed_start_ms + report.trimmed_end_ms) if report is not None else 0
        if trimmed >= 100:
            kept += f" ({trimmed / 1000:.1f} s of silence trimmed)"
        over = self.take_over_dialogue(row)
        if report is not None and report.silent:
            self.show_status(
                f"{kept}, but it is silent: check the microphone and record it again", error=True
            )
        elif over is not None:
            self.show_status(
                f"{kept}, but it runs over dialogue from {clock(over[0])} for {over[1] / 1000:.1f} s",
                error=True,
            )
        else:
            self.show_status(kept)

    def import_take_dialog(self) -> None:
        path = self.ask_for_file(
            "Import a take", "Audio (*.wav *.mp3 *.m4a *.aac *.ogg *.flac *.mp4);;All files (*)"
        )
        if path is not None and self.current is not None:
            self.import_take_path(self.current, path)

    def import_take_path(self, row: int, source: Path):
        """Convert `source` into a take for line `row` in the background; returns the job."""
        from reach_studio.media.audio_mix import import_take
        from reach_studio.media.errors import MediaError
        from reach_studio.media.take_polish import polish_take

        dest = self._new_take_path()
        self.show_status(f"Importing {Path(source).name}…")
        self._preparing += 1

        def work(token, progress):
            length = import_take(Path(source), dest, token=token, progress=progress)
            try:  # cleaned up like a recorded take; a take that cannot be is still a take
                return length, polish_take(dest)
            except MediaError as exc:
                log.warning("imported take kept as it is: %s", exc)
                return length, None

        def done(result) -> None:
            self._preparing -= 1
            length, report = result
            if shiboken6.isValid(self):
                self._set_take(row, dest, report.length_ms if report else length, report)

        def failed(exc: BaseException) -> None:
            self._preparing -= 1
            if shiboken6.isValid(self):
                self.show_status(f"Cannot use {Path(source).name} as a take: {exc}", error=True)

        self._import_job = run_in_background(work, done, failed)
        return self._import_job

    def play_take(self) -> None:
        line = self.script.lines[self.current] if self.current is not None else None
        if line is None or not line.has_take:
            return
        self._play_file(Path(str(line.take)), 0)

    def _play_file(self, path: Path, at_ms: int) -> None:
        if self.take_player is None:
            self.show_status("No media player available to play the take", error=True)
            return
        try:
            self.take_player.load(path)
            self.take_player.seek(at_ms)
            self.take_player.play()
        except PlayerError as exc:
            self.show_status(str(exc), error=True)

    def _follow_preview(self, at: int) -> None:
        """The picture plays along with the mix (muted: the mix has the sound), and stops with it."""
        if self.player is None or self.ctx.media_path is None or self.take_player is None:
            return
        mute = getattr(self.player, "set_muted", None)
        if mute is not None:
            mute(True)
        self._previewing = True
        self.player.seek(at)
        self.player.play()

    def _take_playing_changed(self, playing: bool) -> None:
        if playing or not self._previewing or self.player is None:
            return
        self._previewing = False
        self.player.pause()
        mute = getattr(self.player, "set_muted", None)
        if mute is not None:
            mute(False)

    # ------------------------------------------------------------------------------ player

    def playhead_ms(self) -> int:
        return self._playhead

    def seek(self, ms: int) -> None:
        self._playhead = max(0, int(ms))
        if self.playable:
            self.player.seek(self._playhead)
        self._position_changed(self._playhead)

    def toggle_play(self) -> None:
        if self._previewing and self.take_player is not None and self.take_player.is_playing():
            self.take_player.pause()  # the mix stops with the picture (_take_playing_changed pauses it)
            return
        if self.playable:
            self.player.toggle()

    def _position_changed(self, ms: int) -> None:
        self._playhead = ms
        self.time_label.setText(clock(ms))
        self.timeline.canvas.set_playhead(ms)

    # ------------------------------------------------------------------------------ mix + deliver

    def _blocking_problems(self) -> list[str]:
        problems = self.script.problems(self.task.entry_duration_ms or None)
        if self._preparing:
            problems.insert(0, "A take is still being prepared: wait a moment")
        if self.ctx.media_path is None:
            problems.insert(0, "The media is not downloaded yet")
        return problems

    def build_work_product(
        self, token: CancelToken | None = None, progress: ProgressCallback | None = None
    ) -> WorkProduct:
        """Mix and extract now (blocking; the Deliver button runs this in a worker)."""
        assert self.ctx.media_path is not None
        accuracy = self.accuracy_box.value() if self.dub_caption_box.isChecked() else None
        return render_work_product(
            self.script,
            self.ctx.media_path,
            self.takes_dir / "delivery",
            dub_caption_accuracy=accuracy,
            token=token,
            progress=progress,
        )

    def preview_mix(self):
        """Mix what is recorded so far and play it from the playhead (in the take player)."""
        if self.ctx.media_path is None or not self.script.takes():
            self.show_status(
                "Record at least one take (and wait for the media) to preview the mix", error=True
            )
            return None
        from reach_studio.engine.voice_product import render_preview

        media, takes = self.ctx.media_path, self.script.takes()
        out = self.takes_dir / "preview" / "mix.mp4"
        at = self.playhead_ms()
        self.show_status("Mixing the preview…")

        def work(token, progress):
            return render_preview(takes, media, out, token=token, progress=progress)

        def done(path: Path) -> None:
            if shiboken6.isValid(self):
                self.preview_path = path
                self.show_status(
                    f"Preview mixed ({len(takes)} take{'s' * (len(takes) != 1)}): playing from {clock(at)}"
                )
                self._play_file(path, at)
                self._follow_preview(at)

        def failed(exc: BaseException) -> None:
            if shiboken6.isValid(self):
                self.show_status(f"The preview could not be mixed: {exc}", error=True)

        self._preview_job = run_in_background(work, done, failed)
        return self._preview_job

    def delivery_problem(self) -> str | None:
        if self.recorder.recording:  # the take being recorded is part of what is delivered
            self.stop_recording()
        problems = self._blocking_problems()
        if not problems:
            return None
        first = re.match(r"line (\d+)", problems[0])
        if first:
            self.select(int(first.group(1)) - 1, seek=False)
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return f"Delivery blocked: {problems[0]}{more}"

    def upload_summary(self) -> str:
        """What Deliver uploads, with the takes that run over dialogue named before anything is sent."""
        from reach_studio.ui.editors.deliver import entry_phrase

        n = len(self.script.takes())
        if self.kind == "dubbing":
            what = f"the {self.language} dub of {entry_phrase(self.task)}: {n} recorded line{'s' * (n != 1)}"
        else:
            what = f"the audio description of {entry_phrase(self.task)}: {n} description{'s' * (n != 1)}"
        lines = [
            (
                f"Upload {what} mixed over the original sound (ducked under each take) as a new "
                f"{self.language} audio track, and the clear original audio as a second track."
            )
        ]
        if self.dub_caption_box.isChecked():
            lines.append(
                f"Also upload a caption aligned with the dub ({self.language}, "
                f"{self.accuracy_box.value()} % accuracy)."
            )
        over = [str(row + 1) for row in range(len(self.script.lines)) if self.take_over_dialogue(row)]
        if over:
            lines.append(
                f"Warning: the take of line {', '.join(over)} runs over dialogue (it hides what is said there)."
            )
        lines.append(f"Then task {self.task.id} becomes READY and this editor locks.")
        return "\n\n".join(lines)

    def delivery_label(self) -> str:
        return "Mixing the takes and delivering to Kaltura…"

    def delivery_work(self):
        """Mix, extract, deliver: one background job, the mix 40 % of the progress."""
        task, connection = self.task, self.ctx.connection
        script = VoiceScript.from_dict(self.script.to_dict())
        media, out_dir = self.ctx.media_path, self.takes_dir / "delivery"
        accuracy = self.accuracy_box.value() if self.dub_caption_box.isChecked() else None

        def run(token, progress):
            from reach_studio.engine.delivery import DeliveryService

            product = render_work_product(
                script,
                media,
                out_dir,
                dub_caption_accuracy=accuracy,
                token=token,
                progress=lambda d, t: progress(d * 4 // 10, 1000),
            )
            return DeliveryService(connection).deliver(
                task,
                product,
                cancel=token,
                progress=lambda d, t: progress(400 + (600 * d // t if t else 0), 1000),
            )

        return run

    def after_delivery(self, outcome) -> None:
        shutil.rmtree(self.takes_dir, ignore_errors=True)

    def lock_editing(self) -> None:
        self._save_timer.stop()
        self.undo_stack.clear()
        for action in (self.undo_action, self.redo_action):
            action.setEnabled(False)
        super().lock_editing()
        for widget in (
            self.table,
            self.start_edit,
            self.to_playhead,
            self.text_edit,
            self.recorder_panel,
            self.dub_caption_box,
            self.accuracy_box,
        ):
            widget.setEnabled(False)
