"""Issue 15, speaker pick-list: the speaker field completes from the document's speakers, and with several
cues selected it sets the speaker on all of them as one undo step."""

from __future__ import annotations

from PySide6.QtCore import Qt

from reach_studio.domain.captions import Cue

from .test_editor_widget import open_editor

SHIFT = Qt.KeyboardModifier.ShiftModifier


def test_set_speaker_on_several_cues_with_completion(qtbot):
    ed = open_editor(qtbot)
    ed.load_items(
        [
            Cue(0, 2000, "Good morning.", "Student"),
            Cue(2500, 4500, "Morning.", "Teacher"),
            Cue(5000, 7000, "Today we start."),
            Cue(7500, 9500, "With the basics."),
            Cue(10_000, 12_000, "Any questions?"),
            Cue(12_500, 14_000, "One.", "Student"),
        ]
    )
    ed.select(2, seek=False)
    ed.table.setFocus()
    qtbot.keyClick(ed.table, Qt.Key.Key_Down, SHIFT)
    qtbot.keyClick(ed.table, Qt.Key.Key_Down, SHIFT)  # cues 3-5 selected
    assert ed.selected_rows() == [2, 3, 4]
    steps = ed.undo_stack.count()

    qtbot.keyClick(ed.table, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)  # to the pick-list
    picker = ed.speaker_edit
    assert picker.lineEdit().hasFocus()
    assert picker.speakers() == ["Student", "Teacher"]  # the document's, most frequent first
    qtbot.keyClicks(picker.lineEdit(), "te")
    popup = picker.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    assert [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())] == ["Teacher"]
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)  # take the completion

    assert [c.speaker for c in ed.items()] == [
        "Student",
        "Teacher",
        "Teacher",
        "Teacher",
        "Teacher",
        "Student",
    ]
    assert ed.undo_stack.count() == steps + 1  # one step for the three cues
    ed.undo_action.trigger()
    assert [c.speaker for c in ed.items()][2:5] == [None, None, None]


def test_leaving_the_field_untouched_changes_nothing(qtbot):
    ed = open_editor(qtbot)
    ed.load_items([Cue(0, 2000, "One.", "Ann"), Cue(2500, 4500, "Two."), Cue(5000, 7000, "Three.")])
    ed.select(0, seek=False)
    ed.table.setFocus()
    qtbot.keyClick(ed.table, Qt.Key.Key_Down, SHIFT)
    qtbot.keyClick(ed.table, Qt.Key.Key_Down, SHIFT)
    qtbot.mouseClick(ed.speaker_edit.lineEdit(), Qt.MouseButton.LeftButton)
    qtbot.keyClick(ed.speaker_edit.lineEdit(), Qt.Key.Key_Tab)  # away without typing
    ed.table.setFocus()
    assert [c.speaker for c in ed.items()] == ["Ann", None, None]

    # a typed new name for one cue (the usual case) still works, and is offered afterwards
    ed.select(1, seek=False)
    qtbot.mouseClick(ed.speaker_edit.lineEdit(), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(ed.speaker_edit.lineEdit(), "Bo")
    qtbot.keyClick(ed.speaker_edit.lineEdit(), Qt.Key.Key_Return)
    assert [c.speaker for c in ed.items()] == ["Ann", "Bo", None]
    ed.speaker_edit.refresh_speakers()
    assert sorted(ed.speaker_edit.speakers()) == ["Ann", "Bo"]


def test_the_customers_named_speakers_are_offered_before_any_cue_has_one(qtbot):
    """A new document has no speakers yet: the pick-list offers the ones the customer named in the task's
    notes and dictionary ("Speaker names: Prof. Okafor, students."), spelled as the customer spells them."""
    ed = open_editor(
        qtbot, notes="Speaker names: Prof. Okafor, students.", dictionary="Prof. Okafor\nkinesiology"
    )
    ed.load_items([Cue(0, 2000, "Welcome to kinesiology."), Cue(2500, 4500, "Today: muscles.")])
    ed.select(0, seek=False)
    ed.table.setFocus()
    qtbot.keyClick(ed.table, Qt.Key.Key_Down, SHIFT)
    qtbot.keyClick(ed.table, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    picker = ed.speaker_edit
    qtbot.keyClicks(picker.lineEdit(), "pr")
    popup = picker.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    assert [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())] == ["Prof. Okafor"]
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert [c.speaker for c in ed.items()] == ["Prof. Okafor", "Prof. Okafor"]


def test_the_documents_own_speakers_come_before_the_customers(qtbot):
    ed = open_editor(qtbot, notes="Speakers: Ana Lima, Bo Chen")
    ed.load_items([Cue(0, 2000, "Hi.", "Moderator"), Cue(2500, 4500, "Hello.", "Bo Chen")])
    ed.speaker_edit.refresh_speakers()
    assert ed.speaker_edit.speakers() == ["Bo Chen", "Moderator", "Ana Lima"]
