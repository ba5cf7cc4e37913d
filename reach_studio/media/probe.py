"""What is inside a media file or URL (duration, container, codecs, profile, bit rate), read with PyAV.

imageio-ffmpeg ships no ffprobe, so this module is the project's ffprobe: downloads are verified with it
and audio deliveries are checked with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reach_studio.media.errors import MediaError


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


@dataclass(frozen=True)
class MediaInfo:
    duration_ms: int
    format_name: str  # PyAV/ffmpeg demuxer name(s), e.g. "mov,mp4,m4a,3gp,3g2,mj2", "hls", "mpegts"
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


def _stream_info(stream) -> StreamInfo:
    ctx = stream.codec_context
    kind = stream.type or "unknown"
    codec = getattr(ctx, "name", None) or "unknown"
    profile = getattr(ctx, "profile", None) or None
    bit_rate = getattr(ctx, "bit_rate", None) or getattr(stream, "bit_rate", None) or None
    info = StreamInfo(kind=kind, codec=codec, profile=profile, bit_rate=int(bit_rate) if bit_rate else None)
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


def probe(path_or_url: str | Path, *, timeout: float = 20.0) -> MediaInfo:
    """Read the container and stream headers of a local file or an http(s) URL.

    Raises `MediaError` when the input is missing, not media, or cannot be reached.
    """
    import av  # imported here: PyAV is heavy and only needed when probing

    source = str(path_or_url)
    if isinstance(path_or_url, Path) or "://" not in source:
        if not Path(source).is_file():
            raise MediaError(f"cannot read media: no such file: {source}")
    elif not source.lower().startswith(("http://", "https://")):
        raise MediaError(f"cannot read media: unsupported URL scheme in {source}")
    try:
        with av.open(source, timeout=timeout) as container:
            streams = [_stream_info(s) for s in container.streams]
            if not streams:
                raise MediaError(f"no audio or video streams in {source}")
            overall = container.bit_rate or None
            return MediaInfo(
                duration_ms=_duration_ms(container),
                format_name=container.format.name,
                streams=streams,
                bit_rate=int(overall) if overall else None,
            )
    except MediaError:
        raise
    except (av.error.FFmpegError, OSError, ValueError, UnicodeDecodeError) as exc:
        raise MediaError(f"cannot read media {source}: {exc}") from exc
