"""Issue 15, spell check as Subtitle Edit gives it: F7 walks every unknown word of the document with
Change / Change all / Skip / Ignore all / Add to dictionary (all from the keyboard); the user's dictionary
is kept for later tasks in the language; the text box's menu offers Ignore all and Add to dictionary."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication

from reach_studio.domain.captions import Cue
from reach_studio.ui.editors.spelling import user_dictionary_path

from .test_editor_widget import open_editor

ALT = Qt.KeyboardModifier.AltModifier


def underlined(ed) -> set[int]:
    layout = ed.text_edit.document().firstBlock().layout()
    return {r.start for r in layout.formats() if r.format.underlineStyle() != 0}


def open_with(qtbot, texts: list[str], task_id: int = 101):
    ed = open_editor(qtbot, task_id=task_id)
    ed.load_items([Cue(i * 3000, i * 3000 + 2500, t) for i, t in enumerate(texts)])
    ed.select(0, seek=False)
    qtbot.waitUntil(lambda: ed.highlighter.speller is not None, timeout=20_000)
    ed.table.setFocus()
    return ed


def dialog_of(qtbot, ed):
    ed.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is ed)
    qtbot.keyClick(ed.table, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: getattr(ed, "spell_dialog", None) is not None and ed.spell_dialog.isVisible())
    qtbot.waitUntil(lambda: QApplication.activeWindow() is ed.spell_dialog)  # its keys work at once
    return ed.spell_dialog


def test_whole_document_pass_from_the_keyboard(qtbot):
    ed = open_with(qtbot, ["Helo wrld", "The wrld is big", "Zorblax sayz hi", "All fine here"])
    steps = ed.undo_stack.count()
    dlg = dialog_of(qtbot, ed)
    assert "Helo" in dlg.word_label.text()
    suggestions = [dlg.suggestions.item(i).text() for i in range(dlg.suggestions.count())]
    assert "Hello" in suggestions and dlg.change_to.text() == suggestions[0]  # in the word's case
    assert ed.current == 0 and ed.text_edit.textCursor().selectedText() == "Helo"  # shown in place

    qtbot.keyClick(dlg, Qt.Key.Key_G, ALT)  # to the suggestions, down to "Hello", Enter = Change
    assert dlg.suggestions.hasFocus()
    for _ in range(suggestions.index("Hello") + (dlg.suggestions.currentRow() < 0)):
        qtbot.keyClick(dlg.suggestions, Qt.Key.Key_Down)
    assert dlg.change_to.text() == "Hello"
    qtbot.keyClick(dlg.suggestions, Qt.Key.Key_Return)
    assert ed.items()[0].text == "Hello wrld"
    assert "wrld" in dlg.word_label.text()

    dlg.change_to.selectAll()
    qtbot.keyClicks(dlg.change_to, "world")
    qtbot.keyClick(dlg, Qt.Key.Key_A, ALT)  # Change all (a mnemonic clicks its button after a short flash)
    qtbot.waitUntil(lambda: "Zorblax" in dlg.word_label.text())
    assert [c.text for c in ed.items()[:2]] == ["Hello world", "The world is big"]
    assert "Zorblax" in dlg.word_label.text() and ed.current == 2

    qtbot.keyClick(dlg, Qt.Key.Key_D, ALT)  # Add to dictionary
    qtbot.waitUntil(lambda: "sayz" in dlg.word_label.text())
    qtbot.keyClick(dlg, Qt.Key.Key_S, ALT)  # Skip
    qtbot.waitUntil(lambda: "finished" in dlg.word_label.text())
    assert not dlg.change_button.isEnabled()
    assert ed.items()[2].text == "Zorblax sayz hi"
    assert ed.undo_stack.count() == steps + 2  # one step per change, Change all as one

    # the user's dictionary is saved (off the GUI thread) and counts in every later task in English
    path = user_dictionary_path("en")
    qtbot.waitUntil(lambda: path.is_file() and "Zorblax" in path.read_text(encoding="utf-8"), timeout=5000)
    dlg.close()
    ed.undo_action.trigger()  # Ctrl+Z after the pass: Change all comes back out as one step
    assert [c.text for c in ed.items()[:2]] == ["Hello wrld", "The wrld is big"]

    other = open_with(qtbot, ["Zorblax sayz hi"], task_id=102)
    assert underlined(other) == {8}  # "sayz" only


def test_ignore_all_is_for_this_document_and_the_menu_offers_it(qtbot):
    ed = open_with(qtbot, ["Qwrty here", "Qwrty there, Qwrty"])
    assert underlined(ed) == {0}

    # the text box's context menu on the unknown word: Ignore all
    offered = []

    def pick_ignore() -> None:
        menu = QApplication.activePopupWidget()
        if menu is None:
            QTimer.singleShot(50, pick_ignore)
            return
        offered.extend(a.text() for a in menu.actions())
        action = next((a for a in menu.actions() if a.text() == "Ignore all"), None)
        menu.close()
        if action is not None:
            action.trigger()

    QTimer.singleShot(0, pick_ignore)
    cursor = ed.text_edit.textCursor()
    cursor.setPosition(2)
    where = ed.text_edit.cursorRect(cursor).center()  # right-click in the middle of "Qwrty"
    viewport = ed.text_edit.viewport()
    # the right-click's context menu event, as the window system delivers it
    QApplication.sendEvent(
        viewport, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, where, viewport.mapToGlobal(where))
    )
    qtbot.waitUntil(lambda: bool(offered))
    assert "Add to dictionary" in offered and "Ignore all" in offered
    assert underlined(ed) == set()
    dlg = dialog_of(qtbot, ed)
    assert "finished" in dlg.word_label.text()  # nothing left to walk in this document
    dlg.close()

    other = open_with(qtbot, ["Qwrty again"], task_id=103)
    assert underlined(other) == {0}  # another document: not ignored there
    dlg = dialog_of(qtbot, other)
    assert "Qwrty" in dlg.word_label.text()
    qtbot.keyClick(dlg, Qt.Key.Key_I, ALT)  # Ignore all from the pass
    qtbot.waitUntil(lambda: "finished" in dlg.word_label.text())
    assert underlined(other) == set()
