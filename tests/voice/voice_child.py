"""Child process for test_voice_draft_kill: records a take, then types a description until it is killed."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from reach_studio.domain.enums import ServiceFeature
from reach_studio.store.drafts import DraftStore
from reach_studio.ui.editors.registry import TaskContext
from reach_studio.ui.editors.voice_editor import VoiceEditor
from tests.factories import make_task
from tests.voice.conftest import pcm_buffer

TEXT = "abcdefghij" * 20


def main() -> None:
    app = QApplication(sys.argv[:1])
    ctx = TaskContext(make_task(ServiceFeature.AUDIO_DESCRIPTION), None, DraftStore(Path(sys.argv[1])))
    editor = VoiceEditor(ctx, player=None, take_player=None, recorder_reason="")
    editor.resize(900, 600)
    editor.show()
    editor.seek(1000)
    editor.add_line_at_playhead()
    buf = pcm_buffer(1.3)
    editor.start_recording(device=buf)
    state = {"n": 0}

    def stop_take() -> None:
        if not buf.atEnd():
            return
        take_timer.stop()
        editor.stop_recording()  # the take is cleaned up in a worker, then kept
        kept_timer.start()

    def take_kept() -> None:
        if not editor.script.lines[0].has_take:
            return
        kept_timer.stop()
        print("take", editor.script.lines[0].take, flush=True)
        editor.text_edit.setFocus()
        type_timer.start()

    def type_one() -> None:
        QTest.keyClicks(editor.text_edit, TEXT[state["n"]])
        state["n"] += 1
        print("typed", state["n"], time.time(), flush=True)

    take_timer = QTimer(interval=50)
    take_timer.timeout.connect(stop_take)
    kept_timer = QTimer(interval=20)
    kept_timer.timeout.connect(take_kept)
    type_timer = QTimer(interval=40)
    type_timer.timeout.connect(type_one)
    take_timer.start()
    app.exec()


if __name__ == "__main__":
    main()
