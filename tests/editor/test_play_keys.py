"""Issue 15, keys: Space plays/pauses outside text fields, play the cue / 500 ms before / after, back 3 s and
play, and Help lists every key (Ctrl+Y included)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from reach_studio.domain.captions import Cue

from .test_editor_widget import open_editor

ALT = Qt.KeyboardModifier.AltModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def test_play_keys_ask_for_the_right_stretch(qtbot):
    ed = open_editor(qtbot)
    ed.load_items([Cue(2000, 3000, "one"), Cue(4000, 5200, "two")])
    ed.select(0, seek=False)
    ed.table.setFocus()
    qtbot.keyClick(ed.table, Qt.Key.Key_Q, ALT)
    assert ed.last_played == (1500, 2000)
    qtbot.keyClick(ed.table, Qt.Key.Key_W, ALT)
    assert ed.last_played == (3000, 3500)
    qtbot.keyClick(ed.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)  # select both cues
    qtbot.keyClick(ed.table, Qt.Key.Key_Space, CTRL_SHIFT)
    assert ed.last_played == (2000, 5200)
    ed.seek(10_000)
    qtbot.keyClick(ed.table, Qt.Key.Key_K, ALT)
    assert ed.playhead_ms() == 7000 and ed.last_played == (7000, None)


def test_space_types_in_the_text_box_and_plays_elsewhere(qtbot, test_clip):
    from reach_studio.ui.editors.registry import TaskContext
    from reach_studio.ui.editors.timed_editor import TimedEditor
    from reach_studio.ui.player import create_player, qt_backend
    from tests.factories import make_task

    if not qt_backend.available():
        pytest.skip("no Qt Multimedia")
    ed = TimedEditor(TaskContext(make_task(), None, None), player=create_player(prefer="qt"))
    qtbot.addWidget(ed)
    ed.show()
    qtbot.waitExposed(ed)
    ed.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is ed, timeout=3000)
    ed.set_media(test_clip)
    qtbot.waitUntil(lambda: ed.player.duration() > 3000, timeout=10000)
    ed.load_items([Cue(500, 2500, "")])
    ed.select(0, seek=False)
    qtbot.mouseClick(ed.text_edit.viewport(), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(ed.text_edit, "two words")
    assert ed.items()[0].text == "two words" and not ed.player.is_playing()
    ed.table.setFocus()
    qtbot.keyClick(ed.table, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: ed.player.is_playing(), timeout=5000)
    qtbot.keyClick(ed.table, Qt.Key.Key_Space)
    assert not ed.player.is_playing()
    # Alt+W really plays the 500 ms after the cue's end and stops there
    qtbot.keyClick(ed.table, Qt.Key.Key_W, ALT)
    qtbot.waitUntil(lambda: ed.player.is_playing() and ed.player.position() >= 2500, timeout=5000)
    qtbot.waitUntil(lambda: not ed.player.is_playing(), timeout=8000)
    assert 2900 <= ed.player.position() <= 3300
    ed.player.close()


def test_help_lists_every_key_and_none_uses_alt_shift_arrows(qtbot):
    from reach_studio.secret_store import SecretStore
    from reach_studio.settings import DEFAULT_HOTKEYS, Settings
    from reach_studio.store.drafts import DraftStore
    from reach_studio.ui.main_window import MainWindow

    win = MainWindow(Settings(), SecretStore(), DraftStore())
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=3000)
    # Alt+H opens Help, K its "Keyboard shortcuts" (the menus' mnemonics, as a keyboard user opens it)
    qtbot.keyClick(win, Qt.Key.Key_H, ALT)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None, timeout=3000)
    qtbot.keyClick(QApplication.activePopupWidget(), Qt.Key.Key_K)
    qtbot.waitUntil(lambda: getattr(win, "shortcuts_dialog", None) is not None, timeout=3000)
    dialog = win.shortcuts_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    listed = dialog.keys_listed()
    assert listed["Redo"] == "Ctrl+Y / Ctrl+Shift+Z"
    assert listed["Play the 500 ms before the cue's start"] == "Alt+Q"
    assert listed["Move the start 100 ms earlier"] == "Alt+["
    assert listed["Refresh the queue"] == "F5"
    for key in DEFAULT_HOTKEYS.values():
        assert not (key.startswith("Alt+Shift+") and key.split("+")[-1] in ("Left", "Right", "Up", "Down"))


def test_space_types_in_every_text_field_and_plays_only_outside_them(qtbot):
    """Space is the play key only where nobody types: the speaker field, the times, the find bar and the
    text box keep it (without media, a Space that reached the play key says "No media to play yet")."""
    ed = open_editor(qtbot)
    ed.load_items([Cue(500, 2500, "one")])
    ed.select(0, seek=False)
    ed.show_status("")
    fields = [ed.speaker_edit.lineEdit(), ed.text_edit]
    qtbot.keyClick(ed.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)  # the find bar
    find = QApplication.focusWidget()
    assert find is not ed.table
    fields.append(find)
    for field in fields:
        field.setFocus()
        qtbot.keyClicks(field, "a b")
        assert "No media" not in ed.status.text(), field
    assert "a b" in ed.items()[0].text
    ed.table.setFocus()
    qtbot.keyClick(ed.table, Qt.Key.Key_Space)
    assert "No media to play yet" in ed.status.text()
