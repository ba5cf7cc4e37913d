"""Through the real shell: claim a captions task, write it in the editor, Deliver; it leaves "My tasks"."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from reach_studio.domain.enums import TaskStatus
from reach_studio.secret_store import SecretStore
from reach_studio.settings import Settings
from reach_studio.store.drafts import DraftStore
from reach_studio.ui.editors.timed_editor import TimedEditor
from reach_studio.ui.main_window import MainWindow
from reach_studio.workers.background import wait_for_all
from tests.ui.test_shell_e2e import demo_account, sign_in_with_demo

from .test_deliver_e2e import confirm_delivery

pytestmark = pytest.mark.timeout(240)


def test_delivered_task_leaves_my_tasks(qtbot, emulator):
    win = MainWindow(Settings(), SecretStore(), DraftStore(), demo=lambda: demo_account(emulator))
    qtbot.addWidget(win)
    win.show()
    try:
        sign_in_with_demo(qtbot, win)
        task = next(
            t for t in win.queue.visible_tasks() if t.feature is not None and t.feature.name == "CAPTIONS"
        )
        assert win.queue.select_task(task.account, task.id)
        with qtbot.waitSignal(win.service.download_finished, timeout=90_000):
            win.actions["claim"].trigger()
        ws = win.open_task(win.mine.selected_task())
        editor = ws.editor
        assert isinstance(editor, TimedEditor)
        editor.seek(1000)
        editor.insert_at_playhead()
        qtbot.keyClicks(editor.text_edit, "Hello from")
        qtbot.keyClick(editor.text_edit, Qt.Key.Key_Return)  # a line break, not the shell's "Open" (Return)
        qtbot.keyClicks(editor.text_edit, "the editor.")
        assert editor.items()[0].text == "Hello from\nthe editor."
        editor.speaker_edit.setText("ANNA")  # the demo's catalog items may ask for speaker identification
        editor.speaker_edit.editingFinished.emit()
        delivered = []
        editor.delivered.connect(delivered.append)
        editor.deliver_action.trigger()
        confirm_delivery(qtbot, editor)
        qtbot.waitUntil(
            lambda: bool(delivered) or "blocked" in editor.status.text() or "failed" in editor.status.text(),
            timeout=120_000,
        )
        assert delivered, editor.status.text()
        record = emulator.inspect.task(task.id)
        assert record["status"] == int(TaskStatus.READY)
        qtbot.waitUntil(lambda: task.id not in [t.id for t in win.mine.visible_tasks()], timeout=5000)
    finally:
        win.service.stop()
        wait_for_all(10_000)
