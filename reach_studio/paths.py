"""Where Reach Studio keeps its files: platformdirs, or one folder named by REACH_STUDIO_HOME (tests, portable use)."""

from __future__ import annotations

import os
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
