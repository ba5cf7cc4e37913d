"""Benchmark (issue 15, "Start at once"): the full waveform after the hand-over, 1 h entry.

    .venv/bin/python bench/bench_streamed_waveform.py [--seconds 3600] [--latency-ms 50]

A 1 h captions task is claimed on the emulator (in this process) and its media fetched as the shell does while
streaming: HLS segments in parallel, their audio decoded into the growing waveform as they land. When the file
is complete the editor asks for the file's waveform (media.waveform.compute_waveform):
- baseline, the old path: the complete file is decoded again by ffmpeg (`use_cache=False`, the same call);
- now: the streamed waveform was kept as the file's cached peaks (adopt_as_cache), so it is read from disk.
Also printed: the fetch's wall time, how many ffmpeg decodes the waveform module started for the segments and
for the file, and how far the two waveforms differ. The 1 h media is generated once (cached).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from reach_studio.emulator.seed import add_long_entry
from reach_studio.emulator.server import Emulator
from reach_studio.engine.media_fetch import MediaCache, fetch_task_media
from reach_studio.kaltura import reach_api
from reach_studio.kaltura.connection import AccountConfig, ReachConnection
from reach_studio.media import waveform


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3600.0)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument(
        "--media-cache", type=Path, default=Path(tempfile.gettempdir()) / "reach-studio-bench-media"
    )
    args = parser.parse_args()
    decodes: list[str] = []
    real_pipe = waveform.open_ffmpeg_pipe

    def counting(argv, *a, **kw):
        decodes.append("segments" if argv[argv.index("-i") + 1].startswith("concat:") else "file")
        return real_pipe(argv, *a, **kw)

    waveform.open_ffmpeg_pipe = counting
    with tempfile.TemporaryDirectory(prefix="bench-streamed-waveform-") as tmp:
        os.environ["REACH_STUDIO_HOME"] = tmp
        emu = Emulator(Path(tmp) / "emu", seed="demo", media_cache=args.media_cache).start()
        try:
            t0 = time.perf_counter()
            long = add_long_entry(emu, args.seconds, video=True)
            print(f"media ready in {time.perf_counter() - t0:.1f} s (generated once, then cached)")
            conn = ReachConnection(AccountConfig.from_emulator_info(emu.info))
            light = next(t for t in reach_api.get_jobs(conn) if t.id == long["task"]["id"])
            task = reach_api.claim(conn, reach_api.get_task(conn, light), "bench", settle=0)
            emu.faults.configure(latency_ms=args.latency_ms, segment_latency_ms=args.latency_ms)
            waves = []
            t0 = time.perf_counter()
            result = fetch_task_media(
                conn, task, cache=MediaCache(Path(tmp) / "media"), on_waveform=waves.append
            )
            fetch_s = time.perf_counter() - t0
            emu.faults.reset()
        finally:
            emu.stop()
        at_download = list(decodes)
        t0 = time.perf_counter()
        now = waveform.compute_waveform(result.path)
        now_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        old = waveform.compute_waveform(result.path, use_cache=False)
        old_s = time.perf_counter() - t0
        finest = min(old.levels)
        a, b = now.levels[finest].astype(np.int32), old.levels[finest].astype(np.int32)
        n = min(len(a), len(b))
        diff = np.abs(a[:n] - b[:n])
        print(f"entry: {args.seconds / 60:g} min, flavor {result.choice.flavor.id} ({result.size / 1e6:.0f} MB, "
              f"{result.protocol}); {args.latency_ms:g} ms per request")  # fmt: skip
        print(f"fetch (download + streamed waveform): {fetch_s:.1f} s; {len(waves)} waveform updates; "
              f"decodes during it: {at_download.count('segments')} of segment runs, {at_download.count('file')} of the file")  # fmt: skip
        print("full waveform once the file is complete (what the editor waits for after the hand-over):")
        print(f"  baseline, decode the file again : {old_s:7.2f} s")
        print(f"  now, streamed peaks kept (cache): {now_s * 1000:7.1f} ms  (from_cache={now.from_cache})")
        print(f"  peaks differ: mean {diff.mean():.1f}, 99th pct {np.percentile(diff, 99):.0f}, "
              f"max {diff.max()} of 32768 ({n} peaks of {finest} samples)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
