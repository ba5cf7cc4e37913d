"""Child process for the kill test: signs in, claims a task, types working notes until it is killed.

Prints "TYPED <n> <monotonic time>" after each character so the parent knows what was typed when.
The account comes from the environment (the token is never on a command line).
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from reach_studio.kaltura.connection import AccountConfig
    from reach_studio.secret_store import SecretStore
    from reach_studio.settings import Settings
    from reach_studio.store.drafts import DraftStore
    from reach_studio.ui.editors import registry as editor_registry
    from reach_studio.ui.main_window import MainWindow
    from reach_studio.ui.sign_in_dialog import sign_in

    editor_registry._registry.clear()  # the shell's own notes pad, whatever editors exist
    editor_registry._loaded = True
    app = QApplication([])
    account = AccountConfig(
        os.environ["KT_URL"],
        int(os.environ["KT_PARTNER"]),
        os.environ["KT_VENDOR"],
        app_token_id=os.environ["KT_TOKEN_ID"],
        app_token=os.environ["KT_TOKEN"],
    )
    window = MainWindow(Settings(), SecretStore(), DraftStore())
    window.show()
    window.add_connection(sign_in(account), demo=True)
    text = "Speaker names: Ana Lopez, Bo Chen. Check the spelling of kinesiology. " * 4
    state = {"i": 0, "ws": None}

    def step():
        if state["ws"] is None:
            # "My tasks" may already hold the vendor's scheduled live tasks: look for this task only
            key = (account.key, int(os.environ["KT_TASK"]))
            tasks = window.queue.visible_tasks()
            if key not in window.service.mine and not getattr(window, "_claiming", False):
                task = next((t for t in tasks if (t.account, t.id) == key), None)
                if task is not None:
                    window._claiming = True
                    window.claim(task)
            if key in window.service.mine:
                state["ws"] = window.open_task(window.service.mine[key])
                print("OPENED", flush=True)
            return
        notes = state["ws"].notes
        if state["i"] < len(text):
            QTest.keyClicks(notes, text[state["i"]])
            state["i"] += 1
            print("TYPED", state["i"], time.monotonic(), flush=True)

    timer = QTimer(interval=50)
    timer.timeout.connect(step)
    timer.start()
    QTimer.singleShot(120_000, app.quit)  # never outlive a broken test
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
