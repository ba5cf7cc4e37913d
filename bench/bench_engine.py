"""Benchmark of the REACH engine against the emulator: a cold poll, and a task's 1 h media fetched end to end.

    .venv/bin/python bench/bench_engine.py [--tasks 300] [--api-latency-ms 50] [--seconds 3600]
                                           [--segment-latency-ms 50] [--skip-fetch]

1. Poll: `--tasks` extra pending tasks, `--api-latency-ms` added to every API request. A cold poll is getJobs
   (paged) plus one `get` per task (reach_vendor profile). Ours fetches task details with 4 workers;
   the baseline is the same poller with one worker (what a straightforward loop does). A warm re-poll only
   calls getJobs.
2. Fetch: a 1 h audio-only entry of a customer without flavorParamsIds, and a captions task on it. Ours is
   the whole engine path (claim, getPlaybackContext applehttp, flavor choice, parallel HLS, remux, probe);
   the baseline is `ffmpeg -i <the same narrowed playManifest URL> -c copy`. `--segment-latency-ms` is added
   to every segment request (a far CDN). The hour of media is cached between runs (first run: ~1 min).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reach_studio.domain.enums import ServiceFeature, ServiceType
from reach_studio.emulator.server import Emulator
from reach_studio.engine.media_fetch import MediaCache, fetch_task_media, narrow_to_flavor
from reach_studio.engine.poller import Poller, TaskFilter
from reach_studio.kaltura import reach_api
from reach_studio.kaltura.connection import AccountConfig, ReachConnection
from reach_studio.media.ffmpeg import ffmpeg_exe
from reach_studio.media.probe import probe


def connect(emu: Emulator) -> ReachConnection:
    info = emu.info
    return ReachConnection(
        AccountConfig.from_emulator_info(info),
        request_timeout=60,
    )


def bench_poll(emu: Emulator, tasks: int, latency_ms: float) -> None:
    store = emu.store
    template = next(iter(store.find("task", status=1, serviceType=1)))
    for _ in range(tasks):
        emu.control.add_task(
            partnerId=template["partnerId"],
            entryId=template["entryId"],
            catalogItemId=template["catalogItemId"],
            reachProfileId=template["reachProfileId"],
        )
    total = len(store.find("task", status=1))
    emu.faults.configure(latency_ms=latency_ms)
    everything = TaskFilter(service_types=None)
    figures = {}
    for label, workers in (("baseline (1 worker)", 1), ("ours (4 workers)", 4)):
        conn = connect(emu)
        conn.vendor_client()
        poller = Poller(conn, task_filter=everything, detail_workers=workers)
        t0 = time.perf_counter()
        assert poller.run_once(), poller.last_error
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        assert poller.run_once(), poller.last_error
        warm = time.perf_counter() - t0
        figures[label] = (cold, warm)
        print(
            f"  {label:22s}: cold poll {cold:6.2f} s, warm re-poll {warm:5.2f} s ({len(poller.tasks)} tasks)"
        )
    emu.faults.reset()
    base, ours = figures["baseline (1 worker)"][0], figures["ours (4 workers)"][0]
    print(f"  {total} pending tasks, {latency_ms:g} ms per API request; cold poll ratio {base / ours:.2f}x")


def bench_fetch(emu: Emulator, seconds: float, segment_latency_ms: float, tmp: Path) -> None:
    from reach_studio.emulator.services.media import add_generated_entry

    conn = connect(emu)
    customer = emu.info["customers"][1]["partnerId"]  # Contoso: no flavorParamsIds, so the engine chooses
    profile = next(
        p for p in emu.store.find("reach_profile", partnerId=customer) if not p.get("flavorParamsIds")
    )
    item = next(iter(emu.store.find("catalog_item", serviceFeature=1, serviceType=1)))
    t0 = time.perf_counter()
    entry = add_generated_entry(
        emu, customer, "Bench hour", duration_s=seconds, video=False, variant="bench-audio"
    )
    print(f"  media ready in {time.perf_counter() - t0:.1f} s (cached after the first run)")
    task_id = emu.control.add_task(
        partnerId=customer, entryId=entry["id"], catalogItemId=item["id"], reachProfileId=profile["id"]
    )
    light = next(t for t in reach_api.get_jobs(conn) if t.id == task_id)
    task = reach_api.claim(conn, reach_api.get_task(conn, light), "bench", settle=0)
    assert task.feature == ServiceFeature.CAPTIONS and task.service_type == ServiceType.HUMAN
    # warm the packager's lazily made HLS cut outside the timed runs
    fetch_task_media(conn, task, cache=MediaCache(tmp / "warm"))
    emu.faults.configure(segment_latency_ms=segment_latency_ms)

    t0 = time.perf_counter()
    result = fetch_task_media(conn, task, cache=MediaCache(tmp / "ours"))
    ours = time.perf_counter() - t0

    ctx = reach_api.playback_context(conn, task, "applehttp")
    source = next(s for s in ctx["sources"] if s["format"] == "applehttp")
    url = narrow_to_flavor(source["url"], result.choice.flavor.id)
    out = tmp / "ffmpeg.m4a"
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
            str(out),
        ],
        check=True,
        timeout=3600,
    )
    base = time.perf_counter() - t0
    emu.faults.reset()
    print(f"  chosen flavor: params {result.choice.flavor.flavor_params_id} ({result.choice.reason})")
    print(
        f"  ffmpeg -i m3u8 -c copy : {base:7.2f} s  (output {probe(out).duration_ms / 1000:.1f} s of media)"
    )
    print(f"  engine fetch_task_media: {ours:7.2f} s  (output {result.duration_ms / 1000:.1f} s of media)")
    print(f"  ratio ffmpeg/ours      : {base / ours:7.2f}x  (target >= 3x)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=300)
    parser.add_argument("--api-latency-ms", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=3600.0)
    parser.add_argument("--segment-latency-ms", type=float, default=50.0)
    parser.add_argument("--skip-fetch", action="store_true")
    parser.add_argument(
        "--media-cache", type=Path, default=Path(tempfile.gettempdir()) / "reach-studio-bench-media"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-engine-") as name:
        tmp = Path(name)
        with Emulator(tmp / "emu", seed="demo", media_cache=args.media_cache) as emu:
            print("poll:")
            bench_poll(emu, args.tasks, args.api_latency_ms)
            if not args.skip_fetch:
                print(
                    f"fetch ({args.seconds / 60:g} min audio-only, {args.segment_latency_ms:g} ms per segment):"
                )
                bench_fetch(emu, args.seconds, args.segment_latency_ms, tmp)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
