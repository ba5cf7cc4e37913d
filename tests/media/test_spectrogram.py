"""media/spectrogram.py: the sound's frequencies per 20 ms, from ffmpeg's PCM, computed chunk by chunk."""

from __future__ import annotations

import wave

import numpy as np
import pytest

from reach_studio.domain.progress import Cancelled, CancelToken
from reach_studio.media.errors import MediaError
from reach_studio.media.spectrogram import BANDS, compute_spectrogram


def write_wav(path, seconds_and_hz: list[tuple[float, float]], rate: int = 16_000) -> None:
    parts = []
    for seconds, hz in seconds_and_hz:
        t = np.arange(int(seconds * rate)) / rate
        parts.append(0.5 * np.sin(2 * np.pi * hz * t) if hz else np.zeros_like(t))
    pcm = (np.concatenate(parts) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def band_of(spec, hz: float) -> int:
    return int(np.searchsorted(spec.band_edges_hz, hz) - 1)


def test_tones_land_in_their_bands_and_silence_is_dark(tmp_path):
    media = tmp_path / "tones.wav"
    write_wav(media, [(1.0, 440), (1.0, 3000), (1.0, 0)])
    seen = []
    spec = compute_spectrogram(media, progress=lambda d, t: seen.append((d, t)))
    assert spec.levels.shape == (150, BANDS) and spec.levels.dtype == np.uint8
    assert abs(spec.duration_ms - 3000) <= 20
    low = spec.levels[10:40].mean(axis=0)
    high = spec.levels[60:90].mean(axis=0)
    assert abs(int(np.argmax(low)) - band_of(spec, 440)) <= 1
    assert abs(int(np.argmax(high)) - band_of(spec, 3000)) <= 1
    assert low.max() > 200  # a half-scale tone is near the top of the scale
    assert spec.levels[110:].max() == 0  # silence
    assert seen and seen[-1][0] == seen[-1][1]

    # the timeline's view: zoomed out, a pixel keeps the loudest column under it
    cols = spec.columns_between(0, 3000, 10)
    assert cols.shape == (BANDS, 10)
    assert cols[band_of(spec, 3000), 2:3].max() < cols[band_of(spec, 3000), 4]
    assert cols[:, -1].max() == 0
    assert compute_spectrogram(media).levels.tobytes() == spec.levels.tobytes()  # from the cache


def test_cancel_and_bad_input(tmp_path):
    media = tmp_path / "long.wav"
    write_wav(media, [(60.0, 440)])
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        compute_spectrogram(media, token=token, use_cache=False)
    with pytest.raises(MediaError):
        compute_spectrogram(tmp_path / "missing.mp4")
    silent = tmp_path / "video-only.txt"
    silent.write_text("not media")
    with pytest.raises(MediaError):
        compute_spectrogram(silent)
