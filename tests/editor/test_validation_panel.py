"""Issue 15, validation panel: every problem of the document in one live list, each with its fix, and
"fix all of this kind" as one undo step."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from reach_studio.domain.captions import Cue

from .test_editor_widget import open_editor


def _click_problem(qtbot, panel, text: str) -> None:
    view = panel.view
    row = next(i for i, (_r, m) in enumerate(panel.problems.rows) if text in m.message)
    rect = view.visualRect(panel.problems.index(row, 2))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_panel_lists_every_problem_live_and_fixes_them(qtbot):
    ed = open_editor(qtbot, max_chars=32)
    long_line = "This line is far too long for the profile limit of the task"
    ed.load_items(
        [
            Cue(1000, 1400, "Quick."),  # too short
            Cue(2000, 6000, long_line),
            Cue(7000, 7300, "Also quick."),  # too short
            Cue(9000, 12000, "Fine as it is."),
        ]
    )
    panel = ed.problems_panel
    qtbot.waitUntil(lambda: len(panel.problems.rows) >= 3, timeout=3000)
    messages = [m.message for _r, m in panel.problems.rows]
    assert any("line of" in m for m in messages)
    assert sum("is shown for" in m for m in messages) == 2
    assert panel.problems.rows[0][1].severity == "error"  # errors first

    # clicking a problem selects its cue; Fix applies the caption core's fix as one undo step
    _click_problem(qtbot, panel, "line of")
    assert ed.current == 1
    assert panel.fix_button.isEnabled() and "Re-break" in panel.fix_button.text()
    qtbot.mouseClick(panel.fix_button, Qt.MouseButton.LeftButton)
    assert all(len(line) <= 32 for c in ed.items() for line in c.text.split("\n"))
    qtbot.waitUntil(lambda: not any("line of" in m.message for _r, m in panel.problems.rows), timeout=3000)

    # fix all of this kind: both short cues at once, one undo step
    _click_problem(qtbot, panel, "is shown for")
    steps = ed.undo_stack.count()
    qtbot.mouseClick(panel.fix_all_button, Qt.MouseButton.LeftButton)
    assert ed.undo_stack.count() == steps + 1
    durations = [c.end_ms - c.start_ms for c in ed.items()]
    assert min(durations) >= 833
    qtbot.waitUntil(
        lambda: not any("is shown for" in m.message for _r, m in panel.problems.rows), timeout=3000
    )
    ed.undo_action.trigger()
    assert ed.items()[0].end_ms == 1400  # undone together

    # live: typing a problem in makes it appear without any click
    ed.select(3, seek=False)
    qtbot.mouseClick(ed.text_edit.viewport(), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(ed.text_edit, " And now this cue has become much longer than it should")
    qtbot.waitUntil(
        lambda: any(r == 3 and "line of" in m.message for r, m in panel.problems.rows), timeout=3000
    )


def test_choosing_a_problem_does_not_push_the_editor_wider(qtbot):
    """The Fix button names its fix ("Fix: Re-break the lines (split the cue if needed)"): at full length it
    widened the problems column the moment a problem was clicked, so the whole editor jumped sideways under
    the mouse (the Fix button moved away before it could be clicked) and the time fields were clipped."""
    ed = open_editor(qtbot, max_chars=32)
    ed.load_items([Cue(2000, 6000, "This line is far too long for the profile limit of the task")])
    panel = ed.problems_panel
    qtbot.waitUntil(lambda: bool(panel.problems.rows), timeout=3000)
    before = panel.minimumSizeHint().width()
    _click_problem(qtbot, panel, "line of")
    assert panel.fix_button.isEnabled()
    QApplication.sendPostedEvents()  # the layout takes the button's new text
    assert panel.minimumSizeHint().width() <= max(before, 360)
    assert "Re-break the lines" in panel.fix_button.toolTip()  # the whole name is still there
