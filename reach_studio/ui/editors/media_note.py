"""Which media the editor plays: the flavor and whether it has a picture, probed off the GUI thread.

A captioner who gets an audio-only flavor sees a black video; the editor says so in words (and which
flavor it is) instead of leaving them to guess.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reach_studio.workers.background import Job, run_in_background

NO_PICTURE = "This media has no picture (audio-only flavor {flavor}): only the sound can be worked from"


def describe(path: Path, info) -> tuple[str, bool]:
    """(one line for the transport row, has a picture). The media cache names files `<flavorId>.<ext>`."""
    flavor = Path(path).stem
    video = info.first("video") if info is not None else None
    if video is None:
        return f"Playing flavor {flavor}: audio only, no picture", False
    size = f"{video.width}×{video.height}" if video.width and video.height else "video"
    return f"Playing flavor {flavor}: {size} {video.codec}", True


def probe_async(
    path: Path, on_done: Callable[[str, bool], None], alive: Callable[[], bool] = lambda: True
) -> Job:
    """Call `on_done(text, has_picture)` on the GUI thread; a file that cannot be probed says so."""

    def work(token, progress):
        from reach_studio.media.probe import probe

        return probe(path)

    def done(info) -> None:
        if alive():
            on_done(*describe(path, info))

    def failed(exc: BaseException) -> None:
        if alive():
            on_done(f"Playing {Path(path).name} (could not read its streams: {exc})", True)

    return run_in_background(work, done, failed)
