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


def test_the_asset_named_in_task_job_data_is_offered_before_a_more_accurate_one(qtbot, emu, conn, tmp_path):
    """`taskJobData.captionAssetId` (Kaltura's KalturaVendorTaskDataCaptionAsset) names the captions the
    customer means: they are the draft offered, even when the entry has more accurate ones."""
    task_id = order_task(emu, ServiceFeature.CAPTIONS)
    entry = emu.inspect.objects("entry", id=emu.inspect.task(task_id)["entryId"])[0]
    add_caption_asset(emu, entry, ROUGH_SRT, accuracy=95, label="English (auto)")
    named = add_caption_asset(
        emu,
        entry,
        "1\n00:00:01,000 --> 00:00:03,000\nThe customer's own draft.\n",
        accuracy=60,
        label="English (customer draft)",
    )
    task = claim(conn, task_id)
    task.job_data = {"captionAssetId": named["id"]}  # as getJobs maps it (domain/task_mapping.py)

    ed = TimedEditor(TaskContext(task, conn, DraftStore(tmp_path / "d.sqlite3")), player=None)
    qtbot.addWidget(ed)
    ed.show()
    qtbot.waitExposed(ed)
    qtbot.waitUntil(ed.draft_offer.isVisible, timeout=30000)
    assert "English (customer draft) (1 cues, 60 % accurate)" in ed.draft_offer_label.text()
    qtbot.mouseClick(ed.draft_offer_use, Qt.MouseButton.LeftButton)
    assert [c.text for c in ed.items()] == ["The customer's own draft."]


def test_start_empty_keeps_the_document_empty(qtbot, emu, conn, tmp_path):
    task_id = order_task(emu, ServiceFeature.CAPTIONS)
    entry = emu.inspect.objects("entry", id=emu.inspect.task(task_id)["entryId"])[0]
    add_caption_asset(emu, entry, ROUGH_SRT, accuracy=80, label="English (auto)")
    task = claim(conn, task_id)
    ed = TimedEditor(TaskContext(task, conn, DraftStore(tmp_path / "d.sqlite3")), player=None)
    qtbot.addWidget(ed)
    ed.show()
    qtbot.waitExposed(ed)
    qtbot.waitUntil(ed.draft_offer.isVisible, timeout=30000)
    qtbot.mouseClick(ed.draft_offer_skip, Qt.MouseButton.LeftButton)
    assert not ed.draft_offer.isVisible() and ed.items() == []
