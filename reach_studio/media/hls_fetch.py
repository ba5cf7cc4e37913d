"""Fast, resumable HLS download: pick a variant, fetch its segments in parallel, remux to one local MP4.

ffmpeg alone reads an HLS playlist one segment at a time, so on a CDN with latency per request a one-hour
flavor takes minutes; fetching segments with a few parallel workers and remuxing once (`-c copy`) is several
times faster. Segments land under a work folder and count as done only once renamed from their temp name,
so an interrupted download resumes with what is already on disk.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import m3u8
import requests

from reach_studio import backoff
from reach_studio.bounded_http import Limits
from reach_studio.domain.progress import Cancelled, CancelToken, ProgressCallback
from reach_studio.key_scope import KeyScope
from reach_studio.media.errors import MediaError, redact
from reach_studio.media.ffmpeg import run_ffmpeg
from reach_studio.media.probe import MediaInfo, probe
from reach_studio.media.transfer import (
    SlowBudget,
    TransientError,
    cancellable_get,
    check_http_url,
    describe,
    new_session,
    raise_for_status,
)

MAX_PLAYLIST_BYTES = 8 * 1024 * 1024
MAX_SEGMENTS = 50_000  # 2 s segments for more than 27 hours: anything above is not a real VOD flavor
MAX_SEGMENT_BYTES = 512 * 1024 * 1024
MAX_NESTING = 3
PLAYLIST_LIMITS = Limits(
    deadline_s=60.0,
    header_timeout_s=30.0,
    min_rate_bps=4096,
    rate_window_s=15.0,
    max_bytes=MAX_PLAYLIST_BYTES,
)
SEGMENT_LIMITS = Limits(
    deadline_s=None,
    header_timeout_s=30.0,
    min_rate_bps=16 * 1024,
    rate_window_s=20.0,
    max_bytes=MAX_SEGMENT_BYTES,
)
_AUDIO_CODECS = ("mp4a", "ac-3", "ec-3", "opus", "mp3", "flac")


@dataclass(frozen=True)
class VariantInfo:
    url: str
    bandwidth: int | None
    width: int | None
    height: int | None
    codecs: str | None
    audio_only: bool


@dataclass(frozen=True)
class HlsFetchResult:
    path: Path
    info: MediaInfo
    variant: VariantInfo | None  # None when a media playlist was given directly
    segments: int
    reused_segments: int  # already complete on disk from an earlier, interrupted run
    bytes_downloaded: int


@dataclass(frozen=True)
class SegmentArrived:
    """One segment complete on disk, for whoever uses the media before the whole download is done
    (the waveform drawn as audio arrives). `init_path` is the fMP4 init section to put in front, if any."""

    index: int
    path: Path
    start_ms: int
    duration_ms: int
    init_path: Path | None = None


@dataclass(frozen=True)
class _Segment:
    index: int
    url: str
    duration_s: float
    byterange: tuple[int, int] | None  # (offset, length)


def _get_text(
    session: requests.Session, url: str, net: _Net, token: CancelToken | None, retries: int
) -> tuple[str, str]:
    """Fetch a playlist with retries and a size cap (a hostile server could stream forever)."""
    check_http_url(url)
    what = describe(url)
    delays = backoff.delays(retries)
    slow = SlowBudget()
    while True:
        if token is not None:
            token.raise_if_cancelled()
        try:
            with cancellable_get(session, url, token=token, limits=PLAYLIST_LIMITS, **net.kwargs()) as got:
                raise_for_status(got.response, what)
                body = bytearray()
                for chunk in got.chunks():
                    body += chunk
                final_url = got.response.url
            # after redirects, relative URIs resolve against the final URL
            return body.decode("utf-8-sig", "replace"), final_url
        except (TransientError, requests.ConnectionError, requests.Timeout) as exc:
            slow.check(exc, f"playlist {what}")
            try:
                delay = next(delays)
            except StopIteration:
                detail = str(exc) if isinstance(exc, TransientError) else type(exc).__name__
                raise MediaError(f"cannot fetch playlist {what}: {detail}") from None
            backoff.sleep_unless_cancelled(delay, token)
        except requests.RequestException as exc:
            raise MediaError(f"cannot fetch playlist {what}: {type(exc).__name__}") from exc


@dataclass(frozen=True)
class _Net:
    """What every request of one HLS fetch sends: plain headers, and the key only to hosts in scope."""

    headers: dict[str, str]
    secret_headers: dict[str, str] | None
    key_scope: KeyScope | None

    def kwargs(self) -> dict:
        return {"headers": self.headers, "secret_headers": self.secret_headers, "key_scope": self.key_scope}


def _parse(text: str, url: str, base: str) -> tuple[m3u8.M3U8, str]:
    if not text.lstrip().startswith("#EXTM3U"):
        raise MediaError(f"{describe(url)} is not an HLS playlist (no #EXTM3U header)")
    try:
        playlist = m3u8.loads(text)
    except Exception as exc:  # m3u8 raises assorted errors on malformed input
        raise MediaError(f"{describe(url)} is not a readable HLS playlist: {type(exc).__name__}") from exc
    return playlist, base


def _variants(playlist: m3u8.M3U8, base: str) -> list[VariantInfo]:
    out = []
    for item in playlist.playlists:
        info = item.stream_info
        resolution = info.resolution if info is not None else None
        codecs = (info.codecs if info is not None else None) or None
        codec_list = [c.strip().lower() for c in (codecs or "").split(",") if c.strip()]
        audio_only = bool(codec_list) and all(c.startswith(_AUDIO_CODECS) for c in codec_list)
        if not codec_list and resolution is None and info is not None and (info.bandwidth or 0) <= 256_000:
            audio_only = True  # no CODECS attribute: a low bandwidth without a picture size is audio
        out.append(
            VariantInfo(
                url=urljoin(base, item.uri),
                bandwidth=info.bandwidth if info is not None else None,
                width=resolution[0] if resolution else None,
                height=resolution[1] if resolution else None,
                codecs=codecs,
                audio_only=audio_only,
            )
        )
    for media in playlist.media:
        if (media.type or "").upper() == "AUDIO" and media.uri:
            out.append(VariantInfo(urljoin(base, media.uri), None, None, None, None, audio_only=True))
    return out


def choose_variant(
    variants: list[VariantInfo],
    *,
    audio_only: bool = False,
    max_height: int | None = None,
    highest: bool = False,
) -> VariantInfo:
    """The variant to download. Audio work takes an audio-only variant when there is one (else the lightest
    variant, whose picture is dropped at remux); picture work takes the lightest video variant, or the
    heaviest with `highest`, within `max_height`."""
    if not variants:
        raise MediaError("the HLS master playlist lists no variants")

    def bw(v: VariantInfo) -> int:
        return v.bandwidth if v.bandwidth is not None else 1 << 40

    if audio_only:
        audios = [v for v in variants if v.audio_only]
        return min(audios or variants, key=bw)
    videos = [v for v in variants if not v.audio_only] or variants
    if max_height is not None:
        fitting = [v for v in videos if v.height is None or v.height <= max_height]
        videos = fitting or [min(videos, key=lambda v: v.height or 0)]
    return (max if highest else min)(videos, key=bw)


def _segments(playlist: m3u8.M3U8, base: str) -> tuple[list[_Segment], str | None]:
    keys = [k for k in playlist.keys if k is not None and (k.method or "NONE").upper() != "NONE"]
    if keys:
        raise MediaError("encrypted HLS (EXT-X-KEY) is not supported")
    if len(playlist.segments) > MAX_SEGMENTS:
        raise MediaError(
            f"the HLS playlist lists {len(playlist.segments)} segments, more than {MAX_SEGMENTS}"
        )
    if not playlist.segments:
        raise MediaError("the HLS playlist lists no segments")
    segments: list[_Segment] = []
    next_offset = 0
    for i, seg in enumerate(playlist.segments):
        if not seg.uri:
            raise MediaError(f"HLS segment {i} has no URI")
        url = check_http_url(urljoin(base, seg.uri))
        byterange = None
        if seg.byterange:
            length, _, offset = seg.byterange.partition("@")
            start = int(offset) if offset else next_offset
            byterange = (start, int(length))
            next_offset = start + int(length)
        segments.append(_Segment(i, url, float(seg.duration or 0.0), byterange))
    init_url = None
    maps = [s.init_section for s in playlist.segments if s.init_section is not None]
    if maps:
        init_url = check_http_url(urljoin(base, maps[0].uri))
    return segments, init_url


def _resolve_media_playlist(
    session: requests.Session,
    url: str,
    net: _Net,
    token: CancelToken | None,
    retries: int,
    choose: Callable[[list[VariantInfo]], VariantInfo],
) -> tuple[m3u8.M3U8, str, VariantInfo | None]:
    chosen: VariantInfo | None = None
    for _ in range(MAX_NESTING):
        text, final_url = _get_text(session, url, net, token, retries)
        playlist, base = _parse(text, url, final_url)
        if not playlist.is_variant:
            return playlist, base, chosen
        chosen = choose(_variants(playlist, base))
        url = check_http_url(chosen.url)
    raise MediaError("HLS master playlists nest too deeply")


def _signature(segments: list[_Segment], init_url: str | None) -> str:
    """Identity of the segment list, without the KS (a renewed access key must not discard finished work)."""
    h = hashlib.sha256()
    for url in ([init_url] if init_url else []) + [s.url for s in segments]:
        h.update(redact(url.split("?", 1)[0]).encode())
        h.update(b"\n")
    return h.hexdigest()


class _Downloader:
    def __init__(self, net: _Net, retries: int, token: CancelToken | None, stop: threading.Event):
        self.net = net
        self.retries = retries
        self.token = token
        self.stop = stop
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()
        self.bytes = 0

    def session(self) -> requests.Session:
        s = getattr(self._local, "session", None)
        if s is None:
            s = self._local.session = new_session()
            with self._lock:
                self._sessions.append(s)
        return s

    def close(self) -> None:
        for s in self._sessions:
            s.close()

    def _check(self) -> None:
        if self.stop.is_set():
            raise Cancelled()
        if self.token is not None:
            self.token.raise_if_cancelled()

    def fetch(self, url: str, dest: Path, byterange: tuple[int, int] | None, what: str) -> None:
        """Download one segment to `dest` (via a temp name) with retries; a no-op when it is already there."""
        if dest.exists():
            return
        # a name of its own per call: a worker abandoned by a cancel can never write into a resumed run's file
        tmp = dest.with_name(f"{dest.name}.{uuid.uuid4().hex[:8]}.tmp")
        delays = backoff.delays(self.retries)
        slow = SlowBudget()
        headers = dict(self.net.headers)
        headers["Accept-Encoding"] = "identity"
        if byterange is not None:
            headers["Range"] = f"bytes={byterange[0]}-{byterange[0] + byterange[1] - 1}"
        try:
            while True:
                self._check()
                try:
                    size = 0
                    with cancellable_get(
                        self.session(),
                        url,
                        headers=headers,
                        secret_headers=self.net.secret_headers,
                        key_scope=self.net.key_scope,
                        token=self.token,
                        stop=self.stop,
                        limits=SEGMENT_LIMITS,
                    ) as got:
                        response = got.response
                        raise_for_status(response, what)
                        if byterange is not None and response.status_code != 206:
                            raise MediaError(f"the server ignored the byte range of {what}")
                        expected = response.headers.get("Content-Length")
                        with open(tmp, "wb") as fh:
                            try:
                                for chunk in got.chunks():
                                    self._check()
                                    fh.write(chunk)
                                    size += len(chunk)
                            except (
                                requests.exceptions.ChunkedEncodingError,
                                requests.ConnectionError,
                            ) as exc:
                                raise TransientError(f"connection lost during {what}") from exc
                    if expected and expected.isdigit() and size != int(expected):
                        raise TransientError(f"{what} was cut short ({size} of {expected} bytes)")
                    if size == 0:
                        raise TransientError(f"{what} came back empty")
                    os.replace(tmp, dest)
                    with self._lock:
                        self.bytes += size
                    return
                except (TransientError, requests.ConnectionError, requests.Timeout) as exc:
                    slow.check(exc, what)
                    try:
                        delay = next(delays)
                    except StopIteration:
                        detail = str(exc) if isinstance(exc, TransientError) else type(exc).__name__
                        raise MediaError(
                            f"{what} failed after {self.retries + 1} attempts: {detail}"
                        ) from None
                    backoff.sleep_unless_cancelled(delay, self.token, self.stop)
                except requests.RequestException as exc:
                    raise MediaError(f"{what} failed: {type(exc).__name__}") from exc
        finally:
            tmp.unlink(missing_ok=True)


def segments_dir(dest: Path) -> Path:
    """Where the segments of the download into `dest` are kept until it is joined (a hidden folder beside it)."""
    dest = Path(dest)
    return dest.with_name(f".{dest.name}.segments")


def fetch_hls(
    url: str,
    dest: Path,
    *,
    audio_only: bool = False,
    max_height: int | None = None,
    highest: bool = False,
    expected_duration_ms: int | None = None,
    workers: int = 8,
    retries: int = 5,
    headers: dict[str, str] | None = None,
    secret_headers: dict[str, str] | None = None,
    key_scope: KeyScope | None = None,
    progress: ProgressCallback | None = None,
    token: CancelToken | None = None,
    work_dir: Path | None = None,
    keep_work_dir: bool = False,
    on_segment: Callable[[SegmentArrived], None] | None = None,
) -> HlsFetchResult:
    """Download the HLS stream at `url` (master or media playlist) into the MP4 file `dest`.

    Variant choice: see `choose_variant`. With `audio_only` the output holds only the audio track.
    Progress is (segments done, segments total). Segments are kept in `work_dir` (default: a hidden
    folder beside `dest`) until the remux succeeds, so a cancelled or failed run resumes where it stopped.
    The result is probed; with `expected_duration_ms` a difference over one second is a `MediaError`.
    `secret_headers` (the KS) go only to hosts in `key_scope` (default: the host of `url`), never to
    another host a playlist or a redirect names; `headers` go everywhere.
    `on_segment` is told of every segment complete on disk (those kept from an earlier run first), from
    this thread: it must only hand the event on. The files go away once the MP4 is made.
    """
    if workers < 1:
        raise MediaError("at least one download worker is needed")
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(work_dir) if work_dir is not None else segments_dir(dest)
    net = _Net(dict(headers or {}), secret_headers, key_scope or KeyScope.of([url]))
    session = new_session()
    try:
        playlist, base, variant = _resolve_media_playlist(
            session,
            check_http_url(url),
            net,
            token,
            retries,
            lambda vs: choose_variant(vs, audio_only=audio_only, max_height=max_height, highest=highest),
        )
    finally:
        session.close()
    segments, init_url = _segments(playlist, base)
    signature = _signature(segments, init_url)
    state_file = work / "playlist.json"
    if work.exists():
        try:
            same = json.loads(state_file.read_text("utf-8")).get("signature") == signature
        except (OSError, ValueError, AttributeError):
            same = False
        if not same:
            shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    state_file.write_text(json.dumps({"signature": signature, "segments": len(segments)}), "utf-8")

    def seg_path(i: int) -> Path:
        return work / f"seg_{i:06d}.bin"

    reused = sum(1 for s in segments if seg_path(s.index).exists())
    total = len(segments)
    done = reused
    if progress is not None:
        progress(done, total)
    stop = threading.Event()
    downloader = _Downloader(net, retries, token, stop)
    init_path = work / "init.bin" if init_url else None
    starts_ms: list[int] = []
    elapsed_s = 0.0
    for s in segments:
        starts_ms.append(round(elapsed_s * 1000))
        elapsed_s += s.duration_s

    def arrived(s: _Segment) -> None:
        if on_segment is not None:
            on_segment(
                SegmentArrived(
                    s.index, seg_path(s.index), starts_ms[s.index], round(s.duration_s * 1000), init_path
                )
            )

    try:
        if init_url and init_path is not None:
            downloader.fetch(init_url, init_path, None, "HLS init segment")
        pending = [s for s in segments if not seg_path(s.index).exists()]
        for s in segments:
            if seg_path(s.index).exists():
                arrived(s)
        pool = ThreadPoolExecutor(
            max_workers=min(workers, max(1, len(pending))), thread_name_prefix="hls-seg"
        )
        futures: dict[Future, _Segment] = {
            pool.submit(
                downloader.fetch, s.url, seg_path(s.index), s.byterange, f"HLS segment {s.index + 1}/{total}"
            ): s
            for s in pending
        }
        try:
            while futures:
                finished, _ = wait(futures, timeout=0.1, return_when=FIRST_EXCEPTION)
                for fut in sorted(finished, key=lambda f: futures[f].index):
                    fut.result()  # raises the segment's error
                    done += 1
                    arrived(futures.pop(fut))
                if finished and progress is not None:
                    progress(done, total)
                if token is not None and token.cancelled:
                    raise Cancelled()
        except BaseException:
            # do not wait for a worker stuck in a slow request: it sees `stop` at its next chunk or times out
            stop.set()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
    finally:
        downloader.close()

    joined = work / "joined.bin"
    with open(joined, "wb") as out:
        if init_path is not None:
            with open(init_path, "rb") as fh:
                shutil.copyfileobj(fh, out, 1 << 20)
        for s in segments:
            with open(seg_path(s.index), "rb") as fh:
                shutil.copyfileobj(fh, out, 1 << 20)
    tmp_out = dest.with_name(f".{dest.name}.remux.tmp")
    maps = ["-map", "0:a:0", "-vn"] if audio_only else ["-map", "0:v:0?", "-map", "0:a:0?"]
    media_ms = round(sum(s.duration_s for s in segments) * 1000)
    try:
        run_ffmpeg(
            ["-i", str(joined), *maps, "-c", "copy", "-movflags", "+faststart", "-f", "mp4", str(tmp_out)],
            duration_ms=media_ms or None,
            token=token,
            timeout=max(120.0, media_ms / 1000 / 10),
        )
    except MediaError as exc:
        tmp_out.unlink(missing_ok=True)
        raise MediaError(f"the downloaded HLS segments could not be joined into an MP4: {exc}") from exc
    except BaseException:
        tmp_out.unlink(missing_ok=True)
        raise
    finally:
        joined.unlink(missing_ok=True)
    try:
        info = probe(tmp_out)
        if audio_only and (info.has_video or not info.has_audio):
            raise MediaError("the downloaded HLS stream has no audio track")
        if expected_duration_ms is not None and abs(info.duration_ms - expected_duration_ms) > 1000:
            raise MediaError(
                f"the downloaded media lasts {info.duration_ms / 1000:.1f} s, "
                f"the entry {expected_duration_ms / 1000:.1f} s"
            )
    except BaseException:
        tmp_out.unlink(missing_ok=True)
        raise
    os.replace(tmp_out, dest)
    if not keep_work_dir:
        shutil.rmtree(work, ignore_errors=True)
    return HlsFetchResult(
        path=dest,
        info=info,
        variant=variant,
        segments=total,
        reused_segments=reused,
        bytes_downloaded=downloader.bytes,
    )
