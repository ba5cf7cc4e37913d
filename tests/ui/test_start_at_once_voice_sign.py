"""Issue 15, "Start at once", for the voice editor (audio description, dubbing) and the sign-language editor:
after Claim the editor takes input at once and the entry's stream plays while the media downloads; what needs
the whole file (the mix preview, dialogue detection) says so instead of holding the editor up; the player goes
over to the file, at the same position, when it is complete."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from reach_studio.ui.editors.sign_language_editor import SignLanguageEditor
from reach_studio.ui.editors.voice_editor import VoiceEditor
from tests.factories import make_clip

from .test_shell_e2e import sign_in_with_demo
from .test_start_at_once import _claim, _hold_download_after_stream, _task

pytestmark = pytest.mark.timeout(240)


def _plays_then_hands_over(qtbot, window, ws, editor, go_on, finished) -> None:
    """Play the stream past 1.5 s before the download completes, then let it complete: the file takes over
    where the stream was."""
    qtbot.mouseClick(editor.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.player.position() > 1500, timeout=60_000)
    assert not finished, "the stream played before the download completed"
    qtbot.mouseClick(editor.play_button, Qt.MouseButton.LeftButton)  # pause
    assert not editor.player.is_playing()
    position = editor.player.position()

    go_on.set()
    qtbot.waitUntil(lambda: bool(finished), timeout=120_000)
    assert editor.ctx.media_path == finished[0] and not editor.streaming
    assert not ws.download_bar.isVisible()
    qtbot.waitUntil(lambda: abs(editor.player.position() - position) < 500, timeout=20_000)


@pytest.mark.parametrize(
    ("entry", "feature"),
    [
        ("Lecture 3 - Joints and levers", "AUDIO_DESCRIPTION"),
        ("Product launch trailer", "DUBBING"),
    ],
)
def test_the_voice_editor_takes_lines_and_plays_the_stream_before_the_download_completes(
    qtbot, window, emulator, caplog, entry, feature
):
    sign_in_with_demo(qtbot, window)
    task = _task(window, emulator, entry, feature)
    go_on = _hold_download_after_stream(window)
    emulator.faults.configure(segment_latency_ms=200)
    finished = []
    window.service.download_finished.connect(lambda key, path: finished.append(path))

    ws = _claim(qtbot, window, task, VoiceEditor)
    editor = ws.editor
    qtbot.waitUntil(lambda: editor.streaming, timeout=30_000)
    assert not finished and ws.download_bar.isVisible() and "stream" in ws.download_label.text()
    # usable at once: a line added with the timed editor's key and typed into
    lines = len(editor.script.lines)
    qtbot.keyClick(editor.focusWidget() or editor, Qt.Key.Key_Insert)
    assert len(editor.script.lines) == lines + 1
    qtbot.keyClicks(editor.text_edit, "Typed while the media downloads")
    assert "Typed while the media downloads" in [ln.text for ln in editor.script.lines]
    # what needs the whole file says so, instead of blocking the editor
    assert "available when the download completes" in editor.waiting_note.text()
    assert editor.waiting_note.isVisible()
    assert not editor.preview_action.isEnabled()
    assert "available when the download completes" in editor.preview_action.toolTip()

    _plays_then_hands_over(qtbot, window, ws, editor, go_on, finished)
    assert editor.waiting_note.text() == "" and editor.preview_action.isEnabled()
    claimed = window.service.mine[(task.account, task.id)]
    assert claimed.access_key not in caplog.text, "the stream's URL (with the KS) is never logged"


def test_the_sign_language_editor_plays_the_original_stream_and_checks_a_video_before_the_download_completes(
    qtbot, window, emulator, tmp_path
):
    sign_in_with_demo(qtbot, window)
    task = _task(window, emulator, "Welcome message for sign language", "SIGN_LANGUAGE")
    go_on = _hold_download_after_stream(window)
    emulator.faults.configure(segment_latency_ms=200)
    finished = []
    window.service.download_finished.connect(lambda key, path: finished.append(path))
    signed = make_clip(tmp_path / "signed.mp4", seconds=2, video="testsrc=size=160x120:rate=10", audio=None)

    ws = _claim(qtbot, window, task, SignLanguageEditor)
    editor = ws.editor
    qtbot.waitUntil(lambda: ws.streaming or window.service.streams.get(ws.key) is not None, timeout=30_000)
    assert not editor.streaming, "the signed video is shown first; the original waits for a choice"
    # the linguist picks "Original entry" with the keyboard: the original plays from its stream
    editor.source_box.setFocus()
    qtbot.keyClick(editor.source_box, Qt.Key.Key_Down)
    assert editor.source_box.currentIndex() == 1
    assert editor.streaming and not finished
    # and the signed video is checked meanwhile
    editor.set_sign_video(signed)
    qtbot.waitUntil(lambda: "ready to deliver" in editor.status.text(), timeout=30_000)
    assert not finished and editor.delivery_problem() is None

    _plays_then_hands_over(qtbot, window, ws, editor, go_on, finished)
