"""Issue 15, bugs 3 and 4: one undo history per document (Ctrl+Z in the text box undoes split and retime
too; Ctrl+Y redoes), and the editor's keys work as soon as a task opens."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from reach_studio.domain.captions import Cue

from .test_editor_widget import open_editor

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier


def test_ctrl_z_in_the_text_box_undoes_split_and_retime_and_ctrl_y_redoes(qtbot):
    ed = open_editor(qtbot)
    ed.load_items([Cue(1000, 4000, "")])
    ed.select(0, seek=False)
    qtbot.mouseClick(ed.text_edit.viewport(), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(ed.text_edit, "Hello there. How are you?")
    qtbot.keyClick(ed.text_edit, Qt.Key.Key_Right, ALT)  # end +100 ms (a retime)
    assert ed.items()[0].end_ms == 4100
    qtbot.keyClick(ed.text_edit, Qt.Key.Key_S, ALT)  # split
    assert len(ed.items()) == 2
    assert ed.text_edit.hasFocus() or ed.focusWidget() is not None
    target = ed.focusWidget()
    qtbot.keyClick(target, Qt.Key.Key_Z, CTRL)
    assert len(ed.items()) == 1, "Ctrl+Z undoes the split, not only the typing"
    qtbot.keyClick(ed.focusWidget(), Qt.Key.Key_Z, CTRL)
    assert ed.items()[0].end_ms == 4000, "then the retime"
    qtbot.keyClick(ed.focusWidget(), Qt.Key.Key_Z, CTRL)
    assert ed.items()[0].text == "", "then the typing"
    assert ed.text_edit.toPlainText() == ""
    qtbot.keyClick(ed.focusWidget(), Qt.Key.Key_Y, CTRL)
    assert ed.items()[0].text == "Hello there. How are you?"
    qtbot.keyClick(ed.focusWidget(), Qt.Key.Key_Y, CTRL)
    qtbot.keyClick(ed.focusWidget(), Qt.Key.Key_Y, CTRL)
    assert len(ed.items()) == 2
    assert ed.undo_stack.index() == ed.undo_stack.count()
    # merge too: Alt+M in the text box, then Ctrl+Z there brings the two cues back
    ed.select(0, seek=False)
    qtbot.mouseClick(ed.text_edit.viewport(), Qt.MouseButton.LeftButton)
    qtbot.keyClick(ed.text_edit, Qt.Key.Key_M, ALT)
    assert len(ed.items()) == 1
    qtbot.keyClick(ed.focusWidget(), Qt.Key.Key_Z, CTRL)
    assert len(ed.items()) == 2, "Ctrl+Z undoes the merge"


def test_editor_keys_work_as_soon_as_a_task_opens(qtbot, tmp_path):
    from reach_studio.secret_store import SecretStore
    from reach_studio.settings import Settings
    from reach_studio.store.drafts import DraftStore
    from reach_studio.ui.main_window import MainWindow
    from tests.factories import make_task

    win = MainWindow(Settings(), SecretStore(), DraftStore())
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=3000)
    task = make_task(task_id=4321)
    win.mine.set_tasks([task])
    win.tabs.setCurrentWidget(win.mine)
    table = win.mine.table
    rect = table.visualRect(table.model().index(0, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    ws = win.workspaces[(task.account, task.id)]
    assert win.tabs.currentWidget() is ws
    editor = ws.editor
    # no click into the editor: the keys go where the keyboard focus is
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Insert)
    assert len(editor.items()) == 1, "Insert made a cue without clicking a field first"
    ws.close_workspace()
