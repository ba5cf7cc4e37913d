"""A time field that reads and writes hh:mm:ss,mmm, as subtitle editors show times."""

from __future__ import annotations

import re

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLineEdit, QWidget

from reach_studio.ui.editors.cue_model import clock
from reach_studio.ui.style import set_tone

_TIME_RE = re.compile(r"^\s*(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[,.](\d{1,3}))?\s*$")


def parse_clock(text: str) -> int | None:
    """Milliseconds of "h:mm:ss,mmm" / "mm:ss.mmm", or None when it is not a time."""
    m = _TIME_RE.match(text)
    if not m:
        return None
    h, mi, s, frac = m.groups()
    if int(mi) > 59 or int(s) > 59:
        return None
    ms = int((frac or "0").ljust(3, "0"))
    return ((int(h or 0) * 60 + int(mi)) * 60 + int(s)) * 1000 + ms


class TimeEdit(QLineEdit):
    """Emits `timeEdited(ms)` when the user commits a valid time; a bad time turns the field red."""

    timeEdited = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMaximumWidth(110)
        self.setPlaceholderText("00:00:00,000")
        self._ms: int | None = None
        self.editingFinished.connect(self._commit)

    def set_ms(self, ms: int | None) -> None:
        self._ms = ms
        self.setText("" if ms is None else clock(ms))
        set_tone(self, None)

    def ms(self) -> int | None:
        return self._ms

    def _commit(self) -> None:
        value = parse_clock(self.text())
        if value is None:
            set_tone(self, "invalid")
            self.setToolTip("Type a time as hh:mm:ss,mmm")
            return
        set_tone(self, None)
        if value != self._ms:
            self._ms = value
            self.timeEdited.emit(value)
