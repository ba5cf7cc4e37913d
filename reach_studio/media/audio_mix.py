"""Mixing recorded takes over the original audio into the dubbing / audio-description track.

Why it exists: a describer or voice actor records one short take per line; Kaltura wants one audio track
(MP4, AAC-LC 64/128 kbps) where each take is heard at its time and the original sound is lowered
("ducked") under it, plus the clear original audio as a second track. This module builds that track with
one ffmpeg filter graph (`adelay` places each take, `volume` with an `enable` expression ducks the original
while a take plays, `amix` sums without normalising), then encodes it through `media/audio_delivery.py`.
Everything runs through `media/ffmpeg.py`, so it reports progress and honours a CancelToken. Qt-free.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reach_studio.domain.progress import CancelToken, ProgressCallback
from reach_studio.media.audio_delivery import encode_aac_lc
from reach_studio.media.errors import MediaError
from reach_studio.media.ffmpeg import run_ffmpeg, run_ffmpeg_to_file
from reach_studio.media.probe import probe

MIX_RATE = 48000
TAKE_RATE = 48000
DEFAULT_DUCK_DB = -14.0  # how much the original is lowered under a take
DUCK_MARGIN_MS = 150  # the original is lowered a little before a take starts and after it ends
MAX_TAKES = 2000
WINDOWS_PER_FILTER = 24


@dataclass(frozen=True)
class Placement:
    """One take heard from `start_ms` on."""

    start_ms: int
    path: Path


def _seconds(ms: float) -> str:
    return f"{max(0.0, ms) / 1000:.3f}"


def duck_windows(
    placements: Sequence[tuple[int, int]], margin_ms: int = DUCK_MARGIN_MS
) -> list[tuple[int, int]]:
    """Merged (start, end) ms spans where the original is ducked, from (take start, take length) pairs."""
    spans = sorted((max(0, s - margin_ms), s + length + margin_ms) for s, length in placements if length > 0)
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def mix_filter(takes: Sequence[tuple[int, int]], duck_db: float = DEFAULT_DUCK_DB) -> str:
    """The ffmpeg filter graph for input 0 = original and inputs 1.. = `takes` ((start_ms, length_ms) each).

    The output label is [mix]; its length is the original's.
    """
    fmt = f"aformat=sample_fmts=fltp:sample_rates={MIX_RATE}:channel_layouts=stereo"
    windows = duck_windows(takes)
    # ffmpeg's expression parser gives up past ~50 terms (its stack depth is 100), so a long script is ducked
    # by a chain of volume filters, each for its own slice of the (disjoint) windows.
    ducks = []
    for i in range(0, len(windows), WINDOWS_PER_FILTER):
        enable = "+".join(
            f"between(t,{_seconds(a)},{_seconds(b)})" for a, b in windows[i : i + WINDOWS_PER_FILTER]
        )
        ducks.append(f"volume=volume={duck_db:g}dB:enable='{enable}'")
    parts = [f"[0:a]{','.join([fmt, *ducks])}[bed]"]
    labels = ["[bed]"]
    # Takes are laid end to end on as few "lanes" as possible (a lane = silence, take, silence, take...,
    # joined with concat), so the cost grows with the media's length, not with length x takes as one amix
    # input per take would (400 takes over 20 min: 73 s that way). Overlapping takes go to another lane.
    for k, lane in enumerate(_lanes(takes)):
        pieces = []
        first_start = takes[lane[0] - 1][0]
        if first_start > 0:
            parts.append(
                f"anullsrc=r={MIX_RATE}:cl=stereo,atrim=duration={_seconds(first_start)},{fmt}[l{k}s]"
            )
            pieces.append(f"[l{k}s]")
        for pos, i in enumerate(lane):
            start = takes[i - 1][0]
            chain = f"[{i}:a]{fmt}"
            if pos + 1 < len(lane):  # pad the take with silence up to the next take of this lane
                chain += f",apad=whole_dur={_seconds(takes[lane[pos + 1] - 1][0] - start)}"
            parts.append(f"{chain}[l{k}t{pos}]")
            pieces.append(f"[l{k}t{pos}]")
        if len(pieces) == 1:
            parts.append(f"{pieces[0]}anull[lane{k}]")
        else:
            parts.append(f"{''.join(pieces)}concat=n={len(pieces)}:v=0:a=1[lane{k}]")
        labels.append(f"[lane{k}]")
    if len(labels) == 1:
        parts.append("[bed]anull[mix]")
    else:
        parts.append(
            f"{''.join(labels)}amix=inputs={len(labels)}:duration=first:dropout_transition=0:"
            f"normalize=0,alimiter=limit=0.97:level=disabled[mix]"
        )
    return ";".join(parts)


def _lanes(takes: Sequence[tuple[int, int]]) -> list[list[int]]:
    """Input numbers (1-based, as in the filter graph) of the takes per lane; within a lane takes never overlap."""
    lanes: list[list[int]] = []
    ends: list[int] = []
    for i in sorted(range(1, len(takes) + 1), key=lambda n: takes[n - 1][0]):
        start, length = takes[i - 1]
        for k, end in enumerate(ends):
            if end <= start:
                lanes[k].append(i)
                ends[k] = start + length
                break
        else:
            lanes.append([i])
            ends.append(start + length)
    return lanes


def _input_format(path: Path) -> list[str]:
    """Force the WAV demuxer for .wav takes (see the FLAC note in `mix_voice_track`)."""
    return ["-f", "wav"] if Path(path).suffix.lower() == ".wav" else []


def take_duration_ms(path: Path) -> int:
    """Length of a take in ms (MediaError when it is not readable audio)."""
    info = probe(Path(path))
    if not info.has_audio:
        raise MediaError(f"{Path(path).name} has no audio")
    return info.duration_ms


def mix_voice_track(
    original: Path,
    placements: Sequence[Placement],
    dest: Path,
    *,
    kbps: int = 128,
    duck_db: float = DEFAULT_DUCK_DB,
    progress: ProgressCallback | None = None,
    token: CancelToken | None = None,
    timeout: float | None = 3600.0,
) -> Path:
    """Write `dest` (MP4, AAC-LC at `kbps`): the original audio of `original` with every take placed at its
    time and the original ducked by `duck_db` under it. Progress is (done_ms, total_ms) over mix + encode.
    """
    original, dest = Path(original), Path(dest)
    if len(placements) > MAX_TAKES:
        raise MediaError(f"too many takes to mix at once ({len(placements)} > {MAX_TAKES})")
    info = probe(original)
    if not info.has_audio:
        raise MediaError(f"{original.name} has no audio track to mix the takes over")
    total = max(1, info.duration_ms)
    takes: list[tuple[int, int]] = []
    for placement in placements:
        if placement.start_ms < 0:
            raise MediaError(f"a take cannot start before the media ({placement.start_ms} ms)")
        takes.append((int(placement.start_ms), take_duration_ms(placement.path)))

    def stage(offset: int):
        if progress is None:
            return None
        return lambda done, _total: progress(min(2 * total, offset + min(done, total)), 2 * total)

    dest.parent.mkdir(parents=True, exist_ok=True)
    # FLAC, not WAV, in between: ffmpeg's probe can take raw PCM for MPEG-TS when the samples happen to hold
    # 0x47 sync bytes 188 apart (seen with a pure tone), while "fLaC" is unambiguous.
    fd, tmp_name = tempfile.mkstemp(prefix=".mix-", suffix=".flac", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        args: list[str] = ["-i", str(original)]
        for placement in placements:
            args += [*_input_format(placement.path), "-i", str(placement.path)]
        args += [
            "-filter_complex",
            mix_filter(takes, duck_db),
            "-map",
            "[mix]",
            "-vn",
            "-c:a",
            "flac",
            "-ar",
            str(MIX_RATE),
            "-f",
            "flac",
            str(tmp),
        ]
        run_ffmpeg(args, duration_ms=total, progress=stage(0), token=token, timeout=timeout)
        encode_aac_lc(tmp, dest, kbps=kbps, progress=stage(total), token=token, timeout=timeout)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def extract_clear_audio(
    original: Path,
    dest: Path,
    *,
    kbps: int = 128,
    progress: ProgressCallback | None = None,
    token: CancelToken | None = None,
    timeout: float | None = 3600.0,
) -> Path:
    """The original audio of `original` alone, as the MP4 AAC-LC "clear audio" track Kaltura asks for."""
    return encode_aac_lc(
        Path(original), Path(dest), kbps=kbps, progress=progress, token=token, timeout=timeout
    )


def import_take(
    source: Path,
    dest: Path,
    *,
    progress: ProgressCallback | None = None,
    token: CancelToken | None = None,
    timeout: float | None = 600.0,
) -> int:
    """Convert any audio (or a video's first audio track) into a 48 kHz mono WAV take; returns its length in ms."""
    source, dest = Path(source), Path(dest)
    info = probe(source)
    if not info.has_audio:
        raise MediaError(f"{source.name} has no audio to use as a take")
    run_ffmpeg_to_file(
        [
            "-i",
            str(source),
            "-map",
            "0:a:0",
            "-vn",
            "-ac",
            "1",
            "-ar",
            str(TAKE_RATE),
            "-c:a",
            "pcm_s16le",
            "-f",
            "wav",
        ],
        dest,
        partial="importing.wav",
        duration_ms=info.duration_ms or None,
        progress=progress,
        token=token,
        timeout=timeout,
    )
    length = take_duration_ms(dest)
    if length <= 0:
        dest.unlink(missing_ok=True)
        raise MediaError(f"{source.name} holds no audible audio")
    return length
