"""The 'Restore drafts?' question after a crash or kill: each draft's line is read whole, not behind a
horizontal scroll bar."""

from __future__ import annotations

import time

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
