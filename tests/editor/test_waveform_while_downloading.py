"""Issue 15, "Start at once": the timeline's waveform fills in as the media's segments arrive (decoded on a
worker thread), the part still to come is shaded, and the downloaded file's own waveform takes over."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
from PySide6.QtCore import QObject, Signal

from reach_studio.media.waveform import StreamingPeaks
from reach_studio.ui.timeline.canvas import WAVE

from .test_editor_widget import open_editor


class _Relay(QObject):
    """Hands the worker thread's waveforms to the GUI thread, as the shell's TaskService signal does."""

    wave = Signal(object)


def _segments(clip, folder) -> list[tuple[Path, int]]:
    """The 4 s test clip's audio cut into 1 s MPEG-TS segments, as an HLS packager serves them, with the
    time each starts at (what the playlist's EXTINF durations add up to)."""
    listing = folder / "segments.csv"
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(clip), "-map", "0:a", "-c", "copy",
         "-f", "segment", "-segment_time", "1", "-segment_format", "mpegts", "-segment_list", str(listing),
         str(folder / "seg_%03d.ts")],
        check=True, timeout=60,
    )  # fmt: skip
    rows = [line.split(",") for line in listing.read_text().splitlines() if line.strip()]
    return [(folder / name, round(float(start) * 1000)) for name, start, _end in rows]


class _Seg:
    def __init__(self, index, path, start_ms):
        self.index, self.path, self.start_ms, self.init_path = index, path, start_ms, None


def _wave_columns(canvas) -> int:
    """How many pixel columns of the timeline show waveform (its colour), as painted now."""
    image = canvas.grab().toImage()
    wave = WAVE.name()
    return sum(
        any(image.pixelColor(x, y).name() == wave for y in range(20, image.height() - 10, 3))
        for x in range(0, image.width(), 2)
    )


def test_the_waveform_grows_as_segments_arrive_and_the_file_takes_over(qtbot, test_clip, tmp_path):
    ed = open_editor(qtbot)
    canvas = ed.timeline.canvas
    canvas.set_zoom(4000 / max(1, canvas.width() - 20))  # the whole clip on screen
    canvas.set_view_start(0)
    segments = _segments(test_clip, tmp_path)
    assert len(segments) >= 3
    relay = _Relay()
    relay.wave.connect(ed.set_partial_waveform)
    peaks = StreamingPeaks(4000, relay.wave.emit, interval_s=0.0)
    columns = [_wave_columns(canvas)]
    pending = [sum(e - s for s, e in canvas.pending_ranges())]
    for i, (path, start) in enumerate(segments):
        with qtbot.waitSignal(relay.wave, timeout=30_000):
            peaks.segment_arrived(_Seg(i, path, start))
        canvas.repaint()
        columns.append(_wave_columns(canvas))
        pending.append(sum(e - s for s, e in canvas.pending_ranges()))
    peaks.finish()
    assert peaks.join(30)
    assert columns == sorted(columns) and columns[0] == 0 and columns[-1] > columns[1] > 0, columns
    assert pending[1] > pending[-1] and pending[-1] < 300, pending  # the shaded part shrinks to nothing

    # the complete file's own waveform replaces the streamed one; a late streamed one is then ignored
    ed.set_media(test_clip)
    qtbot.waitUntil(lambda: ed._full_waveform, timeout=30_000)
    full = canvas._peaks
    assert full.arrived is None and canvas.pending_ranges() == []
    ed.set_partial_waveform(peaks.wave.snapshot())
    assert canvas._peaks is full
