"""The "Delivered" line under the text box: the cue as the file will have it, redrawn on every keystroke.

A QLabel would be the obvious widget, but QLabel.setText always calls updateGeometry, which invalidates
every layout up to the window: each keystroke re-laid out and repainted the whole editor (the splitters,
the panels), about 5 ms per key in a 5,000-cue document. A read-only QPlainTextEdit repaints only itself;
its height changes (one relayout) only when the number of lines does, and it is opaque (a transparent
widget makes its parents repaint under it).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QPlainTextEdit, QSizePolicy, QWidget

MAX_LINES = 4  # more scroll inside the view


class DeliveredView(QPlainTextEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)  # a long line is clipped, never widens
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        palette = (
            self.palette()
        )  # the panel's own colour, but opaque: a transparent view repaints its parents
        palette.setColor(QPalette.ColorRole.Base, palette.color(QPalette.ColorRole.Window))
        self.setPalette(palette)
        self.document().setDocumentMargin(1)
        self._lines = 0
        self.delivered_lines: list[str] = []  # what the file will have, without the figures
        self._fit(1)

    def text(self) -> str:
        return self.toPlainText()

    def show_lines(self, lines: list[str], limit: int) -> None:
        """Each delivered line after its length against the limit ("56/32 ✖  Welcome to…"): the figures
        first, so a long line is cut at its end, never its count."""
        self.delivered_lines = list(lines)
        width = len(str(limit))
        self.setText(
            "\n".join(
                f"{len(line):>{width}}/{limit} {'✖' if len(line) > limit else ' '}  {line}" for line in lines
            )
        )

    def setText(self, text: str) -> None:
        if text == self.toPlainText():
            return
        self.setPlainText(text)
        self._fit(text.count("\n") + 1)

    def _fit(self, lines: int) -> None:
        lines = max(1, min(MAX_LINES, lines))
        if lines != self._lines:
            self._lines = lines
            self.setFixedHeight(lines * self.fontMetrics().lineSpacing() + 4)
