"""The vendor's RTMP ingest for one live task: where Kaltura restreams the event (mediaUrl/mediaKey).

Why it exists: a CART captioner writes from the event's live audio, with as little delay as possible;
the customer's own player is tens of seconds behind. Kaltura relays the stream to the `mediaUrl` +
`mediaKey` the vendor gave in updateLiveFeature (vendor guide "Live captions"), so each live session
listens for that push itself.

How: the ffmpeg the project ships (imageio-ffmpeg) in RTMP listen mode (`-listen 1`), one process per
connection, decoding the audio straight to 48 kHz mono s16le on a pipe with its low-latency flags. That
ffmpeg does not refuse a wrong stream key — it only warns "Unexpected stream <name>, expecting <ours>"
when the publisher names its stream, before any media is read. So the stream key never goes on ffmpeg's
command line (any local user can read that in `ps`): ffmpeg listens for a stand-in name that is no secret
(`reach-<taskId>`), every publisher's name therefore shows in that warning on ffmpeg's private stderr pipe,
and the listener compares it with the key here (constant time). A process whose publisher named anything
else (the stand-in included) is killed before a single sample is handed on, and the ingest listens again.
When a push ends or drops, it listens again too (a restream reconnects). Nothing here touches Qt: the
console plays the PCM, `sync --live` only keeps the clock.

The stream clock: ffmpeg's "start:" of the input plus the samples decoded since (gaps in the
timestamps are filled with silence by `aresample=async`), so times are the media's own positions.
RTMPS is the vendor's TLS proxy in front of this listener (README "Live captions").
"""

from __future__ import annotations

import atexit
import hmac
import logging
import os
import re
import secrets
import socket
import subprocess
import threading
import time
from collections.abc import Callable

from reach_studio.media.errors import MediaError
from reach_studio.media.ffmpeg import ffmpeg_exe, spawn

log = logging.getLogger(__name__)

SAMPLE_RATE = 48_000
VIDEO_SIZE = (320, 180)
VIDEO_FPS = 5
BYTES_PER_SECOND = SAMPLE_RATE * 2  # mono s16le
_START = re.compile(r"Duration: [^,]*, start: (-?[\d.]+)")
_NAMED = "Unexpected stream "  # ffmpeg's warning naming the publisher's stream (libavformat/rtmpproto.c)
_used_ports: set[int] = set()
_ports_lock = threading.Lock()
_running: set[subprocess.Popen] = set()  # listening ffmpegs, killed at exit so none outlives the app


@atexit.register
def _kill_all() -> None:
    for proc in list(_running):
        if proc.poll() is None:
            proc.kill()


# states: idle → listening → receiving → (dropped | refused → listening) ... → stopped | failed
STATE_TEXT = {
    "idle": "Ingest not started",
    "listening": "Waiting for Kaltura's stream",
    "receiving": "Receiving the event's stream",
    "refused": "A stream with a wrong stream key was refused; listening again",
    "dropped": "The stream stopped (ended or dropped); listening again in case Kaltura reconnects",
    "stopped": "Ingest stopped",
    "failed": "The ingest cannot listen",
}


class IngestError(Exception):
    """The ingest cannot listen (no free port, ffmpeg missing); the text is safe to show."""


def _free_port(host: str, port_range: tuple[int, int] | None) -> int:
    candidates = range(port_range[0], port_range[1] + 1) if port_range else [0]
    for port in candidates:
        with _ports_lock:
            if port and port in _used_ports:
                continue
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
            chosen = s.getsockname()[1]
        with _ports_lock:
            if chosen in _used_ports:
                continue
            _used_ports.add(chosen)
        return chosen
    raise IngestError(
        f"no free port for the RTMP ingest on {host}"
        + (f" in {port_range[0]}-{port_range[1]}" if port_range else "")
    )


def _port_listening(port: int) -> bool | None:
    """Is a socket in LISTEN on this TCP port (Linux /proc/net/tcp*)? None where that cannot be read."""
    found = None
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name, encoding="ascii") as fh:
                next(fh, None)
                for line in fh:
                    parts = line.split()
                    if len(parts) > 3 and parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                        return True
            found = False
        except (OSError, ValueError):
            continue
    return found


class IngestListener:
    """`IngestListener(task_id).start()`; `media_url`/`media_key` go to Kaltura; `on_audio(pcm, t)`."""

    def __init__(
        self,
        task_id: int,
        *,
        host: str = "127.0.0.1",
        port_range: tuple[int, int] | None = None,
        public_url: str | None = None,
        key: str | None = None,
        app: str = "live",
        on_state: Callable[[str, str], None] | None = None,
        on_audio: Callable[[bytes, float], None] | None = None,
        low_latency: bool = True,
        on_video: Callable[[bytes, int, int], None] | None = None,
        video: bool = False,
    ) -> None:
        self.task_id = int(task_id)
        self.host = host
        self.port_range = port_range
        self.public_url = public_url.rstrip("/") if public_url else None
        self.app = app
        self._key = key or f"reach-{int(task_id)}-{secrets.token_hex(12)}"
        self.on_state = on_state
        self.on_audio = on_audio
        self.on_video = on_video  # the console's: a 5 fps RGB preview of the picture as well
        self.video = video or on_video is not None  # decode the picture (a console may bind later)
        self.video_absent = False  # the last stream had no picture: listen for audio only
        self.low_latency = low_latency
        self.port = 0
        self.state = "idle"
        self.detail = ""
        self.connections = 0
        self.refusals = 0
        self.drops = 0
        self.stream_start = 0.0  # ffmpeg's "start:" of the current connection (seconds)
        self.received_samples = 0  # decoded samples of the current connection
        self.last_audio_at = 0.0  # monotonic time the last PCM arrived
        self._proc: subprocess.Popen | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # the key stays out of logs
        return f"IngestListener(task={self.task_id}, port={self.port}, state={self.state})"

    # ---- what Kaltura is told ------------------------------------------------------------------------
    @property
    def media_url(self) -> str:
        """rtmp(s)://host:port/app — the public URL (the vendor's TLS proxy) when one is configured."""
        if self.public_url:
            base = self.public_url
            has_port = re.match(r"^rtmps?://[^/]*:\d+", base) is not None
            if not has_port:
                scheme, rest = base.split("://", 1)
                host, _, path = rest.partition("/")
                base = f"{scheme}://{host}:{self.port}" + (f"/{path}" if path else "")
            return base if base.rstrip("/").endswith(f"/{self.app}") else f"{base}/{self.app}"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"rtmp://{host}:{self.port}/{self.app}"

    @property
    def media_key(self) -> str:
        return self._key

    @property
    def stand_in(self) -> str:
        """The stream name ffmpeg is told to expect: no secret, so the key stays off its command line."""
        return f"reach-{self.task_id}"

    def listen_url(self) -> str:
        """What ffmpeg listens on (its argv, readable by every local user): the stand-in, never the key."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"rtmp://{host}:{self.port}/{self.app}/{self.stand_in}"

    def _named_key(self, line: str) -> bool | None:
        """For ffmpeg's "Unexpected stream <name>, expecting <stand-in>" line: did the publisher name our
        key? None for any other line. A name with a line break in it splits the line: refused."""
        at = line.find(_NAMED)
        if at < 0:
            return None
        named = line[at + len(_NAMED) :]
        suffix = f", expecting {self.stand_in}"
        if not named.endswith(suffix):
            return False
        return hmac.compare_digest(named[: -len(suffix)].encode(), self._key.encode())

    # ---- the clock -----------------------------------------------------------------------------------
    def received_seconds(self) -> float:
        """Stream time of the end of the audio received so far (media position)."""
        return self.stream_start + self.received_samples / SAMPLE_RATE

    @property
    def receiving(self) -> bool:
        return self.state == "receiving"

    # ---- lifecycle -----------------------------------------------------------------------------------
    def start(self) -> IngestListener:
        if self._thread is not None:
            return self
        ffmpeg_exe()  # fail here, readably, when ffmpeg is missing
        self.port = _free_port(self.host, self.port_range)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"rtmp-ingest-{self.task_id}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._kill()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        with _ports_lock:
            _used_ports.discard(self.port)
        self._set("stopped", "")

    def _kill(self) -> None:
        with self._lock:
            proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.kill()

    def _set(self, state: str, detail: str) -> None:
        if state == self.state and detail == self.detail:
            return
        self.state, self.detail = state, detail
        if self.on_state is not None:
            try:
                self.on_state(state, detail)
            except Exception as exc:  # noqa: BLE001 - an observer must not stop the ingest
                log.error("ingest observer failed: %s", exc)

    def _command(self, video_fd: int | None = None) -> list[str]:
        # no "-fflags nobuffer": it drops the packets read while probing (a second of audio lost)
        fast = ["-flags", "low_delay", "-probesize", "32768", "-analyzeduration", "0"]
        # the picture: a second output on an inherited pipe (ffmpeg refuses an output without a stream,
        # so a stream without video makes the next listen audio-only)
        video = (
            [
                "-map",
                "0:v:0?",
                "-vf",
                f"fps={VIDEO_FPS},scale={VIDEO_SIZE[0]}:{VIDEO_SIZE[1]}",
                "-pix_fmt",
                "rgb24",
                "-f",
                "rawvideo",
                f"pipe:{video_fd}",
            ]
            if video_fd is not None
            else []
        )
        return [
            ffmpeg_exe(),
            "-hide_banner",
            "-nostats",
            "-nostdin",
            "-loglevel",
            "info",
            *(fast if self.low_latency else []),
            "-listen",
            "1",
            "-i",
            self.listen_url(),
            "-vn",
            "-sn",
            "-dn",
            "-af",
            "aresample=async=1",
            "-ac",
            "1",
            "-ar",
            str(SAMPLE_RATE),
            "-flush_packets",
            "1",
            "-f",
            "s16le",
            "pipe:1",
            *video,
        ]

    def _read_video(self, fd: int) -> None:
        """Whole RGB frames from the picture pipe to `on_video` (frames are small: 320x180)."""
        size = VIDEO_SIZE[0] * VIDEO_SIZE[1] * 3
        buf = bytearray()
        try:
            while True:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    return
                buf += chunk
                while len(buf) >= size:
                    frame, buf = bytes(buf[:size]), buf[size:]
                    callback = self.on_video
                    if callback is not None:
                        try:
                            callback(frame, *VIDEO_SIZE)
                        except Exception as exc:  # noqa: BLE001 - the picture must not stop the sound
                            log.error("ingest video consumer failed: %s", exc)
        except OSError:
            return
        finally:
            os.close(fd)

    def _announce_listening(self, proc: subprocess.Popen) -> None:
        """ "listening" once ffmpeg's socket really listens (a push before that would be refused)."""
        deadline = time.monotonic() + 5.0
        while proc.poll() is None and not self._stop.is_set() and time.monotonic() < deadline:
            up = _port_listening(self.port)
            if up or (up is None and time.monotonic() > deadline - 4.7):
                break
            time.sleep(0.01)
        if proc.poll() is None and self.state not in ("receiving", "stopped"):
            with self._lock:
                current = self._proc is proc
            if current:
                self._set("listening", "")

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                outcome = self._one_connection()
            except OSError as exc:
                self._set("failed", f"ffmpeg cannot run: {exc.strerror or exc}")
                return
            except MediaError as exc:
                self._set("failed", str(exc))
                return
            if self._stop.is_set():
                return
            if outcome == "refused":
                self.refusals += 1
                self._set("refused", "wrong stream key")
            elif outcome == "dropped":
                self.drops += 1
                self._set("dropped", "")
            else:  # ffmpeg ended before any stream: the port is taken or the listen failed
                failures = failures + 1 if time.monotonic() - started < 1.0 else 0
                if failures >= 5:
                    self._set("failed", outcome)
                    return
                self._stop.wait(0.2 * failures)

    def _one_connection(self) -> str:
        video_r = video_w = None
        if (self.video or self.on_video is not None) and not self.video_absent:
            video_r, video_w = os.pipe()
        try:
            proc = spawn(
                self._command(video_w),
                "the RTMP ingest's ffmpeg",
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                bufsize=0,
                pass_fds=(video_w,) if video_w is not None else (),
            )
        finally:
            if video_w is not None:
                os.close(video_w)
        if video_r is not None:
            threading.Thread(
                target=self._read_video,
                args=(video_r,),
                name=f"rtmp-ingest-video-{self.task_id}",
                daemon=True,
            ).start()
        with self._lock:
            self._proc = proc
            _running.add(proc)
        if self._stop.is_set():
            proc.kill()
        threading.Thread(target=self._announce_listening, args=(proc,), daemon=True).start()
        decided = threading.Event()
        verdict = {"value": ""}
        key_named = {"value": False}
        tail: list[str] = []

        def read_log() -> None:
            assert proc.stderr is not None
            for raw in iter(proc.stderr.readline, b""):
                line = raw.decode("utf-8", "replace").strip()
                if not decided.is_set():
                    named = self._named_key(line)
                    if named is True:  # FCPublish and publish both name it; "refused" once is final
                        key_named["value"] = True
                        continue
                    m = None if named is False else _START.search(line)
                    if named is False or (m and not key_named["value"]):
                        verdict["value"] = "refused"
                        decided.set()
                        proc.kill()  # before a single sample is read
                        continue
                    if m:
                        self.stream_start = max(0.0, float(m.group(1)))
                        verdict["value"] = "accepted"
                        decided.set()
                        continue
                if "does not contain any stream" in line:
                    self.video_absent = True
                if "rtmp://" not in line and _NAMED not in line:  # a publisher's name may be the key
                    tail.append(line)
                    del tail[:-5]
            decided.set()

        reader = threading.Thread(target=read_log, name=f"rtmp-ingest-log-{self.task_id}", daemon=True)
        reader.start()
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        pending = b""
        accepted = False
        try:
            while True:
                chunk = os.read(fd, 3840)  # 40 ms of 48 kHz mono s16le
                if not chunk:
                    break
                if not accepted:
                    decided.wait(5.0)
                    if verdict["value"] != "accepted":
                        break
                    accepted = True
                    self.received_samples = 0
                    self.connections += 1
                    self._set("receiving", "")
                data = pending + chunk
                usable = len(data) - (len(data) % 2)
                pending = data[usable:]
                if usable:
                    at = self.received_seconds()
                    self.received_samples += usable // 2
                    self.last_audio_at = time.monotonic()
                    if self.on_audio is not None:
                        try:
                            self.on_audio(data[:usable], at)
                        except Exception as exc:  # noqa: BLE001 - a slow/broken player must not stop ingest
                            log.error("ingest audio consumer failed: %s", exc)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            reader.join(2.0)
            with self._lock:
                self._proc = None
                _running.discard(proc)
        if verdict["value"] == "refused":
            log.warning("Live task %s: an RTMP push with a wrong stream key was refused", self.task_id)
            return "refused"
        if accepted or verdict["value"] == "accepted":
            if not accepted:
                self.connections += 1
            log.info("Live task %s: the RTMP stream ended or dropped", self.task_id)
            return "dropped"
        return "; ".join(tail[-2:]) or f"ffmpeg ended with code {proc.returncode}"
