"""Issue 15, waveform: drag across the empty waveform to make a cue (snapped to shot changes and neighbours,
keeping the minimum gap), Shift+drag for a selection to play, and shot-change marks found by ffmpeg."""

from __future__ import annotations

import subprocess

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from reach_studio.domain.captions import Cue

from .test_editor_widget import open_editor

LEFT = Qt.MouseButton.LeftButton
NONE = Qt.KeyboardModifier.NoModifier
GAP = 83


def drag(canvas, x0: float, x1: float, modifiers=NONE, steps: int = 6) -> None:
    """Press, move and release as a hand does (QMouseEvents with the button held)."""
    y = (canvas._lane()[0] + canvas._lane()[1]) / 2

    def send(kind, x, buttons):
        pos = QPointF(x, y)
        event = QMouseEvent(kind, pos, canvas.mapToGlobal(pos), LEFT, buttons, modifiers)
        QApplication.sendEvent(canvas, event)

    send(QEvent.Type.MouseButtonPress, x0, LEFT)
    for k in range(1, steps + 1):
        send(QEvent.Type.MouseMove, x0 + (x1 - x0) * k / steps, LEFT)
    send(QEvent.Type.MouseButtonRelease, x1, Qt.MouseButton.NoButton)


def test_drag_on_the_waveform_makes_a_cue_snapped_to_a_shot_change_and_clear_of_neighbours(qtbot):
    ed = open_editor(qtbot)
    ed.load_items([Cue(1000, 2000, "one"), Cue(5000, 6000, "two")])
    canvas = ed.timeline.canvas
    canvas.set_zoom(10.0)
    canvas.set_view_start(0)
    canvas.set_shot_changes([3040])
    drag(canvas, canvas.x_of(2300), canvas.x_of(3010))  # ends 30 ms before the cut: snaps to it
    assert [(c.start_ms, c.end_ms) for c in ed.items()] == [(1000, 2000), (2300, 3040), (5000, 6000)]
    assert ed.current == 1 and ed.text_edit.hasFocus()
    qtbot.keyClicks(ed.text_edit, "Drawn")
    assert ed.items()[1].text == "Drawn"
    # a drag starting in the gap after a cue and running into the next one stops the minimum gap short
    drag(canvas, canvas.x_of(3200), canvas.x_of(5600))  # starts 77 ms after the gap: snaps to it
    new = ed.items()[2]
    assert (new.start_ms, new.end_ms) == (3040 + GAP, 5000 - GAP)
    ed.undo_action.trigger()
    assert len(ed.items()) == 3


def test_shift_drag_selects_a_stretch_that_the_play_key_plays(qtbot):
    ed = open_editor(qtbot)
    ed.load_items([Cue(1000, 2000, "one")])
    canvas = ed.timeline.canvas
    canvas.set_zoom(10.0)
    canvas.set_view_start(0)
    drag(canvas, canvas.x_of(2500), canvas.x_of(4000), Qt.KeyboardModifier.ShiftModifier)
    assert len(ed.items()) == 1  # no cue made
    assert ed.range_selection == (2500, 4000)
    ed.table.setFocus()
    qtbot.keyClick(
        ed.table, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert ed.last_played == (2500, 4000)


def test_dragging_a_cue_edge_snaps_to_a_shot_change(qtbot):
    ed = open_editor(qtbot)
    ed.load_items([Cue(1000, 2000, "one")])
    canvas = ed.timeline.canvas
    canvas.set_zoom(10.0)
    canvas.set_view_start(0)
    canvas.set_shot_changes([2460])
    ed.select(0, seek=False)
    drag(canvas, canvas.x_of(2000), canvas.x_of(2420))
    assert ed.items()[0].end_ms == 2460


def test_shot_changes_are_found_and_marked(qtbot, tmp_path):
    import imageio_ffmpeg

    clip = tmp_path / "0_threeshots.mp4"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "color=red:s=320x180:d=1.5:r=25",
            "-f",
            "lavfi",
            "-i",
            "color=blue:s=320x180:d=1.5:r=25",
            "-f",
            "lavfi",
            "-i",
            "testsrc=s=320x180:d=1:r=25",
            "-filter_complex",
            "[0][1][2]concat=n=3:v=1:a=0",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            str(clip),
        ],
        check=True,
        timeout=60,
    )
    ed = open_editor(qtbot)
    ed.set_media(clip)
    qtbot.waitUntil(lambda: len(ed.timeline.canvas.shot_changes) == 2, timeout=30000)
    first, second = ed.timeline.canvas.shot_changes
    assert abs(first - 1500) <= 80 and abs(second - 3000) <= 80
