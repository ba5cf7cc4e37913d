"""The installer scripts point at files that exist (they only run on other platforms' runners)."""

from __future__ import annotations

import re
from pathlib import Path, PureWindowsPath

ROOT = Path(__file__).resolve().parents[2]


def test_workflow_runs_scripts_that_exist():
    workflow = (ROOT / ".github" / "workflows" / "installers.yml").read_text("utf-8")
    used = set(re.findall(r"packaging[/\\][\w./\\-]+\.(?:sh|spec|iss)", workflow))
    assert {"packaging/build.sh", "packaging/macos/make_dmg.sh", "packaging/reach_studio.spec"} <= used
    for path in used:
        assert (ROOT / PureWindowsPath(path).as_posix()).is_file(), path


def test_inno_setup_script_takes_the_icon_and_the_build_from_the_repository():
    iss = ROOT / "packaging" / "windows" / "reach-studio.iss"
    text = iss.read_text("utf-8")
    icon = re.search(r"^SetupIconFile=(.+)$", text, re.MULTILINE).group(1)
    assert (
        iss.parent / PureWindowsPath(icon).as_posix()
    ).resolve() == ROOT / "resources/icons/reach-studio.ico"
    assert "{group}\\Reach Studio" in text  # the Start-menu entry
    assert "OutputBaseFilename=reach-studio-{#AppVersion}-windows-x64-setup" in text
