"""What the captioner hears, and where in the stream that is (Qt-free; the console drives it).

Why it exists: captions must carry the media position the captioner heard when writing, and the audio
must reach the ear with as little delay as possible. The ingest hands PCM over on its own thread; the
playout keeps a short jitter buffer (drops the oldest audio when it grows past `max_buffer_s`, so a
burst never turns into lasting delay), hands chunks to an audio sink, remembers which media time each
written byte had, and answers `position(played_bytes)` — the media time of the sample at the ear.
The level (dBFS peak) is that of the piece at the ear (`level_at`); the waveform strip (peak per 20 ms
bin) is computed on the audio as it is handed to the sink.
"""

from __future__ import annotations

import collections
import math
import threading
import time

import numpy as np

from reach_studio.live.ingest import BYTES_PER_SECOND, SAMPLE_RATE

BIN_S = 0.02  # one waveform column per 20 ms
STRIP_S = 10.0  # the waveform strip shows the last 10 seconds


def level_dbfs(pcm: bytes) -> float:
    """Peak level of s16le PCM in dBFS (-90 for silence)."""
    if len(pcm) < 2:
        return -90.0
    samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2")
    peak = int(np.max(np.abs(samples.astype(np.int32)))) if samples.size else 0
    return -90.0 if peak <= 0 else max(-90.0, 20.0 * math.log10(peak / 32768.0))


class Playout:
    """Thread-safe: `feed()` from the ingest's thread; `take()`/`position()` from the player's."""

    def __init__(self, max_buffer_s: float = 0.25, keep_buffer_s: float = 0.08) -> None:
        self.max_buffer = int(max_buffer_s * BYTES_PER_SECOND) & ~1
        self.keep_buffer = int(keep_buffer_s * BYTES_PER_SECOND) & ~1
        self._lock = threading.Lock()
        self._queue: collections.deque[tuple[bytes, float]] = collections.deque()
        self._queued = 0
        self._written = 0  # bytes handed to the sink so far
        # (written offset, media time, peak dBFS) of each piece handed to the sink
        self._marks: collections.deque[tuple[int, float, float]] = collections.deque()
        self.dropped_s = 0.0
        self.level = -90.0
        self.peaks: collections.deque[float] = collections.deque(maxlen=int(STRIP_S / BIN_S))
        self._bin_peak = 0
        self._bin_fill = 0
        self.last_feed = 0.0

    # ---- ingest side ---------------------------------------------------------------------------------
    def feed(self, pcm: bytes, media_time: float) -> None:
        with self._lock:
            self._queue.append((pcm, media_time))
            self._queued += len(pcm)
            self.last_feed = time.monotonic()
            while self._queued > self.max_buffer and len(self._queue) > 1:  # stay at the live edge
                old, _ = self._queue.popleft()
                self._queued -= len(old)
                self.dropped_s += len(old) / BYTES_PER_SECOND
                if self._queued <= self.keep_buffer:
                    break

    @property
    def queued_s(self) -> float:
        return self._queued / BYTES_PER_SECOND

    # ---- sink side -----------------------------------------------------------------------------------
    def take(self, max_bytes: int) -> bytes:
        """Up to max_bytes of the oldest queued audio (whole samples), marked with their media time."""
        out = bytearray()
        with self._lock:
            while self._queue and len(out) < max_bytes:
                pcm, t = self._queue[0]
                room = (max_bytes - len(out)) & ~1
                if room <= 0:
                    break
                part = pcm[:room]
                self._marks.append((self._written + len(out), t, level_dbfs(part)))
                out += part
                if len(part) == len(pcm):
                    self._queue.popleft()
                else:
                    self._queue[0] = (pcm[len(part) :], t + len(part) / BYTES_PER_SECOND)
                self._queued -= len(part)
            self._written += len(out)
            while len(self._marks) > 2 and self._marks[1][0] <= self._written - 4 * BYTES_PER_SECOND:
                self._marks.popleft()
        if out:
            self._meter(bytes(out))
        return bytes(out)

    def position(self, played_bytes: int) -> float | None:
        """The media time of the sample at `played_bytes` of what was handed to the sink."""
        with self._lock:
            if not self._marks:
                return None
            offset, t, _ = self._mark_at(played_bytes)
            return t + max(0, played_bytes - offset) / BYTES_PER_SECOND

    def level_at(self, played_bytes: int) -> float:
        """The peak level of the piece being heard (the meter follows the ear, not the queue)."""
        with self._lock:
            return self._mark_at(played_bytes)[2] if self._marks else -90.0

    def _mark_at(self, played_bytes: int) -> tuple[int, float, float]:
        found = self._marks[0]
        for mark in self._marks:
            if mark[0] > played_bytes:
                break
            found = mark
        return found

    @property
    def written(self) -> int:
        return self._written

    def _meter(self, pcm: bytes) -> None:
        self.level = level_dbfs(pcm)
        samples = np.abs(np.frombuffer(pcm, dtype="<i2").astype(np.int32))
        per_bin = int(SAMPLE_RATE * BIN_S)
        i = 0
        while i < samples.size:
            take = min(per_bin - self._bin_fill, samples.size - i)
            self._bin_peak = max(self._bin_peak, int(samples[i : i + take].max()))
            self._bin_fill += take
            i += take
            if self._bin_fill >= per_bin:
                self.peaks.append(self._bin_peak / 32768.0)
                self._bin_peak = 0
                self._bin_fill = 0


class ClockedSink:
    """A sink that plays nothing but consumes audio at real-time rate (no audio device, headless)."""

    def __init__(self, buffer_s: float = 0.04, clock=time.monotonic) -> None:
        self.buffer = int(buffer_s * BYTES_PER_SECOND) & ~1
        self._clock = clock
        self._written = 0
        self._t0: float | None = None
        self._played_at_t0 = 0

    def played_bytes(self) -> int:
        if self._t0 is None:
            return 0
        elapsed = round((self._clock() - self._t0) * BYTES_PER_SECOND) & ~1
        return min(self._written, self._played_at_t0 + elapsed)

    def bytes_free(self) -> int:
        return max(0, self.buffer - (self._written - self.played_bytes()))

    def write(self, pcm: bytes) -> None:
        if not pcm:
            return
        played = self.played_bytes()
        if self._t0 is None or played >= self._written:  # underrun: the clock restarts at this sample
            self._t0 = self._clock()
            self._played_at_t0 = self._written
        self._written += len(pcm)
