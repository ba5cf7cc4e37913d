"""Issue 15, start from a draft: a captions task whose entry already has captions in its language offers them
as the starting draft (against the emulator); taking them is one undo step, and nothing changes on Kaltura."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from reach_studio.domain.enums import ServiceFeature
from reach_studio.emulator.seed import ROUGH_SRT, add_caption_asset
from reach_studio.store.drafts import DraftStore
from reach_studio.ui.editors.registry import TaskContext
from reach_studio.ui.editors.timed_editor import TimedEditor
from tests.delivery.conftest import claim, order_task

pytestmark = pytest.mark.timeout(180)


def test_machine_captions_are_offered_as_the_starting_draft(qtbot, emu, conn, tmp_path):

    task_id = order_task(emu, ServiceFeature.CAPTIONS)
    entry_id = emu.inspect.task(task_id)["entryId"]
    entry = emu.inspect.objects("entry", id=entry_id)[0]
    add_caption_asset(emu, entry, ROUGH_SRT, accuracy=80, label="English (auto)")
    assets_before = len(emu.inspect.objects("caption_asset"))
    task = claim(conn, task_id)

    ed = TimedEditor(TaskContext(task, conn, DraftStore(tmp_path / "d.sqlite3")), player=None)
    qtbot.addWidget(ed)
    ed.show()
    qtbot.waitExposed(ed)
    qtbot.waitUntil(ed.draft_offer.isVisible, timeout=30000)
    assert "English (auto) (3 cues, 80 % accurate)" in ed.draft_offer_label.text()
    assert ed.items() == []  # nothing taken until the linguist says so
    qtbot.mouseClick(ed.draft_offer_use, Qt.MouseButton.LeftButton)
    assert ed.items()[0].text == "welcome to the launch off our new product"
    assert len(ed.items()) == 3 and not ed.draft_offer.isVisible()
    ed.undo_action.trigger()
    assert ed.items() == []
    assert len(emu.inspect.objects("caption_asset")) == assets_before  # read only
    assert emu.inspect.task(task.id)["status"] == 3  # still PROCESSING
