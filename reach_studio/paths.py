"""Where Reach Studio keeps its files: platformdirs, or one folder named by REACH_STUDIO_HOME (tests, portable use)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import platformdirs

from reach_studio import APP_NAME


def _base(kind: str) -> Path:
    home = os.environ.get("REACH_STUDIO_HOME")
    if home:
        path = Path(home) / kind
    else:
        getter = {
            "data": platformdirs.user_data_dir,
            "config": platformdirs.user_config_dir,
            "cache": platformdirs.user_cache_dir,
            "log": platformdirs.user_log_dir,
        }[kind]
        path = Path(getter(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    """Drafts, journals and the task store."""
    return _base("data")


def config_dir() -> Path:
    return _base("config")


def cache_dir() -> Path:
    """Downloaded media and waveform peaks: safe to delete."""
    return _base("cache")


def log_dir() -> Path:
    return _base("log")


# ---- server strings as path parts -------------------------------------------------------------------
# Kaltura ids ("0_ab12cd34", "1_x", "12345") are letters, digits, "_" and "-". Anything else — ".", "..",
# a slash, a drive letter, a NUL — must never become part of a path: an entryId of ".." once made the
# media cache delete other partners' media.
_SAFE_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")


class UnsafePathPart(ValueError):
    """A string from the server cannot be used as a file or folder name."""


def safe_part(value: object, what: str = "identifier") -> str:
    """`value` as one path part, after a strict check (letters, digits, "_", "-"; no dots, no separators)."""
    text = str(value)
    if not _SAFE_PART.fullmatch(text):
        from reach_studio.printable import printable

        raise UnsafePathPart(
            f"Kaltura sent a {what} that cannot be used as a file name: {printable(text)[:80]!r}"
        )
    return text


def inside(root: Path, path: Path) -> bool:
    """True when `path` (symlinks resolved) lies strictly within `root`: checked before anything is deleted."""
    try:
        resolved_root = Path(root).resolve()
        resolved = Path(path).resolve()
    except (OSError, RuntimeError):
        return False
    return resolved != resolved_root and resolved.is_relative_to(resolved_root)
