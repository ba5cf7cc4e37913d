"""One full flow per editor mode: claim on the emulator, edit in the real widget, Deliver, READY.

Asserts on what the emulator recorded (emu.inspect), as the architecture asks of end-to-end tests.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.delivery_plan import marker
from reach_studio.domain.enums import ServiceFeature, TaskStatus
from reach_studio.domain.formats import read_captions
from reach_studio.store.drafts import DraftStore, draft_key
from reach_studio.ui.editors.registry import TaskContext
from reach_studio.ui.editors.timed_editor import TimedEditor
from tests.delivery.conftest import claim, order_task

pytestmark = pytest.mark.timeout(180)


def open_claimed(qtbot, emu, conn, tmp_path, feature, source_doc=None, **order):
    task = claim(conn, order_task(emu, feature, **order))
    store = DraftStore(tmp_path / "drafts.sqlite3")
    ctx = TaskContext(task, conn, store, source_captions=source_doc)
    editor = TimedEditor(ctx, player=None)
    qtbot.addWidget(editor)
    editor.resize(1280, 800)
    editor.show()
    qtbot.waitExposed(editor)
    editor.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor, timeout=3000)
    return editor, task, store


def type_cue(qtbot, editor, at_ms, text, end_ms=None):
    editor.seek(at_ms)
    editor.insert_at_playhead()
    if editor.kind == "chapters":
        editor.title_edit.clear()
        qtbot.keyClicks(editor.title_edit, text)
    else:
        qtbot.keyClicks(editor.text_edit, text)
    if end_ms is not None:
        editor.seek(end_ms)
        editor.set_end_and_next()


def confirm_delivery(qtbot, editor):
    """Press Deliver in the summary of what will be uploaded, as the linguist does."""
    qtbot.waitUntil(
        lambda: editor.deliver_confirm is not None and editor.deliver_confirm.isVisible(), timeout=5000
    )
    box = editor.deliver_confirm
    button = next(b for b in box.buttons() if b.text() == "Deliver")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def deliver(qtbot, editor):
    with qtbot.waitSignal(editor.delivered, timeout=120_000) as sig:
        editor.deliver_action.trigger()
        confirm_delivery(qtbot, editor)
    return sig.args[0]


def one(emu, kind, task_id, step, **filters):
    mark = marker(task_id, step, emu.inspect.task(task_id)["externalTaskId"])  # markers name the claimant
    found = [o for o in emu.inspect.objects(kind, **filters) if o.get("partnerData") == mark]
    assert len(found) == 1, (kind, step, len(found))
    return found[0]


def assert_ready(emu, task_id, output_id):
    record = emu.inspect.task(task_id)
    assert record["status"] == int(TaskStatus.READY)
    assert record["outputObjectId"] == output_id
    assert [h["status"] for h in emu.inspect.status_history(task_id)][-2:] == [3, 2]


def test_captions_flow_reaches_ready_with_the_typed_cues(qtbot, emu, conn, tmp_path):
    ed, task, store = open_claimed(qtbot, emu, conn, tmp_path, ServiceFeature.CAPTIONS)
    type_cue(qtbot, ed, 1000, "Welcome to the lecture.", 3000)
    type_cue(qtbot, ed, 3500, "Today: energy.", 5500)
    outcome = deliver(qtbot, ed)
    assert outcome.ok
    cap = one(emu, "caption_asset", task.id, "caption.add", entryId=task.entry_id)
    cues = read_captions(emu.inspect.content(cap["id"]), "srt").cues
    assert [(c.start_ms, c.end_ms, c.text) for c in cues] == [
        (1000, 3000, "Welcome to the lecture."),
        (3500, 5500, "Today: energy."),
    ]
    assert cap["language"] == "English"
    assert_ready(emu, task.id, cap["id"])
    assert store.load(draft_key(task.account, task.id)) is None  # the draft is gone once delivered
    assert "READY" in ed.status.text()
    ed.select(0)
    qtbot.keyClicks(ed.text_edit, "late edit")  # delivered: the editor is for reviewing now
    assert ed.items()[0].text == "Welcome to the lecture."
    assert store.load(draft_key(task.account, task.id)) is None


def test_validation_errors_block_delivery_and_jump_to_the_cue(qtbot, emu, conn, tmp_path):
    ed, task, _ = open_claimed(qtbot, emu, conn, tmp_path, ServiceFeature.CAPTIONS)
    type_cue(qtbot, ed, 1000, "Fine.", 3000)
    ed.seek(4000)
    ed.insert_at_playhead()  # left empty: an error
    ed.select(0)
    ed.deliver_action.trigger()
    assert ed.current == 1  # jumped to the offending cue
    assert "blocked" in ed.status.text().lower()
    assert ed._delivery_job is None and ed.deliver_confirm is None  # nothing started, so nothing can follow
    assert emu.inspect.task(task.id)["status"] == int(TaskStatus.PROCESSING)
    assert emu.inspect.objects("caption_asset", entryId=task.entry_id) == []


def test_translation_flow_uploads_the_target_not_the_source(qtbot, emu, conn, tmp_path):
    source = CaptionDocument(
        [Cue(0, 2000, "Good morning"), Cue(2500, 4500, "Good night")], language="English"
    )
    ed, task, _ = open_claimed(
        qtbot, emu, conn, tmp_path, ServiceFeature.TRANSLATION, source, source="English", target="French"
    )
    for row, text in ((0, "Bonjour"), (1, "Bonne nuit")):
        ed.select(row)
        qtbot.keyClicks(ed.text_edit, text)
    deliver(qtbot, ed)
    cap = one(emu, "caption_asset", task.id, "caption.add", entryId=task.entry_id)
    assert cap["language"] == "French"
    cues = read_captions(emu.inspect.content(cap["id"])).cues
    assert [(c.start_ms, c.text) for c in cues] == [(0, "Bonjour"), (2500, "Bonne nuit")]
    assert_ready(emu, task.id, cap["id"])


def test_ead_flow_delivers_a_vtt_caption_with_usage_1(qtbot, emu, conn, tmp_path):
    ed, task, _ = open_claimed(qtbot, emu, conn, tmp_path, ServiceFeature.EXTENDED_AUDIO_DESCRIPTION)
    type_cue(qtbot, ed, 5000, "A woman in a yellow shirt sits on a couch.", 10_000)
    deliver(qtbot, ed)
    cap = one(emu, "caption_asset", task.id, "ead.add", entryId=task.entry_id)
    assert (cap["format"], cap["usage"], cap["fileExt"]) == ("3", "1", "vtt")
    assert cap["displayOnPlayer"] in (False, 0) and cap["isDefault"] in (0, False)
    content = emu.inspect.content(cap["id"])
    assert content.startswith(b"WEBVTT")
    (cue,) = read_captions(content, "vtt").cues
    assert (cue.start_ms, cue.end_ms, cue.text) == (
        5000,
        10_000,
        "A woman in a yellow shirt sits on a couch.",
    )
    assert_ready(emu, task.id, cap["id"])


def test_chapters_flow_adds_thumb_cue_points(qtbot, emu, conn, tmp_path):
    ed, task, _ = open_claimed(qtbot, emu, conn, tmp_path, ServiceFeature.CHAPTERING)
    type_cue(qtbot, ed, 0, "Introduction")
    ed.text_edit.setFocus()
    qtbot.keyClicks(ed.text_edit, "Who we are")
    type_cue(qtbot, ed, 8000, "Results")
    deliver(qtbot, ed)
    first = one(emu, "cue_point", task.id, "chapter.001.add", entryId=task.entry_id)
    second = one(emu, "cue_point", task.id, "chapter.002.add", entryId=task.entry_id)
    assert (first["title"], first["description"], first["startTime"], first["subType"]) == (
        "Introduction",
        "Who we are",
        0,
        2,
    )
    assert (second["title"], second["startTime"]) == ("Results", 8000)
    assert_ready(emu, task.id, first["id"])


def test_cancelling_the_progress_dialog_stops_before_ready(qtbot, emu, conn, tmp_path):
    from PySide6.QtWidgets import QProgressDialog, QPushButton

    ed, task, store = open_claimed(qtbot, emu, conn, tmp_path, ServiceFeature.CAPTIONS)
    type_cue(qtbot, ed, 1000, "Slow network today.", 3000)
    emu.faults.configure(latency_ms=400)  # every call takes a while: time to press Cancel
    ed.deliver_action.trigger()
    confirm_delivery(qtbot, ed)
    dialog = ed.findChild(QProgressDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.findChild(QPushButton).click()  # the dialog's Cancel button
    qtbot.waitUntil(lambda: ed.deliver_action.isEnabled(), timeout=60_000)
    assert "cancelled" in ed.status.text(), ed.status.text()
    emu.faults.reset()
    assert emu.inspect.task(task.id)["status"] == int(TaskStatus.PROCESSING)
    assert not ed.locked and ed.deliver_action.isEnabled()  # the linguist can deliver again
    assert store.load(draft_key(task.account, task.id)) is not None  # the draft is kept
    deliver(qtbot, ed)
    assert emu.inspect.task(task.id)["status"] == int(TaskStatus.READY)
