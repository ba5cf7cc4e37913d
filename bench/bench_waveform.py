"""Benchmark: waveform peaks for a 1 h audio file vs the time ffmpeg alone takes to decode it to PCM.

    .venv/bin/python bench/bench_waveform.py [--seconds 3600] [--repeat 3]

Baseline: the same ffmpeg decode ours uses (mono, 8 kHz, s16le to a pipe that is thrown away), so the ratio
shows what reading the pipe and reducing with numpy costs on top (target <= 1.2x). Also prints the decode at
the native rate for reference, the cached reopen time and the peak Python/numpy memory of one computation.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reach_studio.emulator.media_factory import build_entry_media
from reach_studio.media.ffmpeg import ffmpeg_exe
from reach_studio.media.waveform import DEFAULT_SAMPLE_RATE, cache_path, compute_waveform


def cpu_s() -> float:
    """CPU seconds (user + system) used so far by this process and its finished children (ffmpeg)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        r = resource.getrusage(who)
        total += r.ru_utime + r.ru_stime
    return total


def ffmpeg_decode(path: Path, *extra: str) -> tuple[float, float]:
    """(wall, cpu) seconds of one ffmpeg decode."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(path), *extra]
    t0, c0 = time.perf_counter(), cpu_s()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, timeout=1800)
    return time.perf_counter() - t0, cpu_s() - c0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3600.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--media-cache", type=Path, default=Path(tempfile.gettempdir()) / "reach-studio-bench-media"
    )
    args = parser.parse_args()

    t0 = time.perf_counter()
    media = build_entry_media(args.media_cache, args.seconds, video=False, variant="bench-audio")
    path = media.flavor(303).path
    print(
        f"media: {path.name}, {media.duration_ms / 60000:.0f} min AAC, {path.stat().st_size / 1e6:.1f} MB "
        f"(ready in {time.perf_counter() - t0:.1f} s; cached after the first run)"
    )

    same_args = ["-map", "0:a:0", "-vn", "-ac", "1", "-ar", str(DEFAULT_SAMPLE_RATE), "-f", "s16le",
                 "-acodec", "pcm_s16le", "pipe:1"]  # fmt: skip
    base, ours, native, base_cpu, ours_cpu = [], [], [], [], []
    for _ in range(args.repeat):
        wall, cpu = ffmpeg_decode(path, *same_args)
        base.append(wall)
        base_cpu.append(cpu)
        cache_path(path).unlink(missing_ok=True)
        t0, c0 = time.perf_counter(), cpu_s()
        compute_waveform(path, use_cache=False)
        ours.append(time.perf_counter() - t0)
        ours_cpu.append(cpu_s() - c0)
        native.append(ffmpeg_decode(path, "-vn", "-f", "s16le", "pipe:1")[0])

    tracemalloc.start()
    wave = compute_waveform(path)  # also writes the cache
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    t0 = time.perf_counter()
    reopened = compute_waveform(path)
    reopen_s = time.perf_counter() - t0
    assert reopened.from_cache

    b, o = statistics.median(base), statistics.median(ours)
    print(f"runs: {args.repeat} (median; min in brackets)")
    print(f"  ffmpeg decode to 8 kHz mono PCM : {b:6.2f} s  [{min(base):.2f}]")
    print(f"  ours: decode + peaks (4 levels) : {o:6.2f} s  [{min(ours):.2f}]")
    print(f"  ratio ours/ffmpeg               : {o / b:6.2f}x  (target <= 1.2x)")
    bc, oc = statistics.median(base_cpu), statistics.median(ours_cpu)
    print(f"  CPU time (user+sys, ffmpeg incl.): ffmpeg {bc:.2f} s, ours {oc:.2f} s, ratio {oc / bc:.2f}x "
          "(steadier than wall time on a busy machine)")  # fmt: skip
    print(f"  (ffmpeg decode at native rate   : {statistics.median(native):6.2f} s)")
    print(f"  reopen from .peaks.npz cache    : {reopen_s * 1000:6.1f} ms")
    print(
        f"  peak traced memory while computing: {peak / 1e6:.1f} MB "
        f"(the whole PCM at 8 kHz would be {media.duration_ms * 16 / 1e6:.0f} MB)"
    )
    print("  peaks: " + ", ".join(f"{spp}: {len(a)}" for spp, a in sorted(wave.levels.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
