"""Issue 15, bug 8: a translation whose source captions are below 100 % accurate is not claimed (and so not
sent to Error): the linguist is told before anything changes, and the queue marks the task."""

from __future__ import annotations

from PySide6.QtCore import Qt

from reach_studio.domain.enums import TaskStatus

from .test_shell_e2e import sign_in_with_demo


def test_claiming_a_translation_with_an_80_percent_source_is_refused_and_marked(qtbot, window, emulator):
    sign_in_with_demo(qtbot, window)
    entries = {e["id"]: e["name"] for e in emulator.inspect.objects("entry")}
    task = next(
        t
        for t in window.queue.visible_tasks()
        if t.feature is not None
        and t.feature.name == "TRANSLATION"
        and entries[t.entry_id] == "Product launch trailer"
    )
    queue = window.queue
    row = queue.visible_tasks().index(task)
    queue.table.scrollTo(queue.proxy.index(row, 2))
    rect = queue.table.visualRect(queue.proxy.index(row, 2))
    qtbot.mouseClick(queue.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert queue.selected_task().id == task.id
    from PySide6.QtWidgets import QToolButton

    claim = next(b for b in queue.findChildren(QToolButton) if b.defaultAction() is window.actions["claim"])
    qtbot.mouseClick(claim, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.claim_message is not None and window.claim_message.isVisible(), timeout=30000
    )
    message = window.claim_message.text()
    assert "not claimed" in message and "80% accurate" in message
    record = emulator.inspect.task(task.id)
    assert record["status"] == int(TaskStatus.PENDING), "never claimed, never sent to Error"
    # the queue says so on the task's row
    service = queue.proxy.index(queue.visible_tasks().index(task), 3)
    assert service.data().startswith("⚠")
    assert "80% accurate" in service.data(Qt.ItemDataRole.ToolTipRole)
    # and the details pane beside it, which said only "Requires source captions: yes"
    qtbot.waitUntil(lambda: "Cannot be worked" in window.details.toPlainText(), timeout=3000)
    assert "80% accurate" in window.details.toPlainText()
    # another task's details do not carry it
    other = next(t for t in queue.visible_tasks() if t.id != task.id)
    window.details.show_task(other)
    assert "Cannot be worked" not in window.details.toPlainText()


def test_the_queue_marks_an_unusable_translation_before_anyone_claims_it(qtbot, window, emulator):
    """The mark came only after a Claim was tried: the linguist had no way to see it first."""
    sign_in_with_demo(qtbot, window)
    entries = {e["id"]: e["name"] for e in emulator.inspect.objects("entry")}
    queue = window.queue
    translations = {
        entries[t.entry_id]: t
        for t in queue.visible_tasks()
        if t.feature is not None and t.feature.name == "TRANSLATION"
    }
    weak, good = translations["Product launch trailer"], translations["Lecture 2 - Muscle groups"]

    def service_cell(task):
        return queue.proxy.index(queue.visible_tasks().index(task), 3)

    qtbot.waitUntil(lambda: service_cell(weak).data().startswith("⚠"), timeout=20000)
    assert "80% accurate" in service_cell(weak).data(Qt.ItemDataRole.ToolTipRole)
    assert not service_cell(good).data().startswith("⚠")  # its source is 100 %
    assert window.claim_message is None  # nothing was claimed to find out
    assert emulator.inspect.task(weak.id)["status"] == int(TaskStatus.PENDING)
    rect = queue.table.visualRect(service_cell(weak))
    qtbot.mouseClick(queue.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert "Cannot be worked" in window.details.toPlainText()
