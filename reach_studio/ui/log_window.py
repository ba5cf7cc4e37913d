"""A window on the app's log that never shows a secret.

Support asks linguists to "send the log"; so every record is redacted before it reaches the window (or
the log file): the secrets this session knows (app tokens, KS, access keys, admin secrets) are replaced,
and anything shaped like a KS is scrubbed too, even if nobody registered it.
"""

from __future__ import annotations

import logging
from collections import deque

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QDialog, QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from reach_studio.secret_store import redact, register_secret  # noqa: F401  (re-exported for the shell)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class _Bridge(QObject):
    line = Signal(str)


class LogBuffer(logging.Handler):
    """Keeps the last lines of the log (redacted) and forwards new ones to the GUI thread."""

    def __init__(self, capacity: int = 5000) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(RedactingFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S"))
        self.lines: deque[str] = deque(maxlen=capacity)
        self.bridge = _Bridge()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:  # noqa: BLE001 - a bad log call must never break the app
            text = redact(f"{record.levelname} {record.name}: (unformattable message)")
        self.lines.append(text)
        self.bridge.line.emit(text)  # queued to the GUI thread when emitted from a worker


_buffer: LogBuffer | None = None


def install_log_buffer(level: int = logging.INFO) -> LogBuffer:
    """Attach the (single) redacting buffer to the root logger; later calls return the same one."""
    global _buffer
    if _buffer is None:
        _buffer = LogBuffer()
        _buffer.setLevel(level)
        logging.getLogger().addHandler(_buffer)
        if logging.getLogger().level > level or logging.getLogger().level == logging.NOTSET:
            logging.getLogger().setLevel(level)
    return _buffer


class LogWindow(QDialog):
    """Shows the redacted log live; "Copy all" puts it on the clipboard for a support request."""

    def __init__(self, buffer: LogBuffer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Reach Studio log")
        self.resize(900, 420)
        self.text = QPlainTextEdit(readOnly=True)
        self.text.setMaximumBlockCount(buffer.lines.maxlen or 5000)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlainText("\n".join(buffer.lines))
        copy = QPushButton("Copy all")
        copy.clicked.connect(lambda: (self.text.selectAll(), self.text.copy()))
        clear = QPushButton("Clear")
        clear.clicked.connect(self.text.clear)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        for button in (copy, clear):  # Enter must never clear the log a support request needs
            button.setAutoDefault(False)
        close.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(clear)
        buttons.addWidget(copy)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addLayout(buttons)
        buffer.bridge.line.connect(self._append, Qt.ConnectionType.QueuedConnection)

    def _append(self, line: str) -> None:
        self.text.appendPlainText(line)

    def contents(self) -> str:
        return self.text.toPlainText()
