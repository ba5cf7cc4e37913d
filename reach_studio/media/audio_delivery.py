"""Audio tracks for dubbing and audio description deliveries, in the form Kaltura asks for.

The vendor guide: "The generated audio tracks need to be MP4 and should use AAC-LC Codec with 64Kbps or
128Kbps bitrate", both for the dubbed/described track and for the original ("clear") audio the vendor
returns beside it. `encode_aac_lc` makes such a file from any audio or video; `check_aac_lc` says what is
wrong with a file before it is uploaded, so a delivery is never refused or silently broken on the customer side.
"""

from __future__ import annotations

from pathlib import Path

from reach_studio.domain.progress import CancelToken, ProgressCallback
from reach_studio.media.errors import MediaError
from reach_studio.media.ffmpeg import run_ffmpeg_to_file
from reach_studio.media.probe import MediaInfo, audio_packets, probe

ALLOWED_KBPS = (64, 128)
_NEAR = (
    0.35  # relative distance from a nominal rate still called "near" (AAC spends fewer bits on easy audio)
)
_MP4_FORMATS = ("mov", "mp4", "m4a")


def encode_aac_lc(
    source: Path,
    dest: Path,
    *,
    kbps: int = 128,
    progress: ProgressCallback | None = None,
    token: CancelToken | None = None,
    timeout: float | None = 3600.0,
) -> Path:
    """Encode the first audio track of `source` (WAV, MP3, a video...) to `dest` as AAC-LC in MP4.

    Mono and stereo are kept (more channels are mixed down to stereo); sample rates other than 44.1/48 kHz
    become 48 kHz. Written to a temporary name and renamed, so `dest` is complete whenever it exists.
    Progress is (done_ms, total_ms). Also extracts the original ("clear") audio of a video.
    """
    if kbps not in ALLOWED_KBPS:
        raise MediaError(f"Kaltura audio tracks are AAC-LC at 64 or 128 kbps, not {kbps} kbps")
    source, dest = Path(source), Path(dest)
    info = probe(source)
    audio = info.first("audio")
    if audio is None:
        raise MediaError(f"{source.name} has no audio track to encode")
    channels = min(audio.channels or 2, 2)
    rate = audio.sample_rate if audio.sample_rate in (44100, 48000) else 48000
    run_ffmpeg_to_file(
        [
            "-i",
            str(source),
            "-map",
            "0:a:0",
            "-vn",
            "-sn",
            "-dn",
            "-map_metadata",
            "-1",
            "-c:a",
            "aac",
            "-profile:a",
            "aac_low",
            "-b:a",
            f"{kbps}k",
            "-ac",
            str(channels),
            "-ar",
            str(rate),
            "-movflags",
            "+faststart",
            "-f",
            "mp4",
        ],
        dest,
        partial="encoding.tmp",
        duration_ms=info.duration_ms or None,
        progress=progress,
        token=token,
        timeout=timeout,
    )
    return dest


def _peak_bitrate(path: Path) -> tuple[int | None, int | None]:
    """(average, busiest-second) bit rate of the first audio track, from its packet sizes."""
    per_second: dict[int, int] = {}
    total = 0
    for pts, size in audio_packets(path):
        second = int(pts)
        per_second[second] = per_second.get(second, 0) + size
        total += size
    if not per_second:
        return None, None
    seconds = max(1, len(per_second))
    full = sorted(per_second.items())[:-1] or sorted(per_second.items())  # the last second is partial
    return total * 8 // seconds, max(size for _, size in full) * 8


def check_aac_lc(path: Path, allowed_kbps: tuple[int, ...] = ALLOWED_KBPS) -> list[str]:
    """Problems that would make `path` an unacceptable Kaltura audio track; an empty list means fine.

    AAC spends fewer bits on silence and simple sounds, so the rate is judged on the busiest second of audio
    (never above the nominal rate for a correct encode) and must be near one of `allowed_kbps`.
    """
    path = Path(path)
    try:
        info = probe(path)
    except MediaError as exc:
        return [str(exc)]
    problems = _problems(path, info, allowed_kbps)
    return [f"{path.name}: {p}" for p in problems]


def _problems(path: Path, info: MediaInfo, allowed_kbps: tuple[int, ...]) -> list[str]:
    problems: list[str] = []
    if not any(name in info.format_name.split(",") for name in _MP4_FORMATS) or path.suffix.lower() not in (
        ".mp4",
        ".m4a",
    ):
        problems.append(
            f"container is {info.format_name.split(',')[0]} ({path.suffix or 'no extension'}), not MP4"
        )
    audios = [s for s in info.streams if s.kind == "audio"]
    if not audios:
        return [*problems, "no audio track"]
    if len(audios) > 1:
        problems.append(f"{len(audios)} audio tracks: a delivered track must hold exactly one")
    if info.has_video:
        problems.append("has a video track: an audio flavor must be audio only")
    audio = audios[0]
    if audio.codec != "aac":
        problems.append(f"codec is {audio.codec}, not AAC")
    elif (audio.profile or "").upper() != "LC":
        problems.append(f"AAC profile is {audio.profile or 'unknown'}, not LC")
    average, peak = _peak_bitrate(path)
    if peak is None or average is None:
        problems.append("the audio track is empty")
        return problems
    measured = max(peak, average)
    nearest = min(allowed_kbps, key=lambda k: abs(measured - k * 1000) / (k * 1000))
    wanted = " or ".join(f"{k}" for k in allowed_kbps)
    if abs(measured - nearest * 1000) / (nearest * 1000) > _NEAR:
        problems.append(f"bit rate is about {measured // 1000} kbps, not {wanted} kbps")
    elif measured > nearest * 1000 * 1.15:
        problems.append(f"bit rate peaks at {measured // 1000} kbps, above {nearest} kbps")
    return problems
