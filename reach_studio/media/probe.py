"""What is inside a media file or URL (duration, container, codecs, profile, bit rate): the project's ffprobe.

Two readers give the same `MediaInfo`: PyAV when it is installed (source runs, Windows and macOS builds),
else the `ffprobe` program (the Linux packages leave PyAV and its 100 MB of FFmpeg libraries out and
depend on Debian's ffmpeg, which has ffprobe). imageio-ffmpeg's binary has no ffprobe, so one of the two
must be present; `backend()` says which one is used (reach-studio doctor shows it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import ModuleType

from reach_studio.media.errors import MediaError

_STDERR_TAIL_CHARS = 2000


@dataclass(frozen=True)
class StreamInfo:
    kind: str  # "video" | "audio" (other kinds are reported with their own name, e.g. "data")
    codec: str  # e.g. "h264", "aac"
    profile: str | None = None  # e.g. "High", "LC"
    bit_rate: int | None = None  # bits per second, when the container says
    sample_rate: int | None = None
    channels: int | None = None
    width: int | None = None
    height: int | None = None
    level: int | None = None  # e.g. 30 for H.264 level 3.0


@dataclass(frozen=True)
class MediaInfo:
    duration_ms: int
    format_name: str  # ffmpeg demuxer name(s), e.g. "mov,mp4,m4a,3gp,3g2,mj2", "hls", "mpegts"
    streams: list[StreamInfo] = field(default_factory=list)
    bit_rate: int | None = None  # overall, bits per second

    @property
    def has_video(self) -> bool:
        return any(s.kind == "video" for s in self.streams)

    @property
    def has_audio(self) -> bool:
        return any(s.kind == "audio" for s in self.streams)

    def first(self, kind: str) -> StreamInfo | None:
        return next((s for s in self.streams if s.kind == kind), None)


def preload() -> None:
    """Load the probe's reader now. PyAV and Qt Multimedia each load FFmpeg's libraries, and two threads
    loading them at once (a worker probing, the GUI thread creating a player) were seen to hang both
    imports: the app calls this on its GUI thread once the window is up (ui/app.py)."""
    _pyav()


@lru_cache(maxsize=1)
def _pyav() -> ModuleType | None:
    """PyAV, imported on first use (it is heavy), or None when this build has none."""
    try:
        import av
    except ImportError:
        return None
    return av


@lru_cache(maxsize=1)
def ffprobe_exe() -> str | None:
    """`$REACH_STUDIO_FFPROBE`, else the ffprobe next to the ffmpeg in use, else the one on PATH."""
    override = os.environ.get("REACH_STUDIO_FFPROBE")
    if override:
        return override
    from reach_studio.media.ffmpeg import ffmpeg_exe

    try:
        ffmpeg = Path(ffmpeg_exe())
    except MediaError:
        ffmpeg = None
    if ffmpeg is not None:
        beside = ffmpeg.with_name(ffmpeg.name.replace("ffmpeg", "ffprobe", 1))
        if beside != ffmpeg and beside.is_file():
            return str(beside)
    return shutil.which("ffprobe")


def backend() -> str:
    """Which reader probe() uses here, e.g. "PyAV 14.2.0" or "ffprobe /usr/bin/ffprobe"."""
    av = _pyav()
    if av is not None:
        return f"PyAV {av.__version__}"
    exe = ffprobe_exe()
    if exe is None:
        raise MediaError("cannot read media: neither PyAV nor ffprobe (Debian package ffmpeg) is installed")
    return f"ffprobe {exe}"


def _checked_source(path_or_url: str | Path) -> str:
    source = str(path_or_url)
    if isinstance(path_or_url, Path) or "://" not in source:
        if not Path(source).is_file():
            raise MediaError(f"cannot read media: no such file: {source}")
    elif not source.lower().startswith(("http://", "https://")):
        raise MediaError(f"cannot read media: unsupported URL scheme in {source}")
    return source


def probe(path_or_url: str | Path, *, timeout: float = 20.0) -> MediaInfo:
    """Read the container and stream headers of a local file or an http(s) URL.

    `timeout` bounds each network wait; ffprobe as a whole is given three times that.
    Raises `MediaError` when the input is missing, not media, or cannot be reached.
    """
    source = _checked_source(path_or_url)
    av = _pyav()
    info = _probe_pyav(av, source, timeout) if av is not None else _probe_ffprobe(source, timeout)
    if not info.streams:
        raise MediaError(f"no audio or video streams in {source}")
    return info


def audio_packets(path: str | Path, *, timeout: float = 120.0) -> list[tuple[float, int]]:
    """(presentation time in seconds, size in bytes) of every packet of the first audio track; [] if none."""
    source = _checked_source(Path(path))
    av = _pyav()
    if av is None:
        return _packets_ffprobe(source, timeout)
    out: list[tuple[float, int]] = []
    try:
        with av.open(source) as container:
            if not container.streams.audio:
                return []
            stream = container.streams.audio[0]
            tb = stream.time_base
            for packet in container.demux(stream):
                if packet.pts is not None and tb is not None and packet.size:
                    out.append((float(packet.pts * tb), packet.size))
    except (av.error.FFmpegError, OSError) as exc:
        raise MediaError(f"cannot read {Path(source).name}: {exc}") from exc
    return out


# --- PyAV ---------------------------------------------------------------------------------------------


def _stream_info(stream) -> StreamInfo:
    ctx = stream.codec_context
    kind = stream.type or "unknown"
    codec = getattr(ctx, "name", None) or "unknown"
    profile = getattr(ctx, "profile", None) or None
    bit_rate = getattr(ctx, "bit_rate", None) or getattr(stream, "bit_rate", None) or None
    level = getattr(ctx, "level", None)
    info = StreamInfo(
        kind=kind,
        codec=codec,
        profile=profile,
        bit_rate=int(bit_rate) if bit_rate else None,
        level=level if level and level > 0 else None,
    )
    if kind == "audio":
        layout = getattr(ctx, "layout", None)
        channels = getattr(ctx, "channels", None) or (len(layout.channels) if layout is not None else None)
        return StreamInfo(**{**info.__dict__, "sample_rate": ctx.sample_rate or None, "channels": channels})
    if kind == "video":
        return StreamInfo(**{**info.__dict__, "width": ctx.width or None, "height": ctx.height or None})
    return info


def _duration_ms(container) -> int:
    if container.duration is not None and container.duration > 0:
        return round(container.duration / 1000)  # AV_TIME_BASE is microseconds
    best = 0.0
    for stream in container.streams:
        if stream.duration is not None and stream.time_base is not None:
            best = max(best, float(stream.duration * stream.time_base))
    return round(best * 1000)


def _probe_pyav(av: ModuleType, source: str, timeout: float) -> MediaInfo:
    try:
        with av.open(source, timeout=timeout) as container:
            overall = container.bit_rate or None
            return MediaInfo(
                duration_ms=_duration_ms(container),
                format_name=container.format.name,
                streams=[_stream_info(s) for s in container.streams],
                bit_rate=int(overall) if overall else None,
            )
    except (av.error.FFmpegError, OSError, ValueError, UnicodeDecodeError) as exc:
        raise MediaError(f"cannot read media {source}: {exc}") from exc


# --- ffprobe ------------------------------------------------------------------------------------------


def _run_ffprobe(args: list[str], source: str, timeout: float) -> str:
    exe = ffprobe_exe()
    if exe is None:
        raise MediaError(
            f"cannot read media {source}: neither PyAV nor ffprobe (Debian package ffmpeg) is installed"
        )
    network = ["-rw_timeout", str(int(timeout * 1_000_000))] if "://" in source else []
    cmd = [exe, "-v", "error", *network, *args, "-i", source]
    from reach_studio.media.ffmpeg import spawn

    try:
        proc = spawn(cmd, "ffprobe", stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as exc:
        raise MediaError(f"cannot read media {source}: cannot run ffprobe ({exc})") from exc
    try:
        out, err = proc.communicate(timeout=timeout * 3)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise MediaError(
            f"cannot read media {source}: ffprobe took longer than {timeout * 3:.0f} s"
        ) from None
    if proc.returncode != 0:
        detail = err.decode("utf-8", "replace").strip()[-_STDERR_TAIL_CHARS:] or "(no output)"
        raise MediaError(f"cannot read media {source}: {detail}")
    return out.decode("utf-8", "replace")


def _int(value) -> int | None:
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _seconds(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def media_info_from_ffprobe(data: dict) -> MediaInfo:
    """`ffprobe -print_format json -show_format -show_streams` output as MediaInfo (PyAV's field meanings)."""
    fmt = data.get("format") or {}
    streams = []
    longest = 0.0
    for s in data.get("streams") or []:
        kind = s.get("codec_type") or "unknown"
        audio, video = kind == "audio", kind == "video"
        streams.append(
            StreamInfo(
                kind=kind,
                codec=s.get("codec_name") or "unknown",
                profile=s.get("profile") if s.get("profile") not in (None, "", "unknown") else None,
                bit_rate=_int(s.get("bit_rate")),
                sample_rate=_int(s.get("sample_rate")) if audio else None,
                channels=_int(s.get("channels")) if audio else None,
                width=_int(s.get("width")) if video else None,
                height=_int(s.get("height")) if video else None,
                level=_int(s.get("level")) if video else None,
            )
        )
        longest = max(longest, _seconds(s.get("duration")) or 0.0)
    duration = _seconds(fmt.get("duration")) or longest
    return MediaInfo(
        duration_ms=round(duration * 1000),
        format_name=fmt.get("format_name") or "unknown",
        streams=streams,
        bit_rate=_int(fmt.get("bit_rate")),
    )


def _probe_ffprobe(source: str, timeout: float) -> MediaInfo:
    out = _run_ffprobe(["-print_format", "json", "-show_format", "-show_streams"], source, timeout)
    try:
        data = json.loads(out)
    except ValueError as exc:
        raise MediaError(f"cannot read media {source}: ffprobe answered no JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise MediaError(f"cannot read media {source}: ffprobe answered no JSON object")
    return media_info_from_ffprobe(data)


def _packets_ffprobe(source: str, timeout: float) -> list[tuple[float, int]]:
    args = ["-select_streams", "a:0", "-show_entries", "packet=pts_time,size", "-of", "csv=p=0"]
    out: list[tuple[float, int]] = []
    for line in _run_ffprobe(args, source, timeout).splitlines():
        fields = line.split(",")  # a packet with side data (e.g. AAC priming) ends in an extra ","
        try:
            packet = (float(fields[0]), int(fields[1]))
        except (ValueError, IndexError):  # "N/A" time (as PyAV's pts None) or a side-data line
            continue
        if packet[1] > 0:
            out.append(packet)
    return out
