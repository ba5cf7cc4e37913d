"""A small take recorder for the voice editor: microphone → WAV take, with a level meter.

Why it exists: dubbing and audio description are recorded line by line, right next to the video. As
Anki's recorder does (qt/aqt/sound.py), it reads PCM from a `QAudioSource` and drops the first ~300 ms,
which on many devices hold a click or noise from opening the microphone. A machine without an input
device (headless, or no microphone) is told so plainly, and the editor offers "Import audio file…" for
each line instead. Tests feed the recorder from any QIODevice holding PCM (`start(dest, device=...)`).
"""

from __future__ import annotations

import logging
import wave
from pathlib import Path

import numpy as np
from PySide6.QtCore import QIODevice, QObject, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from reach_studio.ui.style import plain, set_tone

log = logging.getLogger(__name__)

DISCARD_MS = 300
SAMPLE_RATE = 48000
CHANNELS = 1
SAMPLE_BYTES = 2  # 16-bit signed
POLL_MS = 40


class RecorderError(Exception):
    """Recording cannot start or the take cannot be written (the message is for the status line)."""


def input_devices() -> list[str]:
    """Names of the audio inputs Qt sees (empty headless or without a microphone)."""
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError:  # PySide6-Addons missing: no multimedia at all
        return []
    return [d.description() for d in QMediaDevices.audioInputs()]


def no_input_reason() -> str:
    """Why recording is not possible here, or "" when an input exists."""
    try:
        import PySide6.QtMultimedia  # noqa: F401
    except ImportError:
        return "Recording needs Qt Multimedia (PySide6-Addons), which is not installed."
    if not input_devices():
        return (
            "No microphone was found on this computer. Record elsewhere and use "
            "“Import audio file…” for each line."
        )
    return ""


class TakeRecorder(QObject):
    """Records one take at a time into a 16-bit mono WAV file.

    `start(dest)` opens the default microphone; `start(dest, device=...)` reads from any open QIODevice
    (a test's QBuffer). `stop()` finishes the file and returns (path, duration_ms).
    """

    levelChanged = Signal(float)  # peak of the last block, 0..1
    recordingChanged = Signal(bool)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        discard_ms: int = DISCARD_MS,
        sample_rate: int = SAMPLE_RATE,
        channels: int = CHANNELS,
    ) -> None:
        super().__init__(parent)
        self.discard_ms = discard_ms
        self.sample_rate = sample_rate
        self.channels = channels
        self._source = None  # QAudioSource when recording from a microphone
        self._device: QIODevice | None = None
        self._wav: wave.Wave_write | None = None
        self._dest: Path | None = None
        self._tmp: Path | None = None
        self._to_discard = 0
        self._frames = 0
        self._pending = b""
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._read)

    @property
    def recording(self) -> bool:
        return self._wav is not None

    @property
    def bytes_per_frame(self) -> int:
        return SAMPLE_BYTES * self.channels

    def start(self, dest: Path, device: QIODevice | None = None) -> None:
        if self.recording:
            raise RecorderError("A take is already being recorded")
        dest = Path(dest)
        if device is None:
            device = self._open_microphone()
        self._device = device
        self._dest = dest
        self._tmp = dest.with_name(f".{dest.name}.recording")
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            wav = wave.open(str(self._tmp), "wb")  # noqa: SIM115 - stays open while recording
            wav.setnchannels(self.channels)
            wav.setsampwidth(SAMPLE_BYTES)
            wav.setframerate(self.sample_rate)
        except OSError as exc:
            self._close_source()
            raise RecorderError(f"Cannot write the take: {exc.strerror or exc}") from None
        self._wav = wav
        self._to_discard = self.discard_ms * self.sample_rate // 1000 * self.bytes_per_frame
        self._frames = 0
        self._pending = b""
        self._timer.start()
        self.recordingChanged.emit(True)

    def _open_microphone(self) -> QIODevice:
        reason = no_input_reason()
        if reason:
            raise RecorderError(reason)
        from PySide6.QtMultimedia import QAudioFormat, QAudioSource, QMediaDevices

        fmt = QAudioFormat()
        fmt.setSampleRate(self.sample_rate)
        fmt.setChannelCount(self.channels)
        fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        device_info = QMediaDevices.defaultAudioInput()
        if not device_info.isFormatSupported(fmt):
            raise RecorderError(
                f"The microphone “{device_info.description()}” cannot record 16-bit "
                f"{self.sample_rate} Hz audio"
            )
        self._source = QAudioSource(device_info, fmt, self)
        io = self._source.start()
        if io is None:
            self._source = None
            raise RecorderError("The microphone could not be opened")
        return io

    def _read(self) -> None:
        if self._device is None or self._wav is None:
            return
        data = bytes(self._device.readAll().data())
        if not data:
            return
        if self._to_discard:
            dropped = min(self._to_discard, len(data))
            self._to_discard -= dropped
            data = data[dropped:]
        data = self._pending + data
        whole = len(data) - len(data) % self.bytes_per_frame
        data, self._pending = data[:whole], data[whole:]
        if not data:
            return
        try:
            self._wav.writeframes(data)
        except OSError as exc:
            log.error("writing the take failed: %s", exc)
            self.cancel()
            return
        self._frames += len(data) // self.bytes_per_frame
        samples = np.frombuffer(data, dtype="<i2")
        self.levelChanged.emit(float(np.abs(samples.astype(np.int32)).max()) / 32768.0)

    def stop(self) -> tuple[Path, int]:
        """Finish the take: returns (file, duration_ms). RecorderError when nothing usable was recorded."""
        if not self.recording:
            raise RecorderError("Nothing is being recorded")
        self._read()
        self._timer.stop()
        wav, self._wav = self._wav, None
        self._close_source()
        self.recordingChanged.emit(False)
        self.levelChanged.emit(0.0)
        assert wav is not None and self._tmp is not None and self._dest is not None
        wav.close()
        duration = self._frames * 1000 // self.sample_rate
        if self._frames == 0:
            self._tmp.unlink(missing_ok=True)
            raise RecorderError(f"The take is empty: nothing was heard after the first {self.discard_ms} ms")
        self._tmp.replace(self._dest)
        return self._dest, duration

    def cancel(self) -> None:
        """Stop without keeping anything."""
        self._timer.stop()
        wav, self._wav = self._wav, None
        self._close_source()
        if wav is not None:
            wav.close()
            self.recordingChanged.emit(False)
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)

    def _close_source(self) -> None:
        if self._source is not None:
            self._source.stop()
            self._source.deleteLater()
            self._source = None
        self._device = None


class RecorderPanel(QWidget):
    """Record / Stop, Play take, Import audio file… and a level meter, for the selected line.

    Emits `recordRequested`, `stopRequested`, `playRequested`, `importRequested`; the editor owns the
    TakeRecorder and the files. Without an input device the Record button is disabled and the reason is
    shown next to "Import audio file…".
    """

    recordRequested = Signal()
    stopRequested = Signal()
    playRequested = Signal()
    importRequested = Signal()

    def __init__(
        self, recorder: TakeRecorder, parent: QWidget | None = None, *, reason: str | None = None
    ) -> None:
        super().__init__(parent)
        self.recorder = recorder
        self.reason = no_input_reason() if reason is None else reason
        self.record_button = QPushButton("● Record", self)
        self.record_button.setToolTip("Record a take for this line (the first 300 ms are dropped)")
        self.play_button = QPushButton("▶ Play take", self)
        self.import_button = QPushButton("Import audio file…", self)
        self.import_button.setToolTip("Use a recording made elsewhere (WAV, MP3, M4A, or a video's sound)")
        self.level = QProgressBar(self)
        self.level.setRange(0, 100)
        self.level.setTextVisible(False)
        self.level.setMaximumHeight(10)
        self.note = plain(QLabel(self.reason, self))
        self.note.setWordWrap(True)
        set_tone(self.note, "warning")
        row = QHBoxLayout()
        row.setSpacing(4)  # the three buttons fit the voice editor's panel at 1024 px
        for b in (self.record_button, self.play_button, self.import_button):
            row.addWidget(b)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.level)
        layout.addWidget(self.note)
        self.note.setVisible(bool(self.reason))
        if self.reason:  # the greyed-out button says why when pointed at, as the note under it does
            self.record_button.setToolTip(self.reason)
        self.record_button.clicked.connect(self._record_clicked)
        self.play_button.clicked.connect(self.playRequested)
        self.import_button.clicked.connect(self.importRequested)
        recorder.levelChanged.connect(lambda v: self.level.setValue(int(min(1.0, v) * 100)))
        recorder.recordingChanged.connect(self._recording_changed)
        self.set_line(False, False)

    @property
    def can_record(self) -> bool:
        return not self.reason

    def set_line(self, has_line: bool, has_take: bool) -> None:
        recording = self.recorder.recording
        self.record_button.setEnabled(has_line and (self.can_record or recording))
        self.play_button.setEnabled(has_line and has_take and not recording)
        self.import_button.setEnabled(has_line and not recording)
        self._has = (has_line, has_take)

    def _record_clicked(self) -> None:
        (self.stopRequested if self.recorder.recording else self.recordRequested).emit()

    def _recording_changed(self, on: bool) -> None:
        self.record_button.setText("■ Stop" if on else "● Record")
        self.set_line(*self._has)
