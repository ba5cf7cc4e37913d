"""Issue 15, "Start at once": after Claim the editor opens at once and is usable, the player plays the task's
stream while the media downloads (progress and Cancel shown), and goes over to the file when it is complete."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from reach_studio.ui.editors.timed_editor import TimedEditor
from reach_studio.ui.task_workspace import TaskWorkspace

from .test_shell_e2e import sign_in_with_demo

pytestmark = pytest.mark.timeout(240)

LECTURE = "Lecture 1 - Introduction to kinesiology"  # 20 s, video, HLS


def _task(window, emulator, entry_name: str, feature: str):
    """The queue's task of `feature` (a ServiceFeature name) on the demo entry named `entry_name`."""
    entry = next(e for e in emulator.inspect.objects("entry") if e["name"] == entry_name)
    return next(
        t
        for t in window.queue.visible_tasks()
        if t.entry_id == entry["id"] and t.feature is not None and t.feature.name == feature
    )


def _lecture_task(window, emulator):
    return _task(window, emulator, LECTURE, "CAPTIONS")


def _gate_each_stream_offer(window, gates: int = 2) -> list[threading.Event]:
    """The download pauses after each time it offers the stream (the first offer, then one with a fresh
    key), until the test opens that offer's gate (or it is cancelled): what the linguist can do meanwhile
    is then checked without racing the download."""
    ops = window.service.ops
    real = ops.fetch_media
    opened = [threading.Event() for _ in range(gates)]
    offers = []

    def held(conn, task, token, progress, **hooks):
        offer = hooks["on_stream"]

        def on_stream(source):
            offer(source)
            gate = opened[min(len(offers), gates - 1)]
            offers.append(source)
            while not gate.wait(0.05) and not token.cancelled:
                pass

        return real(conn, task, token, progress, **{**hooks, "on_stream": on_stream})

    ops.fetch_media = held
    return opened


def _hold_download_after_stream(window) -> threading.Event:
    """The download pauses right after it offered the stream, until the test sets the event."""
    return _gate_each_stream_offer(window, 1)[0]


def _claim(qtbot, window, task, editor_class=TimedEditor) -> TaskWorkspace:
    window.activateWindow()  # keys go to the active window, as on a desktop
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    assert window.queue.select_task(task.account, task.id)
    with qtbot.waitSignal(window.service.claimed, timeout=30_000):
        window.actions["claim"].trigger()
    ws = window.tabs.currentWidget()
    assert isinstance(ws, TaskWorkspace) and ws.task.id == task.id, "the editor opens on Claim"
    assert isinstance(ws.editor, editor_class)
    return ws


def test_the_editor_is_usable_and_the_stream_plays_before_the_download_completes(
    qtbot, window, emulator, caplog
):
    sign_in_with_demo(qtbot, window)
    task = _lecture_task(window, emulator)
    go_on = _hold_download_after_stream(window)
    emulator.faults.configure(segment_latency_ms=200)
    finished = []
    window.service.download_finished.connect(lambda key, path: finished.append(path))

    ws = _claim(qtbot, window, task)
    editor = ws.editor
    key = (task.account, task.id)
    # usable at once: a cue typed now is in the document (and the draft), with no media yet
    qtbot.keyClick(editor.focusWidget() or editor, Qt.Key.Key_Insert)
    qtbot.keyClicks(editor.text_edit, "Typed while the media downloads")
    assert editor.items()[0].text == "Typed while the media downloads"
    assert not finished

    qtbot.waitUntil(lambda: editor.streaming, timeout=30_000)
    assert key in window.service.downloads and not finished
    assert ws.download_bar.isVisible() and ws.cancel_button.isVisible()
    assert "stream" in ws.download_label.text()
    assert "Streaming" in editor.media_label.text()
    qtbot.mouseClick(editor.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.player.position() > 1500, timeout=60_000)
    assert not finished, "the stream played before the download completed"
    editor.player.pause()
    position = editor.player.position()

    go_on.set()
    qtbot.waitUntil(lambda: bool(finished), timeout=120_000)
    assert editor.ctx.media_path == finished[0] and not editor.streaming
    assert not ws.download_bar.isVisible()
    qtbot.waitUntil(lambda: abs(editor.player.position() - position) < 500, timeout=20_000)
    claimed = window.service.mine[key]
    assert claimed.access_key not in caplog.text, "the stream's URL (with the KS) is never logged"


def test_cancel_stops_the_download_keeps_the_editor_and_download_again_finishes_it(qtbot, window, emulator):
    sign_in_with_demo(qtbot, window)
    task = _lecture_task(window, emulator)
    go_on = _hold_download_after_stream(window)
    emulator.faults.configure(segment_latency_ms=200)
    outcome = []
    window.service.download_cancelled.connect(lambda key: outcome.append("cancelled"))
    window.service.download_finished.connect(lambda key, path: outcome.append("finished"))

    ws = _claim(qtbot, window, task)
    editor = ws.editor
    qtbot.waitUntil(lambda: editor.streaming, timeout=30_000)
    qtbot.mouseClick(ws.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(outcome), timeout=30_000)
    assert outcome == ["cancelled"]
    assert "cancelled" in ws.download_label.text() and ws.retry_button.isVisible()
    assert editor.ctx.media_path is None and editor.streaming  # the stream still plays; the editor works
    qtbot.keyClick(editor.focusWidget() or editor, Qt.Key.Key_Insert)
    qtbot.keyClicks(editor.text_edit, "Still working")
    assert editor.items()[0].text == "Still working"

    go_on.set()
    qtbot.mouseClick(ws.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "finished" in outcome, timeout=120_000)
    assert editor.ctx.media_path is not None and editor.ctx.media_path.exists() and not editor.streaming
