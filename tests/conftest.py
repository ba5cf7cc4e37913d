"""Shared test setup: headless Qt, an in-memory keyring, and per-test app data directories."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_app_dirs(tmp_path, monkeypatch):
    """Keep settings, drafts and caches of each test apart from the user's and from other tests."""
    monkeypatch.setenv("REACH_STUDIO_HOME", str(tmp_path / "reach-studio-home"))
    yield
