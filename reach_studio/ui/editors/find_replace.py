"""Find / replace bar of the editors. It only searches the document being edited (in translation mode,
the target), and "Replace all" is one undo step."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QToolButton, QWidget

from reach_studio.ui.style import plain


class FindReplaceBar(QWidget):
    findRequested = Signal(bool)  # backwards
    replaceRequested = Signal()
    replaceAllRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.find_edit = QLineEdit(self, placeholderText="Find")
        self.replace_edit = QLineEdit(self, placeholderText="Replace with")
        self.case = QCheckBox("Match case", self)
        self.whole = QCheckBox("Whole words", self)
        self.regex = QCheckBox("Regex", self)
        self.status = plain(QLabel(self))
        prev_btn = QPushButton("Previous", self)
        next_btn = QPushButton("Next", self)
        repl_btn = QPushButton("Replace", self)
        all_btn = QPushButton("Replace all", self)
        close = QToolButton(self, text="✕", toolTip="Close (Esc)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        for w in (
            self.find_edit,
            prev_btn,
            next_btn,
            self.replace_edit,
            repl_btn,
            all_btn,
            self.case,
            self.whole,
            self.regex,
            self.status,
        ):
            layout.addWidget(w)
        layout.addStretch(1)
        layout.addWidget(close)
        next_btn.clicked.connect(self._find_next)
        prev_btn.clicked.connect(self._find_previous)
        self.find_edit.returnPressed.connect(self._find_next)
        repl_btn.clicked.connect(self.replaceRequested)
        all_btn.clicked.connect(self.replaceAllRequested)
        close.clicked.connect(self.hide)

    def _find_next(self) -> None:
        self.findRequested.emit(False)

    def _find_previous(self) -> None:
        self.findRequested.emit(True)

    def options(self) -> dict[str, bool]:
        return {
            "case_sensitive": self.case.isChecked(),
            "whole_word": self.whole.isChecked(),
            "regex": self.regex.isChecked(),
        }

    def open(self, text: str = "") -> None:
        if text:
            self.find_edit.setText(text)
        self.show()
        self.find_edit.setFocus()
        self.find_edit.selectAll()

    def keyPressEvent(self, event) -> None:
        from PySide6.QtCore import Qt

        if event.key() == Qt.Key.Key_Escape:
            self.hide()
            return
        super().keyPressEvent(event)
