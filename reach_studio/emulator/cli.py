"""`reach-studio emulator`: run the Kaltura REACH emulator until SIGINT/SIGTERM.

When it is ready it prints exactly one JSON line on stdout (service URL, partner ids, vendor name, app-token
id and token, admin secret) so that any script can sign in; everything else goes to the log on stderr.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path


class _StopServing(Exception):
    """SIGINT/SIGTERM arrived: stop the emulator and exit 0."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=0, help="port (default: any free port, printed when ready)"
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="state folder (SQLite + uploaded files); a restart with the same folder keeps it",
    )
    parser.add_argument(
        "--seed",
        default="demo",
        choices=["demo", "minimal", "none"],
        help="what an empty data folder starts with (default demo)",
    )
    parser.add_argument(
        "--access-key-ttl",
        type=float,
        default=None,
        metavar="S",
        help="task access keys expire after S seconds (default Kaltura's max(7 days, 2 x TAT))",
    )
    parser.add_argument(
        "--media-cache",
        type=Path,
        default=None,
        help="folder for generated media, shared between runs (default <data>/media-cache)",
    )
    parser.add_argument(
        "--make-long-entry",
        type=float,
        default=None,
        metavar="SECONDS",
        help="also add a long entry of SECONDS (e.g. 3600) with a PENDING captions task",
    )
    parser.add_argument("--long-entry-audio-only", action="store_true", help="make the long entry audio-only")


def run(args: argparse.Namespace) -> int:
    from reach_studio import paths
    from reach_studio.emulator.seed import SeedError, add_long_entry
    from reach_studio.emulator.server import Emulator, EmulatorError

    data = args.data or paths.data_dir() / "emulator"
    if args.access_key_ttl is not None and args.access_key_ttl <= 0:
        print("reach-studio emulator: --access-key-ttl must be positive", file=sys.stderr)
        return 2
    started = time.perf_counter()
    emu = Emulator(
        data,
        seed=None if args.seed == "none" else args.seed,
        host=args.host,
        port=args.port,
        access_key_ttl=args.access_key_ttl,
        media_cache=args.media_cache,
    )
    try:
        emu.start()
    except EmulatorError as exc:
        print(f"reach-studio emulator: {exc}", file=sys.stderr)
        return 2
    try:
        info = dict(emu.info)
        info["partnerIds"] = [c["partnerId"] for c in info["customers"]]
        if args.make_long_entry:
            long = add_long_entry(emu, args.make_long_entry, video=not args.long_entry_audio_only)
            info["longEntry"] = {"entryId": long["entry"]["id"], "taskId": long["task"]["id"]}
        info["startupSeconds"] = round(time.perf_counter() - started, 3)
    except SeedError as exc:
        emu.stop()
        print(f"reach-studio emulator: {exc}", file=sys.stderr)
        return 2

    # The handler only raises: touching a lock (Event.set) from a signal handler can deadlock with a
    # main thread that holds the same lock inside Event.wait.
    def _stop(signum: int, frame: object) -> None:
        raise _StopServing()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        print(json.dumps(info), flush=True)
        while True:
            time.sleep(3600)
    except (_StopServing, KeyboardInterrupt):
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        emu.stop()
    return 0
