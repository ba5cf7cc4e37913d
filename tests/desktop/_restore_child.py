"""Child of test_restore_keys_under_x: the main window with one open captions draft, under a real X server.

Prints `BUTTON x y` (the Restore button's centre on the screen) when the restore dialog shows, `RESTORED`
when the editor is open, and `END ms` (the cue's end) for every line read on stdin; the parent clicks and
types with xdotool, as a person would."""

from __future__ import annotations

import sys
import threading

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from reach_studio.domain import edit_ops
from reach_studio.domain.captions import Cue
from reach_studio.domain.task_mapping import task_to_dict
from reach_studio.secret_store import SecretStore
from reach_studio.settings import Settings
from reach_studio.store.drafts import DraftStore
from reach_studio.ui.main_window import MainWindow
from reach_studio.ui.task_workspace import workspace_draft_key
from tests.factories import make_task


class _Stdin(QObject):
    line = Signal(str)


def main() -> None:
    app = QApplication(sys.argv)
    drafts = DraftStore()
    task = make_task(task_id=4323)
    key = workspace_draft_key(task)
    drafts.remember_task(key, task_to_dict(task))
    payload = {"version": 1, "kind": "captions", "items": [edit_ops.item_to_dict(Cue(1000, 3000, "Back."))]}
    drafts.save_snapshot(key, "captions", payload, label="Captions")
    win = MainWindow(Settings(), SecretStore(), drafts)
    win.resize(1200, 760)
    win.move(0, 0)
    win.show()

    def offer() -> None:
        dialog = win.offer_draft_restore()
        button = dialog.restore_button

        def placed() -> None:
            centre = button.mapToGlobal(button.rect().center())
            print(f"BUTTON {centre.x()} {centre.y()}", flush=True)

        QTimer.singleShot(800, placed)

        def restored() -> None:
            QTimer.singleShot(800, lambda: print("RESTORED", flush=True))

        dialog.accepted.connect(restored)

    QTimer.singleShot(800, offer)
    stdin = _Stdin()

    def answer(_line: str) -> None:
        ws = win.workspaces.get((task.account, task.id))
        end = ws.editor.items()[0].end_ms if ws is not None else -1
        print(f"END {end}", flush=True)

    stdin.line.connect(answer)

    def read() -> None:
        for line in sys.stdin:
            stdin.line.emit(line)
        QTimer.singleShot(0, app.quit)

    threading.Thread(target=read, daemon=True).start()
    app.exec()


if __name__ == "__main__":
    main()
