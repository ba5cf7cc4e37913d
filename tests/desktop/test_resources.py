"""resources/ (icons, style sheet, desktop entry, licences) reach the app through importlib.resources,
and the version shown everywhere is pyproject.toml's."""

from __future__ import annotations

import configparser
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from xml.etree import ElementTree

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel

from reach_studio import __version__, resource_files
from reach_studio.ui import about
from reach_studio.ui.style import set_tone

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


def test_version_comes_from_pyproject_everywhere():
    version = PYPROJECT["project"]["version"]
    assert __version__ == version
    out = subprocess.run(
        [sys.executable, "-m", "reach_studio", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"reach-studio {version}"
    assert f"Reach Studio {version}" in about.about_text()
    metainfo = ElementTree.fromstring(
        resource_files.read_bytes("io.github.reach_studio.ReachStudio.metainfo.xml")
    )
    assert metainfo.find("releases/release").get("version") == version


def test_resources_load_through_importlib_resources():
    import importlib.resources

    packaged = importlib.resources.files("reach_studio.resources")
    assert packaged.joinpath("style.qss").read_text("utf-8") == resource_files.read_text("style.qss")
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        png = resource_files.read_bytes(f"icons/hicolor/{size}x{size}/apps/reach-studio.png")
        assert png.startswith(b"\x89PNG") and int.from_bytes(png[16:20], "big") == size
    assert resource_files.read_bytes("icons/reach-studio.ico")[:4] == b"\0\0\1\0"
    assert resource_files.read_bytes("icons/reach-studio.icns")[:4] == b"icns"


def test_desktop_entry_starts_the_command_with_its_icon():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read_string(resource_files.read_text("reach-studio.desktop"))
    desktop = entry["Desktop Entry"]
    assert desktop["Exec"].split()[0] == "reach-studio" == desktop["Icon"]
    assert desktop["Type"] == "Application" and desktop["Categories"].endswith(";")


def _readme_table() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text("utf-8")
    table = text[text.index("| package | licence |") :].split("\n\n")[0]
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in table.splitlines()]
    return [(p.replace("`", ""), licence) for p, licence in rows if p not in ("package", "---")]


def test_about_lists_the_readme_licence_table_from_the_package(qtbot):
    assert about.third_party_licences() == _readme_table()
    # every runtime dependency has its licence in the table
    names = " ".join(package.lower() for package, _ in about.third_party_licences())
    for requirement in PYPROJECT["project"]["dependencies"]:
        name = re.split(r"[\[<>=!~ ]", requirement)[0].lower()
        assert re.search(rf"(^|[\s(/,]){re.escape(name)}($|[\s),/\[])", names), f"{name} has no licence row"
    box = about.show_about(None)
    qtbot.addWidget(box)
    assert "KalturaApiClient" in box.informativeText() and "AGPL-3.0-or-later" in box.informativeText()
    assert __version__ in box.text()


def test_one_style_sheet_colours_the_tones(qtbot):
    label = QLabel("Could not sign in")
    qtbot.addWidget(label)
    set_tone(label, "error")
    label.ensurePolished()
    assert label.palette().color(QPalette.ColorRole.WindowText) == QColor("#b00020")
    set_tone(label, None)
    assert label.palette().color(QPalette.ColorRole.WindowText) != QColor("#b00020")


def test_no_widget_carries_its_own_style_sheet():
    inline = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in (ROOT / "reach_studio").rglob("*.py")
        if path.name != "style.py"
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if "setStyleSheet(" in line
    ]
    assert not inline, f"inline style sheets (use ui/style.py set_tone and resources/style.qss): {inline}"


def test_demo_seed_captions_are_packaged_resources():
    """The demo's caption texts are files in resources/demo/ (wheel and frozen app), not strings in code."""
    import importlib.resources

    from reach_studio.emulator import seed

    demo = importlib.resources.files("reach_studio.resources").joinpath("demo")
    assert seed.SAMPLE_SRT == demo.joinpath("lecture-en.srt").read_text("utf-8")
    assert seed.ROUGH_SRT == demo.joinpath("launch-trailer-en-auto.srt").read_text("utf-8")
    assert "Welcome to the first lecture" in seed.SAMPLE_SRT and seed.SAMPLE_SRT.count(" --> ") == 5
    assert "[inaudible]" in seed.ROUGH_SRT and seed.ROUGH_SRT.count(" --> ") == 3
