"""Screenshots of the shell from the real widgets, offscreen, against the embedded demo emulator.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_shell_screenshots.py

Writes docs/shell-sign-in.png, docs/shell-queue.png and docs/shell-workspace.png.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
os.environ["REACH_STUDIO_HOME"] = tempfile.mkdtemp(prefix="reach-shots-")
DOCS = Path(__file__).resolve().parent


def main() -> int:
    from PySide6.QtWidgets import QApplication

    from reach_studio.secret_store import SecretStore
    from reach_studio.settings import Settings
    from reach_studio.store.drafts import DraftStore
    from reach_studio.ui.app_demo import DemoServer
    from reach_studio.ui.main_window import MainWindow
    from reach_studio.ui.sign_in_dialog import CUSTOM, SignInDialog

    app = QApplication([])

    def spin(cond, timeout=60.0):
        end = time.monotonic() + timeout
        while not cond() and time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)
        return cond()

    demo = DemoServer()
    try:
        dialog = SignInDialog(SecretStore(), demo=demo)
        dialog.region.setCurrentIndex(dialog.region.findData(CUSTOM))
        dialog.url.setText("http://kaltura.example.org")
        dialog.partner.setText("1234567")
        dialog.vendor_name.setText("Acme Captioning")
        dialog.token_id.setText("1_a2b3c4d5")
        dialog.token.setText("not-a-real-token")
        dialog.show()
        dialog.sign_in_button.click()  # shows the http-not-loopback message
        spin(lambda: False, 0.3)
        dialog.grab().save(str(DOCS / "shell-sign-in.png"))
        dialog.close()

        win = MainWindow(Settings(), SecretStore(), DraftStore(), demo=demo)
        win.resize(1500, 760)
        win.show()
        win.start_demo()
        spin(lambda: win.queue.model.rowCount() > 0)
        spin(lambda: False, 1.0)  # entry names, details
        tasks = win.queue.visible_tasks()
        pick = next((t for t in tasks if t.notes), tasks[1])
        win.queue.select_task(pick.account, pick.id)
        spin(lambda: False, 0.3)
        win.grab().save(str(DOCS / "shell-queue.png"))

        claim = (
            next(t for t in tasks if t.feature is not None and t.feature.name == "CHAPTERING")
            if any(t.feature is not None and t.feature.name == "CHAPTERING" for t in tasks)
            else tasks[0]
        )
        win.claim(claim)
        spin(lambda: bool(win.service.mine))
        ws = win.open_task(next(iter(win.service.mine.values())))
        spin(lambda: ws.context.media_path is not None, 120)
        spin(lambda: False, 1.5)
        if ws.player is not None:
            ws.player.seek(4000)
            spin(lambda: False, 1.0)
        if ws.notes is not None:
            ws.notes.setPlainText(
                "Chapters: intro 0:00, warm-up 0:04, main set 0:11.\nAsk PM about the title case."
            )
        spin(lambda: False, 0.5)
        win.grab().save(str(DOCS / "shell-workspace.png"))
        win.service.stop()
        win.close()
    finally:
        demo.stop()
    print("wrote", ", ".join(p.name for p in sorted(DOCS.glob("shell-*.png"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
