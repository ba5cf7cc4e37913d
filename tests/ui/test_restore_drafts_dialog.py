"""The 'Restore drafts?' question after a crash or kill: each draft's line is read whole, not behind a
horizontal scroll bar."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QLabel

from reach_studio.store.drafts import DraftInfo
from reach_studio.ui.main_window import RestoreDraftsDialog


def test_every_draft_line_is_shown_whole(qtbot):
    now = time.time()
    drafts = [
        DraftInfo("http://127.0.0.1:44503#4200#1001", "captions", "Captions · task 1001", now, 12),
        DraftInfo("http://127.0.0.1:44503#4200#1006", "translation", "Translation · task 1006", now, 40),
        DraftInfo(
            "http://127.0.0.1:44503#4200#1008", "audio_description", "Audio description · task 1008", now, 3
        ),
    ]
    dialog = RestoreDraftsDialog(drafts)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    widest = max(dialog.list.visualItemRect(dialog.list.item(i)).width() for i in range(3))
    assert not dialog.list.horizontalScrollBar().isVisible()
    assert dialog.list.viewport().width() >= widest
    assert dialog.chosen() == [d.task_key for d in drafts]  # all checked, as before


def test_each_draft_is_named_by_its_entry_and_service_as_the_queue_names_them(qtbot):
    """After a kill the dialog said "Audio description · task 1008 — audio_description": the draft store's
    internal kind, and no word of which entry. It names them as the queue does."""
    from reach_studio.domain.enums import ServiceFeature
    from tests.factories import make_task

    now = time.time()
    task = make_task(ServiceFeature.AUDIO_DESCRIPTION, task_id=1008)
    task.extra["entry_name"] = "Lecture 3 - Joints and levers"
    known_key = "http://127.0.0.1:44503#4200#1008"
    drafts = [
        DraftInfo(known_key, "audio_description", "Audio description · task 1008", now, 3),
        DraftInfo("http://127.0.0.1:44503#4200#1020", "sign_language", "", now, 1),  # task no longer known
    ]
    dialog = RestoreDraftsDialog(drafts, tasks={known_key: task})
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    lines = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert lines[0].startswith("Lecture 3 - Joints and levers — Audio description, task 1008, saved ")
    assert not any("audio_description" in line or "sign_language" in line for line in lines)
    assert "2 task drafts were open" in dialog.findChild(QLabel).text()


def test_a_draft_whose_task_is_gone_is_named_as_the_dialog_named_it(qtbot, tmp_path):
    """The status line said "The task of draft http://127.0.0.1:44503#4200#1008 is no longer known"."""
    from reach_studio.secret_store import SecretStore
    from reach_studio.settings import Settings
    from reach_studio.store.drafts import DraftStore
    from reach_studio.ui.main_window import MainWindow

    drafts = DraftStore()
    key = "http://127.0.0.1:44503#4200#1008"
    drafts.save_snapshot(key, "audio_description", {"version": 1}, label="Audio description · task 1008")
    win = MainWindow(Settings(), SecretStore(), drafts)
    qtbot.addWidget(win)
    assert win.restore_drafts([key]) == []
    text = win.activity.text()
    assert text.startswith("Audio description · task 1008: the task is no longer yours")
    assert key not in text and "#" not in text
