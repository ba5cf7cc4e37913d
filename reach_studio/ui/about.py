"""The About box: version, licence and what works on this machine (so support knows what they are looking at)."""

from __future__ import annotations

import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtWidgets import QMessageBox, QWidget

from reach_studio import APP_NAME, __version__


def about_text(keyring_note: str = "", editors: list[str] | None = None) -> str:
    editor_line = ", ".join(editors) if editors else "none installed yet"
    return (
        f"<h3>{APP_NAME} {__version__}</h3>"
        "<p>A workbench for linguists fulfilling Kaltura REACH vendor tasks.</p>"
        f"<p>Python {platform.python_version()}, PySide6 {pyside_version}<br>"
        f"Editors: {editor_line}<br>{keyring_note}</p>"
        "<p>Licensed AGPL-3.0-or-later (it links the AGPL Kaltura client).</p>"
    )


def show_about(
    parent: QWidget | None, keyring_note: str = "", editors: list[str] | None = None
) -> QMessageBox:
    box = QMessageBox(parent)
    box.setWindowTitle(f"About {APP_NAME}")
    box.setText(about_text(keyring_note, editors))
    box.setIcon(QMessageBox.Icon.Information)
    box.open()
    return box
