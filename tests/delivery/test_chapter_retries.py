"""Chapters are never delivered twice: an add whose answer was lost, or that lands after the client gave up,
leaves exactly one set of chapters on the entry (docs/kaltura-contract.md, "Assets and cue points": the
task's key lists every chapter, and Kaltura refuses a second cue point with the same systemName)."""

from __future__ import annotations

import pytest

from reach_studio.domain.captions import Chapter
from reach_studio.domain.delivery_plan import WorkProduct
from reach_studio.domain.enums import ServiceFeature, TaskStatus
from reach_studio.engine.delivery import DeliveryService
from reach_studio.kaltura.connection import ReachConnection
from reach_studio.kaltura.delivery_executor import ExecutorHooks
from reach_studio.store.delivery_journal import DeliveryJournal
from tests.delivery.conftest import account_config, claim, order_task

CHAPTERS = (
    Chapter(0, "Introduction", "Who we are"),
    Chapter(4000, "Method", "How we measured"),
    Chapter(8000, "Results", "What we found"),
)
DELETED = 3


def _claimed_chapters_task(emulator):
    # a short request timeout, so the reconciliation's wait for a late add stays short
    conn = ReachConnection(account_config(emulator), request_timeout=2.0, retries=6, backoff=0.02)
    return conn, claim(conn, order_task(emulator, ServiceFeature.CHAPTERING))


def _deliver(conn, task, tmp_path):
    service = DeliveryService(
        conn, DeliveryJournal(tmp_path / "journal.sqlite3"), backoff=0.01, poll_interval=0.02
    )
    return service.deliver(task, WorkProduct(chapters=CHAPTERS))


def _chapters_on(emulator, entry_id: str, *, deleted_too: bool = False) -> list[tuple[int, str]]:
    cues = emulator.inspect.objects("cue_point", entryId=entry_id)
    return sorted((c["startTime"], c["title"]) for c in cues if deleted_too or c.get("status") != DELETED)


def test_a_lost_answer_of_a_chapter_add_leaves_one_set_of_chapters(emulator, tmp_path):
    conn, task = _claimed_chapters_task(emulator)
    emulator.faults.lose_next_answers(2, service="cuepoint_cuepoint", action="add")
    out = _deliver(conn, task, tmp_path)
    assert out.ok, out.err_description
    assert emulator.faults.lost_answers.lost == 2  # the first two adds were carried out, their answers lost
    expected = [(c.start_ms, c.title) for c in CHAPTERS]
    # exactly one set recorded, none added and removed again
    assert _chapters_on(emulator, task.entry_id, deleted_too=True) == expected
    assert {"chapter.001.add", "chapter.002.add"} <= set(out.adopted)
    assert emulator.inspect.task(task.id)["status"] == int(TaskStatus.READY)
    cues = {c["title"]: c for c in emulator.inspect.objects("cue_point", entryId=task.entry_id)}
    assert emulator.inspect.task(task.id)["outputObjectId"] == cues["Introduction"]["id"]
    assert len({c["systemName"] for c in cues.values()}) == 3  # each chapter carries its own systemName


def test_a_chapter_add_that_lands_after_the_retry_is_refused_by_its_system_name(emulator, tmp_path):
    """The first add stalls past the client's timeout; the retry's lookup finds nothing and adds the chapter;
    the stalled add, carried out last, meets the retry's systemName and Kaltura refuses it — so no second
    chapter ever exists (not even one removed again by the reconciliation before READY)."""
    conn, task = _claimed_chapters_task(emulator)
    emulator.faults.stall_next_adds(1, 3.0, service="cuepoint_cuepoint")
    out = _deliver(conn, task, tmp_path)
    assert out.ok, out.err_description
    assert emulator.faults.stalled_adds.stalled == 1  # the fault really fired
    assert _chapters_on(emulator, task.entry_id, deleted_too=True) == [
        (c.start_ms, c.title) for c in CHAPTERS
    ]
    assert emulator.inspect.task(task.id)["status"] == int(TaskStatus.READY)


class _Crash(Exception):
    pass


def test_chapters_edited_after_an_interrupted_delivery_are_delivered_as_edited(emulator, tmp_path):
    """The first delivery stops after the first chapter was added; the linguist renames and moves it and
    delivers again: the chapter already on Kaltura is adopted (no second one) and carries the edit."""
    conn, task = _claimed_chapters_task(emulator)

    def crash_after_the_first_chapter(step, outcome):
        if step.key == "chapter.001.add":
            raise _Crash()

    service = DeliveryService(
        conn, DeliveryJournal(tmp_path / "journal.sqlite3"), backoff=0.01, poll_interval=0.02
    )
    with pytest.raises(_Crash):
        service.deliver(
            task,
            WorkProduct(chapters=CHAPTERS),
            hooks=ExecutorHooks(after_step=crash_after_the_first_chapter),
        )
    assert _chapters_on(emulator, task.entry_id) == [(0, "Introduction")]
    edited = (Chapter(500, "Welcome", "Who we are"), *CHAPTERS[1:])
    out = service.deliver(task, WorkProduct(chapters=edited))
    assert out.ok, out.err_description
    assert "chapter.001.add" in out.adopted
    assert _chapters_on(emulator, task.entry_id, deleted_too=True) == [(c.start_ms, c.title) for c in edited]
