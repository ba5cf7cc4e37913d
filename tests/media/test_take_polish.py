"""media/take_polish on generated takes: what a listener would notice after the clean-up — the pauses
around the voice are gone, quiet and loud takes come out equally loud without clipping, no click at the
edges — and that silence or a damaged file is handled without a traceback."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from reach_studio.media.errors import MediaError
from reach_studio.media.take_polish import PolishSettings, polish_take

RATE = 48000


def write_take(path: Path, samples: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def read_take(path: Path) -> np.ndarray:
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, RATE)
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768


def tone(seconds: float, rms_dbfs: float, freq: float = 440.0, phase: float = 0.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return np.sin(2 * np.pi * freq * t + phase) * 10 ** (rms_dbfs / 20) * np.sqrt(2)


def hiss(seconds: float, dbfs: float = -70.0) -> np.ndarray:
    """Room noise: what a microphone gives while nobody speaks."""
    return np.random.default_rng(1).normal(0, 10 ** (dbfs / 20), int(seconds * RATE))


def dbfs(x: np.ndarray) -> float:
    return 20 * np.log10(np.sqrt(np.mean(x**2)))


def first_sound_ms(x: np.ndarray, level: float = 0.01) -> float:
    return np.argmax(np.abs(x) > level) * 1000 / RATE


def test_the_pauses_before_and_after_the_voice_are_trimmed_leaving_a_short_breath(tmp_path):
    take = write_take(tmp_path / "t.wav", np.concatenate([hiss(0.6), tone(0.8, -24) + hiss(0.8), hiss(0.9)]))
    report = polish_take(take)
    out = read_take(take)
    keep = PolishSettings().keep_ms
    assert abs(first_sound_ms(out) - keep) <= 15  # the voice starts ~120 ms in, not 600 ms
    assert abs(first_sound_ms(out[::-1]) - keep) <= 15  # and ends ~120 ms before the end, not 900 ms
    assert abs(len(out) * 1000 / RATE - (800 + 2 * keep)) <= 25
    assert report.length_ms == pytest.approx(len(out) * 1000 / RATE, abs=1)
    assert report.trimmed_start_ms == pytest.approx(600 - keep, abs=15)
    assert report.trimmed_end_ms == pytest.approx(900 - keep, abs=15)


def test_a_quiet_and_a_loud_take_come_out_equally_loud_and_never_clip(tmp_path):
    quiet = write_take(tmp_path / "quiet.wav", tone(1.0, -34))
    loud = write_take(tmp_path / "loud.wav", tone(1.0, -6))
    assert polish_take(quiet).gain_db > 10 and polish_take(loud).gain_db < -10
    a, b = read_take(quiet), read_take(loud)
    body = slice(RATE // 10, -RATE // 10)  # away from the fades
    target = PolishSettings().target_dbfs
    assert dbfs(a[body]) == pytest.approx(target, abs=0.5)
    assert dbfs(b[body]) == pytest.approx(target, abs=0.5)
    assert abs(dbfs(a[body]) - dbfs(b[body])) < 0.5


def test_a_take_with_a_loud_spike_is_raised_only_up_to_the_ceiling(tmp_path):
    x = tone(1.0, -40)
    x[RATE // 2 : RATE // 2 + 48] = 0.5  # a knock on the microphone, 1 ms at -6 dBFS
    take = write_take(tmp_path / "spike.wav", x)
    polish_take(take)
    peak = 20 * np.log10(np.max(np.abs(read_take(take))))
    assert peak <= PolishSettings().ceiling_dbfs + 0.1  # the knock does not clip
    assert peak >= PolishSettings().ceiling_dbfs - 0.5  # and the take was raised as far as it could go


def test_no_click_where_the_take_starts_and_stops(tmp_path):
    x = tone(1.0, -12, phase=np.pi / 2)  # starts and stops at full swing: an abrupt edge clicks
    assert abs(x[0]) > 0.3 and abs(x[-1]) > 0.3
    take = write_take(tmp_path / "edge.wav", x)
    polish_take(take)
    out = read_take(take)
    steady = np.max(np.abs(out[RATE // 4 : RATE // 2]))
    ms = RATE // 1000
    assert np.max(np.abs(out[:ms])) < 0.1 * steady
    assert np.max(np.abs(out[-ms:])) < 0.1 * steady
    # the fade is short: 30 ms in, the voice is at full level
    assert np.max(np.abs(out[30 * ms : 40 * ms])) > 0.95 * steady
    # and smooth: no sample-to-sample jump bigger than the tone's own steepest step
    assert (
        np.max(np.abs(np.diff(out[: 20 * ms]))) <= np.max(np.abs(np.diff(out[RATE // 4 : RATE // 2]))) + 1e-4
    )


def test_a_silent_take_is_left_as_it_is(tmp_path):
    take = write_take(tmp_path / "silent.wav", np.zeros(RATE // 2))
    before = take.read_bytes()
    report = polish_take(take)
    assert report.silent and report.length_ms == 500
    assert take.read_bytes() == before


def test_a_damaged_take_is_a_readable_error_and_the_file_is_untouched(tmp_path):
    take = tmp_path / "broken.wav"
    take.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    with pytest.raises(MediaError, match="broken.wav is not a readable WAV take"):
        polish_take(take)
    assert take.read_bytes() == b"RIFF\x00\x00\x00\x00WAVEjunk"
    assert [p.name for p in tmp_path.iterdir()] == ["broken.wav"]
