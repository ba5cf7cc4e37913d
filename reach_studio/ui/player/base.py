"""The one small player interface the editors use, whatever plays the media underneath.

Two back-ends implement it: python-vlc when libvlc and its plugins are installed (it plays more formats,
and frames are delivered to us so captions can be overlaid even without a native window) and Qt
Multimedia otherwise, so a pip-only install still plays. Position is polled on a short timer while
playing so that the playhead, the caption overlay and "loop the current cue" behave the same on both.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

FRAME_MS = 40  # "frame-ish" step: one frame at 25 fps
MIN_RATE, MAX_RATE = 0.5, 2.0


class PlayerError(Exception):
    """The media cannot be played (the message says why, for the status bar)."""


class MediaPlayerBase(QObject):
    """Play/pause, seek, step, rate 0.5×–2×, loop a range; signals in milliseconds."""

    positionChanged = Signal(int)
    durationChanged = Signal(int)
    playingChanged = Signal(bool)
    errorOccurred = Signal(str)

    backend_name = "none"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._loop: tuple[int, int] | None = None
        self._stop_at: int | None = None  # play_range: pause when playback reaches this time
        self._rate = 1.0
        self._last_position = -1
        self.streaming = False  # playing the task's stream (play_stream) until play_file hands over
        self._stream_url: str | None = None  # holds the KS: never logged nor shown
        self._poll = QTimer(self)
        self._poll.setInterval(30)
        self._poll.timeout.connect(self._tick)

    # -- to implement ------------------------------------------------------------------------

    def load(self, path: Path) -> None:
        raise NotImplementedError

    def load_url(self, url: str, duration_ms: int | None = None) -> None:
        """Play a network stream: the task's playback URL while its file downloads. The URL may carry
        the task's KS, so it is never logged nor shown; `duration_ms` is the entry's, when known."""
        raise NotImplementedError

    def _backend_play(self) -> None:
        raise NotImplementedError

    def _backend_pause(self) -> None:
        raise NotImplementedError

    def _backend_seek(self, ms: int) -> None:
        raise NotImplementedError

    def _backend_rate(self, rate: float) -> None:
        raise NotImplementedError

    def position(self) -> int:
        raise NotImplementedError

    def duration(self) -> int:
        raise NotImplementedError

    def is_playing(self) -> bool:
        raise NotImplementedError

    def close(self) -> None:
        self._poll.stop()

    # -- shared behaviour --------------------------------------------------------------------

    def play(self) -> None:
        self._stop_at = None
        self._backend_play()
        self._poll.start()
        self.playingChanged.emit(True)

    def play_range(self, start_ms: int, end_ms: int) -> None:
        """Play from `start_ms` and pause at `end_ms` (double-click a cue, play the selection)."""
        if end_ms <= start_ms:
            raise PlayerError("a range to play needs an end after its start")
        self.seek(start_ms)
        self.play()
        self._stop_at = int(end_ms)

    def pause(self) -> None:
        self._stop_at = None
        self._backend_pause()
        self._poll.stop()
        self._tick()
        self.playingChanged.emit(False)

    def switch_to(self, path: Path) -> None:
        """Go over from the stream to the downloaded file at the same position, still playing if it was."""
        position, playing = self.position(), self.is_playing()
        if playing:
            self.pause()
        self.load(path)
        self.seek(position)
        if playing:
            self.play()

    def switch_to_url(self, url: str, duration_ms: int | None = None) -> None:
        """The same stream at another URL (a fresh key): go on at the same position, still playing if it was."""
        position, playing = self.position(), self.is_playing()
        if playing:
            self.pause()
        self.load_url(url, duration_ms)
        self.seek(position)
        if playing:
            self.play()

    def play_stream(self, url: str, duration_ms: int | None = None) -> None:
        """Play the task's stream while its file downloads. Offered again with another URL (the same
        stream with a fresh key: the old one expires), it goes on from the same position."""
        if self.streaming and url == self._stream_url:
            return
        if self.streaming:
            self.switch_to_url(url, duration_ms)
        else:
            self.load_url(url, duration_ms)
        self.streaming, self._stream_url = True, url

    def play_file(self, path: Path, keep_position: bool = True) -> None:
        """Play a file; after the stream (`keep_position`), it takes over at the same position."""
        try:
            if self.streaming and keep_position:
                self.switch_to(Path(path))
            else:
                self.load(Path(path))
        finally:
            self.streaming, self._stream_url = False, None

    def toggle(self) -> None:
        self.pause() if self.is_playing() else self.play()

    def seek(self, ms: int) -> None:
        duration = self.duration()
        ms = max(0, int(ms))
        if duration > 0:
            ms = min(ms, duration)
        self._backend_seek(ms)
        self._last_position = ms
        self.positionChanged.emit(ms)

    def step(self, frames: int) -> None:
        """Pause and move by whole frames (negative: back)."""
        if self.is_playing():
            self.pause()
        self.seek(self.position() + frames * FRAME_MS)

    def rate(self) -> float:
        return self._rate

    def set_rate(self, rate: float) -> None:
        if not MIN_RATE <= rate <= MAX_RATE:
            raise PlayerError(f"playback rate must be between {MIN_RATE}× and {MAX_RATE}×, not {rate}×")
        self._rate = float(rate)
        self._backend_rate(self._rate)

    def set_loop(self, start_ms: int, end_ms: int) -> None:
        """Play `start_ms`..`end_ms` over and over (loop the current cue) until `clear_loop`."""
        if end_ms <= start_ms:
            raise PlayerError("a loop needs an end after its start")
        self._loop = (int(start_ms), int(end_ms))

    def clear_loop(self) -> None:
        self._loop = None

    @property
    def loop(self) -> tuple[int, int] | None:
        return self._loop

    def _tick(self) -> None:
        pos = self.position()
        if self._loop is not None and self.is_playing():
            start, end = self._loop
            if pos >= end or pos < start - 500:
                self._backend_seek(start)
                pos = start
        if self._stop_at is not None and self.is_playing() and pos >= self._stop_at:
            self.pause()
            return
        if pos != self._last_position:
            self._last_position = pos
            self.positionChanged.emit(pos)
