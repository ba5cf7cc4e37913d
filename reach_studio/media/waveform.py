"""Waveform peaks for the timeline: ffmpeg decodes to mono PCM through a pipe, numpy reduces it to min/max.

Like Subtitle Edit, peaks are computed once per media file in the background and cached beside the media
(`<name>.peaks.npz`, keyed by the file's size and mtime), so reopening a task shows the waveform at once.
The hour of audio is never held in memory: PCM is reduced chunk by chunk at the finest zoom level, and the
coarser levels are built from that.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from reach_studio.domain.progress import Cancelled, CancelToken, ProgressCallback
from reach_studio.media.errors import MediaError
from reach_studio.media.ffmpeg import open_ffmpeg_pipe
from reach_studio.media.probe import probe

DEFAULT_SAMPLE_RATE = 8000
DEFAULT_LEVELS = (256, 1024, 4096, 16384)
CACHE_VERSION = 1
_CHUNK_BLOCKS = 2048  # finest-level peaks per pipe read: 2048 x 256 samples = 1 MB of PCM

log = logging.getLogger(__name__)


@dataclass
class Waveform:
    """Min/max peaks (int16) per zoom level, keyed by how many PCM samples each peak covers."""

    sample_rate: int
    duration_ms: int
    levels: dict[int, np.ndarray] = field(default_factory=dict)  # spp -> array (n, 2): min, max
    from_cache: bool = False
    arrived: tuple[tuple[int, int], ...] | None = None  # ms ranges decoded so far; None = all of it

    def ms_per_peak(self, samples_per_peak: int) -> float:
        return samples_per_peak * 1000.0 / self.sample_rate

    def best_level(self, ms_per_pixel: float) -> int:
        """The coarsest level that still has at least one peak per pixel (the finest when zoomed in further)."""
        fitting = [spp for spp in self.levels if self.ms_per_peak(spp) <= ms_per_pixel]
        return max(fitting) if fitting else min(self.levels)

    def peaks_between(self, start_ms: float, end_ms: float, pixels: int) -> tuple[np.ndarray, np.ndarray]:
        """(mins, maxs) as floats in -1..1, `pixels` values covering start_ms..end_ms (zeros outside the media)."""
        if pixels <= 0 or end_ms <= start_ms or not self.levels:
            return np.zeros(0, np.float32), np.zeros(0, np.float32)
        spp = self.best_level((end_ms - start_ms) / pixels)
        data = self.levels[spp]
        per = self.ms_per_peak(spp)
        edges = np.linspace(start_ms / per, end_ms / per, pixels + 1)
        n = len(data)
        lo = np.clip(np.floor(edges[:-1]).astype(np.int64), 0, n)
        hi = np.clip(np.ceil(edges[1:]).astype(np.int64), 0, n)
        mins = np.zeros(pixels, np.float32)
        maxs = np.zeros(pixels, np.float32)
        idx = np.flatnonzero((edges[1:] > 0) & (lo < n))
        if len(idx):
            # reduceat over the pixel starts: each pixel gets the peaks up to the next pixel's start
            # (one peak stretched over several pixels when zoomed in past the finest level)
            sub = data[: max(int(hi[idx[-1]]), int(lo[idx[-1]]) + 1)]
            mins[idx] = np.minimum.reduceat(sub[:, 0], lo[idx]) / 32768.0
            maxs[idx] = np.maximum.reduceat(sub[:, 1], lo[idx]) / 32768.0
        return mins, maxs


class SegmentPiece(Protocol):
    """A piece of the stream on disk (media.hls_fetch.SegmentArrived has these fields)."""

    index: int
    path: Path
    start_ms: int
    init_path: Path | None


def cache_path(media: Path) -> Path:
    """Where the peaks of `media` are cached: beside it, or in the app cache if that folder is read-only."""
    media = Path(media)
    beside = media.with_name(media.name + ".peaks.npz")
    if os.access(media.parent, os.W_OK):
        return beside
    from reach_studio.paths import cache_dir

    digest = hashlib.sha256(str(media.resolve()).encode()).hexdigest()[:20]
    folder = cache_dir() / "peaks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{digest}.peaks.npz"


def _cache_key(media: Path, sample_rate: int, levels: tuple[int, ...]) -> np.ndarray:
    st = media.stat()
    return np.array([CACHE_VERSION, st.st_size, st.st_mtime_ns, sample_rate, *levels], dtype=np.int64)


def _load_cache(path: Path, key: np.ndarray) -> Waveform | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            if not np.array_equal(data["key"], key):
                return None
            sample_rate, duration_ms = (int(v) for v in data["meta"])
            levels = {int(k[1:]): data[k] for k in data.files if k.startswith("l")}
    except (OSError, ValueError, KeyError, EOFError):
        return None
    return Waveform(sample_rate, duration_ms, levels, from_cache=True)


def _save_cache(path: Path, key: np.ndarray, wave: Waveform) -> bool:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(
                fh,
                key=key,
                meta=np.array([wave.sample_rate, wave.duration_ms], dtype=np.int64),
                **{f"l{spp}": arr for spp, arr in wave.levels.items()},
            )
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)  # a cache we cannot write is not an error
        return False
    return True


def _reduce(blocks: np.ndarray) -> np.ndarray:
    """(n, spp) samples -> (n, 2) min/max."""
    return np.stack([blocks.min(axis=1), blocks.max(axis=1)], axis=1)


def _coarser(fine: np.ndarray, factor: int) -> np.ndarray:
    n = len(fine)
    if n == 0:
        return fine.copy()
    full = n // factor
    parts = []
    if full:
        grouped = fine[: full * factor].reshape(full, factor, 2)
        parts.append(np.stack([grouped[:, :, 0].min(axis=1), grouped[:, :, 1].max(axis=1)], axis=1))
    if n % factor:
        rest = fine[full * factor :]
        parts.append(np.array([[rest[:, 0].min(), rest[:, 1].max()]], dtype=fine.dtype))
    return np.concatenate(parts)


def compute_waveform(
    media: Path,
    *,
    sample_rate: int = DEFAULT_SAMPLE_RATE,
    levels: tuple[int, ...] = DEFAULT_LEVELS,
    progress: ProgressCallback | None = None,
    token: CancelToken | None = None,
    use_cache: bool = True,
    timeout: float = 600.0,
) -> Waveform:
    """Peaks of the first audio track of `media`; progress is (decoded_ms, duration_ms).

    Returns the cached peaks when the file has not changed. Cancel kills ffmpeg and raises `Cancelled`.
    """
    media = Path(media)
    levels = tuple(sorted(set(levels)))
    if not levels or levels[0] < 1 or any(spp % levels[0] for spp in levels):
        raise MediaError(f"waveform levels must be positive multiples of the finest one, not {levels}")
    if not media.is_file():
        raise MediaError(f"cannot draw a waveform: no such file: {media}")
    key = _cache_key(media, sample_rate, levels)
    cache = cache_path(media)
    if use_cache and cache.is_file():
        cached = _load_cache(cache, key)
        if cached is not None:
            return cached
    info = probe(media)
    if not info.has_audio:
        raise MediaError(f"{media.name} has no audio track to draw a waveform from")
    total_ms = info.duration_ms
    finest = levels[0]
    block_bytes = finest * 2
    chunk_bytes = block_bytes * _CHUNK_BLOCKS
    pieces: list[np.ndarray] = []
    carry = b""
    samples = 0
    buf = bytearray(chunk_bytes)
    view = memoryview(buf)
    # A recorded take is plain PCM in WAV; ffmpeg's content probe can mistake a steady tone for MPEG-TS
    # (seen with a 1 kHz take), so the WAV demuxer is named for .wav files.
    demuxer = ["-f", "wav"] if Path(media).suffix.lower() == ".wav" else []
    args = [*demuxer, "-i", str(media), "-map", "0:a:0", "-vn", "-sn", "-dn", "-ac", "1", "-ar", str(sample_rate),
            "-f", "s16le", "-acodec", "pcm_s16le", "pipe:1"]  # fmt: skip
    with open_ffmpeg_pipe(args) as pipe:
        stream = pipe.stdout
        while True:
            if token is not None:
                token.raise_if_cancelled()
            n = stream.readinto(buf)
            if not n:
                break
            data = carry + bytes(view[:n]) if carry else view[:n]
            whole = len(data) // block_bytes * block_bytes
            if whole:
                pcm = np.frombuffer(data[:whole], dtype="<i2")
                pieces.append(_reduce(pcm.reshape(-1, finest)))
                samples += len(pcm)
            carry = bytes(data[whole:])
            if progress is not None:
                done = samples * 1000 // sample_rate
                progress(min(done, total_ms) if total_ms else done, total_ms)
        if len(carry) >= 2:
            pcm = np.frombuffer(carry[: len(carry) // 2 * 2], dtype="<i2")
            pieces.append(_reduce(pcm.reshape(1, -1)))
            samples += len(pcm)
        pipe.finish(timeout=timeout)
    fine = np.concatenate(pieces) if pieces else np.zeros((0, 2), np.int16)
    wave = Waveform(sample_rate=sample_rate, duration_ms=samples * 1000 // sample_rate, levels={finest: fine})
    for spp in levels[1:]:
        wave.levels[spp] = _coarser(fine, spp // finest)
    if progress is not None:
        progress(total_ms or wave.duration_ms, total_ms or wave.duration_ms)
    if use_cache:
        _save_cache(cache, key, wave)
    return wave


def adopt_as_cache(media: Path, wave: Waveform, duration_ms: int, *, tolerance_ms: int = 1000) -> bool:
    """Keep `wave` (drawn from the stream's segments as they downloaded) as `media`'s cached peaks, so the
    complete file is not decoded a second time (an hour of audio is a minute of ffmpeg on a busy laptop).

    Only when it is the same audio, all of it: the file was joined from exactly these segments (`-c copy`),
    the decoded ranges cover it from start to end (`duration_ms`, within `tolerance_ms`) with no hole, and
    the levels are compute_waveform's defaults. Returns whether it was saved.
    """
    media = Path(media)
    levels = tuple(sorted(wave.levels))
    if wave.arrived is None or len(wave.arrived) != 1 or levels != DEFAULT_LEVELS:
        return False
    start, end = wave.arrived[0]
    if start > tolerance_ms or end < duration_ms - tolerance_ms or not media.is_file():
        return False
    finest = levels[0]
    blocks = -(-max(1, duration_ms) * wave.sample_rate // 1000 // finest)
    fine = wave.levels[finest][:blocks]
    if len(fine) < blocks:
        fine = np.concatenate([fine, np.zeros((blocks - len(fine), 2), fine.dtype)])
    kept = Waveform(wave.sample_rate, int(duration_ms), {finest: fine})
    for spp in levels[1:]:
        kept.levels[spp] = _coarser(fine, spp // finest)
    return _save_cache(cache_path(media), _cache_key(media, wave.sample_rate, levels), kept)


# -- while the media downloads --------------------------------------------------------------------------


class GrowingWaveform:
    """The peaks of media that arrives piece by piece (HLS segments while they download).

    Decoded audio is placed at its time in an array covering the whole entry, so the timeline shows
    the waveform filling in where audio has arrived; `snapshot()` hands the GUI a copy it may keep.
    """

    def __init__(
        self,
        duration_ms: int,
        *,
        sample_rate: int = DEFAULT_SAMPLE_RATE,
        levels: tuple[int, ...] = DEFAULT_LEVELS,
    ) -> None:
        self.levels = tuple(sorted(set(levels)))
        self.sample_rate = sample_rate
        self.duration_ms = max(0, int(duration_ms))
        self.finest = self.levels[0]
        blocks = self.duration_ms * sample_rate // 1000 // self.finest + 1
        self._fine = np.zeros((blocks, 2), np.int16)
        self._filled = np.zeros(blocks, bool)  # peaks that hold decoded audio (a piece's edges share one)
        self._arrived: list[tuple[int, int]] = []  # merged ms ranges that hold decoded audio
        self._lock = threading.Lock()

    def add_pcm(self, start_ms: int, pcm: np.ndarray, *, start_sample: int | None = None) -> None:
        """Mono int16 samples at `sample_rate` that start `start_ms` (or exactly `start_sample`) into the media.

        Peaks keep the file's grid (peak n covers samples n*finest..): a piece that starts or ends inside a
        peak shares it with its neighbour, so a peak is the min/max of both, as if decoded in one go."""
        if len(pcm) == 0:
            return
        first_sample = int(start_ms) * self.sample_rate // 1000 if start_sample is None else int(start_sample)
        first_sample = max(0, first_sample)
        start_ms = first_sample * 1000 // self.sample_rate
        lead = first_sample % self.finest
        if lead:  # pcm[0] repeated up to the grid: it is in that peak anyway, so min/max do not change
            pcm = np.concatenate([np.full(lead, pcm[0], pcm.dtype), pcm])
        first = first_sample // self.finest
        whole = len(pcm) // self.finest * self.finest
        parts = [_reduce(pcm[:whole].reshape(-1, self.finest))] if whole else []
        if len(pcm) > whole:
            parts.append(_reduce(pcm[whole:].reshape(1, -1)))
        peaks = np.concatenate(parts)
        end_ms = (first_sample + len(pcm) - lead) * 1000 // self.sample_rate
        with self._lock:
            if first + len(peaks) > len(self._fine):  # the media runs longer than the entry said
                grown = np.zeros((first + len(peaks), 2), np.int16)
                grown[: len(self._fine)] = self._fine
                self._fine = grown
                self._filled = np.concatenate([self._filled, np.zeros(len(grown) - len(self._filled), bool)])
                self.duration_ms = max(self.duration_ms, end_ms)
            for edge in {0, len(peaks) - 1}:  # a peak shared with a neighbour already drawn
                if self._filled[first + edge]:
                    old = self._fine[first + edge]
                    peaks[edge] = (min(old[0], peaks[edge][0]), max(old[1], peaks[edge][1]))
            self._fine[first : first + len(peaks)] = peaks
            self._filled[first : first + len(peaks)] = True
            self._arrived = _merge([*self._arrived, (int(start_ms), end_ms)])

    @property
    def arrived(self) -> list[tuple[int, int]]:
        with self._lock:
            return list(self._arrived)

    def snapshot(self) -> Waveform:
        """A Waveform of what has arrived so far (silence elsewhere); `arrived` says where audio is."""
        with self._lock:
            fine = self._fine.copy()
            arrived = tuple(self._arrived)
            duration = self.duration_ms
        wave = Waveform(self.sample_rate, duration, {self.finest: fine}, arrived=arrived)
        for spp in self.levels[1:]:
            wave.levels[spp] = _coarser(fine, spp // self.finest)
        return wave

    def decode(
        self,
        pieces: list[Path],
        start_ms: int,
        *,
        token: CancelToken | None = None,
        start_sample: int | None = None,
    ) -> None:
        """Decode consecutive pieces of one stream (init section first, if any) and place their audio.

        ffmpeg's concat protocol reads them as one byte stream, as they would sit in the joined file.
        """
        if not pieces:
            return
        if any("|" in str(p) for p in pieces):
            raise MediaError("a segment path holds '|', which ffmpeg's concat protocol cannot read")
        source = "concat:" + "|".join(str(p) for p in pieces)
        args = ["-i", source, "-map", "0:a:0", "-vn", "-sn", "-dn", "-ac", "1", "-ar", str(self.sample_rate),
                "-f", "s16le", "-acodec", "pcm_s16le", "pipe:1"]  # fmt: skip
        chunks: list[bytes] = []
        with open_ffmpeg_pipe(args) as pipe:
            while True:
                if token is not None:
                    token.raise_if_cancelled()
                data = pipe.stdout.read(1 << 20)
                if not data:
                    break
                chunks.append(data)
            pipe.finish(timeout=120.0)
        raw = b"".join(chunks)
        self.add_pcm(
            start_ms, np.frombuffer(raw[: len(raw) // 2 * 2], dtype="<i2"), start_sample=start_sample
        )


def first_audio_time(piece: Path) -> float | None:
    """Seconds: the first audio packet's timestamp in a self-contained segment (MPEG-TS), or None when it
    cannot be read here (no PyAV, an fMP4 piece without its init section, no audio)."""
    try:
        import av
    except ImportError:
        return None
    try:
        with av.open(str(piece)) as container:
            audio = next((st for st in container.streams if st.type == "audio"), None)
            if audio is None or audio.time_base is None:
                return None
            for n, packet in enumerate(container.demux(audio)):
                if packet.pts is not None:
                    return float(packet.pts * audio.time_base)
                if n > 64:
                    break
    except (av.error.FFmpegError, OSError, ValueError, StopIteration):
        return None
    return None


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted ranges with overlapping or touching ones (within 50 ms) joined."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1] + 50:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


class StreamingPeaks:
    """Feeds segments as they download to a GrowingWaveform on a thread of its own.

    `segment_arrived` may be called from the download thread: it only queues. The worker decodes runs
    of consecutive segments with one ffmpeg each and calls `on_update(Waveform)` at most every
    `interval_s` (and once more at the end), so the GUI gets a few redraws a second, never a flood.

    A run's audio is placed where its first audio packet's timestamp says, counted from the first
    segment's (as the joined file has it): the playlist's durations are the picture's, and a segment's
    audio starts up to a frame or two of AAC earlier. Segment 0 is therefore decoded first. `exact` stays
    True while every run was placed that way (MPEG-TS segments read by PyAV); only then is the result
    the joined file's own waveform (adopt_as_cache), to within what resampling run by run changes: a
    run starts on an AAC frame, which need not fall on the 8 kHz grid (at 48 kHz a frame is 170 2/3
    samples at 8 kHz), so loud peaks differ by some % of full scale (bench/bench_streamed_waveform.py).
    """

    def __init__(
        self,
        duration_ms: int,
        on_update: Callable[[Waveform], None],
        *,
        interval_s: float = 0.3,
        max_run: int = 64,
        sample_rate: int = DEFAULT_SAMPLE_RATE,
    ) -> None:
        self.wave = GrowingWaveform(duration_ms, sample_rate=sample_rate)
        self.on_update = on_update
        self.interval_s = interval_s
        self.max_run = max_run
        self.token = CancelToken()
        self.errors = 0
        self.exact = True
        self._origin_s: float | None = None  # the first segment's first audio timestamp
        self._first_done = False
        self._pending: dict[int, SegmentPiece] = {}
        self._cond = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="streaming-peaks", daemon=True)
        self._thread.start()

    def segment_arrived(self, segment: SegmentPiece) -> None:
        with self._cond:
            if not self._closed:
                self._pending[segment.index] = segment
                self._cond.notify()

    def finish(self) -> None:
        """No more segments will come: decode what is queued, then stop."""
        with self._cond:
            self._closed = True
            self._cond.notify()

    def cancel(self) -> None:
        """Stop at once (the download failed or the complete file took over)."""
        self.token.cancel()
        self.finish()

    def _start_sample(self, first: SegmentPiece) -> int | None:
        """Where a run starts, in samples, by its audio timestamp; None (the playlist's time) when unknown."""
        at = first_audio_time(first.path) if first.init_path is None else None
        if first.index == 0:
            self._origin_s = at
        if at is None or self._origin_s is None:
            self.exact = False
            return None
        return max(0, round((at - self._origin_s) * self.wave.sample_rate))

    def join(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _ready(self) -> bool:
        """A run can be decoded: the first segment is (or was) there, so the others can be placed."""
        return bool(self._pending) and (self._first_done or 0 in self._pending or self._closed)

    def _take_run(self) -> list[SegmentPiece]:
        first = min(self._pending)
        run = [self._pending.pop(first)]
        while len(run) < self.max_run and run[-1].index + 1 in self._pending:
            run.append(self._pending.pop(run[-1].index + 1))
        return run

    def _run(self) -> None:
        last_update = 0.0
        dirty = False
        while True:
            with self._cond:
                if not self._ready() and not self._closed:
                    self._cond.wait(timeout=self.interval_s)
                run = self._take_run() if self._ready() else []
                done = self._closed and not self._pending
            if self.token.cancelled:
                return
            if run:
                pieces = ([run[0].init_path] if run[0].init_path is not None else []) + [s.path for s in run]
                try:
                    self.wave.decode(
                        pieces, run[0].start_ms, token=self.token, start_sample=self._start_sample(run[0])
                    )
                    dirty = True
                except Cancelled:
                    return
                except (MediaError, OSError) as exc:  # e.g. the segments went with the finished download
                    self.errors += 1
                    log.debug("no peaks for segments %d-%d: %s", run[0].index, run[-1].index, exc)
                finally:
                    self._first_done = self._first_done or run[0].index == 0
            now = time.monotonic()
            if dirty and (done or now - last_update >= self.interval_s):
                dirty = False
                last_update = now
                self.on_update(self.wave.snapshot())
            if done:
                return
