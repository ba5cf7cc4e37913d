"""The recorder drops the first ~300 ms, writes a valid WAV from PCM it is fed, and says when there is no mic."""

from __future__ import annotations

import wave

import numpy as np
import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice

from reach_studio.ui.editors import recorder as rec
from reach_studio.ui.editors.recorder import RecorderError, RecorderPanel, TakeRecorder


def pcm_buffer(parts: list[np.ndarray]) -> QBuffer:
    data = np.concatenate(parts).astype("<i2").tobytes()
    buf = QBuffer()
    buf.setData(QByteArray(data))
    buf.open(QIODevice.OpenModeFlag.ReadOnly)
    return buf


def test_first_300_ms_are_dropped_and_the_rest_is_a_valid_wav(qtbot, tmp_path):
    rate = 48000
    noise = np.full(int(0.3 * rate), 30000, dtype=np.int16)  # the "click" of opening the device
    t = np.arange(rate) / rate
    voice = (np.sin(2 * np.pi * 300 * t) * 8000).astype(np.int16)  # one second of "speech"
    buf = pcm_buffer([noise, voice])
    recorder = TakeRecorder()
    levels = []
    recorder.levelChanged.connect(levels.append)
    recorder.start(tmp_path / "takes" / "line1.wav", device=buf)
    assert recorder.recording
    qtbot.waitUntil(lambda: buf.atEnd(), timeout=3000)
    path, duration = recorder.stop()
    assert path == tmp_path / "takes" / "line1.wav" and not recorder.recording
    assert duration == 1000
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()) == (1, 2, 48000, 48000)
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    assert np.array_equal(samples, voice)  # no trace of the click, nothing lost after it
    assert max(levels) == pytest.approx(8000 / 32768, abs=0.01)
    assert [p.name for p in path.parent.iterdir()] == ["line1.wav"]  # no temporary file left


def test_a_take_shorter_than_the_dropped_part_is_refused(qtbot, tmp_path):
    buf = pcm_buffer([np.zeros(4800, dtype=np.int16)])  # 100 ms
    recorder = TakeRecorder()
    recorder.start(tmp_path / "t.wav", device=buf)
    qtbot.waitUntil(buf.atEnd, timeout=3000)
    with pytest.raises(RecorderError, match="empty"):
        recorder.stop()
    assert list(tmp_path.iterdir()) == []


def test_cancel_keeps_nothing(qtbot, tmp_path):
    recorder = TakeRecorder(discard_ms=0)
    buf = pcm_buffer([np.ones(48000, dtype=np.int16)])
    recorder.start(tmp_path / "t.wav", device=buf)
    qtbot.waitUntil(lambda: buf.pos() > 0, timeout=3000)  # something was recorded
    recorder.cancel()
    assert not recorder.recording and list(tmp_path.iterdir()) == []


def test_without_a_microphone_recording_says_so_and_import_is_offered(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(rec, "input_devices", list)
    recorder = TakeRecorder()
    with pytest.raises(RecorderError, match="No microphone"):
        recorder.start(tmp_path / "t.wav")
    assert not recorder.recording
    panel = RecorderPanel(recorder)
    qtbot.addWidget(panel)
    panel.set_line(True, False)
    assert not panel.record_button.isEnabled()
    assert panel.import_button.isEnabled()
    assert "No microphone" in panel.note.text() and "Import audio file" in panel.note.text()
    panel.show()
    assert panel.note.isVisible()
    with qtbot.waitSignal(panel.importRequested, timeout=1000):
        panel.import_button.click()


def test_with_an_input_the_record_button_toggles_to_stop(qtbot, tmp_path):
    recorder = TakeRecorder()
    panel = RecorderPanel(recorder, reason="")
    qtbot.addWidget(panel)
    panel.set_line(True, False)
    assert panel.record_button.isEnabled() and not panel.play_button.isEnabled()
    with qtbot.waitSignal(panel.recordRequested, timeout=1000):
        panel.record_button.click()
    recorder.start(tmp_path / "t.wav", device=pcm_buffer([np.ones(48000, dtype=np.int16)]))
    assert panel.record_button.text() == "■ Stop" and not panel.import_button.isEnabled()
    with qtbot.waitSignal(panel.stopRequested, timeout=1000):
        panel.record_button.click()
    recorder.stop()
    assert panel.record_button.text() == "● Record"
