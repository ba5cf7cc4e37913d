"""Issue 15, validation panel: every problem of the document in one live list, each with its fix, and
"fix all of this kind" as one undo step."""

from __future__ import annotations

from itertools import pairwise

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


def _speaker_editor(qtbot, **profile):
    """A captions task whose catalog item asks for speaker labels (and profile for whatever is given),
    opened after the flags are set: the editor reads them when it opens."""
    from reach_studio.ui.editors.registry import TaskContext
    from reach_studio.ui.editors.timed_editor import TimedEditor
    from tests.factories import make_task

    task = make_task(max_chars=32)
    task.catalog_item.enable_speaker_id = True
    for name, value in profile.items():
        setattr(task.reach_profile, name, value)
    ed = TimedEditor(TaskContext(task, None, None), player=None)
    qtbot.addWidget(ed)
    ed.resize(1280, 800)
    ed.show()
    qtbot.waitExposed(ed)
    return ed


def _fix(qtbot, panel, text: str) -> None:
    _click_problem(qtbot, panel, text)
    assert panel.fix_button.isEnabled(), text
    qtbot.mouseClick(panel.fix_button, Qt.MouseButton.LeftButton)


def _gone(qtbot, panel, text: str, row: int | None = None) -> None:
    qtbot.waitUntil(
        lambda: not any(text in m.message and row in (None, r) for r, m in panel.problems.rows), timeout=3000
    )


def test_each_kind_of_fix_from_the_panel(qtbot):
    """Issue 15: extend for CPS within the gap, fix overlap and gap, add the missing speaker, mask
    profanity, re-break counting the delivered speaker form — each clicked in the panel."""
    from reach_studio.domain.formats import write_captions

    ed = _speaker_editor(qtbot, enable_profanity_removal=True)
    ed.load_items(
        [
            Cue(0, 2000, "Welcome to the course.", "Ann"),
            Cue(2030, 3000, "Far too fast to read.", "Ann"),  # 30 ms gap; 28 characters a second
            Cue(3400, 6000, "No speaker here."),  # missing speaker
            Cue(5500, 8000, "This overlaps.", "Ann"),
            Cue(9000, 12000, "Damn, what is that?", "Ann"),  # profanity
            Cue(13000, 18000, "Today we look at the muscles of the upper arm together", "Prof. Okafor"),
        ]
    )
    panel = ed.problems_panel
    qtbot.waitUntil(lambda: len(panel.problems.rows) >= 6, timeout=3000)

    _fix(qtbot, panel, "after 30 ms")  # close the gap
    assert ed.items()[0].end_ms == 2030
    _gone(qtbot, panel, "after 30 ms")

    _fix(qtbot, panel, "characters per second")  # lengthen as far as the next cue allows
    assert ed.items()[1].end_ms == 3400 - 83
    _fix(qtbot, panel, "has no speaker")
    assert ed.items()[2].speaker == "Ann"
    _gone(qtbot, panel, "has no speaker")

    _fix(qtbot, panel, "overlaps")
    assert ed.items()[2].end_ms == 5500 - 83
    _gone(qtbot, panel, "overlaps")

    _fix(qtbot, panel, "profanity")
    assert ed.items()[4].text == "D***, what is that?"
    _gone(qtbot, panel, "profanity")

    _fix(qtbot, panel, "line of")  # the delivered line is "[Prof. Okafor] Today we look …"
    srt = write_captions(ed.document(), "srt", speaker_style=ed.speaker_style).decode()
    lines = [line for line in srt.splitlines() if line and "-->" not in line and not line.isdigit()]
    assert any(line.startswith("[Prof. Okafor] ") for line in lines)
    assert all(len(line) <= 32 for line in lines), lines
    _gone(qtbot, panel, "line of")


def test_fixes_keep_the_minimum_gap_from_the_settings(qtbot):
    """The linguist's minimum gap (Settings → Captions) bounds "Lengthen the cue": a fix must not leave a
    new gap problem behind."""
    from reach_studio.settings import Settings

    settings = Settings()
    settings.set("caption_min_gap_ms", 300)
    ed = open_editor(qtbot)
    ed.load_items([Cue(1000, 1500, "Much too fast to read here."), Cue(2500, 4000, "Next.")])
    panel = ed.problems_panel
    qtbot.waitUntil(lambda: any("characters per second" in m.message for _r, m in panel.problems.rows))
    _fix(qtbot, panel, "characters per second")
    assert ed.items()[0].end_ms == 2500 - 300
    assert not any("follows the cue" in m.message for _r, m in panel.problems.rows)


def test_re_break_from_the_panel_keeps_cues_readable(qtbot):
    """Bug 7's Reflow guard holds for the panel's fix too: re-breaking never makes cues too fast to read or
    with no gap between them."""
    ed = open_editor(qtbot, max_chars=26)
    text = "Thirty six characters a second is more than anyone can read on a screen at once"
    ed.load_items([Cue(1000, 3200, text)])
    panel = ed.problems_panel
    qtbot.waitUntil(lambda: any("line of" in m.message for _r, m in panel.problems.rows))
    _fix(qtbot, panel, "line of")
    assert ed.items() == [Cue(1000, 3200, text)]
    assert "too short" in panel.title.text()
    ed.load_items([Cue(1000, 9000, text)])
    qtbot.waitUntil(lambda: any("line of" in m.message for _r, m in panel.problems.rows))
    _fix(qtbot, panel, "line of")
    cues = ed.items()
    assert len(cues) == 2 and cues[1].start_ms - cues[0].end_ms >= 83


def test_fix_all_re_breaks_every_long_cue_even_when_cues_are_split(qtbot):
    """Fix all of this kind with a fix that adds cues: every long cue is re-broken (later rows first, so the
    earlier rows still point at their cues), as one undo step."""
    ed = open_editor(qtbot, max_chars=26)
    text = "This sentence is much too long for two lines of twenty six characters"
    ed.load_items([Cue(k * 10_000, k * 10_000 + 8000, f"{k + 1}. {text}") for k in range(3)])
    panel = ed.problems_panel
    qtbot.waitUntil(lambda: sum("line of" in m.message for _r, m in panel.problems.rows) == 3, timeout=3000)
    _click_problem(qtbot, panel, "line of")
    steps = ed.undo_stack.count()
    qtbot.mouseClick(panel.fix_all_button, Qt.MouseButton.LeftButton)
    assert ed.undo_stack.count() == steps + 1
    cues = ed.items()
    assert len(cues) == 6
    assert all(len(line) <= 26 for c in cues for line in c.text.split("\n"))
    assert [c.text.split(".")[0] for c in cues[::2]] == ["1", "2", "3"]
    assert all(b.start_ms - a.end_ms >= 83 for a, b in pairwise(cues))
    qtbot.waitUntil(lambda: not any("line of" in m.message for _r, m in panel.problems.rows), timeout=3000)
    ed.undo_action.trigger()
    assert len(ed.items()) == 3
