"""The speaker pick-list: an editable combo that completes from the document's own speakers (most frequent
first), so "St" + Enter gives "Student" spelled as before. With several cues selected in the list, the
editor sets the speaker on all of them as one undo step.

It stands in for a QLineEdit (`text`, `setText`, `editingFinished`), and reports only what the linguist
changed: leaving the field untouched never copies the current cue's speaker onto the other selected cues.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import QComboBox, QCompleter, QSizePolicy, QWidget


class SpeakerPicker(QComboBox):
    editingFinished = Signal()  # the linguist typed or picked a speaker and left / pressed Enter

    def __init__(self, speakers: Callable[[], list[str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._speakers = speakers
        self._names: list[str] = []
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)  # the document is the list, not the combo
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(12)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)  # as wide as a line edit
        self.lineEdit().setPlaceholderText("Speaker (optional)")
        self.lineEdit().setClearButtonEnabled(True)
        self._list = QStringListModel(self)
        self.setModel(self._list)
        completer = QCompleter(self._list, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchStartsWith)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        self._edited = False
        self.lineEdit().textEdited.connect(self._mark_edited)
        self.lineEdit().editingFinished.connect(self._finished)
        self.activated.connect(self._picked)
        completer.activated.connect(self._picked_text)

    # QLineEdit's face, for the editor
    def text(self) -> str:
        return self.currentText()

    def setText(self, text: str) -> None:
        self.setEditText(text)
        self._edited = False

    def setReadOnly(self, on: bool) -> None:
        """After delivery: the speaker is shown, not changed (neither typed nor picked)."""
        self.lineEdit().setReadOnly(on)

    def isReadOnly(self) -> bool:
        return self.lineEdit().isReadOnly()

    # the list
    def refresh_speakers(self) -> None:
        """Re-read the document's speakers (on focus and before the drop-down: never per keystroke)."""
        names = self._speakers()
        if names != self._names:
            text = self.currentText()
            self._names = names
            self.blockSignals(True)
            self._list.setStringList(names)
            self.setEditText(text)
            self.blockSignals(False)

    def speakers(self) -> list[str]:
        return list(self._names)

    def focusInEvent(self, event) -> None:
        self.refresh_speakers()
        super().focusInEvent(event)

    def showPopup(self) -> None:
        if self.isReadOnly():
            return
        self.refresh_speakers()
        super().showPopup()

    def _mark_edited(self, _text: str) -> None:
        self._edited = True

    def _picked(self, index: int) -> None:
        if self.isReadOnly():
            return
        if 0 <= index < len(self._names):
            self.setEditText(self._names[index])
            self._edited = True
            self._finished()

    def _picked_text(self, text: str) -> None:
        if self.isReadOnly():
            return
        self.setEditText(text)
        self._edited = True
        self._finished()

    def _finished(self) -> None:
        if self._edited:
            self._edited = False
            self.editingFinished.emit()
