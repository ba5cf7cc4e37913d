"""Benchmark: fetching a 1 h audio-only HLS flavor from the emulator, ours vs `ffmpeg -i <m3u8> -c copy`.

    .venv/bin/python bench/bench_hls_fetch.py [--seconds 3600] [--latency-ms 50] [--workers 8] [--repeat 1]

The emulator adds `--latency-ms` to every segment request (like a CDN far away). ffmpeg reads the playlist
one segment after another; ours (reach_studio.media.hls_fetch) fetches segments in parallel and remuxes once.
Both read the same playManifest URL. Prints both wall times, the ratio (target: ours >= 3x faster) and the
durations of both outputs. The generated hour of media is cached between runs (first run: ~1 min to make).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reach_studio.emulator.server import Emulator
from reach_studio.emulator.services.media import add_generated_entry
from reach_studio.emulator.services.session import sign
from reach_studio.media.ffmpeg import ffmpeg_exe
from reach_studio.media.hls_fetch import fetch_hls
from reach_studio.media.probe import probe


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3600.0)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--media-cache", type=Path, default=Path(tempfile.gettempdir()) / "reach-studio-bench-media"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-hls-") as tmp_name:
        tmp = Path(tmp_name)
        emu = Emulator(tmp / "emu", seed="demo", media_cache=args.media_cache)
        emu.start()
        try:
            t0 = time.perf_counter()
            pid = emu.info["customers"][0]["partnerId"]
            entry = add_generated_entry(
                emu, pid, "Bench hour", duration_s=args.seconds, video=False, variant="bench-audio"
            )
            print(f"media ready in {time.perf_counter() - t0:.1f} s (cached after the first run)")
            eid = entry["id"]
            flavor = next(iter(emu.store.find("flavor_asset", entryId=eid, flavorParamsId=303)))
            privileges = f"sview:{eid},download:{eid},disableentitlementforentry:{eid}"
            ks = sign(emu.store.get("partner", pid), 0, "", 6 * 3600, privileges)
            url = (
                f"{emu.url}/p/{pid}/sp/{pid}00/playManifest/entryId/{eid}/flavorIds/{flavor['id']}"
                f"/format/applehttp/protocol/http/ks/{ks}/a.m3u8"
            )
            # warm the packager's HLS cut (made lazily on first request) outside the timed runs
            fetch_hls(url, tmp / "warm.m4a", audio_only=True, workers=args.workers)
            emu.faults.configure(segment_latency_ms=args.latency_ms)
            print(
                f"entry {args.seconds / 60:g} min audio-only, {args.latency_ms:g} ms added per segment request"
            )
            for run in range(1, args.repeat + 1):
                ours_out = tmp / f"ours-{run}.m4a"
                marks: dict[str, float] = {}

                def on_progress(done: int, total: int, marks: dict[str, float] = marks) -> None:
                    if total and done >= total:
                        marks.setdefault("segments", time.perf_counter())

                t_ours = time.perf_counter()
                result = fetch_hls(url, ours_out, audio_only=True, workers=args.workers,
                                   expected_duration_ms=entry["msDuration"], progress=on_progress)  # fmt: skip
                ours_s = time.perf_counter() - t_ours

                base_out = tmp / f"ffmpeg-{run}.m4a"
                t0 = time.perf_counter()
                subprocess.run(
                    [
                        ffmpeg_exe(),
                        "-hide_banner",
                        "-loglevel",
                        "error",
                        "-nostdin",
                        "-y",
                        "-i",
                        url,
                        "-c",
                        "copy",
                        str(base_out),
                    ],
                    check=True,
                    timeout=3600,
                )
                base_s = time.perf_counter() - t0
                base_ms = probe(base_out).duration_ms
                print(f"run {run}: segments {result.segments}")
                print(f"  ffmpeg -i m3u8 -c copy : {base_s:7.2f} s  (output {base_ms / 1000:.1f} s of media)")
                print(
                    f"  ours ({args.workers} workers)     : {ours_s:7.2f} s  (output "
                    f"{result.info.duration_ms / 1000:.1f} s of media)"
                )
                seg_s = marks.get("segments", t_ours) - t_ours
                print(
                    f"    of which segments   : {seg_s:7.2f} s, join + remux + probe {ours_s - seg_s:.2f} s"
                )
                print(f"  ratio ffmpeg/ours     : {base_s / ours_s:7.2f}x  (target >= 3x)")
        finally:
            emu.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
