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


class _NoNetwork:
    """Stands in for a connection: the confirmation comes before anything is sent."""

    def __getattr__(self, name):
        raise AssertionError(f"nothing may be sent before the describer confirms ({name})")


def test_ead_description_too_long_to_speak_is_a_problem_with_a_fix_and_a_delivery_warning(qtbot):
    """The "too long to speak" note was only next to the text box: the problems panel (every problem in one
    list) and the delivery confirmation did not know it."""
    from PySide6.QtWidgets import QApplication

    from reach_studio.domain.enums import ServiceFeature
    from reach_studio.domain.speaking_time import DEFAULT_WPM
    from reach_studio.ui.editors.registry import TaskContext
    from reach_studio.ui.editors.timed_editor import TimedEditor
    from tests.factories import make_task

    ed = TimedEditor(
        TaskContext(make_task(ServiceFeature.EXTENDED_AUDIO_DESCRIPTION), _NoNetwork(), None), player=None
    )
    qtbot.addWidget(ed)
    ed.resize(1280, 800)
    ed.show()
    qtbot.waitExposed(ed)
    ed.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is ed, timeout=3000)
    panel = ed.problems_panel

    def speaking_problems():
        return [(r, m) for r, m in panel.problems.rows if m.code == "speaking_time"]

    ed.table.setFocus()
    ed.seek(500)
    qtbot.keyClick(ed.table, Qt.Key.Key_Insert)  # a 2 s description at the playhead
    qtbot.keyClicks(ed.text_edit, "A door opens.")
    assert not speaking_problems()
    qtbot.keyClicks(ed.text_edit, " " + TEXT)  # 17 words: ≈ 6.4 s at 160 wpm, in 2 s
    qtbot.waitUntil(lambda: bool(speaking_problems()), timeout=3000)
    row, marker = speaking_problems()[0]
    assert row == 0 and marker.severity == "warning"
    assert "too long for the 2.0 s of this description" in marker.message
    assert marker.message.split(";")[0] in ed.speak_note.text()  # the same estimate as the note

    # a warning: delivery is not blocked, and the confirmation counts it
    qtbot.keyClick(
        ed.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    qtbot.waitUntil(lambda: ed.deliver_confirm is not None and ed.deliver_confirm.isVisible(), timeout=3000)
    assert "1 warning(s) remain" in ed.deliver_confirm.text()
    cancel = next(b for b in ed.deliver_confirm.buttons() if b.text() != "Deliver")
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ed.deliver_confirm is None, timeout=3000)

    # the fix lengthens the description to its speaking time, and the problem goes
    index = next(i for i, (r, m) in enumerate(panel.problems.rows) if m.code == "speaking_time")
    rect = panel.view.visualRect(panel.problems.index(index, 2))
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert panel.fix_button.isEnabled() and "Lengthen" in panel.fix_button.text()
    qtbot.mouseClick(panel.fix_button, Qt.MouseButton.LeftButton)
    desc = ed.items()[0]
    assert desc.end_ms - desc.start_ms == estimate_ms(desc.text, DEFAULT_WPM)
    qtbot.waitUntil(lambda: not speaking_problems(), timeout=3000)
