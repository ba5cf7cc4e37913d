"""The files in the top-level `resources/` folder (icons, style sheet, .desktop, AppStream, licences).

setup.py maps the folder to the package `reach_studio.resources`, so wheels, editable installs and the
frozen app (packaging/reach_studio.spec) all read it through importlib.resources; a checkout that was
never installed (e.g. on PYTHONPATH) reads the folder next to `reach_studio/`.
"""

from __future__ import annotations

import importlib.resources
from importlib.resources.abc import Traversable
from pathlib import Path


def root() -> Traversable:
    try:
        return importlib.resources.files("reach_studio.resources")
    except ModuleNotFoundError:
        here = Path(__file__).resolve().parent
        frozen = here / "resources"  # PyInstaller copies the folder into the package's place
        return frozen if frozen.is_dir() else here.parent / "resources"


def path(name: str) -> Traversable:
    """A resource by its path under resources/, e.g. "icons/reach-studio.svg"."""
    node = root()
    for part in name.split("/"):
        node = node.joinpath(part)
    if not node.is_file():
        raise FileNotFoundError(f"resource {name!r} is missing from this build ({root()})")
    return node


def read_text(name: str) -> str:
    return path(name).read_text(encoding="utf-8")


def read_bytes(name: str) -> bytes:
    return path(name).read_bytes()
