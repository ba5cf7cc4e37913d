"""python-vlc back-end: used when libvlc and its plugins are installed (plays nearly anything).

Frames are rendered by libvlc into our own buffer (video callbacks) and shown as a pixmap in the same
scene as the caption overlay, so there is no native window to stack widgets over and it works the same
offscreen, under X11, Wayland, Windows and macOS. `vlc.Instance()` returns None when libvlc has no
plugins (platform-notes §3); `available()` says so and the Qt back-end is used instead.
"""

from __future__ import annotations

import ctypes
import logging
import threading
import time
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from reach_studio.ui.player.base import MediaPlayerBase, PlayerError
from reach_studio.workers.background import run_in_background

log = logging.getLogger(__name__)

VLC_ARGS = ["--no-xlib", "--intf=dummy", "--quiet", "--no-video-title-show", "--no-sub-autodetect-file"]
MAX_FRAME_WIDTH = 960
STALE_FRAMES_AFTER_SEEK = 2  # decoded frames are scaled to at most this width: plenty for a preview

_instance = None
_probed = False
_instance_lock = threading.Lock()
STREAM_CACHING_MS = 300


def _vlc_instance():
    """One libvlc instance per process, or None when libvlc or its plugins are missing.

    Creating it scans VLC's plugins (0.3-0.7 s here, where Debian's plugin cache is missing): `warm_up`
    does it on a worker thread before the first task opens; a caller meanwhile waits for that one."""
    global _instance, _probed
    with _instance_lock:
        if not _probed:
            _instance = _new_instance()
            _probed = True
    return _instance


def _new_instance():
    from reach_studio.ui.player import native_log

    try:
        import vlc

        native_log.quiet_alsa()
        args = list(VLC_ARGS)
        if not native_log.sound_device_present():
            args.append("--aout=dummy")  # nothing to hear on; ALSA would be retried for every audio block
        instance = vlc.Instance(args)
    except (ImportError, OSError, NameError, AttributeError) as exc:
        log.info("python-vlc unavailable: %s", exc)
        return None
    if instance is not None:
        native_log.route_libvlc_log(instance)
    return instance


def warm_up() -> None:
    """Load libvlc and its plugins on a worker thread, so opening the first task does not wait for them."""
    if not _probed:
        run_in_background(lambda token, progress: _vlc_instance())


def available() -> bool:
    return _vlc_instance() is not None


def _releaser(mp, state: dict):
    def release(*_args) -> None:
        if not state["done"]:
            state["done"] = True
            mp.stop()
            mp.release()

    return release


class _FrameRelay(QObject):
    frame = Signal(QImage)


class VlcMediaPlayer(MediaPlayerBase):
    backend_name = "VLC"
    frameReady = Signal(QImage)

    def __init__(self, parent: QObject | None = None, audio: bool = True) -> None:
        super().__init__(parent)
        import vlc

        instance = _vlc_instance()
        if instance is None:
            raise PlayerError("libvlc is not usable here (install vlc-plugin-base); using Qt Multimedia")
        self._vlc = vlc
        self._mp = instance.media_player_new()
        # If the owner deletes us without close() (a tab closed), libvlc would keep decoding into our
        # callbacks: release it when the Qt object goes, from a closure that does not touch `self`.
        self._released = {"done": False}
        self._release = _releaser(self._mp, self._released)
        self.destroyed.connect(self._release)
        if not audio:
            self._mp.audio_set_mute(True)
        self._size = (640, 360)
        self._buffer: ctypes.Array | None = None
        self._buffer_lock = threading.Lock()
        self._relay = _FrameRelay()
        self._relay.frame.connect(self._on_frame)
        # keep references: ctypes callbacks must outlive the player
        self._lock_cb = vlc.CallbackDecorators.VideoLockCb(self._on_lock)
        self._unlock_cb = vlc.CallbackDecorators.VideoUnlockCb(self._on_unlock)
        self._display_cb = vlc.CallbackDecorators.VideoDisplayCb(self._on_display)
        self._mp.video_set_callbacks(self._lock_cb, self._unlock_cb, self._display_cb, None)
        self._duration = 0
        self._pending_seek: int | None = None
        self._resume_at: int | None = None  # switch_to while playing: play from here once opened
        self._loading = None
        self._on_stream = False  # playing a network stream (load_url), not a file
        # stream position: [libvlc's report, when it changed, last answer, libvlc's time before a seek]
        self._clock: list | None = None
        self._frames_since_play = 0
        events = self._mp.event_manager()
        events.event_attach(vlc.EventType.MediaPlayerEncounteredError, lambda e: self._relay_error())
        events.event_attach(vlc.EventType.MediaPlayerEndReached, lambda e: self._relay_end())
        self._ended = False
        self._muted = not audio
        self._error = False
        self._playing = False
        self._still: int | None = None  # paused: play until a frame near this time shows, then pause
        self._paused_at: int | None = None  # exact position while paused (libvlc's clock drifts past it)
        self._still_skip = 0
        self._still_watchdog = QTimer(self)
        self._still_watchdog.setSingleShot(True)
        self._still_watchdog.setInterval(1000)
        self._still_watchdog.timeout.connect(self._still_stuck)
        self._still_tries = 0

    # libvlc threads ---------------------------------------------------------------------------

    def _on_lock(self, opaque, planes):
        self._buffer_lock.acquire()
        planes[0] = ctypes.addressof(self._buffer) if self._buffer is not None else None

    def _on_unlock(self, opaque, picture, planes):
        self._buffer_lock.release()

    def _on_display(self, opaque, picture):
        w, h = self._size
        with self._buffer_lock:
            if self._buffer is None:
                return
            data = ctypes.string_at(self._buffer, w * h * 4)
        image = QImage(data, w, h, w * 4, QImage.Format.Format_RGB32).copy()
        try:
            self._relay.frame.emit(image)
        except RuntimeError:  # Qt already deleted the relay (the app is quitting): no one to show it to
            pass

    def _on_frame(self, image: QImage) -> None:
        if self._released["done"]:  # a frame queued before close(): libvlc is gone
            return
        if self._playing:
            self._frames_since_play += 1
            self.frameReady.emit(image)
            return
        if self._still is None:
            return  # decoded before the pause took effect: keep showing the frame at the playhead
        if self._still_skip > 0:
            # resuming from pause first re-shows pictures decoded before the seek (libvlc already
            # reports the new time for them): the frame at the playhead comes after those
            self._still_skip -= 1
            return
        t = self._mp.get_time()
        if t is not None and t >= 0 and abs(t - self._still) > 250 and self._still_tries < 5:
            self._still_tries += 1
            self._mp.set_time(self._still)  # the seek was ignored while starting: ask again
            return
        self.frameReady.emit(image)
        self._mp.set_pause(1)
        if not (self._on_stream and t is not None and 0 <= t - self._still <= 250):
            # exact for a file; on a stream a seek would drop what is buffered (HLS: fetch the segments
            # again), so a frame this close stays where it is (the position still reads `_still`)
            self._mp.set_time(self._still)
        self._mp.audio_set_mute(self._muted)
        self._paused_at = self._still
        self._still = None

    def _show_still(self, ms: int) -> None:
        """libvlc draws nothing while paused: play muted until the frame at `ms` is shown, then pause."""
        if self._still is None:
            self._still_tries = 0
            self._muted = bool(self._mp.audio_get_mute())
        self._still = int(ms)
        self._mp.audio_set_mute(True)
        state = self._mp.get_state()
        if state in (
            self._vlc.State.Paused,
            self._vlc.State.Playing,
            self._vlc.State.Buffering,
            self._vlc.State.Opening,
        ):
            self._still_skip = STALE_FRAMES_AFTER_SEEK
            self._mp.set_time(int(ms))
            self._mp.set_pause(0)
        else:
            self._mp.play()
            self._mp.set_time(int(ms))
        self._still_watchdog.start()

    def _still_stuck(self) -> None:
        """No frame came for a still (a seek raced a pause): ask once more."""
        if self._released["done"]:
            return
        if self._still is not None and not self._playing and self._still_tries < 5:
            self._still_tries += 1
            self._show_still(self._still)

    def _relay_error(self) -> None:
        self._error = True  # reported from the GUI thread on the next tick

    def _relay_end(self) -> None:
        self._ended = True

    # loading ----------------------------------------------------------------------------------

    def load(self, path: Path) -> None:
        path = Path(path)
        if not path.is_file():
            raise PlayerError(f"media file not found: {path}")

        def probe(token, progress):
            from reach_studio.media.probe import probe as probe_media

            return probe_media(path)

        def ready(info) -> None:
            if not shiboken6.isValid(self):
                return
            video = info.first("video")
            if video and video.width and video.height:
                w = min(MAX_FRAME_WIDTH, video.width)
                h = max(2, round(video.height * w / video.width / 2) * 2)
                self._size = (w, h)
            self._duration = info.duration_ms
            self._open(path)

        def failed(exc: BaseException) -> None:
            if shiboken6.isValid(self):
                self._open(path)  # VLC may still play what PyAV cannot read

        self._loading = run_in_background(probe, ready, failed)

    def load_url(self, url: str, duration_ms: int | None = None) -> None:
        if self._released["done"]:
            raise PlayerError("this player was closed")
        self._loading = None
        self._duration = int(duration_ms or 0)
        self._on_stream = True
        media = _vlc_instance().media_new(url)
        # libvlc buffers a network stream for a second before it plays; a linguist waits for less
        media.add_option(f":network-caching={STREAM_CACHING_MS}")
        self._open_media(media)

    def _open(self, path: Path) -> None:
        if self._released["done"]:
            return
        self._on_stream = False
        self._open_media(_vlc_instance().media_new_path(str(path)))

    def _open_media(self, media) -> None:
        if self._mp.get_media() is not None:
            # another source is open (switch_to from the stream): its video output must be gone before the
            # frame format and buffer change, or libvlc writes into a freed buffer (seen as a segfault)
            self._still_watchdog.stop()
            self._still = None
            self._mp.stop()
        w, h = self._size
        with self._buffer_lock:
            self._buffer = ctypes.create_string_buffer(w * h * 4)
        self._mp.video_set_format("RV32", w, h, w * 4)
        self._ended = False
        self._mp.set_media(media)
        if self._duration:
            self.durationChanged.emit(self._duration)
        if self._resume_at is not None or self._playing:  # switch_to while playing, or Play pressed meanwhile
            start = self._resume_at if self._resume_at is not None else (self._pending_seek or 0)
            self._resume_at = None
            self._playing = True
            self._paused_at = None
            self._mp.play()
            self._mp.set_time(start)
            self._poll.start()
            return
        self._show_still(self._pending_seek or 0)  # show the first frame, paused

    def switch_to(self, path: Path) -> None:
        """The stream's position carries over; loading is asynchronous here (the file is probed first)."""
        self._carry_position()
        self.load(path)

    def switch_to_url(self, url: str, duration_ms: int | None = None) -> None:
        """The same stream with a fresh key: as switch_to, the position (and playing) carry over."""
        self._carry_position()
        self.load_url(url, duration_ms)

    def _carry_position(self) -> None:
        """Pause and remember where (and whether) to go on once the next media has opened."""
        position, playing = self.position(), self._playing
        if playing:
            self._playing = False
            self._mp.set_pause(1)
        self._pending_seek = self._paused_at = position
        self._resume_at = position if playing else None

    # MediaPlayerBase --------------------------------------------------------------------------

    def _backend_play(self) -> None:
        if self._released["done"]:
            return
        self._playing = True
        self._paused_at = None
        self._clock, self._frames_since_play = None, 0
        if self._still is not None:
            self._still = None
            self._mp.audio_set_mute(self._muted)
        if self._ended:
            self._ended = False
            self._mp.stop()
            self._mp.play()
        else:
            self._mp.set_pause(0)
            if not self._mp.is_playing():
                self._mp.play()

    def _backend_pause(self) -> None:
        if self._released["done"]:
            return
        self._playing = False  # libvlc pauses asynchronously: answer what the user asked for
        t = self._mp.get_time()
        self._paused_at = int(t) if t is not None and t >= 0 else self._paused_at
        self._mp.set_pause(1)

    def _backend_seek(self, ms: int) -> None:
        if self._released["done"]:
            return
        self._pending_seek = int(ms)
        if self._playing:
            self._clock = [int(ms), time.monotonic(), int(ms), self._mp.get_time()]
        else:
            self._clock = None
        self._frames_since_play = 0
        if not self._playing:
            self._paused_at = int(ms)
        if self._playing or self._mp.get_media() is None:
            self._mp.set_time(int(ms))
        else:
            self._show_still(ms)

    def _backend_rate(self, rate: float) -> None:
        if self._released["done"]:
            return
        self._mp.set_rate(rate)

    def duration(self) -> int:
        if self._released["done"]:
            return self._duration
        length = self._mp.get_length()
        if length and length > 0 and length != self._duration:
            self._duration = int(length)
            self.durationChanged.emit(self._duration)
        return self._duration

    def is_playing(self) -> bool:
        return self._playing

    def position(self) -> int:
        if self._released["done"]:
            return self._paused_at or 0
        if not self._playing and self._paused_at is not None:  # exactly where the user put it
            return self._paused_at
        if self._still is not None:
            return self._still
        t = self._mp.get_time()
        if t is None or t < 0:
            return self._pending_seek or 0
        if self._on_stream and self._playing:
            return self._stream_clock(int(t))
        return int(t)

    def _stream_clock(self, reported: int) -> int:
        """libvlc reports an HLS stream's time in ~1 s steps, ~0.7 s behind the picture (VLC 3.0.24: frames
        show at once after Play while the time stays 0 for a second). Once pictures show after Play, the
        position runs on with the wall clock from the highest report (reports jitter back by tens of ms),
        never backwards and at most 2 s past it (a stall stops it). Audio-only streams keep libvlc's time."""
        now = time.monotonic()
        if self._clock is None:
            self._clock = [reported, now, reported, None]
        report, at, last, stale = self._clock
        if reported > report and reported != stale:  # `stale`: libvlc's time from before a seek; it jitters
            report, at, stale = reported, now, None
        estimate = report
        if self._frames_since_play > 0:
            estimate = int(report + min(2000.0, (now - at) * 1000.0 * self._rate))
        answer = max(last, estimate)
        self._clock = [report, at, answer, stale]
        return answer

    def _tick(self) -> None:
        if self._released["done"]:
            return
        if self._error:
            self._error = False
            self.errorOccurred.emit("VLC cannot play this media")
        if self._ended and self._loop is not None:
            self._ended = False
            self._mp.stop()
            self._mp.play()
            self._mp.set_time(self._loop[0])
        elif self._ended and self._playing:
            self._playing = False
            self._poll.stop()
            self.playingChanged.emit(False)
        super()._tick()

    def close(self) -> None:
        super().close()
        self._still_watchdog.stop()
        self._still = None
        self._playing = False
        self._release()

    @property
    def released(self) -> bool:
        return self._released["done"]
