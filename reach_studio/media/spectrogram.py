"""A spectrogram of the sound track for the timeline (Aegisub's "spectrum mode"): where speech starts and
ends is often clearer in its frequencies than in the waveform's loudness (a quiet voice over music).

ffmpeg decodes mono 16 kHz PCM through a pipe; numpy takes a Hann-windowed FFT every 20 ms and sums the
power into 96 bands spaced on the mel scale (speech gets most of the rows). Levels are quantised to one
byte on a fixed scale (0 = 80 dB under a full-scale tone, 255 = full scale), so an hour is 180,000 x 96
bytes (17 MB) and the result does not depend on the loudest moment. Computed off the GUI thread, chunk by
chunk (never the whole PCM in memory), cancellable, and cached beside the media like the waveform.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reach_studio.domain.progress import CancelToken, ProgressCallback
from reach_studio.media.errors import MediaError
from reach_studio.media.ffmpeg import open_ffmpeg_pipe
from reach_studio.media.probe import probe

SAMPLE_RATE = 16_000
HOP_MS = 20
N_FFT = 512  # 32 ms window at 16 kHz: the usual speech analysis window
BANDS = 96
FLOOR_DB = -80.0
CACHE_VERSION = 1
_HOPS_PER_READ = 1500  # 30 s of audio per pipe read


@dataclass
class Spectrogram:
    """Levels (columns x bands, uint8, band 0 = lowest) one column per `ms_per_column`."""

    levels: np.ndarray
    ms_per_column: float
    max_hz: float
    band_edges_hz: np.ndarray  # BANDS + 1 edges, for the ruler and tests

    @property
    def duration_ms(self) -> int:
        return int(len(self.levels) * self.ms_per_column)

    def columns_between(self, start_ms: float, end_ms: float, pixels: int) -> np.ndarray:
        """(bands x pixels) uint8 covering start_ms..end_ms; zeros outside the media. Zoomed out, each pixel
        takes the loudest column under it, so short sounds do not vanish between samples."""
        bands = self.levels.shape[1] if self.levels.ndim == 2 else BANDS
        out = np.zeros((bands, max(0, pixels)), np.uint8)
        n = len(self.levels)
        if pixels <= 0 or end_ms <= start_ms or n == 0:
            return out
        edges = np.linspace(start_ms / self.ms_per_column, end_ms / self.ms_per_column, pixels + 1)
        lo = np.floor(edges[:-1]).astype(np.int64)
        hi = np.maximum(lo + 1, np.ceil(edges[1:]).astype(np.int64))
        inside = (lo >= 0) & (lo < n)
        if not inside.any():
            return out
        per_px = float(edges[1] - edges[0])
        if per_px <= 1.5:  # zoomed in: the nearest column
            out[:, inside] = self.levels[lo[inside]].T
            return out
        # zoomed out: max over each pixel's columns (reduceat over the visible run)
        idx = np.flatnonzero(inside)
        starts = lo[idx]
        stop = min(n, int(hi[idx[-1]]))
        chunk = self.levels[starts[0] : stop]
        maxed = np.maximum.reduceat(chunk, starts - starts[0], axis=0)
        out[:, idx] = maxed.T
        return out


def mel_band_edges(bands: int = BANDS, max_hz: float = SAMPLE_RATE / 2, min_hz: float = 50.0) -> np.ndarray:
    def mel(hz):
        return 2595.0 * np.log10(1.0 + np.asarray(hz) / 700.0)

    def hz(m):
        return 700.0 * (10 ** (np.asarray(m) / 2595.0) - 1.0)

    return hz(np.linspace(mel(min_hz), mel(max_hz), bands + 1))


def _band_matrix(edges_hz: np.ndarray, n_fft: int, sample_rate: int) -> np.ndarray:
    """(bins x bands) averaging matrix: each band is the mean power of the FFT bins inside it (at least one)."""
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    bands = len(edges_hz) - 1
    m = np.zeros((len(freqs), bands), np.float32)
    for b in range(bands):
        inside = np.flatnonzero((freqs >= edges_hz[b]) & (freqs < edges_hz[b + 1]))
        if len(inside) == 0:  # narrow low band: the nearest bin
            inside = np.array([int(np.argmin(np.abs(freqs - (edges_hz[b] + edges_hz[b + 1]) / 2)))])
        m[inside, b] = 1.0 / len(inside)
    return m


def _levels(frames: np.ndarray, window: np.ndarray, bands: np.ndarray) -> np.ndarray:
    """uint8 levels (frames x bands) of float frames (frames x N_FFT) in -1..1."""
    spectrum = np.fft.rfft(frames * window, axis=1)
    power = (spectrum.real**2 + spectrum.imag**2).astype(np.float32) @ bands
    full_scale = (window.sum() / 2.0) ** 2  # a full-scale sine's power in its bin
    db = 10.0 * np.log10(np.maximum(power / full_scale, 1e-12))
    return np.clip((db - FLOOR_DB) * (255.0 / -FLOOR_DB), 0, 255).astype(np.uint8)


def cache_path(media: Path) -> Path:
    media = Path(media)
    return media.with_name(media.name + ".spectrogram.npz")


def _cache_key(media: Path) -> str:
    st = media.stat()
    return hashlib.sha1(
        f"{CACHE_VERSION}:{st.st_size}:{st.st_mtime_ns}:{SAMPLE_RATE}:{HOP_MS}:{N_FFT}:{BANDS}".encode()
    ).hexdigest()


def _load_cache(path: Path, key: str) -> Spectrogram | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["key"]) != key:
                return None
            return Spectrogram(
                data["levels"], float(data["ms_per_column"]), float(data["max_hz"]), data["edges"]
            )
    except (OSError, KeyError, ValueError):
        return None


def _save_cache(path: Path, key: str, spec: Spectrogram) -> None:
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".spec-", suffix=".npz", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            np.savez(
                fh,
                key=np.array(key),
                levels=spec.levels,
                ms_per_column=np.array(spec.ms_per_column),
                max_hz=np.array(spec.max_hz),
                edges=spec.band_edges_hz,
            )
        os.replace(tmp, path)
    except OSError:  # a read-only media folder: no cache, the spectrogram still shows
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def compute_spectrogram(
    media: Path,
    *,
    progress: ProgressCallback | None = None,
    token: CancelToken | None = None,
    use_cache: bool = True,
    timeout: float = 600.0,
) -> Spectrogram:
    """The spectrogram of the first audio track of `media`; progress is (decoded_ms, duration_ms)."""
    media = Path(media)
    if not media.is_file():
        raise MediaError(f"cannot draw a spectrogram: no such file: {media}")
    key = _cache_key(media)
    cache = cache_path(media)
    if use_cache and cache.is_file():
        cached = _load_cache(cache, key)
        if cached is not None:
            return cached
    info = probe(media)
    if not info.has_audio:
        raise MediaError(f"{media.name} has no audio track to draw a spectrogram from")
    total_ms = info.duration_ms
    hop = SAMPLE_RATE * HOP_MS // 1000
    window = np.hanning(N_FFT).astype(np.float32)
    edges = mel_band_edges()
    bands = _band_matrix(edges, N_FFT, SAMPLE_RATE)
    pieces: list[np.ndarray] = []
    # frame k covers samples k*hop - N_FFT/2 .. + N_FFT/2 (centred): start with half a window of silence
    pending = np.zeros(N_FFT // 2, np.float32)
    decoded = 0
    buf = bytearray(hop * _HOPS_PER_READ * 2)
    demuxer = ["-f", "wav"] if media.suffix.lower() == ".wav" else []
    args = [*demuxer, "-i", str(media), "-map", "0:a:0", "-vn", "-sn", "-dn", "-ac", "1", "-ar", str(SAMPLE_RATE),
            "-f", "s16le", "-acodec", "pcm_s16le", "pipe:1"]  # fmt: skip
    odd = b""
    with open_ffmpeg_pipe(args) as pipe:
        while True:
            if token is not None:
                token.raise_if_cancelled()
            n = pipe.stdout.readinto(buf)
            if not n:
                break
            raw = odd + bytes(buf[:n])
            odd = raw[len(raw) // 2 * 2 :]
            pcm = np.frombuffer(raw[: len(raw) // 2 * 2], "<i2").astype(np.float32) / 32768.0
            decoded += len(pcm)
            pending = np.concatenate([pending, pcm])
            count = (len(pending) - N_FFT) // hop + 1 if len(pending) >= N_FFT else 0
            if count > 0:
                frames = np.lib.stride_tricks.sliding_window_view(pending, N_FFT)[::hop][:count]
                pieces.append(_levels(frames, window, bands))
                pending = pending[count * hop :]
            if progress is not None:
                done = decoded * 1000 // SAMPLE_RATE
                progress(min(done, total_ms) if total_ms else done, total_ms)
        pipe.finish(timeout=timeout)
    wanted = -(-decoded // hop)  # one column per started hop of audio
    have = sum(len(p) for p in pieces)
    if wanted > have:  # the tail: pad with silence to finish the last frames
        pending = np.concatenate([pending, np.zeros(N_FFT, np.float32)])
        frames = np.lib.stride_tricks.sliding_window_view(pending, N_FFT)[::hop][: wanted - have]
        pieces.append(_levels(frames, window, bands))
    levels = np.concatenate(pieces) if pieces else np.zeros((0, BANDS), np.uint8)
    spec = Spectrogram(np.ascontiguousarray(levels), float(HOP_MS), SAMPLE_RATE / 2, edges)
    if progress is not None:
        progress(total_ms or spec.duration_ms, total_ms or spec.duration_ms)
    if use_cache:
        _save_cache(cache, key, spec)
    return spec
