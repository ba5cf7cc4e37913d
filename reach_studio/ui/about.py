"""The About box: version, licence and what works on this machine (so support knows what they are looking at)."""

from __future__ import annotations

import html
import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QMessageBox, QWidget

import reach_studio
from reach_studio import APP_NAME, resource_files

LICENCES = "third-party-licences.md"  # the README's table, shipped in resources/


def third_party_licences() -> list[tuple[str, str]]:
    """(package, licence) rows of the README's third-party table, as shipped with the app."""
    rows = []
    for line in resource_files.read_text(LICENCES).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0] not in ("package", "---"):
            rows.append((cells[0].replace("`", ""), cells[1]))
    return rows


def licences_html() -> str:
    rows = "".join(
        f"<tr><td>{html.escape(package)}</td><td>&nbsp;{html.escape(licence)}</td></tr>"
        for package, licence in third_party_licences()
    )
    return f"<p><b>Third-party software</b></p><table>{rows}</table>"


def about_text(keyring_note: str = "", editors: list[str] | None = None) -> str:
    editor_line = ", ".join(editors) if editors else "none installed yet"
    return (
        f"<h3>{APP_NAME} {reach_studio.__version__}</h3>"  # looked up now, not when the window starts
        "<p>A workbench for linguists fulfilling Kaltura REACH vendor tasks.</p>"
        f"<p>Python {platform.python_version()}, PySide6 {pyside_version}<br>"
        f"Editors: {editor_line}<br>{keyring_note}</p>"
        "<p>Licensed AGPL-3.0-or-later (it links the AGPL Kaltura client).</p>"
    )


def app_icon() -> QIcon:
    """The app icon in every size resources/ has, for windows, the task bar and the About box."""
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        pixmap = QPixmap()
        pixmap.loadFromData(resource_files.read_bytes(f"icons/hicolor/{size}x{size}/apps/reach-studio.png"))
        icon.addPixmap(pixmap)
    return icon


def show_about(
    parent: QWidget | None, keyring_note: str = "", editors: list[str] | None = None
) -> QMessageBox:
    box = QMessageBox(parent)
    box.setWindowTitle(f"About {APP_NAME}")
    box.setText(about_text(keyring_note, editors))
    box.setInformativeText(licences_html())
    box.setIconPixmap(app_icon().pixmap(64, 64))
    box.open()
    return box
