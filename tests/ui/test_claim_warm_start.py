"""Claim → playing at once: what opening a task needs is loaded before the claim answers, off the GUI thread."""

from __future__ import annotations

import threading

import pytest

from reach_studio.domain.enums import ServiceFeature
from reach_studio.ui import main_window as main_window_module

from .test_shell_e2e import sign_in_with_demo

pytestmark = pytest.mark.timeout(240)


def test_signing_in_loads_the_editor_and_the_player_libraries_on_a_worker(qtbot, window, monkeypatch):
    prepared: list[tuple[ServiceFeature, threading.Thread]] = []
    players: list[int] = []
    monkeypatch.setattr(
        main_window_module,
        "prepare_editor_modules",
        lambda feature: prepared.append((feature, threading.current_thread())),
    )
    monkeypatch.setattr(main_window_module, "warm_up_player", lambda: players.append(1))
    sign_in_with_demo(qtbot, window)
    qtbot.waitUntil(lambda: bool(prepared), timeout=10_000)
    feature, thread = prepared[0]
    assert feature == ServiceFeature.CAPTIONS
    assert thread is not threading.main_thread(), "imports never freeze the window"
    assert players, "libvlc starts loading too"
