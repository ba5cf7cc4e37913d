"""Benchmark: what keeping secrets away from media children costs per ffmpeg started while a task streams.

    .venv/bin/python bench/bench_media_spawn.py [--runs 30]

Every media child starts through media/ffmpeg.spawn (command line checked for a KS or token, environment
without secrets). Measured on the streaming waveform's own command (a run of 64 HLS segments decoded to PCM,
as media.waveform.GrowingWaveform.decode builds it), against the baseline in the same run: the same
command started with plain subprocess.Popen. Runs alternate so machine load hits both alike.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reach_studio.media.ffmpeg import ffmpeg_exe, run_ffmpeg, spawn
from reach_studio.redaction import argv_holds_secret, child_environment


def _segments(folder: Path, count: int = 64) -> list[Path]:
    """`count` short MPEG-TS audio pieces, like the HLS segments the waveform decodes while streaming."""
    first = folder / "seg_000000.ts"
    run_ffmpeg(
        ["-f", "lavfi", "-i", "sine=f=440:d=0.2", "-c:a", "aac", "-f", "mpegts", str(first)], timeout=60
    )
    pieces = [first]
    for i in range(1, count):
        piece = folder / f"seg_{i:06d}.ts"
        piece.write_bytes(first.read_bytes())
        pieces.append(piece)
    return pieces


def _run(start, cmd: list[str]) -> float:
    began = time.perf_counter()
    proc = start(cmd)
    proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"ffmpeg failed ({proc.returncode})")
    return time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pieces = _segments(Path(tmp))
        cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error",
               "-i", "concat:" + "|".join(map(str, pieces)), "-map", "0:a:0", "-vn", "-sn", "-dn",
               "-ac", "1", "-ar", "8000", "-f", "s16le", "-acodec", "pcm_s16le", "pipe:1"]  # fmt: skip
        pipes = {"stdin": subprocess.DEVNULL, "stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
        ours, plain = [], []
        for _ in range(args.runs):
            ours.append(_run(lambda c: spawn(c, "ffmpeg", **pipes), cmd))
            plain.append(_run(lambda c: subprocess.Popen(c, **pipes), cmd))
        checks = 1000
        began = time.perf_counter()
        for _ in range(checks):
            argv_holds_secret(cmd)
            child_environment()
        check_ms = (time.perf_counter() - began) / checks * 1000
    mo, mp = statistics.median(ours), statistics.median(plain)
    print(
        f"decode of 64 segments, median of {args.runs}: spawn {mo * 1000:.1f} ms, baseline Popen {mp * 1000:.1f} ms"
    )
    print(f"ratio {mo / mp:.3f}; the check itself (argv + environment) {check_ms:.2f} ms per child")
    return 0


if __name__ == "__main__":
    sys.exit(main())
