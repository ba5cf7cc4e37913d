"""Screenshot of the live console during an event, from the real app under an X server (Xvfb), for docs/.

The main window signs in to the demo emulator, Claim schedules the demo's live task (the console opens on
its session), the emulator starts the event (restream to the console's ingest, caption puller
connected), captions are typed into the console while the sound plays, then the X screen is captured.

    Xvfb :77 -screen 0 1440x900x24 & DISPLAY=:77 QT_QPA_PLATFORM=xcb .venv/bin/python -m tests.live.screenshot_console
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("REACH_STUDIO_HOME", tempfile.mkdtemp(prefix="live-shot-"))

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from reach_studio.domain.enums import ServiceFeature
from reach_studio.emulator.server import Emulator
from reach_studio.live.briefs import Briefs
from reach_studio.secret_store import SecretStore
from reach_studio.settings import Settings
from reach_studio.store.drafts import DraftStore
from reach_studio.ui.main_window import MainWindow
from tests.ui.shell_helpers import demo_account

DOCS = Path(__file__).resolve().parents[2] / "docs"
LINES = [
    (None, "Good morning everyone, and tq for joining the town hall."),
    ("F2", "Let me start with the results of the quarter."),
    ("F1", "Can everyone at the back hear us?"),
    ("F2", "We grew in every region, and the new office opens in May."),
]


def pump(app: QApplication, seconds: float, until=lambda: False) -> bool:
    end = time.time() + seconds
    while time.time() < end:
        app.processEvents()
        if until():
            return True
        time.sleep(0.01)
    return until()


def main() -> int:
    home = Path(os.environ["REACH_STUDIO_HOME"])
    Briefs({"tq": "thank you"}, Briefs.default_path()).save()
    app = QApplication.instance() or QApplication(sys.argv)
    with Emulator(home / "emu", seed="demo", media_cache=home / "media") as emu:
        emu.live.media_seconds = 90.0
        win = MainWindow(Settings(), SecretStore(), DraftStore(), demo=lambda: demo_account(emu))
        win.resize(1440, 900)
        win.show()
        win.start_demo()
        assert pump(app, 60, lambda: win.queue.model.rowCount() > 0), "the demo did not sign in"
        task = next(t for t in win.queue.visible_tasks() if t.feature == ServiceFeature.LIVE_CAPTION)
        win.queue.select_task(task.account, task.id)
        win.actions["claim"].trigger()
        key = (task.account, task.id)
        assert pump(app, 60, lambda: key in win.workspaces and win.workspaces[key].editor is not None)
        console = win.workspaces[key].editor
        assert pump(app, 30, lambda: console.session is not None and console.state == "scheduled")
        emu.control.start_live(int(task.job_data["scheduledEventId"]))
        assert pump(app, 60, lambda: console.state == "live" and console.player.position() is not None)
        pump(app, 2.5)
        for speaker_key, text in LINES:
            if speaker_key:
                QTest.keyClick(console.line, getattr(Qt.Key, f"Key_{speaker_key}"))
            for ch in text:
                QTest.keyClicks(console.line, ch)
                pump(app, 0.03)
            QTest.keyClick(console.line, Qt.Key.Key_Return)
            pump(app, 0.6)
        QTest.keyClicks(console.line, "Questions are welcome at the end, so")
        pump(app, 1.5)
        DOCS.mkdir(exist_ok=True)
        dest = DOCS / "live-console.png"
        if shutil.which("import") and os.environ.get("DISPLAY"):
            subprocess.run(["import", "-window", "root", str(dest)], check=True, timeout=30)
        else:  # no ImageMagick: Qt's own grab of the window
            win.grab().save(str(dest))
        print(f"saved {dest}")
        for ws in list(win.workspaces.values()):
            ws.close_workspace()
        win.service.stop()
        win.close()
        pump(app, 1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
