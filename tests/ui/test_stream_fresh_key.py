"""Issue 15, "Start at once": the stream a task's editor plays while its media downloads carries the task's key.
When the app gets a fresh key (the key keeper extends it; or the download finds the old one refused, as
when it expired mid-stream), the player goes on with the fresh key from the same position, and the download
resumes with it."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt

from reach_studio.ui.editors.timed_editor import TimedEditor

from .test_shell_e2e import sign_in_with_demo
from .test_start_at_once import _claim, _gate_each_stream_offer, _lecture_task

pytestmark = pytest.mark.timeout(240)


def _streaming_and_paused_past(qtbot, editor, ms: int) -> int:
    qtbot.mouseClick(editor.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.player.position() > ms, timeout=60_000)
    qtbot.mouseClick(editor.play_button, Qt.MouseButton.LeftButton)  # pause
    return editor.player.position()


def test_a_key_expired_mid_stream_is_renewed_and_the_player_goes_on_from_the_same_place(
    qtbot, window, emulator, caplog
):
    sign_in_with_demo(qtbot, window)
    task = _lecture_task(window, emulator)
    gates = _gate_each_stream_offer(window)
    emulator.faults.configure(segment_latency_ms=200)
    finished = []
    window.service.download_finished.connect(lambda key, path: finished.append(path))

    ws = _claim(qtbot, window, task)
    editor = ws.editor
    assert isinstance(editor, TimedEditor)
    qtbot.waitUntil(lambda: editor.streaming, timeout=30_000)
    claimed = window.service.mine[(task.account, task.id)]
    old_key, old_url = claimed.access_key, editor.player._stream_url
    assert old_key in old_url
    position = _streaming_and_paused_past(qtbot, editor, 1500)

    emulator.faults.expire_all_ks()  # the stream's key dies while it plays
    gates[0].set()  # the download goes on: refused, it gets a fresh key and offers the stream again
    qtbot.waitUntil(lambda: editor.player._stream_url != old_url, timeout=60_000)
    assert not finished and editor.streaming
    assert claimed.access_key != old_key and claimed.access_key in editor.player._stream_url
    assert old_key not in editor.player._stream_url
    qtbot.waitUntil(lambda: abs(editor.player.position() - position) < 500, timeout=20_000)
    # it plays on with the fresh key (the old one is refused by now)
    _streaming_and_paused_past(qtbot, editor, position + 1000)
    assert not finished

    gates[1].set()
    qtbot.waitUntil(lambda: bool(finished), timeout=120_000)
    assert editor.ctx.media_path == finished[0] and not editor.streaming
    assert emulator.inspect.calls().get("reach_entryvendortask.extendAccessKey", 0) >= 1
    assert old_key not in caplog.text and claimed.access_key not in caplog.text


def test_when_the_key_keeper_extends_the_key_the_stream_goes_on_with_the_new_one(qtbot, window, emulator):
    sign_in_with_demo(qtbot, window)
    task = _lecture_task(window, emulator)
    gates = _gate_each_stream_offer(window, gates=1)
    emulator.faults.configure(segment_latency_ms=200)
    finished = []
    window.service.download_finished.connect(lambda key, path: finished.append(path))

    ws = _claim(qtbot, window, task)
    editor = ws.editor
    qtbot.waitUntil(lambda: editor.streaming, timeout=30_000)
    claimed = window.service.mine[(task.account, task.id)]
    old_key, old_url = claimed.access_key, editor.player._stream_url
    position = _streaming_and_paused_past(qtbot, editor, 1000)

    keeper = window.service.key_keeper
    keeper.clock = lambda: time.time() + 400 * 86400  # every key is due for extension
    updated = []
    window.service.task_updated.connect(updated.append)
    window.service.extend_due_keys()  # what the app's key timer does
    qtbot.waitUntil(lambda: bool(updated), timeout=30_000)
    keeper.clock = time.time
    assert claimed.access_key != old_key
    qtbot.waitUntil(lambda: editor.player._stream_url != old_url, timeout=10_000)
    assert claimed.access_key in editor.player._stream_url and old_key not in editor.player._stream_url
    assert editor.streaming and not finished
    qtbot.waitUntil(lambda: abs(editor.player.position() - position) < 500, timeout=20_000)

    gates[0].set()
    qtbot.waitUntil(lambda: bool(finished), timeout=120_000)
    assert not editor.streaming and editor.ctx.media_path == finished[0]
