"""Timeline: what a user sees and does with the mouse (offscreen)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from reach_studio.domain.captions import Chapter, Cue
from reach_studio.ui.timeline import Peaks, TimelineCanvas


@pytest.fixture
def canvas(qtbot):
    c = TimelineCanvas()
    c.resize(1000, 130)
    qtbot.addWidget(c)
    c.show()
    c.set_items([Cue(1000, 2000, "one"), Cue(3000, 4000, "two"), Cue(6000, 7000, "three")])
    c.set_duration(20_000)
    c.set_zoom(10.0)
    c.set_view_start(0)
    return c


def y_mid(c):
    return c.height() // 2 + 10


def drag(qtbot, c, x0, x1, modifier=Qt.KeyboardModifier.NoModifier):
    y = y_mid(c)
    qtbot.mousePress(c, Qt.MouseButton.LeftButton, modifier, QPoint(x0, y))
    for x in np.linspace(x0, x1, 5):
        qtbot.mouseMove(c, QPoint(int(x), y))
    qtbot.mouseRelease(c, Qt.MouseButton.LeftButton, modifier, QPoint(x1, y))


def test_drag_end_edge_emits_new_time(qtbot, canvas):
    # end of cue 2 is at 4000 ms = x 400; drag it 50 px right = +500 ms
    with qtbot.waitSignal(canvas.timesEdited) as sig:
        drag(qtbot, canvas, 400, 450, Qt.KeyboardModifier.AltModifier)  # Alt: no snapping
    assert sig.args == [1, 3000, 4500]


def test_drag_whole_cue_snaps_to_neighbour_edge(qtbot, canvas):
    # move cue 3 (6000–7000) left by 196 px ≈ 1960 ms: its start lands 40 ms from cue 2's end, snaps onto it
    with qtbot.waitSignal(canvas.timesEdited) as sig:
        drag(qtbot, canvas, 650, 454)
    assert sig.args == [2, 4000, 5000]


def test_drag_start_cannot_pass_end(qtbot, canvas):
    with qtbot.waitSignal(canvas.timesEdited) as sig:
        drag(qtbot, canvas, 100, 600, Qt.KeyboardModifier.AltModifier)
    index, start, end = sig.args
    assert index == 0 and end == 2000 and start < end


def test_click_on_empty_space_seeks_and_on_cue_selects(qtbot, canvas):
    with qtbot.waitSignal(canvas.seekRequested) as sig:
        qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(500, y_mid(canvas)))
    assert sig.args == [5000]
    with qtbot.waitSignal(canvas.itemSelected) as sig:
        qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(350, y_mid(canvas)))
    assert sig.args == [1]
    assert canvas.selected == 1


def test_zoom_keeps_anchor_and_scroll_is_bounded(canvas):
    canvas.set_view_start(5000)
    canvas.set_zoom(5.0, anchor_ms=6000)
    assert abs(canvas.x_of(6000) - 100) < 1  # 6000 was at x=100 before the zoom
    canvas.set_view_start(-500)
    assert canvas.view_start_ms == 0


def test_playhead_pages_view_while_playing(canvas):
    canvas.set_playhead(15_000)
    assert canvas.view_start_ms <= 15_000 <= canvas.view_start_ms + canvas.view_span_ms


def test_paints_waveform_blocks_and_errors(canvas):
    t = np.arange(20_000 // 10)
    wave = np.sin(t / 20.0).astype(np.float32) * 0.8
    canvas.set_peaks(Peaks(-np.abs(wave), np.abs(wave), 10.0))
    canvas.set_error_rows({1})
    canvas.set_selected(2)
    image = canvas.grab().toImage()
    # waveform green between cues, red outline on cue 2, orange selection on cue 3
    colors = {image.pixelColor(x, y).name() for x in range(250, 290) for y in range(25, 125)}
    assert "#4caf7a" in colors
    assert image.pixelColor(301, 60).name() == "#ff4d4d"
    assert image.pixelColor(601, 60).name() == "#ffc060"


def test_chapter_markers_drag_moves_start(qtbot, canvas):
    canvas.set_items([Chapter(2000, "Intro"), Chapter(8000, "Main part")])
    with qtbot.waitSignal(canvas.timesEdited) as sig:
        drag(qtbot, canvas, 800, 900, Qt.KeyboardModifier.AltModifier)
    assert sig.args == [1, 9000, 9000]


def test_visible_range_query_only_returns_what_is_on_screen(canvas):
    cues = [Cue(i * 1000, i * 1000 + 800, f"c{i}") for i in range(2000)]
    canvas.set_items(cues)
    assert canvas.visible_indexes(10_500, 12_500).tolist() == [10, 11, 12]
