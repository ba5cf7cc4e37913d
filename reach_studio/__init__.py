"""Reach Studio: a desktop workbench for linguists fulfilling Kaltura REACH vendor tasks."""

from __future__ import annotations

APP_NAME = "Reach Studio"


def _version() -> str:
    """The version in pyproject.toml: from the installed metadata (wheel, editable install, frozen app),
    or from pyproject.toml itself in a checkout that was never installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("reach-studio")
    except PackageNotFoundError:
        import tomllib
        from pathlib import Path

        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        try:
            return tomllib.loads(pyproject.read_text("utf-8"))["project"]["version"]
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "0+unknown"


def __getattr__(name: str) -> str:
    """`__version__` is looked up on first use: importlib.metadata (email, zipfile, csv...) costs the GUI a
    noticeable part of its start, before the window, and only --version and the About box need it."""
    if name == "__version__":
        value = globals()["__version__"] = _version()
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
