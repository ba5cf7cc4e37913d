"""Computes (or reads from its cache) the media's waveform off the GUI thread for the timeline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reach_studio.workers.background import Job, run_in_background


def load_peaks_async(
    path: Path,
    on_peaks: Callable[[object], None],
    on_error: Callable[[str], None],
    alive: Callable[[], bool] = lambda: True,
) -> Job:
    """Call `on_peaks(waveform)` on the GUI thread when ready, or `on_error(message)`."""

    def work(token, progress):
        from reach_studio.media.waveform import compute_waveform

        return compute_waveform(path, progress=progress, token=token)

    def done(wave) -> None:
        if alive():
            on_peaks(wave)

    def failed(exc: BaseException) -> None:
        if alive():
            on_error(f"No waveform: {exc}")

    return run_in_background(work, done, failed)
