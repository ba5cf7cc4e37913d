"""Child process for the kill test: opens a caption editor on a draft store and types one letter every 40 ms,
printing how many letters it typed and when, until it is killed."""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from reach_studio.store.drafts import DraftStore
from reach_studio.ui.editors.registry import TaskContext
from reach_studio.ui.editors.timed_editor import TimedEditor
from tests.factories import make_task


def main() -> None:
    app = QApplication([])
    store = DraftStore(__import__("pathlib").Path(sys.argv[1]))
    editor = TimedEditor(TaskContext(make_task(), None, store), player=None)
    editor.show()
    editor.seek(1000)
    editor.insert_at_playhead()
    typed = 0

    def type_one() -> None:
        nonlocal typed
        editor.text_edit.moveCursor(editor.text_edit.textCursor().MoveOperation.End)
        editor.text_edit.insertPlainText("abcdefghij"[typed % 10])
        typed += 1
        print(f"typed {typed} {time.time():.3f}", flush=True)

    timer = QTimer()
    timer.timeout.connect(type_one)
    timer.start(40)
    print("ready", flush=True)
    app.exec()


if __name__ == "__main__":
    main()
