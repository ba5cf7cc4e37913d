"""The live console's ears: the ingest's audio played at the lowest latency, a level meter, a waveform
strip and the stream clock.

Why it exists: a CART captioner writes from the event's sound. The ingest (live/ingest) decodes the
restream to PCM on its own thread; `LivePlayer.feed` only queues it (live/playout), and a 10 ms timer
on the GUI thread moves what the audio sink has room for — never more than ~100 ms ahead — so nothing
on the GUI thread waits. `position()` is the media time of the sample at the ear, which the session
uses to stamp captions. Without an audio output (a headless machine, CI) a clocked sink consumes the
audio in real time, so the clock, the meter and the captions behave the same.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QLabel, QProgressBar, QSizePolicy, QWidget

from reach_studio.live.ingest import BYTES_PER_SECOND, SAMPLE_RATE
from reach_studio.live.playout import ClockedSink, Playout
from reach_studio.ui.style import set_tone

log = logging.getLogger(__name__)
SINK_BUFFER_S = 0.1


class _DeviceSink:
    """QAudioSink in push mode, with the same three calls as ClockedSink."""

    def __init__(self, parent: QObject) -> None:
        from PySide6.QtMultimedia import QAudioFormat, QAudioSink, QMediaDevices

        fmt = QAudioFormat()
        fmt.setSampleRate(SAMPLE_RATE)
        fmt.setChannelCount(1)
        fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        device = QMediaDevices.defaultAudioOutput()
        if device.isNull() or not device.isFormatSupported(fmt):
            raise RuntimeError("no audio output for 48 kHz mono")
        self.sink = QAudioSink(device, fmt, parent)
        self.sink.setBufferSize(int(SINK_BUFFER_S * BYTES_PER_SECOND))
        self.io = self.sink.start()
        self.name = device.description()

    def played_bytes(self) -> int:
        return int(self.sink.processedUSecs() * BYTES_PER_SECOND / 1_000_000) & ~1

    def bytes_free(self) -> int:
        return int(self.sink.bytesFree())

    def write(self, pcm: bytes) -> None:
        if pcm:
            self.io.write(pcm)

    def stop(self) -> None:
        self.sink.stop()


class LivePlayer(QObject):
    """`player.feed(pcm, t)` from any thread; `player.position()` = media time at the ear."""

    ticked = Signal()  # ~10 times a second: level, peaks and clock changed

    def __init__(self, parent: QObject | None = None, *, device: bool = True) -> None:
        super().__init__(parent)
        self.playout = Playout()
        self.sink = None
        if device:
            try:
                self.sink = _DeviceSink(self)
            except Exception as exc:  # noqa: BLE001 - no device / format: play on the clock alone
                log.info("live audio: %s; the stream is followed without sound", exc)
        self.has_sound = self.sink is not None
        self.device_name = getattr(self.sink, "name", "no audio output")
        if self.sink is None:
            self.sink = ClockedSink(SINK_BUFFER_S / 2)
        self._timer = QTimer(self)
        self._timer.setInterval(10)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._pump)
        self._timer.start()
        self._ticks = 0

    def feed(self, pcm: bytes, media_time: float) -> None:
        """From the ingest's thread: queue only."""
        self.playout.feed(pcm, media_time)

    def position(self) -> float | None:
        """Media time (seconds) of the sound the captioner hears now; None before any audio."""
        return self.playout.position(self.sink.played_bytes())

    def level(self) -> float:
        """Peak dBFS of the sound at the ear now."""
        return self.playout.level_at(self.sink.played_bytes())

    def _pump(self) -> None:
        free = self.sink.bytes_free()
        if free > 0:
            data = self.playout.take(free)
            if data:
                self.sink.write(data)
        self._ticks += 1
        if self._ticks % 10 == 0:
            self.ticked.emit()

    def stop(self) -> None:
        self._timer.stop()
        if isinstance(self.sink, _DeviceSink):
            self.sink.stop()


class LevelMeter(QProgressBar):
    """Peak level, -60..0 dBFS."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(-60, 0)
        self.setValue(-60)
        self.setTextVisible(True)
        self.setFormat("silence")
        self.setAccessibleName("Audio level")
        self.setMaximumHeight(18)

    def set_level(self, dbfs: float) -> None:
        self.setValue(int(max(-60.0, min(0.0, dbfs))))
        self.setFormat("silence" if dbfs <= -60 else f"{dbfs:.0f} dBFS")


class WaveformStrip(QWidget):
    """The last seconds of sound as peak bars (newest at the right)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.peaks: list[float] = []
        self.setMinimumHeight(48)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Live waveform")

    def sizeHint(self) -> QSize:
        return QSize(400, 56)

    def set_peaks(self, peaks) -> None:
        self.peaks = list(peaks)
        self.update()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#1e1f24"))
        if not self.peaks:
            return
        w, h = self.width(), self.height()
        n = len(self.peaks)
        bar = max(1.0, w / max(n, 1))
        mid = h / 2
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#5ab0ff"))
        x = w - n * bar
        for peak in self.peaks:
            half = max(0.5, peak * (h / 2 - 2))
            p.drawRect(QRectF(x, mid - half, max(1.0, bar - 0.5), 2 * half))
            x += bar
        p.end()


class VideoView(QLabel):
    """The latest picture of the stream (the ingest's 5 fps preview); `offer()` from any thread."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._latest: tuple[bytes, int, int] | None = None
        self.frames = 0
        self.setFixedSize(320, 180)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        set_tone(self, "screen")
        self.setText("No picture yet")
        self.setAccessibleName("Event picture")

    def offer(self, rgb: bytes, width: int, height: int) -> None:
        self._latest = (rgb, width, height)  # one reference swap: the GUI thread takes the newest

    def show_latest(self) -> None:
        latest, self._latest = self._latest, None
        if latest is None:
            return
        rgb, width, height = latest
        image = QImage(rgb, width, height, width * 3, QImage.Format.Format_RGB888).copy()
        self.setPixmap(QPixmap.fromImage(image))
        self.frames += 1


def clock_text(seconds: float | None) -> str:
    if seconds is None:
        return "--:--:--.-"
    total = max(0.0, seconds)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{int(h):02d}:{int(m):02d}:{s:04.1f}"
