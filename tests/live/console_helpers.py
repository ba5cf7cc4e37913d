"""What a captioner does in the live console, shared by the console's tests."""

from __future__ import annotations

from PySide6.QtCore import Qt


def end_the_stream(qtbot, console) -> None:
    """Press End stream, then "End stream" in the question that follows (ending cannot be undone)."""
    qtbot.mouseClick(console.end_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: console.end_confirm is not None and console.end_confirm.isVisible(), timeout=5000)
    box = console.end_confirm
    qtbot.mouseClick(next(b for b in box.buttons() if b.text() == "End stream"), Qt.MouseButton.LeftButton)
