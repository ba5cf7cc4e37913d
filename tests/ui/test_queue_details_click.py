"""Issue 15, bug 1: the details pane follows a mouse click in the queue, and a refresh never swaps the open
task's details for the queue's selection."""

from __future__ import annotations

from PySide6.QtCore import Qt


def _shell(qtbot):
    from reach_studio.secret_store import SecretStore
    from reach_studio.settings import Settings
    from reach_studio.store.drafts import DraftStore
    from reach_studio.ui.main_window import MainWindow

    win = MainWindow(Settings(), SecretStore(), DraftStore())
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def _click_row(qtbot, view, row: int) -> None:
    table = view.table
    rect = table.visualRect(table.model().index(row, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_clicking_a_queue_row_shows_its_details_at_once(qtbot, task_factory):
    win = _shell(qtbot)
    tasks = [task_factory(11, notes="first task notes"), task_factory(12, notes="second task notes")]
    win.queue.set_tasks(tasks)
    _click_row(qtbot, win.queue, 1)
    assert "second task notes" in win.details.toPlainText()
    _click_row(qtbot, win.queue, 0)
    assert "first task notes" in win.details.toPlainText()


def test_a_queue_refresh_keeps_the_open_tasks_details(qtbot, task_factory):
    win = _shell(qtbot)
    queued = task_factory(21, notes="a task still in the queue")
    mine = task_factory(22, notes="the task I am working on")
    win.queue.set_tasks([queued])
    _click_row(qtbot, win.queue, 0)
    ws = win.open_task(mine)
    assert win.tabs.currentWidget() is ws
    assert "the task I am working on" in win.details.toPlainText()
    win.queue.set_tasks([queued])  # the next poll
    win.mine.set_tasks([mine])
    assert "the task I am working on" in win.details.toPlainText()
    ws.close_workspace()


def test_the_claimed_tasks_neighbour_is_not_selected_in_its_place(qtbot, task_factory):
    """When the selected task left the queue (claimed), Qt selected the next row and the details pane showed
    it: one more press of Claim took a task nobody chose."""
    win = _shell(qtbot)
    tasks = [
        task_factory(31, notes="first"),
        task_factory(32, notes="claimed one"),
        task_factory(33, notes="next"),
    ]
    win.queue.set_tasks(tasks)
    _click_row(qtbot, win.queue, 1)
    assert win.queue.selected_task().id == 32
    win.queue.set_tasks([tasks[0], tasks[2]])  # the claim took it out of the queue
    assert win.queue.selected_task() is None
    assert "Select a task" in win.details.toPlainText()
    # a refresh that keeps the selected task keeps it selected
    _click_row(qtbot, win.queue, 1)
    win.queue.set_tasks([tasks[2], tasks[0]])
    assert win.queue.selected_task().id == 33
