"""Start-up time of the Kaltura REACH emulator with the demo seed: cold media cache, warm cache, restart.

Baseline in the same run: the "minimal" seed (partners and app token only, no media), so the figures show
what the demo's generated media and objects cost. Run: `.venv/bin/python bench/bench_emulator_startup.py`.
Add `--long 3600` to also time making the 1 h benchmark entry (`reach-studio emulator --make-long-entry 3600`).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from KalturaClient import KalturaClient, KalturaConfiguration

from reach_studio.emulator.seed import add_long_entry
from reach_studio.emulator.server import Emulator


def _first_call(emu: Emulator) -> None:
    config = KalturaConfiguration()
    config.serviceUrl = emu.url
    client = KalturaClient(config)
    client.setKs(client.session.start(emu.info["adminSecret"], "", 2, emu.info["vendorPartnerId"]))
    client.reach.entryVendorTask.getJobs()


def _timed(label: str, data: Path, seed: str, cache: Path) -> float:
    started = time.perf_counter()
    emu = Emulator(data, seed=seed, media_cache=cache).start()
    ready = time.perf_counter() - started
    _first_call(emu)
    served = time.perf_counter() - started
    emu.stop()
    print(f"{label:<34} ready {ready:7.3f} s   first getJobs answered {served:7.3f} s")
    return ready


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--long", type=float, default=0, help="also time a long entry of this many seconds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cache = root / "media-cache"
        base = _timed("baseline: minimal seed", root / "minimal", "minimal", cache)
        cold = _timed("demo seed, cold media cache", root / "cold", "demo", cache)
        warm = _timed("demo seed, warm media cache", root / "warm", "demo", cache)
        again = _timed("restart, same data folder", root / "warm", "demo", cache)
        print(
            f"cold / baseline {cold / base:6.1f}x   warm / baseline {warm / base:6.1f}x   "
            f"restart / baseline {again / base:6.1f}x"
        )
        if args.long > 0:
            emu = Emulator(root / "warm", media_cache=cache).start()
            started = time.perf_counter()
            made = add_long_entry(emu, args.long)
            print(
                f"long entry {args.long:g} s (video, 4 flavors) made in {time.perf_counter() - started:.1f} s: "
                f"entry {made['entry']['id']}, task {made['task']['id']}"
            )
            emu.stop()


if __name__ == "__main__":
    main()
