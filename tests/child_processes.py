"""What other users of the machine can see of our child processes: their command lines, as `ps` shows them.

Secrets tests read `/proc/<pid>/cmdline` of the real children (ffmpeg, ffprobe) while they run, the way any
local user could, and assert the KS / stream key is not there. Linux only (the tests skip elsewhere).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Self

PROC = Path("/proc")


def command_line(pid: int) -> str | None:
    """The command line of a running process as one string (arguments joined by spaces), None once gone."""
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return None
    return raw.replace(b"\0", b" ").decode("utf-8", "replace").strip() or None


def environment(pid: int) -> dict[str, str] | None:
    """The environment a process started with (readable by its own user only), None once gone."""
    try:
        raw = (PROC / str(pid) / "environ").read_bytes()
    except OSError:
        return None
    pairs = (item.decode("utf-8", "replace").partition("=") for item in raw.split(b"\0") if item)
    return {name: value for name, _, value in pairs}


def _parent_of(pid: str) -> int | None:
    try:
        stat = (PROC / pid / "stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])  # the name may hold spaces and ")"


def descendants(root: int | None = None) -> list[int]:
    """Every live process below `root` (this process by default). (No /proc/<pid>/task/*/children on
    every kernel, so the whole table is read.)"""
    parents = {int(e.name): _parent_of(e.name) for e in PROC.iterdir() if e.name.isdigit()}
    found: list[int] = []
    frontier = {os.getpid() if root is None else root}
    while frontier:
        below = {pid for pid, parent in parents.items() if parent in frontier}
        found += sorted(below)
        frontier = below
    return found


class ChildWatch:
    """Collects the command lines (and environments) of every descendant of this process while a block runs.

    A sampler, not a wait: it scans /proc continuously on its own thread (children that live for
    milliseconds may be missed, so tests also assert which children were seen)."""

    def __init__(self) -> None:
        self.seen: dict[int, str] = {}
        self.environ: dict[int, dict[str, str]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="child-watch", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in descendants():
                if pid not in self.seen:
                    line, env = command_line(pid), environment(pid)
                    if line:
                        self.seen[pid] = line
                        self.environ[pid] = env or {}
            self._stop.wait(0.005)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)

    def lines(self, containing: str = "") -> list[str]:
        return [line for line in self.seen.values() if containing in line]
