"""Issue 15, bug 10: an audio-description take that runs over dialogue is flagged, each take's waveform is drawn
in its block, and the picture plays along with the mix preview."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from reach_studio.domain.enums import ServiceFeature
from reach_studio.store.drafts import DraftStore
from reach_studio.ui.editors.registry import TaskContext
from reach_studio.ui.editors.voice_editor import VoiceEditor
from tests.factories import make_clip, make_task

from .conftest import record_take


@pytest.fixture(scope="module")
def talk_then_pause(tmp_path_factory):
    """4 s of video; the sound track 'speaks' (a loud tone) for the first 1.5 s, then is silent."""
    return make_clip(
        tmp_path_factory.mktemp("dialogue") / "talk.mp4",
        video="testsrc=size=160x90:rate=10",
        audio="sine=frequency=300:sample_rate=48000:duration=1.5,apad=whole_dur=4",
    )


def open_ad(qtbot, tmp_path, media, player=None, take_player=None):
    task = make_task(ServiceFeature.AUDIO_DESCRIPTION)
    ctx = TaskContext(task, None, DraftStore(tmp_path / "drafts.sqlite3"), media_path=media)
    ed = VoiceEditor(ctx, player=player, take_player=take_player, recorder_reason="")
    qtbot.addWidget(ed)
    ed.resize(1100, 700)
    ed.show()
    qtbot.waitExposed(ed)
    ed.activateWindow()  # the editor's keys (Insert, F11, ...) work in the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is ed, timeout=3000)
    return ed


def insert_line(qtbot, ed, at_ms: int) -> None:
    """Insert a line at the playhead with the Insert key, as the describer does."""
    ed.seek(at_ms)
    qtbot.keyClick(ed.focusWidget() or ed, Qt.Key.Key_Insert)
    assert any(line.start_ms == at_ms for line in ed.script.lines), "Insert made a line at the playhead"


def test_a_take_over_dialogue_is_flagged_and_one_in_the_pause_is_not(qtbot, tmp_path, talk_then_pause):
    ed = open_ad(qtbot, tmp_path, talk_then_pause)
    qtbot.waitUntil(lambda: bool(ed.dialogue), timeout=20000)  # the loud stretch of the sound track
    assert ed.dialogue[0][0] < 200 and 1300 <= ed.dialogue[0][1] <= 1700
    insert_line(qtbot, ed, 800)
    qtbot.keyClicks(ed.text_edit, "A man waves.")
    record_take(qtbot, ed, 0, seconds=1.3)  # 1.0 s kept: 0.8 → 1.8 s, over the speech until 1.5 s
    assert "⚠ over dialogue" in ed.table.item(0, 3).text()
    assert "runs over dialogue" in ed.status.text()
    assert "runs over dialogue from 00:00:00,800" in ed.slot_label.text()
    assert ed.slot_label.property("tone") == "error"  # coloured as the warning it is
    # moved into the pause by keyboard in the start field, the warning goes away
    ed.start_edit.selectAll()
    qtbot.keyClicks(ed.start_edit, "00:00:02,000")
    qtbot.keyClick(ed.start_edit, Qt.Key.Key_Return)
    assert ed.script.lines[0].start_ms == 2000
    assert "over dialogue" not in ed.table.item(0, 3).text()
    assert "dialogue" not in ed.slot_label.text()
    assert not ed.slot_label.property("tone")


def test_the_takes_waveform_is_drawn_in_its_block(qtbot, tmp_path, talk_then_pause):
    ed = open_ad(qtbot, tmp_path, talk_then_pause)
    insert_line(qtbot, ed, 2000)
    record_take(qtbot, ed, 0, seconds=1.3)
    canvas = ed.timeline.canvas
    qtbot.waitUntil(lambda: 0 in canvas._block_peaks, timeout=20000)
    canvas.set_zoom(5.0)
    canvas.set_view_start(1500)
    canvas.set_peaks(None)  # only the take's own waveform can draw here
    image = canvas.grab().toImage()
    x0, x1 = int(canvas.x_of(2100)), int(canvas.x_of(2900))
    top, bottom = canvas._lane()
    take_pixels = sum(
        1
        for x in range(x0, x1, 4)
        for y in range(int(top), int(bottom), 2)
        if image.pixelColor(x, y).name() == "#1d3f8f"
    )
    assert take_pixels > 20


@pytest.mark.timeout(120)
def test_the_picture_plays_along_with_the_mix_preview(qtbot, tmp_path, talk_then_pause):
    from reach_studio.ui.player import create_player, qt_backend

    if not qt_backend.available():
        pytest.skip("no Qt Multimedia")
    ed = open_ad(
        qtbot,
        tmp_path,
        talk_then_pause,
        player=create_player(prefer="qt"),
        take_player=create_player(prefer="qt"),
    )
    qtbot.waitUntil(lambda: ed.player.duration() > 3000, timeout=10000)
    insert_line(qtbot, ed, 2000)
    record_take(qtbot, ed, 0, seconds=1.3)
    ed.seek(1500)
    qtbot.mouseClick(ed.toolbar.widgetForAction(ed.preview_action), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ed.take_player.is_playing(), timeout=60000)
    qtbot.waitUntil(lambda: ed.player.is_playing() and ed.player.position() > 1700, timeout=10000)
    ed.take_player.pause()
    assert not ed.player.is_playing()
    ed.player.close()
    ed.take_player.close()


def test_the_over_dialogue_warning_wraps_instead_of_widening_the_window(qtbot, tmp_path, talk_then_pause):
    """The warning beside the start time is one long sentence: unwrapped, it made the editor (and so the main
    window) wider than the screen's share it had, squeezing the start time to "000" and the task details."""
    ed = open_ad(qtbot, tmp_path, talk_then_pause)
    qtbot.waitUntil(lambda: bool(ed.dialogue), timeout=20000)
    insert_line(qtbot, ed, 800)
    qtbot.keyClicks(ed.text_edit, "A man waves.")
    narrowest = ed.minimumSizeHint().width()
    record_take(qtbot, ed, 0, seconds=1.3)
    assert "runs over dialogue" in ed.slot_label.text()
    assert ed.minimumSizeHint().width() <= narrowest


def test_pausing_during_the_mix_preview_stops_the_mix_with_the_picture(qtbot, tmp_path, talk_then_pause):
    """Pause (the button, or Ctrl+Space) during the preview froze the picture while the mix played on."""
    from reach_studio.ui.player import create_player, qt_backend

    if not qt_backend.available():
        pytest.skip("no Qt Multimedia")
    ed = open_ad(
        qtbot,
        tmp_path,
        talk_then_pause,
        player=create_player(prefer="qt"),
        take_player=create_player(prefer="qt"),
    )
    qtbot.waitUntil(lambda: ed.player.duration() > 3000, timeout=10000)
    ed.seek(2000)
    ed.add_line_at_playhead()
    record_take(qtbot, ed, 0, seconds=1.3)
    ed.seek(1500)
    qtbot.mouseClick(ed.toolbar.widgetForAction(ed.preview_action), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ed.take_player.is_playing() and ed.player.is_playing(), timeout=60000)
    assert ed.play_button.text().endswith("Pause")
    qtbot.mouseClick(ed.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not ed.player.is_playing(), timeout=2000)  # well before the mix's 2.5 s end
    assert not ed.take_player.is_playing(), "the mix stops with the picture"
    assert ed.play_button.text().endswith("Play")
    ed.player.close()
    ed.take_player.close()


def test_a_dub_line_is_measured_against_its_own_slot_not_the_dialogue(qtbot, tmp_path):
    """A dub replaces the dialogue: every dubbing line sat "over dialogue" and was "too long for the 0.0 s
    before the next dialogue", so the warnings meant nothing and hid the one that matters (the slot)."""
    from reach_studio.domain.captions import CaptionDocument, Cue

    task = make_task(ServiceFeature.DUBBING, target="Spanish")
    source = CaptionDocument([Cue(500, 4000, "welcome to the launch of our new product")])
    ctx = TaskContext(task, None, DraftStore(tmp_path / "drafts.sqlite3"), source_captions=source)
    ed = VoiceEditor(ctx, player=None, take_player=None, recorder_reason="")
    qtbot.addWidget(ed)
    ed.show()
    ed.select(0, seek=False)
    ed.text_edit.selectAll()
    qtbot.keyClicks(ed.text_edit, "bienvenidos al lanzamiento")
    assert "fits the 3.5 s of the original line" in ed.speak_label.text()
    assert "dialogue" not in ed.speak_label.text()
    record_take(qtbot, ed, 0, seconds=1.3)
    assert "over dialogue" not in ed.table.item(0, 3).text()
    assert "dialogue" not in ed.slot_label.text() and "dialogue" not in ed.status.text()
