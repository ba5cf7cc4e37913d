"""Issue 15, bug 5, as the linguist met it: a captions task on an entry with an audio-only flavor, claimed from
the queue with the mouse, plays a flavor with a picture, and the editor says which one."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from reach_studio.ui.task_workspace import TaskWorkspace

from .test_shell_e2e import sign_in_with_demo

pytestmark = pytest.mark.timeout(240)

ENTRY = "Interview with the director"  # video flavors 301/302 and the audio-only 303; the profile names none


def test_a_claimed_captions_task_plays_a_flavor_with_a_picture(qtbot, window, emulator):
    sign_in_with_demo(qtbot, window)
    entry = next(e for e in emulator.inspect.objects("entry") if e["name"] == ENTRY)
    flavors = {f["id"]: f for f in emulator.inspect.objects("flavor_asset", entryId=entry["id"])}
    assert any(not f.get("width") for f in flavors.values()), "the entry offers an audio-only flavor"
    queue = window.queue
    task = next(
        t
        for t in queue.visible_tasks()
        if t.entry_id == entry["id"] and t.feature is not None and t.feature.name == "CAPTIONS"
    )
    row = queue.visible_tasks().index(task)
    queue.table.scrollTo(queue.proxy.index(row, 2))
    rect = queue.table.visualRect(queue.proxy.index(row, 2))
    qtbot.mouseClick(queue.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    claim = next(b for b in queue.findChildren(QToolButton) if b.defaultAction() is window.actions["claim"])
    finished = []
    window.service.download_finished.connect(lambda key, path: finished.append(path))
    qtbot.mouseClick(claim, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.tabs.currentWidget(), TaskWorkspace), timeout=30_000)
    editor = window.tabs.currentWidget().editor
    qtbot.waitUntil(lambda: bool(finished), timeout=120_000)
    qtbot.waitUntil(lambda: editor.media_label.text().startswith("Playing flavor"), timeout=30_000)
    played = finished[0].stem
    assert flavors[played].get("width"), f"flavor {played} has a picture"
    assert f"Playing flavor {played}: " in editor.media_label.text() and "×" in editor.media_label.text()
    assert editor.media_has_picture is True
