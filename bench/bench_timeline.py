"""Timeline repaint while scrolling through 2,000 cues with a waveform (target ≤ 16 ms per frame).

Prints median and worst frame times for: the real timeline, the same timeline painting every cue each
frame (no visible-range query: the naive approach), and an empty timeline (Qt's own floor). All three are
measured in this run on this machine.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_timeline.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PySide6.QtWidgets import QApplication

from reach_studio.domain.captions import Cue
from reach_studio.ui.timeline import Peaks, TimelineCanvas

N_CUES = 2000
WIDTH = 1600


def make_cues(n: int) -> list[Cue]:
    rng = np.random.default_rng(7)
    cues, t = [], 0
    for i in range(n):
        t += int(rng.integers(100, 800))
        d = int(rng.integers(900, 4500))
        cues.append(Cue(t, t + d, f"Cue {i} with a line of text\nand a second line here"))
        t += d
    return cues


def make_peaks(duration_ms: int) -> Peaks:
    rng = np.random.default_rng(3)
    buckets = duration_ms // 8  # 8 ms per bucket
    env = np.abs(np.sin(np.arange(buckets) / 400.0)) * 0.8
    noise = rng.random(buckets).astype(np.float32)
    return Peaks(-(env * noise), env * noise, 8.0)


def run(canvas: TimelineCanvas, ms_per_px: float, frames: int = 300) -> list[float]:
    canvas.set_zoom(ms_per_px)
    span = canvas.view_span_ms
    total = max(1, canvas.duration_ms - span)
    times = []
    for f in range(frames):
        canvas.set_view_start(total * f / frames)
        t0 = time.perf_counter()
        canvas.repaint()  # synchronous paintEvent
        times.append((time.perf_counter() - t0) * 1000)
    return times


def report(label: str, times: list[float]) -> None:
    p95 = sorted(times)[int(len(times) * 0.95)]
    print(
        f"  {label:<40} median {statistics.median(times):6.2f} ms   p95 {p95:6.2f} ms   worst {max(times):6.2f} ms"
    )


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    cues = make_cues(N_CUES)
    duration = cues[-1].end_ms
    peaks = make_peaks(duration)

    def canvas_with(items, with_peaks) -> TimelineCanvas:
        c = TimelineCanvas()
        c.resize(WIDTH, 130)
        c.show()
        c.set_items(items)
        c.set_duration(duration)
        if with_peaks:
            c.set_peaks(peaks)
        c.set_selected(5, reveal=False)
        c.set_error_rows({3, 50, 700})
        app.processEvents()
        return c

    real = canvas_with(cues, True)
    naive = canvas_with(cues, True)
    naive.visible_indexes = lambda t0, t1: np.arange(N_CUES)  # paint every cue, as a full-scene repaint would
    empty = canvas_with([], False)
    print(f"Timeline repaint, {N_CUES} cues over {duration / 60000:.0f} min, {WIDTH}x130 px, waveform on")
    for zoom, what in (
        (10.0, "10 ms/px (16 s visible)"),
        (100.0, "100 ms/px (2.7 min visible)"),
        (1000.0, "1000 ms/px (whole hour)"),
    ):
        print(f" zoom {what}:")
        report("timeline (visible cues only)", run(real, zoom))
        report("baseline: paint every cue each frame", run(naive, zoom))
        report("baseline: empty timeline (Qt floor)", run(empty, zoom))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
