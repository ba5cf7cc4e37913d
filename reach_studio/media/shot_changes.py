"""Shot changes (scene cuts) of a video, found with ffmpeg's scene score, for the timeline's marks and snapping.

Captioners start and end cues on cuts (a caption hanging over a cut flickers). ffmpeg's `select` filter
scores each frame against the previous one; frames above `threshold` are cuts. The picture is scaled down
first (the score does not need detail), and the result is cached beside the media (`<name>.shots.json`,
keyed by the file's size and mtime), as the waveform is. Run it off the GUI thread.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from reach_studio.domain.progress import Cancelled, CancelToken, ProgressCallback
from reach_studio.media.errors import MediaError
from reach_studio.media.ffmpeg import open_ffmpeg_pipe

DEFAULT_THRESHOLD = 0.3  # ffmpeg's scene score: 0.3-0.4 is the usual cut detector setting
_PTS = re.compile(rb"pts_time:([0-9.]+)")
CACHE_VERSION = 1


def _cache_path(media: Path) -> Path:
    return media.with_name(f".{media.name}.shots.json")


def _stamp(media: Path, threshold: float) -> dict:
    st = media.stat()
    return {"version": CACHE_VERSION, "size": st.st_size, "mtime": int(st.st_mtime), "threshold": threshold}


def detect_shot_changes(
    media: Path,
    threshold: float = DEFAULT_THRESHOLD,
    *,
    duration_ms: int | None = None,
    token: CancelToken | None = None,
    progress: ProgressCallback | None = None,
) -> list[int]:
    """Times (ms) of the cuts in `media`, in order; [] for audio-only media. Raises MediaError, Cancelled."""
    media = Path(media)
    cache = _cache_path(media)
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
        if data.get("stamp") == _stamp(media, threshold):
            return [int(t) for t in data["cuts"]]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    args = [
        "-i",
        str(media),
        "-map",
        "0:v:0?",
        "-an",
        "-sn",
        "-dn",
        "-vf",
        f"scale=160:-2,select='gt(scene,{threshold})',metadata=print:file=-",
        "-f",
        "null",
        "-",
    ]
    cuts: list[int] = []
    with open_ffmpeg_pipe(args) as pipe:
        for line in pipe.stdout:
            if token is not None and token.cancelled:
                raise Cancelled()
            match = _PTS.search(line)
            if match:
                ms = int(float(match.group(1)) * 1000)
                cuts.append(ms)
                if progress is not None and duration_ms:
                    progress(min(ms, duration_ms), duration_ms)
        pipe.finish()
    try:
        tmp = cache.with_suffix(".tmp")
        tmp.write_text(json.dumps({"stamp": _stamp(media, threshold), "cuts": cuts}), encoding="utf-8")
        os.replace(tmp, cache)
    except OSError:
        pass  # a read-only media folder: detect again next time
    return cuts


__all__ = ["DEFAULT_THRESHOLD", "MediaError", "detect_shot_changes"]
