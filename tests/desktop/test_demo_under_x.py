"""`reach-studio demo` opens its window with the queue under a real X server (Xvfb), not offscreen.

Offscreen tests load none of the X libraries Qt's xcb platform plugin needs, so a fresh desktop could
miss them (no window at all) while every other test passes. This test starts the README's demo command
under Xvfb, waits for the main window to be mapped (xdotool, as a user would see it) and for the queue's
first row to be painted, and checks the screenshot is a real picture.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.desktop.xserver import distinct_colours, save_png, settled_screen

DEADLINE_S = 240  # the demo generates its media with ffmpeg on first start; slow on a loaded 2-core CI
MIN_COLOURS = 40  # a blank or single-colour screen has 1-2; text, icons and alternating rows give hundreds

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 smoke test")


def _demo_command() -> list[str]:
    script = Path(sys.executable).with_name("reach-studio")  # the console script pip installed
    return [str(script), "demo"] if script.exists() else [sys.executable, "-m", "reach_studio", "demo"]


def _lines(stream, sink: queue.Queue) -> None:
    for line in stream:
        sink.put(line)
    sink.put(None)


def _wait_for(sink: queue.Queue, mark: str, deadline: float, seen: list[str]) -> list[str]:
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"no {mark} line before the deadline; the app said:\n{''.join(seen[-40:])}")
        try:
            line = sink.get(timeout=remaining)
        except queue.Empty:
            continue
        if line is None:
            raise AssertionError(f"the app exited before {mark}; it said:\n{''.join(seen[-40:])}")
        seen.append(line)
        if line.startswith(mark + " "):
            return line.split()


def test_demo_shows_the_queue_in_a_real_x_window(xserver, tmp_path, emulator_media_cache):
    # the demo's emulator reuses the media the other tests generated (same generator, same cache layout)
    cache = Path(os.environ["REACH_STUDIO_HOME"]) / "cache"
    cache.mkdir(parents=True)
    (cache / "emulator-media").symlink_to(emulator_media_cache, target_is_directory=True)
    env = dict(os.environ, DISPLAY=xserver.display, QT_QPA_PLATFORM="xcb", REACH_STUDIO_READY_PROBE="1")
    app = subprocess.Popen(
        _demo_command(), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(app.stdout, lines), daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + DEADLINE_S
    try:
        _wait_for(lines, "WINDOW", deadline, seen)
        # The X server itself has the main window mapped (not just Qt believing it showed it).
        found = subprocess.run(
            ["xdotool", "search", "--sync", "--onlyvisible", "--name", "^Reach Studio$"],
            env=env,
            capture_output=True,
            text=True,
            timeout=max(1.0, deadline - time.monotonic()),
            check=False,
        )
        assert found.returncode == 0 and found.stdout.split(), f"no visible 'Reach Studio' window: {found}"
        _, _, count, x, y, width, height = _wait_for(lines, "QUEUE", deadline, seen)
        assert int(count) > 0
        x, y, width, height = (int(v) for v in (x, y, width, height))

        def first_row_painted(rgb) -> bool:  # the row's text is on screen, not an empty table
            return distinct_colours(rgb[y : y + height, x : x + width]) > 5

        screen = settled_screen(xserver.framebuffer, deadline, first_row_painted)
    finally:
        app.terminate()
        try:
            app.wait(20)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait()
    save_png(screen, tmp_path / "demo-under-x.png")
    shot_dir = os.environ.get("REACH_STUDIO_SHOT_DIR")  # keep the picture (e.g. for docs/)
    if shot_dir:
        save_png(screen, Path(shot_dir) / "demo-under-xvfb.png")
    assert distinct_colours(screen) > MIN_COLOURS
