"""Issue 15, descriptions: a speaking-time estimate at the describer's rate, and a warning where the text does
not fit before the next dialogue (AD) or into the description's time (EAD)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from reach_studio.domain.speaking_time import estimate_ms

from .test_voice_dialogue import insert_line, open_ad, talk_then_pause  # noqa: F401 - the fixture

TEXT = "A woman in a yellow coat crosses the square and waves at the camera"  # 14 words


def test_estimate_follows_the_rate():
    assert estimate_ms(TEXT, 160) == round(14 * 60_000 / 160)
    assert estimate_ms(TEXT, 120) > estimate_ms(TEXT, 160)
    assert estimate_ms("", 160) == 0


def test_ad_text_that_does_not_fit_before_the_next_dialogue_is_flagged(qtbot, tmp_path, talk_then_pause):  # noqa: F811
    ed = open_ad(qtbot, tmp_path, talk_then_pause)
    qtbot.waitUntil(lambda: bool(ed.dialogue), timeout=20000)
    ed.dialogue = [*ed.dialogue, (4500, 6000)]  # more speech after the pause at 1.5-4.5 s
    insert_line(qtbot, ed, 2000)
    qtbot.keyClicks(ed.text_edit, "She waves.")
    assert "fits the 2.5 s before the next dialogue" in ed.speak_label.text()
    qtbot.keyClicks(ed.text_edit, " " + TEXT)
    assert "too long for the 2.5 s before the next dialogue" in ed.speak_label.text()
    # a faster reading rate, typed by the describer, makes it fit less badly and is remembered
    ed.rate_box.lineEdit().selectAll()
    qtbot.keyClicks(ed.rate_box.lineEdit(), "300")
    qtbot.keyClick(ed.rate_box.lineEdit(), Qt.Key.Key_Tab)
    assert "at 300 wpm" in ed.speak_label.text()


def test_ead_shows_the_speaking_time_against_the_description(qtbot):
    from reach_studio.domain.enums import ServiceFeature
    from tests.editor.test_editor_widget import open_editor

    ed = open_editor(qtbot, ServiceFeature.EXTENDED_AUDIO_DESCRIPTION)
    ed.table.setFocus()
    ed.seek(500)
    qtbot.keyClick(ed.table, Qt.Key.Key_Insert)  # a 2 s description at the playhead
    assert ed.text_edit.hasFocus()
    qtbot.keyClicks(ed.text_edit, "A door opens.")
    assert "fits" in ed.speak_note.text()
    qtbot.keyClicks(ed.text_edit, " " + TEXT)
    assert "too long" in ed.speak_note.text()
