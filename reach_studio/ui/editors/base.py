"""What every editor is to the shell (`TaskEditor`), and what the timed, voice and sign-language editors share
(`EditorBase`): the draft journal, the status line, locking after READY and the Deliver skeleton.

Why: the shell used to probe editors with `hasattr` ("does it have set_media? flush_draft?"), and each editor
repeated the same draft loading, status line, delivery guard and READY handling in its own words. The shell
now calls a declared contract, and an editor says only what differs: what its draft holds, what blocks its
delivery, what it uploads and which widgets lock. (Qt's metaclass rules out `abc.ABC`; the methods an editor
must provide raise NotImplementedError, and tests/ui/test_editor_registry.py checks every registered editor.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from reach_studio.redaction import redact
from reach_studio.ui.editors.delivery_run import DeliveryRun
from reach_studio.ui.editors.journal import DraftJournal
from reach_studio.ui.player import MediaPlayerBase, PlayerError
from reach_studio.ui.style import plain, set_tone

if TYPE_CHECKING:
    from reach_studio.domain.captions import CaptionDocument
    from reach_studio.store.drafts import Draft
    from reach_studio.ui.editors.registry import TaskContext
    from reach_studio.workers.background import Job

log = logging.getLogger(__name__)

NO_PLAYER = "No media player available (install PySide6-Addons or VLC)"
DeliveryWork = Callable[[Any, Any], Any]  # (cancel token, progress) -> engine.delivery.DeliveryOutcome


class TaskEditor(QWidget):
    """The contract between the task workspace and an editor. The defaults are what an editor that does not
    care gets: it keeps the media path and source captions in its context and has no draft to flush."""

    delivered = Signal(object)  # the task is READY: the shell drops it from "My tasks"

    def __init__(self, ctx: TaskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.task = ctx.task

    def set_media(self, path: Path) -> None:
        """The media download finished."""
        self.ctx.media_path = Path(path)

    def set_stream(self, source) -> None:
        """While the media downloads: its stream can be played (engine.media_fetch.StreamSource, whose URL
        carries the KS: never log or show it). An editor without a player ignores it."""

    def set_partial_waveform(self, wave) -> None:
        """While the media downloads: the waveform of the audio arrived so far (media.waveform.Waveform)."""

    def set_source_captions(self, doc: CaptionDocument) -> None:
        """A translation's (or dub's) source captions arrived after the editor opened."""
        self.ctx.source_captions = doc

    def flush_draft(self) -> None:
        """Before the editor closes: after this, the work is in the draft store."""

    def attach_live_session(self, session) -> bool:
        """Serve the live session the shell scheduled; False when this editor is not a live console."""
        return False


class EditorBase(TaskEditor):
    """A task worked on offline and delivered once: journaled draft, status line, locked after READY.

    A subclass calls `start_journal(kind, title)` in its constructor and provides `_snapshot_payload`,
    `delivery_problem`, `delivery_work` and (when more than the toolbar must lock) `lock_editing`.
    """

    statusMessage = Signal(str)
    snapshot_on_flush = True  # the timed editor journals each operation as it happens: no snapshot needed

    def __init__(self, ctx: TaskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        from reach_studio.store.drafts import draft_key

        self.key = draft_key(ctx.task.account, ctx.task.id)
        self.locked = False  # True once delivered: review only, no new draft
        self._delivery_job: Job | None = None
        self.deliver_confirm = (
            None  # the "what will be uploaded" box while it is open (ui/editors/deliver.py)
        )
        self.journal: DraftJournal | None = None
        self.player: MediaPlayerBase | None = None  # the subclass makes it (and `self.video`, its view)
        self.stream_source = None  # the stream offered while the media downloads (set_stream)
        self.status = plain(QLabel(self))  # the subclass places it (bottom of its layout)
        self.status.setWordWrap(True)

    # ----------------------------------------------------------------------------------- drafts

    def start_journal(self, kind: str, title: str) -> DraftJournal:
        self.journal = DraftJournal(
            self.ctx.drafts, self.key, kind, f"{title} · task {self.task.id}", self._snapshot_payload, self
        )
        return self.journal

    def load_draft(self, kind: str) -> tuple[Draft | None, str]:
        """This task's draft of `kind` (None when there is none or it is of another kind) and a note for the
        status line when it could not be read. A damaged draft never stops the editor from opening."""
        if self.ctx.drafts is None:
            return None, ""
        try:
            draft = self.ctx.drafts.load(self.key)
        except Exception as exc:  # noqa: BLE001 - a damaged draft must not stop the editor
            return None, f"Your draft could not be read: {exc}"
        if draft is None or (draft.kind and draft.kind != kind):
            return None, ""
        return draft, ""

    def _snapshot_payload(self) -> dict[str, Any]:
        """The whole document as the draft store keeps it."""
        raise NotImplementedError

    def flush_draft(self) -> None:
        if self.locked or self.journal is None:
            return
        if self.snapshot_on_flush:
            self.journal.snapshot()
        self.journal.flush()

    def _players(self) -> list:
        """The media players this editor owns (closed with it)."""
        return [self.player] if self.player is not None else []

    def closeEvent(self, event) -> None:
        self.flush_draft()
        for player in self._players():
            player.close()
        super().closeEvent(event)

    # ----------------------------------------------------------------------------------- media

    @property
    def streaming(self) -> bool:
        """The player plays the task's stream: the file is still downloading."""
        return self.player is not None and self.player.streaming

    @property
    def playable(self) -> bool:
        """The entry's media can be played and sought: downloaded, or streaming meanwhile."""
        return self.player is not None and (self.ctx.media_path is not None or self.player.streaming)

    def set_stream(self, source) -> None:
        """While the media downloads: play its stream at once (and again, from the same position, when it
        is offered with a fresh key)."""
        self.stream_source = source
        self.play_stream(source)

    def play_stream(self, source) -> bool:
        """Play `source` (engine.media_fetch.StreamSource) until the file takes over; its URL holds the KS,
        so a back-end error is shown redacted."""
        if self.player is None or self.ctx.media_path is not None:
            return False
        try:
            self.player.play_stream(source.url, source.duration_ms)
        except PlayerError as exc:
            self.show_status(redact(str(exc)))
            return False
        self.video.set_message("")
        return True

    def load_into_player(self, path: Path, keep_position: bool = True) -> bool:
        """Open `path` in the editor's player (`self.player`, shown in `self.video`): after the stream, at
        the same position. A back-end error goes to the status line and the editor keeps working without
        a picture."""
        if self.player is None:
            return False
        try:
            self.player.play_file(Path(path), keep_position)
        except PlayerError as exc:
            self.show_status(str(exc), error=True)
            return False
        self.video.set_message("")
        return True

    def video_side(self, transport: QHBoxLayout, waiting: str | None) -> QWidget:
        """The video over its transport row; the picture says why it is empty (no player, or `waiting`)."""
        if self.player is None:
            self.video.set_message(NO_PLAYER)
        elif waiting:
            self.video.set_message(waiting)
        side = QWidget(self)
        layout = QVBoxLayout(side)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.video, 1)
        layout.addLayout(transport)
        return side

    def workbench(self, video_side: QWidget, item_list: QWidget, panel: QWidget) -> QSplitter:
        """The editors' layout: the video on the left, the list of items over the edit panel on the right."""
        right = QSplitter(Qt.Orientation.Vertical, self)
        right.addWidget(item_list)
        right.addWidget(panel)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        top = QSplitter(Qt.Orientation.Horizontal, self)
        top.addWidget(video_side)
        top.addWidget(right)
        top.setStretchFactor(0, 2)
        top.setStretchFactor(1, 3)
        return top

    # ----------------------------------------------------------------------------------- status

    def ask_for_file(self, title: str, filters: str) -> Path | None:
        """A file to import, asked in the folder the last import came from (setting `import_dir`): a describer
        without a microphone imports a take for every line, and each dialog opened in the app's own folder."""
        from reach_studio.settings import Settings

        try:
            settings = Settings()
            start = settings.get("import_dir") or ""
        except Exception as exc:  # noqa: BLE001 - damaged settings: ask from the current folder
            log.warning("import folder not read: %s", exc)
            settings, start = None, ""
        name, _ = QFileDialog.getOpenFileName(self, title, start, filters)
        if not name:
            return None
        if settings is not None:
            try:
                settings.set("import_dir", str(Path(name).parent))
            except Exception as exc:  # noqa: BLE001 - the file is still used
                log.warning("import folder not kept: %s", exc)
        return Path(name)

    def show_status(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        set_tone(self.status, "error" if error else "status")
        self.statusMessage.emit(text)

    # ----------------------------------------------------------------------------------- deliver

    def deliver(self) -> bool:
        """Check, save the draft, then deliver (or ask first: the timed editor). False when nothing started."""
        if self._delivery_job is not None:
            self.show_status("A delivery is already running")
            return False
        problem = self.delivery_problem()
        if problem:
            self.show_status(problem, error=True)
            return False
        if self.ctx.connection is None:
            self.show_status("Not connected to Kaltura: cannot deliver", error=True)
            return False
        self.flush_draft()
        return self.start_delivery()

    def delivery_problem(self) -> str | None:
        """What blocks delivery, in the words the status line shows (and select the item at fault), or None."""
        raise NotImplementedError

    def delivery_label(self) -> str:
        return "Delivering to Kaltura…"

    def delivery_work(self) -> DeliveryWork:
        """The background job that delivers (runs off the GUI thread: capture values, not widgets)."""
        raise NotImplementedError

    def upload_summary(self) -> str:
        """What Deliver will upload, in the linguist's words, for the confirmation box (nothing is sent
        before they press Deliver in it)."""
        raise NotImplementedError

    def start_delivery(self) -> bool:
        """Show what will be uploaded; Deliver in that box starts the run, Cancel sends nothing."""
        from reach_studio.ui.editors.deliver import DeliverFlow

        return DeliverFlow(self, summary=self.upload_summary()).ask()

    def run_delivery(
        self, label: str, work: DeliveryWork, on_blocked: Callable[[BaseException], None] | None = None
    ) -> Job:
        self._delivery_job = DeliveryRun(
            self, label, work, self._delivered, on_blocked, self._delivery_ended
        ).start()
        return self._delivery_job

    def deliver_product(self, product) -> DeliveryWork:
        """`delivery_work` for an editor whose work product is ready as it is (nothing to render first)."""
        task, connection = self.task, self.ctx.connection

        def run(token, progress):
            from reach_studio.engine.delivery import DeliveryService

            return DeliveryService(connection).deliver(task, product, cancel=token, progress=progress)

        return run

    def _delivery_ended(self) -> None:
        self._delivery_job = None

    def _delivered(self, outcome) -> None:
        self.locked = True
        self.lock_editing()
        if self.journal is not None:
            self.journal.discard()
        self.after_delivery(outcome)
        self.show_status(f"Delivered: task {outcome.task_id} is READY ({self.delivered_output(outcome)})")
        self.delivered.emit(outcome)

    def lock_editing(self) -> None:
        """After READY the task is Kaltura's again: nothing more can be changed or delivered here."""
        for action in self.toolbar.actions():
            action.setEnabled(False)

    def after_delivery(self, outcome) -> None:
        """Clean-up once READY (the voice editor removes its takes)."""

    def delivered_output(self, outcome) -> str:
        return f"output {outcome.output_object_id}"
