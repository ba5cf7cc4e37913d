"""Renders resources/icons/reach-studio.svg to the sizes each platform needs; the outputs are committed.

Linux: icons/hicolor/<n>x<n>/apps/reach-studio.png (freedesktop icon theme sizes, used by the .desktop
file and the window); Windows: icons/reach-studio.ico (PNG-compressed entries); macOS:
icons/reach-studio.icns (PNG entries ic07-ic10). ICO and ICNS are written here byte by byte, so no
platform tool (iconutil, ImageMagick) is needed. Run after changing the SVG:
    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icons.py
"""

from __future__ import annotations

import struct
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent.parent / "resources" / "icons"
LINUX_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_TYPES = {128: b"ic07", 256: b"ic08", 512: b"ic09", 1024: b"ic10"}


def render(renderer: QSvgRenderer, size: int) -> bytes:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


def ico(pngs: dict[int, bytes]) -> bytes:
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = 6 + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, png in pngs.items():
        side = 0 if size >= 256 else size  # 0 means 256 in an ICO directory entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset + len(blobs))
        blobs += png
    return header + entries + blobs


def icns(pngs: dict[int, bytes]) -> bytes:
    body = b"".join(ICNS_TYPES[size] + struct.pack(">I", 8 + len(png)) + png for size, png in pngs.items())
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> None:
    _app = QGuiApplication([])
    renderer = QSvgRenderer(str(HERE / "reach-studio.svg"))
    for size in LINUX_SIZES:
        target = HERE / "hicolor" / f"{size}x{size}" / "apps" / "reach-studio.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(render(renderer, size))
    (HERE / "reach-studio.ico").write_bytes(ico({s: render(renderer, s) for s in ICO_SIZES}))
    (HERE / "reach-studio.icns").write_bytes(icns({s: render(renderer, s) for s in ICNS_TYPES}))
    print(f"icons written under {HERE}")


if __name__ == "__main__":
    main()
