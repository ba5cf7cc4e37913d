"""One style sheet for the whole app (resources/style.qss): widgets name a tone, the sheet has the palette.

Before, each widget carried its own inline style sheet, with two different error reds. `set_tone(label,
"error")` sets a dynamic property that the sheet's `[tone="error"]` rules match.
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QWidget

from reach_studio import resource_files

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
