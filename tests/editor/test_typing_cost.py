"""Issue 15, keystroke latency with the problems panel open: what each key costs is kept to the cue typed in.
A key must not re-lay out the editor, must not repaint the timeline (its words are repainted when typing
pauses) and must not reset the problems list (it is patched, the linguist's selection kept). These are the
causes of the slow keys found by profiling bench/bench_editor.py; the test counts events, not time."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from reach_studio.domain.captions import Cue

from .test_editor_widget import open_editor


class Events(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.seen: Counter[tuple[str, QEvent.Type]] = Counter()

    def eventFilter(self, obj, event) -> bool:
        if event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.Paint):
            self.seen[(type(obj).__name__, event.type())] += 1
        return False

    def count(self, kind: QEvent.Type, name: str | None = None) -> int:
        return sum(n for (cls, k), n in self.seen.items() if k == kind and (name is None or cls == name))


def test_a_key_costs_only_the_cue_typed_in(qtbot):
    ed = open_editor(qtbot, max_chars=42)
    ed.load_items([Cue(i * 3000, i * 3000 + 600, f"Cue {i} is short") for i in range(60)])  # all flagged
    panel, canvas = ed.problems_panel, ed.timeline.canvas
    qtbot.waitUntil(lambda: len(panel.problems) >= 60)
    ed.select(30, seek=False)
    chosen = next(i for i in range(len(panel.problems)) if panel.problems.row_at(i)[0] == 30)
    panel.view.selectRow(chosen)
    ed.text_edit.setFocus()
    ed.text_edit.moveCursor(ed.text_edit.textCursor().MoveOperation.End)
    qtbot.wait(400)  # let the first paints and the panel's refresh happen (not part of typing)
    resets = []
    panel.problems.modelReset.connect(lambda: resets.append(1))

    events = Events()
    QApplication.instance().installEventFilter(events)
    try:
        for ch in " and now it is a much longer line":
            qtbot.keyClick(ed.text_edit, ch)
            QApplication.processEvents()
            if panel._timer.isActive():  # the panel's coalesced refresh, forced after every key (worst case)
                panel._timer.stop()
                panel.refresh()
            QApplication.processEvents()
    finally:
        QApplication.instance().removeEventFilter(events)

    assert ed.items()[30].text.endswith("much longer line")
    keys = len(" and now it is a much longer line")
    # no relayout of the editor per key (a few once: Undo enabled, the panel's count and Fix button changed)
    assert events.count(QEvent.Type.LayoutRequest) <= 12 < keys  # each key relaid out 4 levels before
    # the timeline repaints for what it shows (the error outline appearing), not per key
    assert events.count(QEvent.Type.Paint, "TimelineCanvas") <= 3 < keys
    assert not resets  # patched, not rebuilt
    assert any("line of" in m.message for r, m in panel.problems.rows if r == 30)  # yet live
    assert panel.selected() is not None and panel.selected()[0] == 30  # the linguist's place kept
    assert "much longer" in ed.delivered_view.text()

    # the timeline's words follow once typing pauses
    painted = Events()
    canvas.installEventFilter(painted)
    qtbot.waitUntil(lambda: painted.count(QEvent.Type.Paint) > 0, timeout=2000)
    canvas.removeEventFilter(painted)
