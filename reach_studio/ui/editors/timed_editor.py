"""The editor for timed work: captions, translations, extended audio description and chapters.

One widget, four modes, because they share everything that matters to the linguist (video with the
caption overlaid, timeline, cue list, keyboard-driven timing, undo, find/replace, spell check, draft
journal, Deliver) and differ only in what one item holds. The document is a list of items owned by the
`CueListModel`; every edit is a `domain.edit_ops` operation pushed on this task's QUndoStack and
journaled to the shell's draft store.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QAction, QTextCursor, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpacerItem,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from reach_studio.domain import caption_fixes, edit_ops
from reach_studio.domain.captions import CaptionDocument, Chapter, Cue
from reach_studio.domain.edit_ops import EditError, Item, Op
from reach_studio.domain.enums import language_code
from reach_studio.redaction import redact
from reach_studio.ui.editors import shortcuts
from reach_studio.ui.editors.base import EditorBase
from reach_studio.ui.editors.cue_model import ERROR, CueListModel, clock
from reach_studio.ui.editors.find_replace import FindReplaceBar
from reach_studio.ui.editors.registry import TaskContext
from reach_studio.ui.editors.spelling import LineSpellUnderline, SpellHighlighter, SpellService
from reach_studio.ui.editors.time_edit import TimeEdit
from reach_studio.ui.editors.timed_modes import TimedMode, mode_for
from reach_studio.ui.editors.undo import OneHistory, OpCommand, history_actions
from reach_studio.ui.player import FRAME_MS, MediaPlayerBase, VideoView, create_player
from reach_studio.ui.style import esc, plain, rich, set_tone
from reach_studio.ui.timeline import TimelineView

log = logging.getLogger(__name__)


def warm_up() -> None:
    """Import what building the editor imports lazily (registry.prepare calls this off the GUI thread
    while a claim runs, so the claimed task's editor is built without waiting on imports)."""
    import reach_studio.domain.formats
    import reach_studio.domain.validation
    import reach_studio.engine.entry_captions
    import reach_studio.live.briefs
    import reach_studio.ui.editors.delivered_view
    import reach_studio.ui.editors.speaker_pick
    import reach_studio.ui.editors.spectrogram_toggle
    import reach_studio.ui.editors.task_rules
    import reach_studio.ui.editors.validation_panel
    import reach_studio.ui.editors.waveform_loader  # noqa: F401


_SOURCE_PENDING = "The source captions are not loaded yet: they appear here when the download ends"

NUDGE_MS = 100
SEEK_MS = 2000
AROUND_MS = 500  # "play before start / after end" (Aegisub)
BACK_MS = 3000  # "back 3 s and play"


class TimedEditor(EditorBase):
    """Edits one claimed captions, translation, extended audio description or chapters task."""

    snapshot_on_flush = False  # every edit is journaled as an operation when it happens

    @property
    def kind(self) -> str:
        """The mode's name ("captions", "translation", "ead", "chapters"): the draft's kind too."""
        return self.mode.kind

    def __init__(
        self,
        ctx: TaskContext,
        kind: str | None = None,
        parent: QWidget | None = None,
        player: MediaPlayerBase | None | str = "auto",
    ) -> None:
        super().__init__(ctx, parent)
        self.mode: TimedMode = mode_for(kind or edit_ops.kind_for_feature(ctx.task.feature))
        self.language = self.mode.language(self.task)
        self.current: int | None = None
        self._playhead = 0
        self._refreshing = False
        self._delivery_warnings = 0  # counted by the last delivery check, shown in the confirmation
        self._refusal_shown = False  # the status line says why an edit was refused
        self.undo_stack = QUndoStack(self)

        source = list(ctx.source_captions.cues) if ctx.source_captions else []
        from reach_studio.domain.formats import speaker_style_for

        self.speaker_style = speaker_style_for(self.task.reach_profile, self.task.catalog_item)
        self.model = CueListModel(
            self.mode.columns, [], source, self.mode.validator(self.task, self._source_cues)
        )
        self.model.speaker_style = self.speaker_style if self.mode.speakers else "none"
        restored = self._initial_items(source)
        self.model.replace_document(restored)
        self.start_journal(self.mode.kind, self.mode.title)

        warm_stream = None
        if player == "auto":
            player, warm_stream = ctx.take_player()  # opened while the claim was confirmed
            if player is not None:
                player.setParent(self)
            else:
                player = create_player(self)
        self.player: MediaPlayerBase | None = player  # type: ignore[assignment]
        self._media_loaded = False
        self._full_waveform = False  # the downloaded file's waveform is drawn (partial ones then wait)
        self.media_has_picture: bool | None = None  # known once the media is probed
        self.deliver_confirm = None  # the "what will be uploaded" box while it is open
        self.last_played: tuple[int, int | None] | None = None  # what the play keys asked for last
        self._rules = None
        self.range_selection: tuple[int, int] | None = None  # Shift+drag on the waveform
        self._wpm: int | None = None  # description speaking rate (settings), read once
        self._build_ui()
        self._connect()
        self.journal.snapshot()  # the starting point (or the restored draft, compacted)
        if warm_stream is not None:
            self.set_stream(warm_stream)  # the player is on it already: the editor shows it is
        if self.model.items:
            self.select(0, seek=False)
        self._update_markers_view()

    # ------------------------------------------------------------------------------ construction

    def _source_cues(self) -> list[Cue]:
        """A translation's source cues as loaded now (the checks compare against them)."""
        return self.model.source

    def _initial_items(self, source: list[Cue]) -> list[Item]:
        start = self.mode.starting_items(source)
        draft, self._restore_note = self.load_draft(self.mode.kind)
        if draft is None:
            return start
        try:
            items = start
            if draft.snapshot is not None:
                items = [edit_ops.item_from_dict(d) for d in draft.snapshot.get("items", [])]
            items = edit_ops.replay(items, draft.ops_after_snapshot)
        except EditError as exc:
            self._restore_note = f"Your draft could not be restored ({exc}); starting again"
            return start
        if draft.snapshot is not None or draft.ops_after_snapshot:
            self._restore_note = f"Restored your draft ({len(items)} items)"
        return items

    def _build_ui(self) -> None:
        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.mode_label = rich(QLabel(f"<b>{self.mode.title}</b> · {esc(self.language or '')}  ", self))
        self.toolbar.addWidget(self.mode_label)
        self.undo_action, self.redo_action = history_actions(self, self.undo_stack)
        keys = shortcuts.configured_keys()
        self._keys = keys

        def action(text: str, name: str | None, slot) -> QAction:
            act = QAction(text, self)
            act.triggered.connect(slot)
            if name:
                act.setToolTip(shortcuts.describe(name, keys))
            self.toolbar.addAction(act)
            return act

        if self.mode.imports_files:
            action("Import…", None, self.import_file)
        self.insert_action = action("Insert", "editor_insert_at_playhead", self.insert_at_playhead)
        action("Delete", "editor_delete", self.delete_selected)
        if self.mode.text_lines:
            action("Split", "editor_split", self.split_current)
            action("Merge", "editor_merge", self.merge_with_next)
            action("Reflow", "editor_reflow", self.reflow_current)
        self.toolbar.addAction(self.undo_action)
        self.toolbar.addAction(self.redo_action)
        action("Find", "editor_find", self.open_find)
        action("Spelling…", "editor_spell_check", self.open_spell_check)
        self.toolbar.addSeparator()
        self.deliver_action = action("Deliver", "editor_deliver", self.deliver)

        # video + transport
        self.video = VideoView(self)
        self.video.attach(self.player)
        self.play_button = QPushButton("▶ Play", self)
        self.play_button.setToolTip(shortcuts.describe("play_pause", keys))
        self.play_button.clicked.connect(self.toggle_play)
        self.time_label = QLabel(clock(0), self)
        self.rate_box = QComboBox(self)
        for rate in (0.5, 0.75, 1.0, 1.25, 1.5, 2.0):
            self.rate_box.addItem(f"{rate:g}×", rate)
        self.rate_box.setCurrentIndex(2)
        self.rate_box.currentIndexChanged.connect(self._rate_changed)
        self.loop_box = QCheckBox("Loop cue", self)
        self.loop_box.setToolTip(shortcuts.describe("editor_loop_cue", keys))
        self.loop_box.toggled.connect(self._loop_toggled)
        self.media_label = plain(QLabel("", self))  # which flavor plays, and whether it has a picture
        set_tone(self.media_label, "muted")
        self.media_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        transport = QHBoxLayout()
        for w in (self.play_button, self.time_label, self.rate_box, self.loop_box):
            transport.addWidget(w)
        transport.addStretch(1)
        transport.addWidget(self.media_label)
        left = self.video_side(transport, "Downloading media…" if self.ctx.media_path is None else None)

        # cue list
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        vh = self.table.verticalHeader()
        vh.setVisible(False)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # never measure 5,000 rows
        vh.setDefaultSectionSize(self.fontMetrics().height() + 6)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(True)
        for col, name in enumerate(self.model.columns):
            width = {
                "#": 54,
                "Start": 96,
                "End": 96,
                "Duration": 64,
                "CPS": 46,
                "Speaker": 80,
                "Source": 260,
                "Title": 200,
            }.get(name)
            if width:
                self.table.setColumnWidth(col, width)
        if "Source" in self.model.columns[:-1]:
            # source and translation share the list's width: a fixed source column pushed the
            # translator's own text out of sight
            hh.setSectionResizeMode(self.model.columns.index("Source"), QHeaderView.ResizeMode.Stretch)
            hh.setSectionResizeMode(len(self.model.columns) - 1, QHeaderView.ResizeMode.Stretch)

        # edit panel
        panel = QWidget(self)
        form = QFormLayout(panel)
        form.setContentsMargins(4, 4, 4, 4)
        times = QHBoxLayout()
        self.start_edit = TimeEdit(panel)
        self.end_edit = TimeEdit(panel)
        self.duration_label = plain(QLabel(panel))
        times.addWidget(self.start_edit)
        if self.mode.timed_ranges:
            times.addWidget(QLabel("→", panel))
            times.addWidget(self.end_edit)
            times.addWidget(self.duration_label)
        else:
            self.end_edit.hide()
        times.addStretch(1)
        form.addRow("Time", times)
        from reach_studio.live.briefs import speaker_names
        from reach_studio.ui.editors.speaker_pick import SpeakerPicker

        named = speaker_names(self.task)  # the customer's, from the notes and dictionary
        self.speaker_edit = SpeakerPicker(lambda: edit_ops.speakers_in(self.model.items, named), panel)
        self.speaker_edit.setToolTip(shortcuts.describe("editor_speaker_pick", keys))
        self.source_view = QPlainTextEdit(panel)
        self.source_view.setReadOnly(True)
        self.source_view.setMaximumHeight(70)
        set_tone(self.source_view, "source")
        self.title_edit = QLineEdit(panel, placeholderText="Chapter title")
        self.text_edit = QPlainTextEdit(panel)
        self.text_edit.setMaximumHeight(90)
        self.text_edit.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.text_edit.customContextMenuRequested.connect(self._text_menu)
        # What the delivered file will show for this cue (speaker label / ">>" included), line by line with
        # each line's length against the limit: the text box holds the words, this shows the delivery.
        from reach_studio.ui.editors.delivered_view import DeliveredView

        self.delivered_view = DeliveredView(panel)  # never widens the window; no relayout per keystroke
        set_tone(self.delivered_view, "code")
        if self.mode.speakers:
            speaker_row = QHBoxLayout()
            speaker_row.addWidget(self.speaker_edit)
            mark = QPushButton(">>", panel, toolTip=shortcuts.describe("editor_speaker_change", keys))
            mark.clicked.connect(self.insert_speaker_change)
            speaker_row.addWidget(mark)
            form.addRow("Speaker", speaker_row)
        if self.mode.shows_source:
            form.addRow(f"Source ({self.task.source_language or '?'})", self.source_view)
        if self.mode.has_title:
            form.addRow("Title", self.title_edit)
        form.addRow(self.mode.field_label(self.task), self.text_edit)
        if self.mode.text_lines:
            form.addRow("Delivered", self.delivered_view)
        else:
            self.delivered_view.hide()
        self.speak_button = None
        if self.mode.speaks:
            from reach_studio.ui.editors.tts import Speaker

            self.tts = Speaker(language_code(self.language), parent=self)
            self.speak_button = QPushButton("Speak", panel)
            self.speak_button.setEnabled(self.tts.available)
            self.speak_button.setToolTip(
                "Preview with text-to-speech" if self.tts.available else self.tts.reason
            )
            self.speak_button.clicked.connect(self.speak_current)
            note = plain(QLabel("" if self.tts.available else self.tts.reason, panel))
            note.setWordWrap(True)
            set_tone(note, "muted")
            row = QHBoxLayout()
            row.addWidget(self.speak_button)
            row.addWidget(note, 1)
            form.addRow("", row)
            # the spoken length at the describer's rate against the description's time on the timeline
            self.speak_note = plain(QLabel(panel))
            self.speak_note.setWordWrap(True)
            form.addRow("Speaking time", self.speak_note)
        for widget, shown in (
            (self.speaker_edit, self.mode.speakers),
            (self.source_view, self.mode.shows_source),
            (self.title_edit, self.mode.has_title),
        ):
            if not shown:
                widget.hide()
        self.markers_list = QListWidget(panel)
        self.markers_list.setMaximumHeight(70)
        # a check's message wraps: cut at the panel's edge, "(the catalog item asks for speaker i" hid the why
        self.markers_list.setWordWrap(True)
        self.markers_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.markers_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        form.addRow("Checks", self.markers_list)
        # spare height goes below the rows, not into the first row that can grow (the time row)
        form.addItem(QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding))
        self.text_edit.setUndoRedoEnabled(False)  # the task's QUndoStack is the only history
        self._one_history = OneHistory(self)
        for w in (
            self.text_edit,
            self.title_edit,
            self.speaker_edit.lineEdit(),
            self.start_edit,
            self.end_edit,
        ):
            w.installEventFilter(self._one_history)
        self.highlighter = SpellHighlighter(self.text_edit.document())
        self.title_spelling = LineSpellUnderline(self.title_edit)
        self.spell = SpellService(self.language, self.task.dictionary_terms, self)
        self.spell.ready.connect(self._speller_ready)

        from reach_studio.ui.editors.validation_panel import ValidationPanel

        self.problems_panel = ValidationPanel(
            self.model,
            self.mode.findings(self.task, self._source_cues),
            self._push,
            self,
            report=self._refused,
            item_word=self.mode.item_word,
        )
        self.problems_panel.cueActivated.connect(lambda row: self.select(row))
        self.problems_action = QAction("Problems", self, checkable=True, checked=True)
        self.problems_action.setToolTip("Show every problem of the document, with its fix")
        self.problems_action.toggled.connect(self.problems_panel.setVisible)
        self.toolbar.addAction(self.problems_action)
        from reach_studio.ui.editors.spectrogram_toggle import SpectrogramToggle

        self.spectrogram = SpectrogramToggle(self)
        self.toolbar.addAction(self.spectrogram.action)
        # under the video, not beside the cue list: the list keeps its height on a laptop screen
        self.problems_panel.setMaximumHeight(max(140, 9 * (self.fontMetrics().height() + 4)))
        left.layout().addWidget(self.problems_panel)
        self.table.setMinimumHeight(6 * (self.fontMetrics().height() + 6))
        top = self.workbench(left, self.table, panel)
        # weights, not pixels: the cue list gets 3/5 of the width from the start (the splitter's stretch
        # factors share only what is left over the video's size hint: the Text column was ~100 px at 1150 px)
        top.setSizes([2000, 3000])

        self.find_bar = FindReplaceBar(self)
        self.find_bar.hide()
        self.timeline = TimelineView(self)
        self.timeline.canvas.set_items(self.model.items)
        self.timeline.canvas.set_duration(self.task.entry_duration_ms or 0)

        # "start from the entry's captions": shown when the entry already has captions in the task's language
        self.draft_offer = QWidget(self)
        offer_row = QHBoxLayout(self.draft_offer)
        offer_row.setContentsMargins(6, 4, 6, 4)
        self.draft_offer_label = plain(QLabel(self.draft_offer))
        self.draft_offer_label.setWordWrap(True)
        self.draft_offer_use = QPushButton("Start from them", self.draft_offer)
        self.draft_offer_skip = QPushButton("Start empty", self.draft_offer)
        self.draft_offer_use.clicked.connect(self.use_draft_captions)
        self.draft_offer_skip.clicked.connect(self.draft_offer.hide)
        offer_row.addWidget(self.draft_offer_label, 1)
        offer_row.addWidget(self.draft_offer_use)
        offer_row.addWidget(self.draft_offer_skip)
        set_tone(self.draft_offer_label, "notice")
        self.draft_offer.hide()
        self.draft_captions = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.draft_offer)
        layout.addWidget(top, 1)
        layout.addWidget(self.find_bar)
        layout.addWidget(self.timeline)
        layout.addWidget(self.status)
        self._set_editors_enabled(False)
        # Shortcuts live on this widget (WidgetWithChildrenShortcut): focusing the editor focuses the cue
        # list, so its keys work as soon as the task opens, before any field is clicked.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFocusProxy(self.table)
        if self._restore_note:
            self.show_status(self._restore_note)
        elif self.mode.shows_source and not self.model.source:
            self.show_status(_SOURCE_PENDING)
        else:
            self.show_status(self.spell.status)

        self.shortcuts = shortcuts.install(
            self,
            {
                "play_pause": self.toggle_play,
                "editor_play_pause_space": self.toggle_play,  # text fields keep Space for typing (they take it first)
                "editor_play_cue": self.play_current,
                "editor_play_before": lambda: self.play_around("before"),
                "editor_play_after": lambda: self.play_around("after"),
                "editor_back_and_play": self.back_and_play,
                "editor_insert_at_playhead": self.insert_at_playhead,
                "editor_set_start": self.set_start_at_playhead,
                "editor_set_end_next": self.set_end_and_next,
                "editor_nudge_start_back": lambda: self.nudge("start", -NUDGE_MS),
                "editor_nudge_start_forward": lambda: self.nudge("start", NUDGE_MS),
                "editor_nudge_end_back": lambda: self.nudge("end", -NUDGE_MS),
                "editor_nudge_end_forward": lambda: self.nudge("end", NUDGE_MS),
                "editor_frame_back": lambda: self.step(-1),
                "editor_frame_forward": lambda: self.step(1),
                "editor_seek_back": lambda: self.seek(self.playhead_ms() - SEEK_MS),
                "editor_seek_forward": lambda: self.seek(self.playhead_ms() + SEEK_MS),
                "editor_loop_cue": lambda: self.loop_box.toggle(),
                "editor_previous": lambda: self.select_relative(-1),
                "editor_next": lambda: self.select_relative(1),
                "editor_delete": self.delete_selected,
                "editor_split": self.split_current,
                "editor_merge": self.merge_with_next,
                "editor_reflow": self.reflow_current,
                "editor_speaker_change": self.insert_speaker_change,
                "editor_find": self.open_find,
                "editor_spell_check": self.open_spell_check,
                "editor_speaker_pick": self.pick_speaker,
                "editor_deliver": self.deliver,
            },
            keys,
        )

    def _connect(self) -> None:
        self.table.selectionModel().currentRowChanged.connect(
            lambda cur, _prev: self._row_from_table(cur.row())
        )
        self.model.itemsChanged.connect(self._items_changed)
        self.model.structureChanged.connect(self._structure_changed)
        self.model.timesChanged.connect(self.timeline.canvas.items_changed)
        self.model.markersChanged.connect(self._update_markers_view)
        self.text_edit.textChanged.connect(self._text_typed)
        self.title_edit.textEdited.connect(self._title_typed)
        self.speaker_edit.editingFinished.connect(self._speaker_edited)
        self.start_edit.timeEdited.connect(self._start_typed)
        self.end_edit.timeEdited.connect(self._end_typed)
        canvas = self.timeline.canvas
        canvas.seekRequested.connect(self.seek)
        canvas.itemSelected.connect(lambda i: self.select(i, seek=False))
        canvas.itemActivated.connect(self._play_item)
        canvas.timesEdited.connect(self._times_dragged)
        canvas.rangeDrawn.connect(self.add_cue_between)
        canvas.rangeSelected.connect(self._range_selected)
        canvas.min_gap_ms = self.min_gap_ms()
        self.find_bar.findRequested.connect(self.find_next)
        self.find_bar.replaceRequested.connect(self.replace_current)
        self.find_bar.replaceAllRequested.connect(self.replace_all)
        if self.player is not None:
            self.player.positionChanged.connect(self._position_changed)
            self.player.durationChanged.connect(self._duration_changed)
            self.player.playingChanged.connect(self._playing_changed)
            self.player.errorOccurred.connect(self._player_error)
        if self.ctx.media_path is not None:
            self.set_media(self.ctx.media_path)
        if self.mode.offers_entry_captions and not self.model.items and self.ctx.connection is not None:
            self._look_for_draft_captions()

    def _look_for_draft_captions(self) -> None:
        """An empty captions task whose entry already has captions in its language: offer them as the start."""
        from reach_studio.engine.entry_captions import find_draft_captions
        from reach_studio.workers.background import run_in_background

        conn, task, language = self.ctx.connection, self.task, self.language

        def done(found) -> None:
            if not shiboken6.isValid(self) or found is None or self.model.items:
                return
            self.draft_captions = found
            self.draft_offer_label.setText(
                f"This entry already has {self.language} captions: {found.describe()}. "
                "Start from them instead of an empty document?"
            )
            self.draft_offer.show()

        def failed(exc: BaseException) -> None:
            log.info("no existing captions to start from for task %s: %s", task.id, exc)

        self._draft_job = run_in_background(
            lambda token, progress: find_draft_captions(conn, task, language), done, failed
        )

    def use_draft_captions(self) -> None:
        found = self.draft_captions
        self.draft_offer.hide()
        if found is None:
            return
        self.load_items(list(found.document.cues), "Start from existing captions")
        self.show_status(f"Started from {found.describe()}: every cue is yours to correct")

    # ----------------------------------------------------------------------- shell contract

    def set_media(self, path: Path) -> None:
        """The download finished: a stream playing meanwhile hands over to the file at the same position."""
        super().set_media(path)
        self._load_waveform(Path(path))
        self._describe_media(Path(path))
        self._find_shot_changes(Path(path))
        self.spectrogram.media_changed()
        if self.load_into_player(Path(path)):
            self._media_loaded = True

    def set_stream(self, source) -> None:
        """Called by the workspace while the media downloads: play the task's stream meanwhile, so the
        linguist starts at once. `source` is an engine.media_fetch.StreamSource (its URL holds the KS)."""
        self.stream_source = source
        if not self.play_stream(source):
            return
        self._media_loaded = True
        if source.duration_ms:
            self.timeline.canvas.set_duration(source.duration_ms)
        self.media_label.setText(f"Streaming flavor {source.choice.flavor.id} while it downloads")

    def set_partial_waveform(self, wave) -> None:
        """The waveform of the audio arrived so far; ignored once the downloaded file's own is drawn."""
        if not self._full_waveform:
            self.timeline.canvas.set_peaks(wave)

    def _player_error(self, message: str) -> None:
        self.show_status(f"Player: {redact(message)}", error=True)  # a stream's URL carries the KS

    def set_source_captions(self, doc: CaptionDocument) -> None:
        """Translation: the source arrived after the editor opened. Empty targets take its timing."""
        super().set_source_captions(doc)
        self.model.source = list(doc.cues)
        start = self.mode.starting_items(doc.cues) if not self.model.items else []
        if start:
            self._push(edit_ops.replace_range(self.model.items, 0, 0, start, "Load source"))
        else:
            self.model.revalidate_all()  # a restored draft's checks now compare with the source
        self.model.layoutChanged.emit()
        self._refresh_editors()
        if self.status.text() == _SOURCE_PENDING:  # the note said they were on their way
            self.show_status(f"{len(doc.cues)} source cues loaded ({doc.language or 'source'})")

    def closeEvent(self, event) -> None:
        self.spectrogram.cancel()
        super().closeEvent(event)

    def _find_shot_changes(self, path: Path) -> None:
        """Scene cuts for the timeline's marks and snapping (ffmpeg, off the GUI thread; cached)."""
        from reach_studio.workers.background import run_in_background

        duration = self.task.entry_duration_ms or None

        def work(token, progress):
            from reach_studio.media.shot_changes import detect_shot_changes

            return detect_shot_changes(path, duration_ms=duration, token=token, progress=progress)

        def done(cuts: list[int]) -> None:
            if shiboken6.isValid(self):
                self.timeline.canvas.set_shot_changes(cuts)

        def failed(exc: BaseException) -> None:
            log.info("no shot changes for %s: %s", path.name, exc)

        self._shots_job = run_in_background(work, done, failed)

    def _describe_media(self, path: Path) -> None:
        from reach_studio.ui.editors import media_note

        def shown(text: str, has_picture: bool) -> None:
            self.media_label.setText(text)
            self.media_has_picture = has_picture
            if not has_picture:
                self.video.set_message(media_note.NO_PICTURE.format(flavor=path.stem))
                self.show_status(text, error=True)

        self._media_job = media_note.probe_async(path, shown, alive=lambda: shiboken6.isValid(self))

    def _load_waveform(self, path: Path) -> None:
        from reach_studio.ui.editors.waveform_loader import load_peaks_async

        def drawn(wave) -> None:
            self._full_waveform = True
            self.timeline.canvas.set_peaks(wave)

        self._waveform_job = load_peaks_async(
            path,
            drawn,
            lambda m: self.show_status(m, error=True),
            alive=lambda: shiboken6.isValid(self),
        )

    # ---------------------------------------------------------------------------- document

    def items(self) -> list[Item]:
        return self.model.items

    def document(self) -> CaptionDocument:
        """Captions/translation as a CaptionDocument in the task's language."""
        return self.mode.document(self.model.items, self.language)

    def _snapshot_payload(self) -> dict[str, Any]:
        return {
            "version": 1,
            "kind": self.mode.kind,
            "language": self.language,
            "items": [edit_ops.item_to_dict(i) for i in self.model.items],
        }

    def _refused(self, why: str) -> None:
        """An edit that could not be made, and why: shown until the next edit that is made."""
        self.show_status(why, error=True)
        self._refusal_shown = True

    def _push(self, op: Op | None) -> bool:
        """Check, then push an operation as one undo step. Bad edits become a status message."""
        if op is None:
            return False
        if self.locked:
            self.show_status("This task was delivered: further edits would not reach Kaltura", error=True)
            return False
        try:
            op.apply(list(self.model.items))  # dry run on a shallow copy: cheap, and push cannot fail later
        except EditError as exc:
            self._refused(str(exc))
            return False
        self.undo_stack.push(OpCommand(self.model, op, self.journal.record, self._select_after_undo))
        if self._refusal_shown:  # an older "cannot do that" in red no longer describes the document
            self._refusal_shown = False
            self.show_status(f"Done: {op.label}" if getattr(op, "label", "") else "")
        return True

    def _select_after_undo(self, row: int) -> None:
        if row != self.current:
            self.select(row, seek=False)

    def load_items(self, items: list[Item], label: str = "Import") -> None:
        """Replace the whole document as one undoable step (import a draft file)."""
        self._push(edit_ops.replace_range(self.model.items, 0, len(self.model.items), items, label))
        if self.model.items:
            self.select(0)

    # ------------------------------------------------------------------------------ selection

    def select(self, row: int | None, seek: bool = True) -> None:
        self.range_selection = None
        if row is None or not self.model.items:
            self.current = None
            self._refresh_editors()
            return
        row = max(0, min(row, len(self.model.items) - 1))
        self.current = row
        sel = self.table.selectionModel()
        index = self.model.index(row, 0)
        if sel.currentIndex().row() != row:
            self._refreshing = True
            sel.setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
            self._refreshing = False
        self.table.scrollTo(index)
        self.timeline.canvas.set_selected(row)
        self._refresh_editors()
        if seek and not self._is_playing():
            self.seek(self.model.items[row].start_ms)
        if self.loop_box.isChecked():
            self._loop_toggled(True)

    def _row_from_table(self, row: int) -> None:
        if not self._refreshing and row >= 0 and row != self.current:
            self.select(row)

    def select_relative(self, delta: int) -> None:
        if self.model.items:
            self.select((self.current if self.current is not None else -1) + delta)

    def selected_rows(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        if not rows and self.current is not None:
            rows = [self.current]
        return rows

    def _set_editors_enabled(self, on: bool) -> None:
        for w in (self.text_edit, self.title_edit, self.speaker_edit, self.start_edit, self.end_edit):
            w.setEnabled(on)
        if self.speak_button is not None:
            self.speak_button.setEnabled(on and self.tts.available)

    def _refresh_editors(self) -> None:
        """Show the current item in the edit panel without creating edits."""
        self._refreshing = True
        try:
            row = self.current
            if row is None or row >= len(self.model.items):
                self._set_editors_enabled(False)
                for w in (self.text_edit, self.source_view):
                    w.setPlainText("")
                self.title_edit.setText("")
                self.start_edit.set_ms(None)
                self.end_edit.set_ms(None)
                self.duration_label.setText("")
                self._update_markers_view()
                return
            self._set_editors_enabled(True)
            item = self.model.items[row]
            text = item.description if isinstance(item, Chapter) else item.text
            if self.text_edit.toPlainText() != text:
                cursor_pos = self.text_edit.textCursor().position()
                self.text_edit.setPlainText(text)
                cursor = self.text_edit.textCursor()
                cursor.setPosition(min(cursor_pos, len(text)))
                self.text_edit.setTextCursor(cursor)
            if isinstance(item, Chapter) and self.title_edit.text() != item.title:
                self.title_edit.setText(item.title)
            if isinstance(item, Cue) and self.speaker_edit.text() != (item.speaker or ""):
                self.speaker_edit.setText(item.speaker or "")
            self.start_edit.set_ms(item.start_ms)
            if not isinstance(item, Chapter):
                self.end_edit.set_ms(item.end_ms)
                self.duration_label.setText(f"{(item.end_ms - item.start_ms) / 1000:.3f} s")
            if self.mode.shows_source:
                src = self.model.source[row].text if row < len(self.model.source) else "(no source cue)"
                if self.source_view.toPlainText() != src:
                    self.source_view.setPlainText(src)
            self._update_delivered_view(row)
            if self.mode.speaks:
                self._update_speaking_time(item)
            self._update_markers_view()
        finally:
            self._refreshing = False

    def refresh_spelling(self) -> None:
        """Underline again after the known words changed (ignore all, added to the dictionary)."""
        self.highlighter.rehighlight()
        self.title_spelling.refresh()

    def _speller_ready(self, speller) -> None:
        self.highlighter.set_speller(speller)
        self.title_spelling.set_speller(speller)
        if self.status.text() in ("", "Loading the spelling dictionary…"):
            self.show_status(self.spell.status)

    def _update_markers_view(self) -> None:
        self.markers_list.clear()
        if self.current is not None:
            for m in self.model.markers(self.current):
                QListWidgetItem(("✖ " if m.severity == ERROR else "⚠ ") + m.message, self.markers_list)
        self.timeline.canvas.set_error_rows(self.model.error_rows())

    # ------------------------------------------------------------------------------- typing

    def _text_typed(self) -> None:
        if self._refreshing or self.current is None:
            return
        text = self.text_edit.toPlainText()
        row = self.current
        field = self.mode.text_field
        self._push(edit_ops.set_fields(self.model.items, row, "Typing", **{field: text}))

    def _title_typed(self, text: str) -> None:
        if not self._refreshing and self.current is not None:
            self._push(edit_ops.set_fields(self.model.items, self.current, "Typing", title=text))

    def _speaker_edited(self) -> None:
        """Set the speaker on the current cue, or on every selected cue at once (one undo step)."""
        if not self._refreshing and self.current is not None and self.mode.speakers:
            speaker = self.speaker_edit.text().strip() or None
            rows = self.selected_rows()
            if len(rows) > 1:
                if self._push(
                    edit_ops.set_fields_each(self.model.items, rows, "Set speaker", speaker=speaker)
                ):
                    self.show_status(f"Speaker {speaker or '(none)'} set on {len(rows)} cues")
            else:
                self._push(
                    edit_ops.set_fields(self.model.items, self.current, "Set speaker", speaker=speaker)
                )

    def pick_speaker(self) -> None:
        """Alt+P: to the speaker pick-list (for the current cue, or all the selected ones)."""
        if self.mode.speakers and self.speaker_edit.isEnabled():
            self.speaker_edit.setFocus()
            self.speaker_edit.lineEdit().selectAll()

    def _start_typed(self, ms: int) -> None:
        if self.current is not None:
            item = self.model.items[self.current]
            if isinstance(item, Chapter):
                self._push(edit_ops.set_times(self.model.items, self.current, ms))
            else:
                self._push(edit_ops.set_times(self.model.items, self.current, ms, item.end_ms))
            self._refresh_editors()

    def _end_typed(self, ms: int) -> None:
        if self.current is not None:
            try:
                self._push(edit_ops.set_end(self.model.items, self.current, ms))
            except EditError as exc:
                self._refused(str(exc))
            self._refresh_editors()

    def insert_speaker_change(self) -> None:
        if self.mode.speakers and self.text_edit.isEnabled():
            cursor = self.text_edit.textCursor()
            cursor.insertText(">> ")
            self.text_edit.setFocus()

    def _text_menu(self, pos) -> None:
        menu = self.text_edit.createStandardContextMenu()
        speller = self.highlighter.speller
        if speller is not None:
            cursor = self.text_edit.cursorForPosition(pos)
            cursor.select(QTextCursor.SelectionType.WordUnderCursor)
            word = cursor.selectedText()
            if word and not speller.is_known(word):
                first = menu.actions()[0] if menu.actions() else None
                suggestions = speller.suggestions(word)
                for s in suggestions or ["(no suggestions)"]:
                    act = QAction(s, menu)
                    act.setEnabled(bool(suggestions))
                    act.triggered.connect(lambda _=False, s=s, c=QTextCursor(cursor): c.insertText(s))  # noqa: B008 - a copy per action, on purpose
                    menu.insertAction(first, act)
                menu.insertSeparator(first)
                if hasattr(speller, "ignore_all"):  # the document's spelling: the user's words too
                    from reach_studio.ui.editors.spell_dialog import add_menu_actions

                    add_menu_actions(menu, first, self, speller, word)
        self._text_menu_shown = menu  # tests drive the menu through this
        menu.exec(self.text_edit.mapToGlobal(pos))

    def open_spell_check(self) -> None:
        """F7: the whole-document spell check (ui/editors/spell_dialog.py)."""
        from reach_studio.ui.editors.spell_dialog import open_spell_check

        self.spell_dialog = open_spell_check(self)

    # ------------------------------------------------------------------------------- timing

    def playhead_ms(self) -> int:
        if self.player is not None and self._media_loaded:
            return self.player.position()
        return self._playhead

    def seek(self, ms: int) -> None:
        ms = max(0, int(ms))
        self._playhead = ms
        if self.player is not None and self._media_loaded:
            self.player.seek(ms)
        else:
            self._position_changed(ms)

    def step(self, frames: int) -> None:
        if self.player is not None and self._media_loaded:
            self.player.step(frames)
        else:
            self.seek(self._playhead + frames * FRAME_MS)

    def toggle_play(self) -> None:
        if self.player is None or not self._media_loaded:
            self.show_status("No media to play yet")
            return
        self.player.toggle()

    def _is_playing(self) -> bool:
        return self.player is not None and self._media_loaded and self.player.is_playing()

    def _duration_changed(self, duration: int) -> None:
        if duration > 0:
            self.timeline.canvas.set_duration(duration)

    def _playing_changed(self, playing: bool) -> None:
        self.play_button.setText(
            "❚❚ Pause" if playing else "▶ Play"
        )  # as the other editors; ⏸ is in few fonts

    def _rate_changed(self, _index: int) -> None:
        if self.player is not None:
            self.player.set_rate(float(self.rate_box.currentData()))

    def _loop_toggled(self, on: bool) -> None:
        if self.player is None:
            return
        item = self.model.items[self.current] if self.current is not None and self.model.items else None
        if on and item is not None and not isinstance(item, Chapter):
            self.player.set_loop(item.start_ms, item.end_ms)
        else:
            self.player.clear_loop()

    def _position_changed(self, ms: int) -> None:
        self._playhead = ms
        self.time_label.setText(clock(ms))
        self.timeline.canvas.set_playhead(ms, follow=self._is_playing())
        self._update_overlay()

    def _update_overlay(self) -> None:
        if self.mode.has_title:
            i = edit_ops.item_at_time(self.model.items, self._playhead)
            self.video.set_caption(self.model.items[i].title if i is not None else "")
            return
        i = edit_ops.item_at_time(self.model.items, self._playhead)
        self.video.set_caption(self.delivered_text(i) if i is not None else "")

    def speaker_prefix(self, row: int) -> str:
        """What the delivered file puts before cue `row`'s text (">> [Ann]", "[Ann]", ">>" or "")."""
        item = self.model.items[row]
        if not self.mode.speakers or not isinstance(item, Cue) or not item.speaker:
            return ""
        from reach_studio.domain.caption_fixes import speaker_prefix

        prev = self.model.items[row - 1] if row > 0 else None
        return speaker_prefix(
            item, prev.speaker if isinstance(prev, Cue) else None, self.speaker_style, row == 0
        )

    def delivered_text(self, row: int) -> str:
        """Cue `row` as the delivered file shows it: the preview, the line lengths and CPS all use this."""
        item = self.model.items[row]
        text = item.description if isinstance(item, Chapter) else item.text
        prefix = self.speaker_prefix(row)
        return f"{prefix} {text}" if prefix and text else prefix or text

    def _update_speaking_time(self, item) -> None:
        from reach_studio.domain.speaking_time import fit_note

        if self._wpm is None:
            from reach_studio.ui.editors.row_checks import description_wpm

            self._wpm = description_wpm()
        text, fits = fit_note(item.text, item.end_ms - item.start_ms, self._wpm, within="of this description")
        self.speak_note.setText(text)
        set_tone(self.speak_note, None if fits else "error")

    def _update_delivered_view(self, row: int | None) -> None:
        if row is None or not self.mode.text_lines:
            self.delivered_view.show_lines([], 0)
            return
        limit = self.caption_rules().max_chars_per_line
        self.delivered_view.show_lines(self.delivered_text(row).split("\n"), limit)

    def _play_item(self, row: int) -> None:
        """Double-click on a cue: play that cue from its start, and stop at its end."""
        self.select(row, seek=False)
        item = self.model.items[row]
        if self.player is None or not self._media_loaded:
            self.seek(item.start_ms)
            return
        end = edit_ops.end_of(item)
        if isinstance(item, Chapter):  # a chapter runs to the next one
            end = (
                self.model.items[row + 1].start_ms
                if row + 1 < len(self.model.items)
                else item.start_ms + 10_000
            )
        self.player.play_range(item.start_ms, max(end, item.start_ms + 1))

    def play_range(self, start_ms: int, end_ms: int) -> None:
        """Play start..end and stop (without media: move the playhead to the end, so keys still make sense)."""
        start_ms = max(0, int(start_ms))
        if end_ms <= start_ms:
            return
        self.last_played = (start_ms, int(end_ms))
        if self.player is None or not self._media_loaded:
            self.seek(start_ms)
            self.show_status(f"No media to play yet ({clock(start_ms)} → {clock(end_ms)})")
            return
        self.player.play_range(start_ms, int(end_ms))

    def play_current(self) -> None:
        """Play the current cue, or from the first to the last selected cue, and stop at the end."""
        if self.range_selection is not None:  # a stretch chosen on the waveform (Shift+drag)
            self.play_range(*self.range_selection)
            return
        rows = self.selected_rows()
        if not rows or not self.mode.timed_ranges:
            return
        items = self.model.items
        self.play_range(items[rows[0]].start_ms, max(edit_ops.end_of(items[r]) for r in rows))

    def play_around(self, where: str) -> None:
        """Aegisub's "play 500 ms before the start / after the end" of the current cue."""
        if self.current is None:
            return
        item = self.model.items[self.current]
        if where == "before":
            self.play_range(item.start_ms - AROUND_MS, item.start_ms)
        else:
            end = edit_ops.end_of(item)
            self.play_range(end, end + AROUND_MS)

    def back_and_play(self) -> None:
        """Go back 3 s and play on (to hear a line again)."""
        at = max(0, self.playhead_ms() - BACK_MS)
        self.seek(at)
        self.last_played = (at, None)
        if self.player is not None and self._media_loaded:
            self.player.play()

    def insert_at_playhead(self) -> None:
        at = self.playhead_ms()
        duration = self.timeline.canvas.duration_ms or None
        try:
            op = edit_ops.insert_at(
                self.model.items, self.mode.kind, at, media_end_ms=duration, min_gap_ms=self.min_gap_ms()
            )
        except EditError as exc:
            self._refused(str(exc))
            return
        if self._push(op):
            self.select(op.index, seek=False)
            if self.mode.has_title:
                self.title_edit.setFocus()
                self.title_edit.selectAll()  # typing replaces the suggested title
            else:
                self.text_edit.setFocus()

    def set_start_at_playhead(self) -> None:
        if self.current is None:
            return
        try:
            self._push(edit_ops.set_start(self.model.items, self.current, self.playhead_ms()))
        except EditError as exc:
            self._refused(str(exc))

    def set_end_and_next(self) -> None:
        if self.current is None or not self.mode.timed_ranges:
            return
        try:
            op = edit_ops.set_end(self.model.items, self.current, self.playhead_ms())
        except EditError as exc:
            self._refused(str(exc))
            return
        self._push(op)
        if self.current + 1 < len(self.model.items):
            self.select(self.current + 1, seek=False)

    def nudge(self, edge: str, delta: int) -> None:
        if self.current is None:
            return
        if not self.mode.timed_ranges:
            edge = "both"
        try:
            self._push(
                edit_ops.move(self.model.items, self.current, delta, edge, min_gap_ms=self.min_gap_ms())
            )
        except EditError as exc:
            self._refused(str(exc))

    def caption_rules(self):
        """Thresholds for this task: the profile's and language's values (see domain.caption_rules)."""
        if self._rules is None:  # read once: the settings file is not read per keystroke
            from reach_studio.ui.editors.task_rules import task_rules

            self._rules = task_rules(self.task, self.language)
        return self._rules

    def min_gap_ms(self) -> int:
        return self.caption_rules().min_gap_ms if self.mode.keeps_gap else 0

    def add_cue_between(self, start: int, end: int) -> bool:
        """A cue drawn on the waveform (snapped, clear of its neighbours by the minimum gap): one undo step."""
        if not self.mode.timed_ranges:
            return False
        if end - start < edit_ops.MIN_CUE_MS:
            self._refused("Too short for a cue: drag across at least a tenth of a second")
            return False
        index = edit_ops.insertion_index(self.model.items, start)
        new = self.mode.new_item(start, end)
        if self._push(edit_ops.replace_range(self.model.items, index, 0, [new], "Draw cue")):
            self.select(index, seek=False)
            self.text_edit.setFocus()
            self.show_status(f"New cue {clock(start)} → {clock(end)}: type its text")
            return True
        return False

    def _range_selected(self, start: int, end: int) -> None:
        self.range_selection = (start, end)
        self.show_status(
            f"Selection {clock(start)} → {clock(end)}: "
            f"{shortcuts.describe('editor_play_cue', self._keys).split('(')[-1].rstrip(')')} plays it"
        )

    def _times_dragged(self, row: int, start: int, end: int) -> None:
        item = self.model.items[row]
        op = edit_ops.set_times(
            self.model.items, row, start, None if isinstance(item, Chapter) else end, label="Drag"
        )
        self._push(op)
        self.select(row, seek=False)

    def delete_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        if self._push(edit_ops.remove(self.model.items, rows)):
            self.select(min(rows[0], len(self.model.items) - 1) if self.model.items else None, seek=False)

    # ---------------------------------------------------------------- split / merge / reflow

    def split_current(self) -> None:
        if self.current is None or not self.mode.text_lines:
            return
        from reach_studio.ui.editors import fixes_bridge

        pos = self.text_edit.textCursor().position() if self.text_edit.hasFocus() else None
        try:
            parts = fixes_bridge.split(self.model.items[self.current], pos, self.task)
        except EditError as exc:
            self._refused(str(exc))
            return
        self._push(edit_ops.replace_range(self.model.items, self.current, 1, parts, "Split"))

    def merge_with_next(self) -> None:
        if self.current is None or self.current + 1 >= len(self.model.items) or not self.mode.text_lines:
            return
        from reach_studio.ui.editors import fixes_bridge

        a, b = self.model.items[self.current], self.model.items[self.current + 1]
        try:
            merged = fixes_bridge.merge(a, b, self.task)
        except EditError as exc:
            self._refused(str(exc))
            return
        self._push(edit_ops.replace_range(self.model.items, self.current, 2, [merged], "Merge"))

    def reflow_current(self) -> None:
        if self.current is None or not self.mode.text_lines:
            return
        from reach_studio.ui.editors import fixes_bridge

        try:
            item = self.model.items[self.current]
            later = caption_fixes.continued_prefix(item, self.speaker_style) if self.mode.speakers else ""
            parts = fixes_bridge.reflow(item, self.task, self.speaker_prefix(self.current), later)
        except EditError as exc:
            self._refused(str(exc))
            return
        if parts != [self.model.items[self.current]]:
            self._push(edit_ops.replace_range(self.model.items, self.current, 1, parts, "Reflow"))

    # -------------------------------------------------------------------------- find/replace

    def open_find(self) -> None:
        selected = self.text_edit.textCursor().selectedText()
        self.find_bar.open(selected)

    def find_next(self, backwards: bool = False) -> int | None:
        query = self.find_bar.find_edit.text()
        start = (self.current if self.current is not None else -1) + (0 if backwards else 1)
        if backwards:
            start = (self.current if self.current is not None else 0) - 1
        try:
            row = edit_ops.find(
                self.model.items,
                query,
                start % max(1, len(self.model.items)),
                backwards=backwards,
                **self.find_bar.options(),
            )
        except EditError as exc:
            self.find_bar.status.setText(str(exc))
            return None
        if row is None:
            self.find_bar.status.setText("Not found")
            return None
        self.find_bar.status.setText(f"Cue {row + 1}")
        self.select(row)
        return row

    def replace_current(self) -> None:
        if self.current is None:
            self.find_next()
            return
        opts = self.find_bar.options()
        one = (
            edit_ops.replace_all(
                [self.model.items[self.current]],
                self.find_bar.find_edit.text(),
                self.find_bar.replace_edit.text(),
                **opts,
            )
            if self.find_bar.find_edit.text()
            else None
        )
        if one is not None:
            change = one.ops[0]
            self._push(edit_ops.Change(self.current, change.before, change.after, "Replace"))
            self._refresh_editors()
        self.find_next()

    def replace_all(self) -> None:
        try:
            op = edit_ops.replace_all(
                self.model.items,
                self.find_bar.find_edit.text(),
                self.find_bar.replace_edit.text(),
                **self.find_bar.options(),
            )
        except EditError as exc:
            self.find_bar.status.setText(str(exc))
            return
        if op is None:
            self.find_bar.status.setText("Not found")
            return
        self._push(op)
        self.find_bar.status.setText(f"Replaced in {len(op.ops)} cue(s)")
        self._refresh_editors()

    # ------------------------------------------------------------------------------- model events

    def _items_changed(self, first: int, last: int) -> None:
        self.timeline.canvas.text_changed()  # times unchanged (typing): words repainted when typing pauses
        if self.current is not None and first <= self.current <= last:
            self._refresh_editors()
        self._update_overlay()

    def _structure_changed(self) -> None:
        if self.current is not None and self.current >= len(self.model.items):
            self.select(len(self.model.items) - 1 if self.model.items else None, seek=False)
        self._update_markers_view()

    # ------------------------------------------------------------------------------- import

    def import_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import captions", "", "Captions (*.srt *.vtt *.dfxp *.ttml *.xml *.txt);;All files (*)"
        )
        if path:
            self.import_path(Path(path))

    def import_path(self, path: Path) -> None:
        """Read a SRT/VTT/DFXP draft in the background and load it as one undoable step."""
        from reach_studio.ui.editors.caption_import import import_caption_file

        def loaded(doc: CaptionDocument) -> None:
            self.load_items(list(doc.cues), "Import")

        self._import_job = import_caption_file(self, path, loaded)

    # ----------------------------------------------------------------------------- EAD

    def speak_current(self) -> None:
        if self.mode.speaks and self.current is not None:
            self.tts.say(self.model.items[self.current].text)

    # ----------------------------------------------------------------------------- deliver

    def delivery_problem(self) -> str | None:
        from reach_studio.ui.editors.deliver import check_before_delivery

        problem, self._delivery_warnings = check_before_delivery(self)
        return problem

    def start_delivery(self) -> bool:
        """Show what will be uploaded; Deliver in that box starts the run."""
        from reach_studio.ui.editors.deliver import DeliverFlow

        return DeliverFlow(self, self._delivery_warnings).ask()

    def delivery_work(self):
        return self.deliver_product(self.work_product())

    def lock_editing(self) -> None:
        """The task is READY: keep the editor for reviewing and playback, but refuse edits."""
        for w in (self.text_edit, self.title_edit, self.speaker_edit):
            w.setReadOnly(True)
        for w in (self.start_edit, self.end_edit):
            w.setReadOnly(True)
        for act in self.toolbar.actions():
            if act.text() not in ("Find",):
                act.setEnabled(False)
        self.undo_stack.setClean()
        self.undo_stack.clear()

    def work_product(self):
        """What the delivery engine uploads for this mode."""
        return self.mode.work_product(self.model.items, self.language)
