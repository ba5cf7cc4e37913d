"""Live console benchmark: keystroke → caption at Kaltura's side, and ingest → ear latency.

1. Keystroke → caption received: the console (offscreen Qt) with a scheduled session, the emulator's
   caption puller connected (Kaltura's side); for each of N captions (one each 50 ms) the text is set
   and Enter is pressed, and the latency is from the Enter key event to the puller's receipt (its
   record's `at`), p50/p95. Baseline in the same run: a bare `websockets` server sending the same message to a client
   (bench_live_relay's baseline).
2. Ingest → ear: the emulator's restream (`ffmpeg -re`, a voice starting at 1.0 s of the media) into
   the session's RTMP ingest and the console's player; latency = when the sound at media 1.0 s is
   played (the player's clock reaches it) minus when the push had sent it (push start + 1.0 s, both
   after the same ffmpeg start-up). Baseline: plain `ffmpeg -listen 1 -i rtmp://... -f s16le pipe:1`
   (default flags) reading the same push, timed when the first loud sample comes out of its pipe.
Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_live_console.py [captions] [rounds]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_live_relay import baseline as websocket_baseline

from reach_studio.emulator.live_push import MediaPush, event_media
from reach_studio.live.ingest import IngestListener, _free_port
from reach_studio.media.ffmpeg import ffmpeg_exe

ONSET = 1.0
PACE_S = 0.05  # a CART captioner sends about one caption a second; 20/s still never queues at the puller
TEXT = "Welcome everyone to the town hall, and thank you for joining us today"


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def _loud_index(pcm: bytes) -> int | None:
    s = np.abs(np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(np.int32))
    hits = np.nonzero(s > 1000)[0]
    return int(hits[0]) if hits.size else None


def keystrokes(n: int, home: Path) -> list[float]:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from reach_studio.emulator.server import Emulator
    from reach_studio.kaltura import reach_api
    from reach_studio.kaltura.connection import AccountConfig, ReachConnection
    from reach_studio.store.drafts import DraftStore
    from reach_studio.ui.editors.live_console import LiveConsole
    from reach_studio.ui.editors.registry import TaskContext

    app = QApplication.instance() or QApplication([])
    with Emulator(home / "emu", seed="demo", media_cache=home / "media") as emu:
        emu.live.push_media = False  # the caption path alone
        info = emu.info
        conn = ReachConnection(AccountConfig.from_emulator_info(info))
        light = next(t for t in reach_api.get_jobs(conn) if t.feature.name == "LIVE_CAPTION")
        task = reach_api.get_task(conn, light)
        console = LiveConsole(TaskContext(task, conn, DraftStore(home / "drafts.db")))
        console.schedule()
        deadline = time.monotonic() + 30
        while console.state != "scheduled" and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.005)
        event_id = task.job_data["scheduledEventId"]
        emu.control.start_live(event_id)
        while console.state != "live" and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.005)
        sent: dict[str, float] = {}
        for i in range(n):
            text = f"{TEXT} {i}"
            console.line.setText(text)
            sent[text] = time.time()
            QTest.keyClick(console.line, Qt.Key.Key_Return)
            until = time.monotonic() + PACE_S  # one caption each 50 ms: far faster than a captioner
            while time.monotonic() < until:
                app.processEvents()
                time.sleep(0.002)
        end = time.monotonic() + 30
        while time.monotonic() < end:
            got = emu.inspect.objects("live_caption", scheduleEventId=event_id, recordType="message")
            if len(got) >= n:
                break
            app.processEvents()
            time.sleep(0.05)
        latencies = [(r["at"] - sent[r["transcript"]]) * 1000 for r in got if r["transcript"] in sent]
        console.shutdown()
        console.deleteLater()
        app.processEvents()
    return latencies


def ear_latency(clip: Path) -> float:
    """Seconds from the push sending media 1.0 s to the console's player playing it."""
    from PySide6.QtWidgets import QApplication

    from reach_studio.ui.editors.live_audio import LivePlayer

    app = QApplication.instance() or QApplication([])
    player = LivePlayer()
    listener = IngestListener(1, on_audio=player.feed).start()
    while listener.state != "listening":
        time.sleep(0.005)
    push = MediaPush(clip, listener.media_url, listener.media_key).start()
    played_at = None
    deadline = time.monotonic() + 30
    while played_at is None and time.monotonic() < deadline:
        app.processEvents()
        pos = player.position()
        if pos is not None and pos >= ONSET + 0.021:  # AAC priming: the sound starts 21 ms later
            played_at = time.time()
        time.sleep(0.001)
    push.stop()
    listener.stop()
    player.stop()
    return (played_at or float("nan")) - (push.started_at + ONSET)


def ear_baseline(clip: Path) -> float:
    """Seconds from the push sending media 1.0 s to plain ffmpeg's pipe giving the first loud sample."""
    port = _free_port("127.0.0.1", None)
    proc = subprocess.Popen(
        [
            ffmpeg_exe(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-listen",
            "1",
            "-i",
            f"rtmp://127.0.0.1:{port}/live/k",
            "-vn",
            "-ac",
            "1",
            "-ar",
            "48000",
            "-f",
            "s16le",
            "pipe:1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    heard: list[float] = []

    def read() -> None:
        while True:
            chunk = os.read(proc.stdout.fileno(), 3840)
            if not chunk:
                return
            if not heard and _loud_index(chunk) is not None:
                heard.append(time.time())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    push = MediaPush(clip, f"rtmp://127.0.0.1:{port}/live", "k").start()
    deadline = time.monotonic() + 30
    while not heard and time.monotonic() < deadline:
        time.sleep(0.002)
    push.stop()
    proc.kill()
    proc.wait()
    return (heard[0] if heard else float("nan")) - (push.started_at + ONSET)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        os.environ["REACH_STUDIO_HOME"] = str(home / "home")
        base, _ = websocket_baseline(n)
        ours = keystrokes(n, home)
        print(f"Keystroke (Enter) → caption received by Kaltura's puller, {len(ours)} of {n} captions")
        print(f"{'':44}{'p50 ms':>10}{'p95 ms':>10}")
        print(
            f"{'bare websockets send → recv (baseline)':44}{statistics.median(base):10.2f}{_pct(base, 0.95):10.2f}"
        )
        print(
            f"{'console Enter → emulator puller':44}{statistics.median(ours):10.2f}{_pct(ours, 0.95):10.2f}"
        )

        clip = event_media(home / "media", 3.0)
        base_ear = [ear_baseline(clip) for _ in range(rounds)]
        our_ear = [ear_latency(clip) for _ in range(rounds)]
        print(f"\nIngest → ear (media at {ONSET:.1f} s sent by ffmpeg -re → heard), {rounds} rounds")
        print(f"{'':44}{'median s':>10}{'max s':>10}")
        print(
            f"{'plain ffmpeg -listen reading the push':44}{statistics.median(base_ear):10.3f}{max(base_ear):10.3f}"
        )
        print(f"{'our ingest + console player':44}{statistics.median(our_ear):10.3f}{max(our_ear):10.3f}")


if __name__ == "__main__":
    main()
