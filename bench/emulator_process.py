"""An emulator in a process of its own for the GUI benches (as Kaltura would be: not sharing the app's GIL).

`script` is Python run with `-c`: it prints the emulator's info as one JSON line, then serves until its
stdin closes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def emulator_process(script: str, *argv: str) -> Iterator[tuple[dict, float]]:
    """(info, seconds it took to start); the process is stopped on leaving, killed if it will not stop."""
    emu = subprocess.Popen(
        [sys.executable, "-c", script, *argv],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        t0 = time.perf_counter()
        line = emu.stdout.readline() if emu.stdout else ""
        if not line:
            raise SystemExit("the emulator did not start")
        yield json.loads(line), time.perf_counter() - t0
    finally:
        if emu.stdin:
            emu.stdin.close()
        emu.terminate()
        try:
            emu.wait(timeout=15)
        except subprocess.TimeoutExpired:
            emu.kill()
