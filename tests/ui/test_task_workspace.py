"""The workspace routes to the registered editor, or says which editor is missing and keeps notes."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from reach_studio.domain.enums import ServiceFeature, TaskStatus
from reach_studio.store.drafts import DraftStore
from reach_studio.ui.editors import registry as editor_registry
from reach_studio.ui.editors.base import TaskEditor
from reach_studio.ui.editors.registry import TaskContext
from reach_studio.ui.task_workspace import NOTES_KIND, TaskWorkspace, workspace_draft_key
from reach_studio.workers.background import wait_for_all


def _empty_registry(monkeypatch):
    monkeypatch.setattr(editor_registry, "_registry", {})
    monkeypatch.setattr(editor_registry, "_loaded", True)


def _captions_workspace(qtbot, task, tmp_path) -> TaskWorkspace:
    ws = TaskWorkspace(TaskContext(task=task, connection=None, drafts=DraftStore(tmp_path / "d.sqlite3")))
    qtbot.addWidget(ws)
    return ws


def test_missing_editor_is_named_and_notes_are_journaled_and_restored(
    qtbot, monkeypatch, task_factory, tmp_path
):
    _empty_registry(monkeypatch)
    drafts = DraftStore(tmp_path / "d.sqlite3")
    task = task_factory(7, feature=ServiceFeature.DUBBING, status=TaskStatus.PROCESSING)
    ws = TaskWorkspace(TaskContext(task=task, connection=None, drafts=drafts))
    qtbot.addWidget(ws)
    assert "No editor for Dubbing tasks" in ws.missing_label.text()
    ws.notes.setPlainText("Voice: warm, slow")
    qtbot.waitUntil(lambda: (drafts.load(workspace_draft_key(task)) or None) is not None, timeout=3000)
    wait_for_all(3000)
    draft = drafts.load(workspace_draft_key(task))
    assert draft.kind == NOTES_KIND and draft.snapshot == {"text": "Voice: warm, slow"}

    again = TaskWorkspace(TaskContext(task=task, connection=None, drafts=drafts))
    qtbot.addWidget(again)
    assert again.notes.toPlainText() == "Voice: warm, slow"


def test_download_progress_cancel_and_retry_controls(qtbot, monkeypatch, task_factory, tmp_path):
    _empty_registry(monkeypatch)
    task = task_factory(8, status=TaskStatus.PROCESSING)
    ws = TaskWorkspace(TaskContext(task=task, connection=None, drafts=DraftStore(tmp_path / "d.sqlite3")))
    qtbot.addWidget(ws)
    ws.show()
    ws.download_started()
    ws.download_progress(250, 1000)
    assert ws.progress.value() == 250 and ws.download_bar.isVisible()
    with qtbot.waitSignal(ws.cancel_download_requested) as cancel:
        ws.cancel_button.click()
    assert cancel.args == [(task.account, task.id)]
    ws.download_cancelled()
    assert ws.retry_button.isVisible() and "cancelled" in ws.download_label.text()
    with qtbot.waitSignal(ws.retry_download_requested):
        ws.retry_button.click()


def test_registered_editor_gets_context_media_and_a_flush_before_closing(
    qtbot, monkeypatch, task_factory, tmp_path
):
    _empty_registry(monkeypatch)
    calls = []

    class Editor(TaskEditor):
        def __init__(self, ctx):
            super().__init__(ctx)
            calls.append(("ctx", ctx.task.id))

        def set_media(self, path):
            calls.append(("media", Path(path).name))

        def flush_draft(self):
            calls.append(("flush",))

    editor_registry.register_editor([ServiceFeature.CAPTIONS], Editor)
    task = task_factory(9, status=TaskStatus.PROCESSING)
    ws = TaskWorkspace(TaskContext(task=task, connection=None, drafts=DraftStore(tmp_path / "d.sqlite3")))
    qtbot.addWidget(ws)
    assert isinstance(ws.editor, Editor) and ws.notes is None
    ws.media_ready(tmp_path / "media.m4a")
    assert ws.context.media_path == tmp_path / "media.m4a" and not ws.download_bar.isVisible()
    ws.close_workspace()
    assert calls == [("ctx", 9), ("media", "media.m4a"), ("flush",)]


def test_an_editor_that_fails_to_open_is_reported_not_fatal(qtbot, monkeypatch, task_factory, tmp_path):
    _empty_registry(monkeypatch)

    def broken(ctx):
        raise ValueError("cannot read cue 3")

    editor_registry.register_editor([ServiceFeature.CAPTIONS], broken)
    ws = _captions_workspace(qtbot, task_factory(10, status=TaskStatus.PROCESSING), tmp_path)
    assert "could not open this task: cannot read cue 3" in ws.missing_label.text()
    assert ws.notes is not None


def test_a_widget_that_is_not_a_task_editor_is_refused_with_notes_instead(
    qtbot, monkeypatch, task_factory, tmp_path
):
    """The shell calls the editor contract directly: a plain widget registered by mistake is named, not
    called (it has no set_media or flush_draft to call)."""
    _empty_registry(monkeypatch)
    editor_registry.register_editor([ServiceFeature.CAPTIONS], lambda ctx: QLabel("not an editor"))
    ws = _captions_workspace(qtbot, task_factory(12, status=TaskStatus.PROCESSING), tmp_path)
    assert ws.editor is None
    assert "QLabel is not a TaskEditor" in ws.missing_label.text()
    ws.media_ready(tmp_path / "media.m4a")  # no editor to hand it to: the notes' player takes it
    ws.close_workspace()


def test_a_delivered_task_leaves_my_tasks_and_its_workspace_closes(qtbot, monkeypatch, task_factory):
    from reach_studio.secret_store import SecretStore
    from reach_studio.settings import Settings
    from reach_studio.ui.main_window import MainWindow

    _empty_registry(monkeypatch)

    class Editor(TaskEditor):
        pass

    editor_registry.register_editor([ServiceFeature.CAPTIONS], Editor)
    win = MainWindow(Settings(), SecretStore(), DraftStore())
    qtbot.addWidget(win)
    task = task_factory(11, status=TaskStatus.PROCESSING)
    win.service.adopt([task])
    ws = win.open_task(task)
    assert win.tabs.indexOf(ws) >= 0
    ws.editor.delivered.emit(object())
    assert win.mine.visible_tasks() == []
    assert win.tabs.indexOf(ws) == -1
    assert "delivered" in win.activity.text()
    win.service.routine.emit("Queue updated at 00:17:18: 12 task(s)")  # the next poll, a second later
    assert "delivered" in win.activity.text(), "a routine poll must not hide what the linguist just did"
    assert "Queue updated" in win.routine_label.text()


def test_without_an_editor_the_player_plays_the_stream_then_the_file(
    qtbot, monkeypatch, task_factory, tmp_path
):
    """Issue 15, start at once: the notes workspace's player too plays the stream while the media downloads."""
    from types import SimpleNamespace

    from PySide6.QtCore import QUrl

    from tests.factories import make_clip

    _empty_registry(monkeypatch)
    clip = make_clip(tmp_path / "clip.mp4")
    task = task_factory(9, feature=ServiceFeature.DUBBING, status=TaskStatus.PROCESSING)
    ws = TaskWorkspace(TaskContext(task=task, connection=None, drafts=DraftStore(tmp_path / "d.sqlite3")))
    qtbot.addWidget(ws)
    ws.show()
    if ws.player is None:
        pytest.skip("no media player on this machine")
    ws.download_started()
    assert not ws.play_button.isEnabled()
    ws.stream_ready(SimpleNamespace(url=QUrl.fromLocalFile(str(clip)).toString(), duration_ms=4000))
    assert ws.streaming and ws.play_button.isEnabled() and "stream" in ws.download_label.text()
    assert ws.download_bar.isVisible() and ws.cancel_button.isVisible()
    qtbot.mouseClick(ws.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ws.player.position() > 800, timeout=15_000)
    ws.media_ready(clip)
    assert not ws.streaming and not ws.download_bar.isVisible()
    qtbot.waitUntil(lambda: ws.player.position() > 1000, timeout=15_000)  # it carries on from there
    ws.close_workspace()
