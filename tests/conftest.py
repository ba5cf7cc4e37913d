"""Shared test setup: headless Qt, an in-memory keyring, and per-test app data directories."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

import pytest


@pytest.fixture(autouse=True)
def _isolated_app_dirs(tmp_path, monkeypatch):
    """Keep settings, drafts and caches of each test apart from the user's and from other tests."""
    monkeypatch.setenv("REACH_STUDIO_HOME", str(tmp_path / "reach-studio-home"))
    yield


# ---- Kaltura REACH emulator (reach_studio/emulator) ------------------------------------------------
@pytest.fixture(scope="session")
def emulator_media_cache(tmp_path_factory):
    """One folder of generated media for the whole test run, so ffmpeg runs once per flavor."""
    return tmp_path_factory.mktemp("emulator-media")


@pytest.fixture
def emulator(tmp_path, emulator_media_cache):
    """A fresh emulator with the demo seed, on a free port, stopped after the test."""
    from reach_studio.emulator.server import Emulator

    emu = Emulator(tmp_path / "emulator-data", seed="demo", media_cache=emulator_media_cache)
    emu.start()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def emu(tmp_path, emulator_media_cache):
    """The emulator with partners and the vendor's app token only: each test orders the task it needs
    (tests/delivery/conftest.py `order_task`)."""
    from reach_studio.emulator.server import Emulator

    with Emulator(tmp_path / "emulator-data", seed="minimal", media_cache=emulator_media_cache) as emulator:
        yield emulator


@pytest.fixture
def conn(emu):
    """The vendor's connection to `emu`, retrying quickly so fault tests stay short."""
    from reach_studio.kaltura.connection import AccountConfig, ReachConnection

    return ReachConnection(AccountConfig.from_emulator_info(emu.info), retries=6, backoff=0.02)
