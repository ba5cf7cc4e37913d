"""The editor's Spectrogram switch (toolbar): off by default; the first time it is switched on for a media
file the spectrogram is computed off the GUI thread (`media/spectrogram.py`, progress in the status line,
cancelled when the editor closes) and the timeline draws it in the waveform's lane.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from reach_studio.workers.background import Job, run_in_background

if TYPE_CHECKING:
    from reach_studio.ui.editors.timed_editor import TimedEditor


class SpectrogramToggle(QObject):
    def __init__(self, editor: TimedEditor) -> None:
        super().__init__(editor)
        self.editor = editor
        self.action = QAction("Spectrogram", editor, checkable=True)
        self.action.setToolTip(
            "Show the sound's frequencies instead of the waveform (computed once per media)"
        )
        self.action.toggled.connect(self._toggled)
        self.job: Job | None = None
        self._for: Path | None = None  # the media the spectrogram (or the running job) belongs to

    def _toggled(self, on: bool) -> None:
        self.editor.timeline.canvas.show_spectrogram(on)
        if on:
            self.ensure()

    def media_changed(self) -> None:
        """The workspace handed the editor its media: compute now if the switch is on."""
        if self.action.isChecked():
            self.ensure()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.job = None

    def ensure(self) -> None:
        path = self.editor.ctx.media_path
        if path is None:
            self.editor.show_status("The spectrogram appears when the media has downloaded")
            return
        path = Path(path)
        if self._for == path:
            return  # computed, or being computed
        self.cancel()
        self._for = path
        editor = self.editor

        def work(token, progress):
            from reach_studio.media.spectrogram import compute_spectrogram

            return compute_spectrogram(path, progress=progress, token=token)

        def progress(done: int, total: int) -> None:
            if shiboken6.isValid(editor) and total:
                editor.show_status(f"Computing the spectrogram… {100 * done // total} %")

        def done(spec) -> None:
            self.job = None
            if shiboken6.isValid(editor) and self._for == path:
                editor.timeline.canvas.set_spectrogram(spec)
                editor.show_status("Spectrogram ready")

        def failed(exc: BaseException) -> None:
            self.job = None
            if shiboken6.isValid(editor) and self._for == path:
                self._for = None  # may be tried again
                editor.show_status(f"No spectrogram: {exc}", error=True)

        self.job = run_in_background(work, done, failed, progress)
