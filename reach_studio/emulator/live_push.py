"""Kaltura's restream of a live event to the vendor's ingest (the feature's mediaUrl + mediaKey).

Why it exists: in a live REACH event Kaltura relays the customer's stream to the RTMP(S) endpoint the
vendor named in updateLiveFeature (vendor guide "Live captions": "When the live stream from customer
starts, Kaltura restreams it to the RTMP endpoint provided"). The emulator plays that part with the
ffmpeg the project ships: `ffmpeg -re` pushes the event's media as FLV to `<mediaUrl>/<mediaKey>` in
real time, so the vendor's ingest sees a live stream. The media is generated once per media cache: a
test pattern with the running time drawn on it, and a voice-like sound in phrases (sound from 1 s to
3 s, 4 s to 6 s, ...: known onsets let a test check caption times against the media position).
"""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from pathlib import Path

from reach_studio.media.ffmpeg import ffmpeg_exe, run_ffmpeg

log = logging.getLogger(__name__)

PHRASE_PERIOD_S = 3.0  # a phrase is audible from 1 s to 3 s of every 3 s period
VOICE = (
    "0.35*(sin(2*PI*180*t)+0.5*sin(4*PI*180*t)+0.25*sin(6*PI*180*t))"
    "*(0.55+0.45*sin(2*PI*4.3*t))*gte(mod(t,3),1)"
)


def phrase_onsets(duration_s: float) -> list[float]:
    """Media positions (seconds) where a phrase starts after a silence."""
    out, t = [], 1.0
    while t < duration_s:
        out.append(t)
        t += PHRASE_PERIOD_S
    return out


def event_media(cache_dir: Path, seconds: float = 20.0) -> Path:
    """The demo event's media (H.264 + AAC in MP4, ~1 keyframe a second), generated once per cache."""
    seconds = max(1.0, float(seconds))
    path = Path(cache_dir) / f"live-event-{seconds:g}s.mp4"
    if path.is_file() and path.stat().st_size > 0:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part.mp4")
    run_ffmpeg(
        [
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=426x240:rate=15",
            "-f",
            "lavfi",
            "-i",
            f"aevalsrc='{VOICE}':s=48000:c=mono",
            "-t",
            f"{seconds:.3f}",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-tune",
            "zerolatency",
            "-g",
            "15",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            "96k",
            "-shortest",
            "-movflags",
            "+faststart",
            str(tmp),
        ],
        timeout=max(60.0, seconds * 4),
    )
    tmp.replace(path)
    return path


class MediaPush:
    """One `ffmpeg -re` push of the event's media to `<media_url>/<media_key>`; `on_end(outcome)` after."""

    def __init__(
        self, media: Path, media_url: str, media_key: str, on_end=None, connect_retry_s: float = 10.0
    ) -> None:
        self.media = Path(media)
        self.connect_retry_s = connect_retry_s  # a restream retries an ingest that is not up yet
        self.target = f"{media_url.rstrip('/')}/{media_key}" if media_key else media_url
        self.on_end = on_end
        self.started_at = 0.0  # wall clock when ffmpeg started (the media position is ~ now - this)
        self.outcome = ""
        self._proc: subprocess.Popen | None = None
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="kaltura-restream", daemon=True)

    def __repr__(self) -> str:  # the key stays out of logs
        return f"MediaPush(media={self.media.name}, outcome={self.outcome!r})"

    def start(self) -> MediaPush:
        self.thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.kill()
        if self.thread.is_alive() and threading.current_thread() is not self.thread:
            self.thread.join(timeout)

    def position(self) -> float:
        """Roughly where in the media the push is (seconds since ffmpeg started reading in real time)."""
        return max(0.0, time.time() - self.started_at) if self.started_at else 0.0

    def _run(self) -> None:
        cmd = [
            ffmpeg_exe(),
            "-hide_banner",
            "-nostdin",
            "-loglevel",
            "error",
            "-re",
            "-i",
            str(self.media),
            "-c",
            "copy",
            "-f",
            "flv",
            "-flvflags",
            "no_duration_filesize",
            self.target,
        ]
        deadline = time.monotonic() + self.connect_retry_s
        while True:
            self.started_at = time.time()
            try:
                self._proc = subprocess.Popen(
                    cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
                )
                _, err = self._proc.communicate()
                code = self._proc.returncode
            except OSError as exc:
                self.outcome = f"ffmpeg cannot run: {exc.strerror or exc}"
                break
            refused = code != 0 and b"Connection refused" in err
            if not refused or self._stop.is_set() or time.monotonic() >= deadline:
                break
            self._stop.wait(0.1)
        if not self.outcome:
            if self._stop.is_set():
                self.outcome = "stopped"
            elif code == 0:
                self.outcome = "completed"
            else:
                text = err.decode("utf-8", "replace")
                reason = "refused" if "Broken pipe" in text or "Connection reset" in text else "failed"
                if "Connection refused" in text:
                    reason = "no ingest listening"
                self.outcome = reason
        if self.on_end is not None:
            try:
                self.on_end(self.outcome)
            except Exception as exc:  # noqa: BLE001
                log.warning("restream end handler failed: %s", exc)
