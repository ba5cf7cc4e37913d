"""Issue 15, optional spectrogram: the toolbar's Spectrogram switch computes it off the GUI thread and the
timeline shows the tone of the test clip (440 Hz) as a bright band low in the lane; off again, the
waveform is back."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from reach_studio.ui.timeline.canvas import RULER_H, WAVE
from reach_studio.ui.timeline.spectrogram import palette

from .test_editor_widget import open_editor


def lane_pixels(canvas) -> np.ndarray:
    image = canvas.grab().toImage().convertToFormat(canvas.grab().toImage().Format.Format_RGB32)
    w, h = image.width(), image.height()
    data = np.frombuffer(image.constBits(), np.uint32, count=w * h).reshape(h, w) & 0xFFFFFF
    return data[RULER_H + 3 : h - 3, 4 : w // 3]  # the clip (4 s at 10 ms/px), right of the playhead at 0


def test_spectrogram_switch_shows_the_tone(qtbot, test_clip):
    ed = open_editor(qtbot)
    canvas = ed.timeline.canvas
    ed.set_media(test_clip)
    qtbot.waitUntil(lambda: canvas._peaks is not None, timeout=20_000)
    wave_rgb = WAVE.rgba() & 0xFFFFFF
    assert (lane_pixels(canvas) == wave_rgb).any()

    button = ed.toolbar.widgetForAction(ed.spectrogram.action)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: canvas._spectrogram is not None, timeout=20_000)
    assert "Spectrogram ready" in ed.status.text()
    lane = lane_pixels(canvas)
    assert not (lane == wave_rgb).any()  # the waveform gave way
    colours = {int(c) & 0xFFFFFF: level for level, c in enumerate(palette())}
    levels = np.vectorize(lambda c: colours.get(int(c), -1))(lane)
    assert (levels >= 0).all()  # every pixel of the lane is a spectrogram colour
    loudest_row = int(np.argmax(levels.mean(axis=1)))
    assert levels[loudest_row].mean() > 150  # the tone: a bright band across the clip
    assert loudest_row > lane.shape[0] * 0.6  # 440 Hz: low in the lane (high frequencies on top)
    assert levels[: lane.shape[0] // 3].max() < 100  # nothing up there

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # off: the waveform again, nothing recomputed
    assert (lane_pixels(canvas) == wave_rgb).any()
    assert ed.spectrogram.job is None
