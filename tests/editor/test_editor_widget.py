"""The timed editor as a linguist uses it: keyboard timing, dragging, undo, live checks, modes."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from reach_studio.domain.captions import CaptionDocument, Chapter, Cue
from reach_studio.domain.enums import ServiceFeature
from reach_studio.store.drafts import DraftStore
from reach_studio.ui.editors.registry import TaskContext
from reach_studio.ui.editors.timed_editor import TimedEditor
from tests.factories import make_task


def open_editor(qtbot, feature=ServiceFeature.CAPTIONS, source=None, drafts=None, **task_kw):
    task = make_task(feature, **task_kw)
    ctx = TaskContext(task, None, drafts, source_captions=source)
    editor = TimedEditor(ctx, player=None)
    qtbot.addWidget(editor)
    editor.resize(1280, 800)
    editor.show()
    qtbot.waitExposed(editor)
    editor.activateWindow()  # shortcuts only fire in the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor, timeout=3000)
    editor.timeline.canvas.set_zoom(10.0)
    return editor


def press(qtbot, editor, key, modifier=Qt.KeyboardModifier.NoModifier):
    target = editor.focusWidget() or editor
    qtbot.keyClick(target, key, modifier)


def test_create_cues_from_the_keyboard_at_playhead_positions(qtbot):
    ed = open_editor(qtbot)
    ed.table.setFocus()
    ed.seek(1000)
    press(qtbot, ed, Qt.Key.Key_Insert)  # insert at playhead
    assert [(c.start_ms, c.end_ms) for c in ed.items()] == [(1000, 3000)]
    assert ed.text_edit.hasFocus()
    qtbot.keyClicks(ed.text_edit, "Hello there")
    ed.seek(2400)
    press(qtbot, ed, Qt.Key.Key_F12)  # set end at playhead (and go to next)
    ed.seek(2600)
    press(qtbot, ed, Qt.Key.Key_Insert)
    qtbot.keyClicks(ed.text_edit, "Second")
    ed.seek(2800)
    press(qtbot, ed, Qt.Key.Key_F11)  # set start at playhead
    assert [(c.start_ms, c.end_ms, c.text) for c in ed.items()] == [
        (1000, 2400, "Hello there"),
        (2800, 4600, "Second"),
    ]
    # the list shows what the user made
    assert ed.model.index(0, 1).data() == "00:00:01,000"
    assert ed.model.index(1, 6).data() == "Second"


def test_nudge_and_step_keys(qtbot):
    ed = open_editor(qtbot)
    ed.load_items([Cue(1000, 2000, "a")])
    ed.table.setFocus()
    press(qtbot, ed, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)  # end +100
    press(qtbot, ed, Qt.Key.Key_BracketLeft, Qt.KeyboardModifier.AltModifier)  # start -100 ms (Alt+[)
    assert (ed.items()[0].start_ms, ed.items()[0].end_ms) == (900, 2100)
    ed.seek(1000)
    press(qtbot, ed, Qt.Key.Key_Period, Qt.KeyboardModifier.AltModifier)  # one frame forward
    assert ed.playhead_ms() == 1040


def test_drag_an_edge_changes_the_time_and_undo_redo(qtbot):
    ed = open_editor(qtbot)
    ed.load_items([Cue(1000, 2000, "one"), Cue(3000, 4000, "two")])
    canvas = ed.timeline.canvas
    canvas.set_view_start(0)
    y = canvas.height() // 2 + 10
    x_end = int(canvas.x_of(4000))
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.AltModifier, QPoint(x_end, y))
    for dx in (10, 30, 50):
        qtbot.mouseMove(canvas, QPoint(x_end + dx, y))
    qtbot.mouseRelease(
        canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.AltModifier, QPoint(x_end + 50, y)
    )
    assert ed.items()[1].end_ms == 4500
    assert ed.model.index(1, 2).data() == "00:00:04,500"
    assert ed.end_edit.text() == "00:00:04,500"  # the drag selected the cue and the panel shows it
    ed.undo_action.trigger()
    assert ed.items()[1].end_ms == 4000
    ed.redo_action.trigger()
    assert ed.items()[1].end_ms == 4500
    ed.undo_action.trigger()
    ed.undo_action.trigger()  # undo the import too
    assert ed.items() == []


def test_typing_merges_into_one_undo_step(qtbot):
    ed = open_editor(qtbot)
    ed.load_items([Cue(1000, 2000, "")])
    ed.select(0)
    qtbot.keyClicks(ed.text_edit, "word")
    assert ed.items()[0].text == "word"
    count = ed.undo_stack.count()
    ed.undo_action.trigger()
    assert ed.items()[0].text == ""
    assert ed.text_edit.toPlainText() == ""
    assert ed.undo_stack.count() == count  # one step for the four keystrokes


def test_validation_markers_appear_and_clear(qtbot):
    ed = open_editor(qtbot, max_chars=20)
    ed.load_items([Cue(1000, 4000, "short"), Cue(5000, 8000, "fine")])
    ed.select(0)
    assert ed.model.markers(0) == [] and 0 not in ed.model.error_rows()
    ed.text_edit.selectAll()
    qtbot.keyClicks(ed.text_edit, "this line is certainly longer than twenty")
    assert 0 in ed.model.error_rows()
    shown = [ed.markers_list.item(i).text() for i in range(ed.markers_list.count())]
    assert any("✖" in s for s in shown)
    assert ed.model.index(0, 0).data().startswith("✖")
    assert 0 in ed.timeline.canvas._error_rows  # red outline on the timeline block
    ed.text_edit.selectAll()
    qtbot.keyClicks(ed.text_edit, "short again")
    assert 0 not in ed.model.error_rows()
    assert ed.markers_list.count() == 0 or all(
        "✖" not in ed.markers_list.item(i).text() for i in range(ed.markers_list.count())
    )
    # an overlap created by dragging is flagged on the cue it affects, and clears on undo
    ed._times_dragged(1, 3500, 8000)
    assert ed.model.error_rows() == {1}
    ed.undo_action.trigger()
    assert ed.model.error_rows() == set()


def test_translation_keeps_source_read_only_and_paired_by_index(qtbot):
    source = CaptionDocument(
        [Cue(0, 1500, "Good morning"), Cue(2000, 3500, "Good night")], language="English"
    )
    ed = open_editor(qtbot, ServiceFeature.TRANSLATION, source=source, target="French")
    assert [(c.start_ms, c.end_ms, c.text) for c in ed.items()] == [(0, 1500, ""), (2000, 3500, "")]
    assert ed.source_view.isReadOnly()
    ed.select(1)
    assert ed.source_view.toPlainText() == "Good night"
    qtbot.keyClicks(ed.source_view, "XXX")  # typing into the source does nothing
    assert ed.source_view.toPlainText() == "Good night"
    qtbot.keyClicks(ed.text_edit, "Bonne nuit Good")
    # find/replace is limited to the target: replacing "Good" never touches the source
    ed.find_bar.find_edit.setText("Good")
    ed.find_bar.replace_edit.setText("Bien")
    ed.replace_all()
    assert ed.items()[1].text == "Bonne nuit Bien"
    assert [c.text for c in ed.model.source] == ["Good morning", "Good night"]
    assert ed.model.index(1, 3).data() == "Good night"  # source column
    assert ed.model.index(1, 4).data() == "Bonne nuit Bien"
    assert ed.language == "French"


def test_chapters_mode_adds_chapters_at_the_playhead(qtbot):
    ed = open_editor(qtbot, ServiceFeature.CHAPTERING)
    ed.seek(12_000)
    ed.insert_at_playhead()
    ed.title_edit.clear()
    qtbot.keyClicks(ed.title_edit, "Introduction")
    ed.text_edit.setFocus()
    qtbot.keyClicks(ed.text_edit, "What this talk is about")
    assert ed.items() == [Chapter(12_000, "Introduction", "What this talk is about")]
    ed.seek(4000)
    ed.insert_at_playhead()
    assert [c.start_ms for c in ed.items()] == [4000, 12_000]  # kept in time order
    ed.title_edit.clear()  # an empty title is an error marker
    qtbot.keyClicks(ed.title_edit, " ")
    assert 0 in ed.model.error_rows()


def test_ead_mode_says_when_no_speech_engine(qtbot):
    ed = open_editor(qtbot, ServiceFeature.EXTENDED_AUDIO_DESCRIPTION)
    ed.seek(500)
    ed.insert_at_playhead()
    qtbot.keyClicks(ed.text_edit, "A woman in a yellow shirt sits on a couch")
    assert ed.items()[0].text.startswith("A woman")
    assert ed.speak_button is not None
    if not ed.tts.available:
        assert not ed.speak_button.isEnabled()
        assert "text-to-speech" in ed.speak_button.toolTip()


def test_split_merge_and_reflow(qtbot):
    ed = open_editor(qtbot)
    ed.load_items([Cue(0, 4000, "one two three four five six")])
    ed.select(0)
    ed.split_current()
    assert [c.text for c in ed.items()] == ["one two three", "four five six"]
    assert ed.items()[1].start_ms - ed.items()[0].end_ms == 83  # the minimum gap, never 0 ms (issue 15)
    ed.select(0)
    ed.merge_with_next()
    assert [(c.start_ms, c.end_ms, c.text) for c in ed.items()] == [(0, 4000, "one two three four five six")]
    ed.undo_action.trigger()
    assert len(ed.items()) == 2


def test_bad_edit_is_a_message_not_a_traceback(qtbot):
    ed = open_editor(qtbot)
    ed.load_items([Cue(1000, 2000, "x")])
    ed.select(0)
    ed.seek(500)
    ed.set_end_and_next()  # end before start
    assert "must come after start" in ed.status.text()
    assert ed.items()[0].end_ms == 2000
    ed.end_edit.setText("garbage")
    ed.end_edit.editingFinished.emit()
    assert ed.items()[0].end_ms == 2000


def test_find_next_wraps_and_selects(qtbot):
    ed = open_editor(qtbot)
    ed.load_items([Cue(0, 1000, "apple"), Cue(1000, 2000, "pear"), Cue(2000, 3000, "apple pie")])
    ed.select(0)
    ed.find_bar.find_edit.setText("apple")
    assert ed.find_next() == 2
    assert ed.find_next() == 0
    assert ed.table.currentIndex().row() == 0


def test_draft_restores_after_reopen(qtbot, tmp_path):
    store = DraftStore(tmp_path / "drafts.sqlite3")
    ed = open_editor(qtbot, drafts=store)
    ed.seek(1000)
    ed.insert_at_playhead()
    qtbot.keyClicks(ed.text_edit, "kept")
    ed.flush_draft()
    again = open_editor(qtbot, drafts=store)
    assert [(c.start_ms, c.text) for c in again.items()] == [(1000, "kept")]
    assert "Restored" in again.status.text()


def test_shortcuts_are_rebindable_in_settings(qtbot):
    from reach_studio.settings import Settings

    Settings().set("hotkeys", {"editor_insert_at_playhead": "Ctrl+J"})
    ed = open_editor(qtbot)
    ed.table.setFocus()
    ed.seek(700)
    press(qtbot, ed, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    assert [c.start_ms for c in ed.items()] == [700]
    ed.table.setFocus()
    press(qtbot, ed, Qt.Key.Key_Insert)  # the old key no longer inserts
    assert len(ed.items()) == 1


def test_registered_for_the_four_features():
    from reach_studio.ui.editors.registry import editor_for

    for feature in (
        ServiceFeature.CAPTIONS,
        ServiceFeature.TRANSLATION,
        ServiceFeature.CHAPTERING,
        ServiceFeature.EXTENDED_AUDIO_DESCRIPTION,
    ):
        assert editor_for(feature) is not None


def test_every_editor_shortcut_is_a_setting_with_the_same_default():
    from reach_studio.settings import DEFAULT_HOTKEYS
    from reach_studio.ui.editors.shortcuts import default_keys

    for name, key in default_keys().items():
        assert DEFAULT_HOTKEYS.get(name) == key, name


def test_media_brings_player_and_waveform(qtbot, test_clip):
    task = make_task()
    ed = TimedEditor(TaskContext(task, None, None), player="auto")
    qtbot.addWidget(ed)
    ed.resize(1280, 800)
    ed.show()
    ed.set_media(test_clip)
    canvas = ed.timeline.canvas
    qtbot.waitUntil(lambda: canvas._peaks is not None, timeout=20_000)
    canvas.set_zoom(5.0)
    canvas.set_view_start(0)
    image = canvas.grab().toImage()
    greens = sum(image.pixelColor(x, 70).name() == "#4caf7a" for x in range(0, 700, 5))
    assert greens > 50  # a 440 Hz tone fills the waveform lane
    ed.seek(1500)
    qtbot.waitUntil(lambda: abs(ed.playhead_ms() - 1500) < 100, timeout=5000)
    ed.close()
