"""Waveform peaks show where the sound is, at every zoom level, and a reopen reads them from the cache."""

from __future__ import annotations

import os

import numpy as np
import pytest

from reach_studio.domain.progress import Cancelled, CancelToken
from reach_studio.media import waveform as waveform_mod
from reach_studio.media.errors import MediaError
from reach_studio.media.ffmpeg import run_ffmpeg
from reach_studio.media.waveform import cache_path, compute_waveform


@pytest.fixture
def burst(tmp_path):
    """6 s of silence with a loud 1 kHz tone from 2.0 s to 3.0 s."""
    path = tmp_path / "burst.m4a"
    run_ffmpeg(["-f", "lavfi", "-i", "aevalsrc='0.8*sin(2*PI*1000*t)*between(t,2,3)':s=48000:d=6",
                "-c:a", "aac", "-b:a", "128k", str(path)])  # fmt: skip
    return path


def test_tone_burst_shows_where_it_is(burst):
    wave = compute_waveform(burst)
    per = wave.ms_per_peak(256)
    peaks = wave.levels[256]
    loud_ms = np.flatnonzero(np.maximum(-peaks[:, 0], peaks[:, 1]) > 0.4 * 32768) * per
    assert loud_ms.min() == pytest.approx(2000, abs=2 * per)
    assert loud_ms.max() == pytest.approx(3000, abs=2 * per)
    assert abs(wave.duration_ms - 6000) < 100
    mins, maxs = wave.peaks_between(0, 6000, 60)  # 100 ms per pixel
    assert (maxs[21:29] > 0.6).all() and (mins[21:29] < -0.6).all()
    assert (maxs[:18] < 0.05).all() and (maxs[32:] < 0.05).all()


def test_every_zoom_level_agrees_with_the_finest(burst):
    wave = compute_waveform(burst)
    assert sorted(wave.levels) == [256, 1024, 4096, 16384]
    fine = wave.levels[256]
    for spp, peaks in wave.levels.items():
        assert len(peaks) == -(-len(fine) // (spp // 256))
        assert peaks[:, 1].max() == fine[:, 1].max() and peaks[:, 0].min() == fine[:, 0].min()
    assert wave.best_level(5000.0) == 16384  # zoomed out: coarsest (2048 ms per peak)
    assert wave.best_level(1000.0) == 4096  # 512 ms per peak still fits
    assert wave.best_level(1.0) == 256  # zoomed in past the finest: finest


def test_zoomed_in_view_stretches_peaks(burst):
    wave = compute_waveform(burst)
    mins, maxs = wave.peaks_between(2400, 2500, 400)  # 0.25 ms per pixel, inside the tone
    assert (mins < -0.6).all()
    assert (maxs > 0.6).all()
    _, maxs = wave.peaks_between(7000, 8000, 10)  # after the end: nothing
    assert not maxs.any()


def test_reopen_uses_the_cache_without_decoding(burst, monkeypatch):
    first = compute_waveform(burst)
    assert cache_path(burst).is_file() and not first.from_cache

    def refuse(*a, **kw):
        raise AssertionError("ffmpeg should not run when the peaks are cached")

    monkeypatch.setattr(waveform_mod, "open_ffmpeg_pipe", refuse)
    again = compute_waveform(burst)
    assert again.from_cache
    assert np.array_equal(again.levels[1024], first.levels[1024])


def test_changed_media_or_broken_cache_is_recomputed(burst):
    compute_waveform(burst)
    st = burst.stat()
    os.utime(burst, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    assert not compute_waveform(burst).from_cache
    cache_path(burst).write_bytes(b"not a zip file")
    again = compute_waveform(burst)
    assert not again.from_cache and again.levels[256].size


def test_progress_and_cancel(burst):
    seen = []
    compute_waveform(burst, use_cache=False, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1][0] == seen[-1][1] and abs(seen[-1][1] - 6000) < 100
    token = CancelToken()
    with pytest.raises(Cancelled):
        compute_waveform(burst, progress=lambda d, t: token.cancel(), token=token)
    assert not cache_path(burst).exists()


def test_video_file_uses_its_audio(av_media):
    wave = compute_waveform(av_media.flavor(301).path, use_cache=False)
    assert abs(wave.duration_ms - 6000) < 100 and wave.levels[256][:, 1].max() > 3000


def test_no_audio_or_no_file_is_a_clear_error(tmp_path):
    silent_video = tmp_path / "picture.mp4"
    run_ffmpeg(["-f", "lavfi", "-i", "testsrc=size=64x64:rate=5:d=1", "-c:v", "libx264", str(silent_video)])
    with pytest.raises(MediaError, match="no audio"):
        compute_waveform(silent_video)
    with pytest.raises(MediaError, match="no such file"):
        compute_waveform(tmp_path / "gone.m4a")
