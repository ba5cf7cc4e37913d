"""Found working a captions task from claim to delivery in the demo (Xvfb + xdotool): a long delivered line
widened the window past the screen, and the undo button's text ("Undo Fix all: Re-break the lines…") pushed
the toolbar's last buttons out of sight."""

from __future__ import annotations

from PySide6.QtCore import Qt

from reach_studio.domain.captions import Cue

from .test_editor_widget import open_editor


def test_a_long_delivered_line_does_not_widen_the_editor(qtbot):
    ed = open_editor(qtbot)
    narrow = ed.minimumSizeHint().width()
    ed.load_items([Cue(1000, 9000, "word " * 80, "A speaker with a long name")])
    ed.select(0, seek=False)
    assert len(ed.delivered_view.text()) > 400
    assert ed.minimumSizeHint().width() <= narrow + 10


def test_undo_and_redo_keep_short_texts_and_name_the_step_in_the_tip(qtbot):
    ed = open_editor(qtbot, max_chars=32)
    ed.load_items([Cue(1000, 6000, "This line is far too long for the profile limit of the task")])
    ed.select(0, seek=False)
    ed.table.setFocus()
    qtbot.keyClick(ed.table, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)  # Reflow
    assert ed.undo_action.text() == "Undo" and ed.undo_action.isEnabled()
    assert "Reflow" in ed.undo_action.toolTip()
    ed.undo_action.trigger()
    assert ed.redo_action.text() == "Redo" and "Reflow" in ed.redo_action.toolTip()
