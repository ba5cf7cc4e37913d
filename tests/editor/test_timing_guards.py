"""Issue 15, bugs 6 (chapter Insert) and 7 (timing): nudges never make cues overlap, split and Insert keep
the minimum gap, Reflow refuses to make cues nobody can read, and a double-click plays just that cue."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from reach_studio.domain.captions import Chapter, Cue
from reach_studio.domain.enums import ServiceFeature

from .test_editor_widget import open_editor

ALT = Qt.KeyboardModifier.AltModifier
GAP = 83  # the minimum gap of the default caption rules


def key(qtbot, ed, k, mod=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(ed.focusWidget() or ed, k, mod)


def test_nudging_stops_short_of_the_neighbours(qtbot):
    ed = open_editor(qtbot)
    ed.load_items([Cue(1000, 1900, "one"), Cue(2050, 3000, "two")])
    ed.select(0, seek=False)
    ed.table.setFocus()
    for _ in range(3):
        key(qtbot, ed, Qt.Key.Key_Right, ALT)  # end +100 ms
    a, b = ed.items()
    assert a.end_ms == b.start_ms - GAP
    assert "ends" in ed.status.text()
    ed.select(1, seek=False)
    for _ in range(3):
        key(qtbot, ed, Qt.Key.Key_BracketLeft, ALT)  # start -100 ms (Alt+[)
    a, b = ed.items()
    assert b.start_ms == a.end_ms + GAP or b.start_ms == 2050  # never closer than the gap
    assert b.start_ms >= a.end_ms + GAP


def test_split_leaves_the_minimum_gap(qtbot):
    ed = open_editor(qtbot)
    ed.load_items([Cue(1000, 5000, "Hello there, how are you doing today?")])
    ed.select(0, seek=False)
    ed.table.setFocus()
    key(qtbot, ed, Qt.Key.Key_S, ALT)
    a, b = ed.items()
    assert b.start_ms - a.end_ms >= GAP
    assert (a.start_ms, b.end_ms) == (1000, 5000)


def test_reflow_refuses_to_make_cues_too_fast_to_read(qtbot):
    ed = open_editor(qtbot, max_chars=26)
    text = "Thirty six characters a second is more than anyone can read on a screen at once"
    ed.load_items([Cue(1000, 3200, text)])
    ed.select(0, seek=False)
    ed.table.setFocus()
    key(qtbot, ed, Qt.Key.Key_R, ALT)
    assert ed.items() == [Cue(1000, 3200, text)]
    assert "too short" in ed.status.text() and "lengthen the cue" in ed.status.text()
    ed.load_items([Cue(1000, 9000, text)])  # enough time: reflow splits into readable cues with gaps
    ed.select(0, seek=False)
    key(qtbot, ed, Qt.Key.Key_R, ALT)
    cues = ed.items()
    assert len(cues) == 2
    assert cues[1].start_ms - cues[0].end_ms >= GAP


def test_insert_inside_a_cue_goes_after_it(qtbot):
    ed = open_editor(qtbot)
    ed.load_items([Cue(1000, 3000, "one"), Cue(6000, 7000, "two")])
    ed.table.setFocus()
    ed.seek(1500)
    key(qtbot, ed, Qt.Key.Key_Insert)
    starts_ends = [(c.start_ms, c.end_ms) for c in ed.items()]
    assert starts_ends == [(1000, 3000), (3000 + GAP, 5000 + GAP), (6000, 7000)]
    ed.load_items([Cue(1000, 3000, "one"), Cue(3100, 7000, "two")])
    ed.seek(2000)
    ed.table.setFocus()
    key(qtbot, ed, Qt.Key.Key_Insert)
    assert len(ed.items()) == 2 and "no room" in ed.status.text()


def test_chapter_insert_selects_its_title_and_never_repeats_a_number(qtbot):
    ed = open_editor(qtbot, ServiceFeature.CHAPTERING)
    ed.load_items([Chapter(60_000, "Chapter 1")])
    ed.table.setFocus()
    ed.seek(0)
    key(qtbot, ed, Qt.Key.Key_Insert)
    assert [c.title for c in ed.items()] == ["Chapter 2", "Chapter 1"]
    assert ed.title_edit.hasFocus()
    qtbot.keyClicks(ed.title_edit, "Opening")  # typing replaces the suggestion
    assert ed.items()[0].title == "Opening"


@pytest.mark.timeout(120)
def test_double_click_plays_the_cue_from_its_start_and_stops_at_its_end(qtbot, test_clip):
    from reach_studio.ui.editors.registry import TaskContext
    from reach_studio.ui.editors.timed_editor import TimedEditor
    from reach_studio.ui.player import create_player, qt_backend
    from tests.factories import make_task

    if not qt_backend.available():
        pytest.skip("no Qt Multimedia")
    ed = TimedEditor(TaskContext(make_task(), None, None), player=create_player(prefer="qt"))
    qtbot.addWidget(ed)
    ed.resize(1280, 800)
    ed.show()
    qtbot.waitExposed(ed)
    ed.set_media(test_clip)
    qtbot.waitUntil(lambda: ed.player.duration() > 3000, timeout=10_000)
    ed.load_items([Cue(300, 900, "one"), Cue(1800, 2500, "two")])
    ed.timeline.canvas.set_zoom(5.0)
    ed.seek(3500)
    qtbot.waitUntil(lambda: abs(ed.player.position() - 3500) < 100, timeout=5000)
    canvas = ed.timeline.canvas
    canvas.set_view_start(0)
    seen: list[int] = []
    ed.player.positionChanged.connect(seen.append)
    x = canvas.x_of(2100)
    y = canvas.height() // 2
    hit = canvas.hit_test(x, y)
    assert hit is not None and hit[0] == 1, "the block of cue 2 is under the mouse"
    qtbot.mouseDClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(int(x), y))
    qtbot.waitUntil(lambda: ed.player.is_playing(), timeout=5000)
    qtbot.waitUntil(lambda: not ed.player.is_playing(), timeout=8000)
    assert seen and min(seen) >= 1800 - 50, "never shows the old position"
    assert 2400 <= ed.player.position() <= 2800
    ed.player.close()
