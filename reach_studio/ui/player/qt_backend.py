"""Qt Multimedia back-end: works from a pip-only install (PySide6-Addons bundles its own FFmpeg).

Video goes to a QGraphicsVideoItem rather than a QVideoWidget, because the latter renders nothing
offscreen and cannot have captions drawn over it in the same scene.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import sys
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QUrl

from reach_studio.ui.player.base import MediaPlayerBase, PlayerError

try:  # PySide6-Addons may be missing in a trimmed install: the editor then runs without a player
    from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
    from PySide6.QtMultimediaWidgets import QGraphicsVideoItem
except ImportError:  # pragma: no cover - depends on the installation
    QMediaPlayer = None  # type: ignore[assignment]


log = logging.getLogger(__name__)
_AV_LOG_QUIET = -8


def available() -> bool:
    return QMediaPlayer is not None


@functools.cache
def _ffmpeg_silenced() -> bool:
    """Silence the FFmpeg that Qt Multimedia bundles: at its default level it prints every URL it opens
    to stderr ("[hls] Opening '...ks/<key>/...'"), which would put the task's key in a log. True when done."""
    import PySide6

    lib_dir = Path(PySide6.__file__).parent / ("Qt/lib" if sys.platform != "win32" else "")
    patterns = {"win32": "avutil-*.dll", "darwin": "libavutil.*dylib"}.get(sys.platform, "libavutil.so.*")
    for candidate in sorted(lib_dir.glob(patterns)):
        try:
            ctypes.CDLL(str(candidate)).av_log_set_level(_AV_LOG_QUIET)
            return True
        except (OSError, AttributeError) as exc:
            log.debug("cannot silence %s: %s", candidate.name, exc)
    return False


class QtMediaPlayer(MediaPlayerBase):
    backend_name = "Qt Multimedia"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        if QMediaPlayer is None:
            raise PlayerError("Qt Multimedia is not installed (pip install PySide6-Addons)")
        self._player = QMediaPlayer(self)
        self._audio = QAudioOutput(self)
        self._player.setAudioOutput(self._audio)
        self.video_item = QGraphicsVideoItem()
        self._player.setVideoOutput(self.video_item)
        self._player.durationChanged.connect(self._duration_changed)
        self._player.errorOccurred.connect(self._on_error)
        self._player.mediaStatusChanged.connect(self._on_status)
        self._closed = False
        self._pending_position: int | None = None  # a seek asked for while the source still loads

    def _alive(self) -> bool:
        """False once close() handed the QMediaPlayer to Qt for deletion: calls then do nothing."""
        return not self._closed and shiboken6.isValid(self._player)

    def _duration_changed(self, duration: int) -> None:
        self.durationChanged.emit(int(duration))

    def load(self, path: Path) -> None:
        path = Path(path)
        if not path.is_file():
            raise PlayerError(f"media file not found: {path}")
        if not self._alive():
            raise PlayerError("this player was closed")
        self._set_source(QUrl.fromLocalFile(str(path.resolve())))

    def load_url(self, url: str, duration_ms: int | None = None) -> None:
        if not self._alive():
            raise PlayerError("this player was closed")
        if not _ffmpeg_silenced():
            raise PlayerError("this player would log the stream's key: the media plays once downloaded")
        self._set_source(QUrl(url))

    def _set_source(self, source: QUrl) -> None:
        self._pending_position = None
        self._player.setSource(source)
        self._player.pause()  # Paused (not Stopped) shows the first frame, and every frame a seek lands on

    def _on_error(self, error, message: str = "") -> None:
        self.errorOccurred.emit(message or self._player.errorString() or "cannot play this media")

    def _on_status(self, status) -> None:
        if self._pending_position is not None and status in (
            QMediaPlayer.MediaStatus.LoadedMedia,
            QMediaPlayer.MediaStatus.BufferedMedia,
        ):
            position, self._pending_position = self._pending_position, None
            self._player.setPosition(position)
        if status == QMediaPlayer.MediaStatus.EndOfMedia:
            if self._loop is not None:
                self._backend_seek(self._loop[0])
                self._backend_play()
            else:
                self._poll.stop()
                self._tick()
                self.playingChanged.emit(False)

    def _backend_play(self) -> None:
        if self._alive():
            self._player.play()

    def _backend_pause(self) -> None:
        if self._alive():
            self._player.pause()

    def _backend_seek(self, ms: int) -> None:
        if not self._alive():
            return
        if self._player.mediaStatus() == QMediaPlayer.MediaStatus.LoadingMedia:
            self._pending_position = int(ms)  # Qt drops a seek before the media is loaded
        self._player.setPosition(int(ms))

    def _backend_rate(self, rate: float) -> None:
        if self._alive():
            self._player.setPlaybackRate(rate)

    def position(self) -> int:
        if self._pending_position is not None:
            return self._pending_position
        return int(self._player.position()) if self._alive() else 0

    def duration(self) -> int:
        return int(self._player.duration()) if self._alive() else 0

    def is_playing(self) -> bool:
        return self._alive() and self._player.playbackState() == QMediaPlayer.PlaybackState.PlayingState

    def set_muted(self, muted: bool) -> None:
        if self._alive():
            self._audio.setMuted(muted)

    def close(self) -> None:
        """Hand the player to Qt's event loop to tear down, instead of stop()/setSource() here.

        Calling into QMediaPlayer from Python holds the GIL; if Qt's FFmpeg threads are meanwhile
        destroying an object connected to our Python-made player, they wait for the GIL while we wait
        for their mutex, and the app freezes (seen with py-spy). Deferred deletion runs inside the
        event loop, where PySide has released the GIL.
        """
        super().close()
        if self._closed:
            return
        self._closed = True
        for signal in (
            self._player.durationChanged,
            self._player.errorOccurred,
            self._player.mediaStatusChanged,
        ):
            try:
                signal.disconnect()
            except (RuntimeError, TypeError):  # nothing connected any more
                pass
        self._player.deleteLater()
        self._audio.deleteLater()
