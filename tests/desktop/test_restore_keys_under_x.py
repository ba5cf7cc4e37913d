"""After "Restore drafts" the restored editor takes the keyboard at once, under a real X server.

Found in the demo on Xvfb: the dialog closed, X gave the keyboard to no window, and the editor's keys did
nothing until a field was clicked (offscreen Qt re-activates the main window by itself, so only a real X
server shows it). The test clicks Restore and presses Alt+Right with xdotool, as a person would."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 test")

CHILD = Path(__file__).with_name("_restore_child.py")


def _next(lines: queue.Queue, mark: str, deadline: float) -> list[str]:
    while True:
        line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        if line is None:
            raise AssertionError(f"the child exited before {mark}")
        if line.startswith(mark):
            return line.split()


def test_restored_editor_takes_keys_without_a_click(xserver):
    env = dict(
        os.environ, DISPLAY=xserver.display, QT_QPA_PLATFORM="xcb", PYTHONPATH=str(Path(__file__).parents[2])
    )
    child = subprocess.Popen(
        [sys.executable, str(CHILD)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: queue.Queue = queue.Queue()

    def pump() -> None:
        for line in child.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + 60

    def xdotool(*args: str) -> None:
        subprocess.run(["xdotool", *args], env=env, check=True, timeout=10)

    try:
        _, x, y = _next(lines, "BUTTON", deadline)
        xdotool("mousemove", x, y, "click", "1")
        _next(lines, "RESTORED", deadline)
        xdotool("key", "alt+Right")  # move the cue's end 100 ms later
        child.stdin.write("check\n")
        child.stdin.flush()
        _, end = _next(lines, "END", deadline)
        assert int(end) == 3100, "the key did not reach the restored editor"
    finally:
        child.stdin.close()
        try:
            child.wait(20)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
