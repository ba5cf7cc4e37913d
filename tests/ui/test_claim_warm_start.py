"""Claim → playing at once: what opening a task needs is loaded before the claim answers, off the GUI thread."""

from __future__ import annotations

import threading

import pytest
import shiboken6

from reach_studio.domain.enums import ServiceFeature
from reach_studio.ui import main_window as main_window_module

from .test_shell_e2e import sign_in_with_demo
from .test_start_at_once import _lecture_task

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


def _hold_confirm(window, until):
    """The claim pauses once it is written, until `until(task)` (run on the claim's thread) returns: the
    confirming read comes after what the test checks or does meanwhile."""
    ops = window.service.ops
    real = ops.claim

    def held(conn, task, before_confirm=None):
        def hook():
            before_confirm()
            until(task)

        return real(conn, task, before_confirm=hook)

    ops.claim = held


def test_the_stream_opens_while_the_claim_is_confirmed_and_the_editor_plays_that_player(
    qtbot, window, emulator
):
    sign_in_with_demo(qtbot, window)
    task = _lecture_task(window, emulator)
    key = (task.account, task.id)
    warm: list[object] = []
    opened = threading.Event()
    window.service.stream_prepared.connect(lambda k, s: k == key and opened.set())

    def until(_task):  # the claim is not confirmed until the player is opening the stream
        assert opened.wait(30)

    _hold_confirm(window, until)
    window.service.stream_prepared.connect(
        lambda k, s: warm.append(window._warm_players.get(key, (None,))[0])
    )
    with qtbot.waitSignal(window.service.claimed, timeout=60_000):
        window.claim(task)
    assert warm and warm[0] is not None, "a player opened the stream before the claim was confirmed"
    ws = window.workspaces[key]
    editor = ws.editor
    assert editor.player is warm[0], "the editor plays the player that was already buffering"
    assert editor.streaming and not window._warm_players
    assert "Streaming flavor" in editor.media_label.text()
    editor.toggle_play()
    qtbot.waitUntil(lambda: editor.player.position() > 300, timeout=30_000)
    editor.player.pause()


def test_a_claim_lost_while_it_is_confirmed_drops_the_player_it_opened(qtbot, window, emulator):
    sign_in_with_demo(qtbot, window)
    task = _lecture_task(window, emulator)
    key = (task.account, task.id)
    players: list[object] = []
    window.service.stream_prepared.connect(
        lambda k, s: players.append(window._warm_players.get(k, (None,))[0])
    )
    opened = threading.Event()
    window.service.stream_prepared.connect(lambda k, s: k == key and opened.set())

    def until(claimed_task):
        assert opened.wait(30)
        # another vendor's write lands during our settle pause: the last write wins on the server
        emulator.store.update("task", claimed_task.id, {"externalTaskId": "someone-else"})

    _hold_confirm(window, until)
    with qtbot.waitSignal(window.service.claim_failed, timeout=60_000):
        window.claim(task)
    assert players and players[0] is not None
    assert key not in window._warm_players and key not in window.workspaces
    qtbot.waitUntil(lambda: not shiboken6.isValid(players[0]), timeout=5000)  # closed and deleted
    window.claim_message.close()
