"""Voice-track mixing benchmark: mix N takes over a long original (with ducking) into an AAC-LC track, next to
the baseline of encoding the same original alone to AAC-LC (the clear-audio track, no mixing).

Run: .venv/bin/python bench/bench_voice_mix.py [minutes] [takes]   (default 10 minutes, 120 takes)
Media is generated in a temporary folder; figures are wall time of one run each, measured in this process.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import imageio_ffmpeg

from reach_studio.media.audio_delivery import check_aac_lc
from reach_studio.media.audio_mix import Placement, extract_clear_audio, mix_voice_track


def ffmpeg(*args: str) -> None:
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args],
        check=True,
        timeout=600,
    )


def main() -> int:
    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 120
    folder = Path(tempfile.mkdtemp(prefix="bench-voice-"))
    seconds = int(minutes * 60)
    original = folder / "original.m4a"
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency=220:sample_rate=48000:duration={seconds}",
        "-c:a",
        "aac",
        "-b:a",
        "128k",
        str(original),
    )
    take = folder / "take.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=700:sample_rate=48000:duration=2.5", "-ac", "1", str(take))
    step = seconds * 1000 // (count + 1)
    placements = [Placement((i + 1) * step, take) for i in range(count)]

    t0 = time.perf_counter()
    extract_clear_audio(original, folder / "clear.mp4")
    baseline = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = mix_voice_track(original, placements, folder / "mix.mp4")
    mixed = time.perf_counter() - t0
    problems = check_aac_lc(out)
    print(f"original {minutes:g} min, {count} takes of 2.5 s")
    print(f"  baseline: encode the original alone to AAC-LC 128k  {baseline:6.2f} s")
    print(
        f"  mix {count} takes + duck + encode AAC-LC 128k         {mixed:6.2f} s  ({mixed / baseline:.1f}× baseline)"
    )
    print(f"  mixed track passes check_aac_lc: {not problems} {problems or ''}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
