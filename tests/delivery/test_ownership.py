"""Racing colleagues and unlucky timing: only the task's holder writes, a stalled add leaves no extra asset,
and a run killed right after READY is closed as delivered on resume (issue 12 items 1, 2, 8)."""

from __future__ import annotations

import pytest

from reach_studio.domain.delivery_plan import WorkProduct
from reach_studio.domain.enums import ServiceFeature, TaskStatus
from reach_studio.engine.delivery import DeliveryService, TaskNotOurs
from reach_studio.kaltura.connection import ReachConnection
from reach_studio.kaltura.delivery_executor import ExecutorHooks
from reach_studio.store.delivery_journal import DeliveryJournal
from tests.delivery.conftest import account_config, run_child
from tests.delivery.factories import our_marker as marker
from tests.factories import make_doc

KILLED = -9


def _service(conn, tmp_path, **kw):
    options = {"backoff": 0.01, "poll_interval": 0.02, **kw}
    return DeliveryService(conn, DeliveryJournal(tmp_path / "journal.sqlite3"), **options)


def _take_over(conn, task_id: int, holder: str) -> None:
    """A colleague's claim lands on top of ours (Kaltura has no compare-and-set: the last write wins)."""
    from KalturaClient.Plugins.Reach import KalturaEntryVendorTask

    change = KalturaEntryVendorTask(status=int(TaskStatus.PROCESSING), externalTaskId=holder)
    conn.call(lambda c: c.reach.entryVendorTask.updateJob(task_id, change))


def _live_marked(emu, kind, task_id):
    prefix = marker(task_id, "")
    return [
        o
        for o in emu.inspect.objects(kind)
        if str(o.get("partnerData") or "").startswith(prefix) and o.get("status") != 3
    ]  # 3 = DELETED


def test_a_task_a_colleague_took_is_not_touched_and_the_linguist_is_told_who_has_it(
    emulator, claimed, conn, tmp_path
):
    task = claimed(ServiceFeature.CAPTIONS)
    _take_over(conn, task.id, "bo-linguist-7")
    with pytest.raises(TaskNotOurs) as info:
        _service(conn, tmp_path).deliver(task, WorkProduct(captions=make_doc(2)))
    assert "bo-linguist-7" in info.value.message and "your work is kept" in info.value.message
    t = emulator.inspect.task(task.id)
    assert t["status"] == int(TaskStatus.PROCESSING) and t["externalTaskId"] == "bo-linguist-7"
    assert emulator.inspect.objects("caption_asset", entryId=task.entry_id) == []  # nothing created


def test_a_task_taken_over_mid_delivery_is_not_marked_ready(emulator, claimed, conn, tmp_path):
    """The second check, right before READY: the colleague's claim and their outputObjectId stay theirs."""
    task = claimed(ServiceFeature.CAPTIONS)

    def after_step(step, result):
        if step.key == "caption.setContent":
            _take_over(conn, task.id, "bo-linguist-7")

    with pytest.raises(TaskNotOurs):
        _service(conn, tmp_path).deliver(
            task, WorkProduct(captions=make_doc(2)), hooks=ExecutorHooks(after_step=after_step)
        )
    t = emulator.inspect.task(task.id)
    assert t["status"] == int(TaskStatus.PROCESSING) and t["externalTaskId"] == "bo-linguist-7"
    assert not t.get("outputObjectId")
    assert int(TaskStatus.READY) not in [h["status"] for h in emulator.inspect.status_history(task.id)]


def test_a_stalled_add_that_lands_later_leaves_no_extra_caption_asset(emulator, claimed, tmp_path):
    """captionAsset.add outlives the client's timeout and lands after the retry made a second asset: the
    reconciliation before READY removes the extra one, so the customer's entry has one caption."""
    conn = ReachConnection(account_config(emulator), request_timeout=2.0, retries=6, backoff=0.02)
    from tests.delivery.conftest import claim, order_task

    task = claim(conn, order_task(emulator, ServiceFeature.CAPTIONS))
    emulator.faults.stall_next_adds(1, 3.0, service="caption_captionasset")
    out = _service(conn, tmp_path).deliver(task, WorkProduct(captions=make_doc(2)))
    assert out.ok, out.err_description
    assert emulator.faults.stalled_adds.stalled == 1  # the fault really fired
    live = _live_marked(emulator, "caption_asset", task.id)
    assert [c["id"] for c in live] == [out.output_object_id]
    assert emulator.inspect.content(out.output_object_id)  # the one left is the one with the captions


def test_killed_right_after_ready_the_resume_closes_the_journal_as_delivered(
    emulator, claimed, conn, tmp_path
):
    """SIGKILL after Kaltura answered READY but before the journal knew: Kaltura has killed the task's key, and
    the resume reads the task with the vendor KS, sees READY with our output and closes the run as done."""
    task = claimed(ServiceFeature.CAPTIONS)
    product = WorkProduct(captions=make_doc(2))
    journal_path = tmp_path / "journal.sqlite3"
    steps = len(DeliveryService(conn).plan(task, product).steps)
    rc, _ = run_child(
        tmp_path, emulator, task, product, journal_path, kill={"when": "after_call", "n": steps}
    )
    assert rc == KILLED
    assert emulator.inspect.task(task.id)["status"] == int(TaskStatus.READY)
    journal = DeliveryJournal(journal_path)
    assert [r.status for r in journal.runs(task.id)] == ["running"]
    out = DeliveryService(conn, journal).deliver(task, product)
    assert out.ok and out.output_object_id == emulator.inspect.task(task.id)["outputObjectId"]
    assert [r.status for r in journal.runs(task.id)] == ["done"]
    assert len(_live_marked(emulator, "caption_asset", task.id)) == 1
    assert [h["status"] for h in emulator.inspect.status_history(task.id)].count(int(TaskStatus.READY)) == 1


def test_restart_after_a_kill_right_after_ready_finds_the_task_delivered(emulator, claimed, conn, tmp_path):
    """The app restarts with the task remembered as claimed (keys are never stored): instead of "can no
    longer be worked on" (Kaltura refuses to extend a READY task's key), it reads the task with the vendor
    KS, sees it READY under our externalTaskId and closes the delivery journal as delivered."""
    from dataclasses import replace

    from reach_studio import paths
    from reach_studio.engine.desktop_ops import EngineOps

    task = claimed(ServiceFeature.CAPTIONS)
    product = WorkProduct(captions=make_doc(2))
    journal_path = paths.data_dir() / "delivery_journal.sqlite3"  # the app's own journal
    steps = len(DeliveryService(conn).plan(task, product).steps)
    rc, _ = run_child(
        tmp_path, emulator, task, product, journal_path, kill={"when": "after_call", "n": steps}
    )
    assert rc == KILLED
    remembered = replace(task, access_key="", access_key_expiry=None)
    fresh = EngineOps(media_dir=tmp_path / "media").refresh_key(conn, remembered)
    assert fresh.status == TaskStatus.READY
    assert fresh.output_object_id == emulator.inspect.task(task.id)["outputObjectId"]
    with DeliveryJournal(journal_path) as journal:
        assert [r.status for r in journal.runs(task.id)] == ["done"]
