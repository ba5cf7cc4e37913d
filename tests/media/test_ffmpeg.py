"""ffmpeg runs report progress, can be cancelled (the process dies) and fail with a readable, secret-free error."""

from __future__ import annotations

import subprocess
import threading
import time

import pytest

from reach_studio.domain.progress import Cancelled, CancelToken
from reach_studio.media import ffmpeg as ffmpeg_mod
from reach_studio.media.errors import MediaError
from reach_studio.media.ffmpeg import open_ffmpeg_pipe, run_ffmpeg
from reach_studio.media.probe import probe


@pytest.fixture
def started(monkeypatch):
    """Record every ffmpeg process started, to check none is left running."""
    procs: list[subprocess.Popen] = []
    real = subprocess.Popen

    class Recording(real):  # type: ignore[misc, valid-type]
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            procs.append(self)

    monkeypatch.setattr(ffmpeg_mod.subprocess, "Popen", Recording)
    return procs


def test_run_writes_output_and_reports_progress_to_the_end(tmp_path):
    out = tmp_path / "tone.m4a"
    seen: list[tuple[int, int]] = []
    run_ffmpeg(
        ["-f", "lavfi", "-i", "sine=frequency=440:duration=3", "-c:a", "aac", str(out)],
        duration_ms=3000,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert abs(probe(out).duration_ms - 3000) < 100
    assert seen[-1] == (3000, 3000)
    assert all(total == 3000 for _, total in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_unknown_total_is_reported_as_zero(tmp_path):
    seen: list[tuple[int, int]] = []
    run_ffmpeg(
        ["-f", "lavfi", "-i", "sine=duration=1", "-f", "null", "-"], progress=lambda d, t: seen.append((d, t))
    )
    assert seen and all(t == 0 for _, t in seen) and seen[-1][0] >= 900


def test_cancel_kills_ffmpeg_and_raises_cancelled(tmp_path, started):
    token = CancelToken()
    first_progress = threading.Event()

    def on_progress(done: int, total: int) -> None:
        first_progress.set()
        token.cancel()

    t0 = time.monotonic()
    with pytest.raises(Cancelled):
        # -re makes ffmpeg run in real time: 10 minutes unless it is killed
        run_ffmpeg(
            ["-re", "-f", "lavfi", "-i", "sine", "-t", "600", "-f", "null", "-"],
            duration_ms=600_000,
            progress=on_progress,
            token=token,
        )
    assert first_progress.is_set()
    assert time.monotonic() - t0 < 15
    assert started and all(p.poll() is not None for p in started)


def test_timeout_kills_ffmpeg_with_a_clear_error(started):
    with pytest.raises(MediaError, match="timed out"):
        run_ffmpeg(["-re", "-f", "lavfi", "-i", "sine", "-t", "600", "-f", "null", "-"], timeout=0.5)
    assert all(p.poll() is not None for p in started)


def test_failure_carries_ffmpeg_stderr(tmp_path):
    missing = tmp_path / "nothing-here.mp4"
    with pytest.raises(MediaError) as err:
        run_ffmpeg(["-i", str(missing), "-f", "null", "-"])
    assert "nothing-here.mp4" in str(err.value)
    assert "No such file" in str(err.value)


def test_a_url_with_the_ks_is_refused_and_the_error_never_shows_it():
    """ffmpeg's command line is readable by every user of the machine: a KS never goes there
    (tests/engine/test_child_secrets.py runs the real media paths and reads the children's command lines)."""
    url = (
        "http://127.0.0.1:9/p/101/sp/10100/playManifest/entryId/0_x/ks/djJ8MTAxfFNFQ1JFVA==/a.m3u8?ks=SECRET2"
    )
    with pytest.raises(MediaError) as err:
        run_ffmpeg(["-i", url, "-f", "null", "-"], timeout=30)
    text = str(err.value)
    assert "djJ8MTAxfFNFQ1JFVA" not in text and "SECRET2" not in text
    assert "command line would show a secret" in text


def test_pipe_streams_raw_output_and_reports_errors():
    with open_ffmpeg_pipe(
        ["-f", "lavfi", "-i", "sine=duration=2:sample_rate=8000", "-f", "s16le", "-ac", "1", "pipe:1"]
    ) as pipe:
        data = pipe.stdout.read()
        pipe.finish()
    assert len(data) == 2 * 8000 * 2
    with (
        pytest.raises(MediaError, match="No such file"),
        open_ffmpeg_pipe(["-i", "/nonexistent/x.wav", "-f", "s16le", "pipe:1"]) as pipe,
    ):
        pipe.stdout.read()
        pipe.finish()
