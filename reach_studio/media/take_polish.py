"""A recorded take cleaned up before it is mixed: silence trimmed, loudness evened out, short fades.

Why it exists: takes come from a microphone (or an imported file) and start with the pause before the
speaker talks, end with the pause after, sit at whatever level the microphone gave, and start and stop
abruptly. Mixed as they are, each take is heard late (its leading pause is placed at the line's time),
takes differ in loudness from line to line, and every edge can click. This module fixes the three with
pydub on the take's WAV (pydub reads and writes WAV itself: no ffmpeg or ffprobe is needed here).
Qt-free; the voice editor runs it in a worker after each take (recorded or imported).
"""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

from reach_studio.media.errors import MediaError


@dataclass(frozen=True)
class PolishSettings:
    silence_below_peak_db: float = 35.0  # quieter than the take's peak by this much counts as silence
    keep_ms: int = 120  # kept before the first and after the last sound: soft onsets and breaths survive
    target_dbfs: float = -18.0  # RMS loudness of the voice after the gain (a spoken voice-over level)
    ceiling_dbfs: float = -1.0  # the gain never pushes a peak above this (no clipping)
    fade_ms: int = 15  # fade in and out: no click where the take starts and stops


@dataclass(frozen=True)
class PolishReport:
    length_ms: int  # the take's length afterwards
    trimmed_start_ms: int
    trimmed_end_ms: int
    gain_db: float  # applied to reach the target loudness (negative: made quieter)
    silent: bool = False  # nothing above the digital floor: left as it was


def _pydub():
    """pydub's AudioSegment and detect_leading_silence, imported quietly (pydub 0.25 warns about audioop on 3.11 and, when no ffmpeg
    is on PATH, that it cannot find one; neither matters for WAV in and out)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        from pydub import AudioSegment
        from pydub.silence import detect_leading_silence
    return AudioSegment, detect_leading_silence


def polish_take(path: Path, dest: Path | None = None, settings: PolishSettings | None = None) -> PolishReport:
    """Trim the silence at both ends, set the loudness, fade the edges; writes `dest` (default: in place,
    atomically). A take with no sound at all is left as it is (`silent=True`)."""
    audio_segment, detect_leading_silence = _pydub()
    s = settings or PolishSettings()
    path = Path(path)
    dest = Path(dest) if dest is not None else path
    try:
        seg = audio_segment.from_wav(str(path))
    except Exception as exc:  # noqa: BLE001 - wave/audioop/pydub errors of a damaged file: one readable error
        raise MediaError(f"{path.name} is not a readable WAV take: {exc}") from None
    if len(seg) == 0 or seg.max == 0:
        if dest != path:
            seg.export(str(dest), format="wav").close()
        return PolishReport(len(seg), 0, 0, 0.0, silent=True)

    threshold = seg.max_dBFS - s.silence_below_peak_db
    lead = detect_leading_silence(seg, silence_threshold=threshold, chunk_size=10)
    trail = detect_leading_silence(seg.reverse(), silence_threshold=threshold, chunk_size=10)
    start = max(0, lead - s.keep_ms)
    end = min(len(seg), len(seg) - trail + s.keep_ms)
    if end <= start:  # only a click louder than the rest: keep it whole
        start, end = 0, len(seg)
    voice = seg[start:end]

    gain = s.target_dbfs - voice.dBFS
    gain = min(gain, s.ceiling_dbfs - voice.max_dBFS)
    if not math.isfinite(gain):
        gain = 0.0
    voice = voice.apply_gain(gain)
    fade = min(s.fade_ms, len(voice) // 4)
    if fade > 0:
        voice = voice.fade_in(fade).fade_out(fade)

    tmp = dest.with_name(f".{dest.name}.polishing.wav")
    try:
        voice.export(str(tmp), format="wav").close()
        os.replace(tmp, dest)
    except OSError as exc:
        raise MediaError(f"Cannot write the take {dest.name}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return PolishReport(len(voice), start, len(seg) - end, round(gain, 1))
