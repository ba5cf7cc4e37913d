"""Fixtures for the voice tests: tiny generated media (an original with a tone, a take with another tone)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.factories import ffmpeg, make_clip


def decode_pcm(path: Path, rate: int = 16000) -> np.ndarray:
    """Mono float samples of a file's audio (decoded with ffmpeg), to measure levels with numpy."""
    import imageio_ffmpeg

    out = subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-v",
            "error",
            "-i",
            str(path),
            "-ac",
            "1",
            "-ar",
            str(rate),
            "-f",
            "f32le",
            "pipe:1",
        ],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return np.frombuffer(out.stdout, dtype=np.float32)


def tone_level(samples: np.ndarray, rate: int, freq: float, start_s: float, end_s: float) -> float:
    """Amplitude of one frequency over a window (a single DFT bin, Hann-windowed)."""
    chunk = samples[int(start_s * rate) : int(end_s * rate)]
    window = np.hanning(len(chunk))
    t = np.arange(len(chunk)) / rate
    return float(abs(np.sum(chunk * window * np.exp(-2j * np.pi * freq * t))) * 2 / np.sum(window))


@pytest.fixture(scope="session")
def voice_media(tmp_path_factory) -> dict[str, Path]:
    """An original clip (video + 440 Hz tone, 4 s) and a take (1000 Hz tone, 1 s) as WAV."""
    folder = tmp_path_factory.mktemp("voice-media")
    clip = make_clip(folder / "original.mp4", video="testsrc=size=160x90:rate=10")
    take = folder / "take.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000:duration=1", "-ac", "1", str(take))
    signed = make_clip(folder / "signed.mp4", seconds=2, video="testsrc=size=160x120:rate=10", audio=None)
    return {"clip": clip, "take": take, "signed": signed}


def pcm_buffer(seconds: float = 1.3, freq: float = 1000, rate: int = 48000):
    """A QBuffer of 16-bit mono PCM: what a microphone would deliver (the first 300 ms get dropped)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    t = np.arange(int(seconds * rate)) / rate
    data = (np.sin(2 * np.pi * freq * t) * 12000).astype("<i2").tobytes()
    buf = QBuffer()
    buf.setData(QByteArray(data))
    buf.open(QIODevice.OpenModeFlag.ReadOnly)
    return buf


def record_take(qtbot, editor, row: int, seconds: float = 1.3, freq: float = 1000) -> None:
    """Select `row` and record a take into it from generated PCM, as the Record/Stop buttons do."""
    editor.select(row, seek=False)
    buf = pcm_buffer(seconds, freq)
    assert editor.start_recording(device=buf)
    qtbot.waitUntil(buf.atEnd, timeout=5000)  # the whole take was "spoken"
    editor.stop_recording()
    qtbot.waitUntil(lambda: not editor.preparing_takes, timeout=10_000)  # cleaned up in a worker
    assert editor.script.lines[row].has_take
