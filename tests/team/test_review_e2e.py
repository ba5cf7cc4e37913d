"""The review step end to end against the emulator: submit → return with comments → fix → approve → READY."""

from __future__ import annotations

import pytest

from reach_studio.domain.captions import Cue
from reach_studio.domain.delivery_plan import WorkProduct
from reach_studio.domain.edit_ops import item_to_dict, set_text
from reach_studio.domain.enums import ServiceFeature, TaskStatus
from reach_studio.engine.delivery import DeliveryBlocked, DeliveryService
from reach_studio.kaltura import reach_api
from reach_studio.kaltura.connection import ReachConnection
from reach_studio.store.delivery_journal import DeliveryJournal
from reach_studio.store.drafts import DraftStore, draft_key
from reach_studio.team.claims import claim_task
from reach_studio.team.drafts_sync import TeamDrafts
from reach_studio.team.review import caption_document, install
from reach_studio.team.store import TeamStore
from tests.team.test_claims_e2e import account


def test_review_flow_ends_ready_in_kaltura_with_every_step_recorded(emulator, team_db, tmp_path):
    anna_conn, rita_conn = ReachConnection(account(emulator)), ReachConnection(account(emulator))
    pending = [t for t in reach_api.get_jobs(anna_conn) if t.feature == ServiceFeature.CAPTIONS]
    task = reach_api.get_task(anna_conn, min(pending, key=lambda t: t.id))
    task.account = anna_conn.account.key
    boss = TeamStore(team_db, "boss").open(role="supervisor")
    boss.require_review(partner_id=task.partner_id)
    anna_store = TeamStore(team_db, "anna").open()
    rita_store = TeamStore(team_db, "rita").open(role="reviewer")
    key = draft_key(task.account, task.id)

    task = claim_task(anna_store, anna_conn, task, f"anna-{task.id}")
    task.account = anna_conn.account.key
    anna = TeamDrafts(DraftStore(tmp_path / "anna.sqlite3"), anna_store, push_interval=0.01)
    cues = [
        Cue(0, 1500, "Line number 1", "Ann"),
        Cue(2000, 3500, "Line nmber 2", "Ann"),
        Cue(4000, 5500, "Line number 3", "Ben"),
    ]
    language = task.source_language or "English"
    anna.save_snapshot(
        key,
        "captions",
        {"version": 1, "kind": "captions", "language": language, "items": [item_to_dict(c) for c in cues]},
    )
    assert anna.flush()
    anna_service = DeliveryService(anna_conn, DeliveryJournal(tmp_path / "anna.journal"), poll_interval=0.05)
    uninstall = install(anna_store)  # what anna's desktop does in team mode: every editor's delivery is gated
    try:
        with pytest.raises(DeliveryBlocked, match="reviewer's approval"):
            anna_service.deliver(task, WorkProduct(captions=caption_document(anna.load(key), language)))
    finally:
        uninstall()
    assert emulator.inspect.task(task.id)["status"] == int(TaskStatus.PROCESSING)  # nothing reached Kaltura

    anna_store.submit(task.account, task.id)
    assert [c.task_id for c in rita_store.review_queue()] == [task.id]
    rita = TeamDrafts(DraftStore(tmp_path / "rita.sqlite3"), rita_store)
    seen = caption_document(rita.pull(key), language)  # the reviewer opens the same document
    assert [c.text for c in seen.cues] == ["Line number 1", "Line nmber 2", "Line number 3"]
    rita_store.return_for_fixes(task.account, task.id, [(1, "Typo: nmber")])

    (comment,) = anna_store.comments(task.account, task.id)
    assert (comment.cue_index, comment.text, comment.author) == (1, "Typo: nmber", "rita")
    items = caption_document(anna.load(key), language).cues
    anna.append_op(key, set_text(items, comment.cue_index, "Line number 2").to_dict())
    assert anna.flush()
    anna_store.submit(task.account, task.id)

    fixed = caption_document(rita.pull(key), language)
    assert [c.text for c in fixed.cues] == ["Line number 1", "Line number 2", "Line number 3"]
    rita_store.approve(task.account, task.id)
    rita_service = DeliveryService(rita_conn, DeliveryJournal(tmp_path / "rita.journal"), poll_interval=0.05)
    uninstall = install(rita_store)
    try:
        outcome = rita_service.deliver(task, WorkProduct(captions=fixed))  # READY is recorded by the observer
    finally:
        uninstall()
    assert outcome.ok, outcome.err_description

    kaltura = emulator.inspect.task(task.id)
    assert (
        kaltura["status"] == int(TaskStatus.READY) and kaltura["outputObjectId"] == outcome.output_object_id
    )
    delivered = emulator.inspect.content(outcome.output_object_id)
    assert b"Line number 2" in delivered and b"nmber" not in delivered
    steps = [(e.kind, e.actor) for e in boss.history(task.account, task.id)]
    assert steps == [
        ("claim_started", "anna"),
        ("claimed", "anna"),
        ("submitted", "anna"),
        ("returned", "rita"),
        ("submitted", "anna"),
        ("approved", "rita"),
        ("delivered", "rita"),
    ]
    assert all(e.at > 0 for e in boss.history(task.account, task.id))
    anna.close()
    rita.close()
