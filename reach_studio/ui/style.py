"""One style sheet for the whole app (resources/style.qss): widgets name a tone, the sheet has the palette.

Before, each widget carried its own inline style sheet, with two different error reds. `set_tone(label,
"error")` sets a dynamic property that the sheet's `[tone="error"]` rules match.

`plain(label)` / `rich(label)` + `esc(text)` are the one home for a label's text format: Qt's default
AutoText renders any text that looks like HTML as rich text, so an entry name, task notes or a Kaltura error
like `<a href=…>` would turn into a link or bold text. Labels that show server or file strings are `plain`;
labels that build markup are `rich` and pass every interpolated string through `esc`.
"""

from __future__ import annotations

import html
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from reach_studio import resource_files

_W = TypeVar("_W", bound=QWidget)

TONES = ("error", "warning", "muted", "status", "notice", "invalid", "source", "code", "editing", "screen")


def app_style_sheet() -> str:
    return resource_files.read_text("style.qss")


def apply_app_style(app: QApplication) -> None:
    """The style sheet and window icon of every window of the app."""
    from reach_studio.ui.about import app_icon

    app.setStyleSheet(app_style_sheet())
    app.setWindowIcon(app_icon())


def set_tone(widget: QWidget, tone: str | None) -> None:
    """Colour `widget` as `tone` (one of TONES), or back to normal with None."""
    if tone is not None and tone not in TONES:
        raise ValueError(f"unknown tone {tone!r}")
    if (widget.property("tone") or "") == (tone or ""):
        return  # called on every cue selection by some editors: restyle only on a change
    app = QApplication.instance()
    if isinstance(app, QApplication) and not app.styleSheet():
        app.setStyleSheet(app_style_sheet())  # widgets built outside run_app (tests, screenshot scripts)
    widget.setProperty("tone", tone or "")
    # a dynamic property does not restyle by itself
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def plain(widget: _W) -> _W:
    """Show `widget`'s text (a QLabel or QMessageBox) exactly as given, never as HTML."""
    widget.setTextFormat(Qt.TextFormat.PlainText)
    return widget


def rich(widget: _W) -> _W:
    """Show `widget`'s text as HTML: every string interpolated into it must go through `esc`."""
    widget.setTextFormat(Qt.TextFormat.RichText)
    return widget


def esc(text: object) -> str:
    """`text` (a server, file or user string) as inert HTML for a `rich` label."""
    return html.escape(str(text))


def plain_tip(text: str | None) -> str | None:
    """A tooltip that shows `text` literally: Qt guesses a tooltip's format and would render tags in it."""
    if not text:
        return text
    return "<p style='white-space:pre-wrap'>" + esc(text).replace("\n", "<br>") + "</p>"
