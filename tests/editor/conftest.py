"""Fixtures for the editor tests: a tiny test clip made once per run (tasks: tests/factories.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import make_clip


@pytest.fixture(scope="session")
def test_clip(tmp_path_factory) -> Path:
    """A 4-second 320x180 clip with a 440 Hz tone (about 60 kB)."""
    return make_clip(tmp_path_factory.mktemp("media") / "clip.mp4")
