"""Resuming in-process: after a cancel, after an interruption followed by an edit (a new plan), progress."""

from __future__ import annotations

import pytest

from reach_studio.domain.delivery_plan import WorkProduct
from reach_studio.domain.enums import ServiceFeature, TaskStatus
from reach_studio.domain.progress import Cancelled, CancelToken
from reach_studio.engine.delivery import DeliveryService
from reach_studio.kaltura.delivery_executor import ExecutorHooks
from reach_studio.store.delivery_journal import DeliveryJournal
from tests.delivery.factories import our_marker as marker
from tests.factories import make_doc


class _Crash(BaseException):
    """Stands in for the process dying: not an Exception, so nothing on the way catches it."""


def _service(conn, tmp_path, **kw):
    return DeliveryService(conn, DeliveryJournal(tmp_path / "journal.sqlite3"), poll_interval=0.02, **kw)


def test_cancel_mid_upload_then_resume(emulator, claimed, conn, tmp_path, aac_tracks):
    task = claimed(ServiceFeature.AUDIO_DESCRIPTION, flavorParamsId=200, clearAudioFlavorParamsId=201)
    product = WorkProduct(main_audio=aac_tracks[0], clear_audio=aac_tracks[1])
    service = _service(conn, tmp_path, chunk_size=2048)
    token = CancelToken()
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        if done % 1000 >= 500:  # half-way through the first upload
            token.cancel()

    with pytest.raises(Cancelled):
        service.deliver(task, product, cancel=token, progress=progress)
    assert emulator.inspect.task(task.id)["status"] == int(TaskStatus.PROCESSING)  # resumable, not failed
    (token_obj,) = emulator.inspect.objects("upload_token", partnerId=task.partner_id)
    assert 0 < token_obj["uploadedFileSize"] < aac_tracks[0].stat().st_size

    seen.clear()
    out = service.deliver(task, product, progress=lambda d, t: seen.append((d, t)))
    assert out.ok, out.err_description
    assert "ad.flavor.add" in out.skipped
    assert (
        len(emulator.inspect.objects("upload_token", partnerId=task.partner_id)) == 2
    )  # first one continued
    dones = [d for d, _ in seen]
    assert dones == sorted(dones) and seen[-1][0] == seen[-1][1]


def test_edit_after_an_interrupted_delivery_adopts_and_replaces_the_content(
    emulator, claimed, conn, tmp_path
):
    task = claimed(ServiceFeature.CAPTIONS)
    first = WorkProduct(captions=make_doc(2))

    def crash_after_content(step, result):
        if step.key == "caption.setContent":
            raise _Crash()

    with pytest.raises(_Crash):
        _service(conn, tmp_path).deliver(task, first, hooks=ExecutorHooks(after_step=crash_after_content))
    # The linguist fixes a typo and delivers again: a different plan, same task.
    edited = make_doc(2)
    edited.cues[0].text = "Line number one, corrected"
    out = _service(conn, tmp_path).deliver(task, WorkProduct(captions=edited))
    assert out.ok, out.err_description
    assert out.adopted == ["caption.add"]
    caps = emulator.inspect.objects("caption_asset", entryId=task.entry_id)
    assert [c["partnerData"] for c in caps] == [marker(task.id, "caption.add")]
    assert b"corrected" in emulator.inspect.content(caps[0]["id"])
    assert emulator.inspect.task(task.id)["outputObjectId"] == caps[0]["id"]


def test_a_lost_journal_still_does_not_duplicate(emulator, claimed, conn, tmp_path):
    """Delivered once, journal deleted (new machine), delivered again: the same assets are reused."""
    task = claimed(ServiceFeature.CAPTIONS)
    product = WorkProduct(captions=make_doc(2), transcripts=("txt",))
    first_journal = DeliveryJournal(tmp_path / "first.sqlite3")

    def crash_before_ready(step, result):
        if step.key == "caption.associateTranscripts":
            raise _Crash()

    with pytest.raises(_Crash):
        DeliveryService(conn, first_journal).deliver(
            task, product, hooks=ExecutorHooks(after_step=crash_before_ready)
        )
    out = DeliveryService(conn, DeliveryJournal(tmp_path / "second.sqlite3")).deliver(task, product)
    assert out.ok, out.err_description
    assert sorted(out.adopted) == ["caption.add", "transcript.txt.add"]
    assert len(emulator.inspect.objects("caption_asset", entryId=task.entry_id)) == 1
    assert len(emulator.inspect.objects("attachment_asset", entryId=task.entry_id)) == 1


def test_a_second_simultaneous_delivery_of_the_same_task_is_refused(emulator, claimed, conn, tmp_path):
    import threading

    from reach_studio.engine.delivery import DeliveryBlocked

    task = claimed(ServiceFeature.CAPTIONS)
    product = WorkProduct(captions=make_doc(2))
    service = _service(conn, tmp_path)
    second_tried = threading.Event()
    holding = threading.Event()
    outcomes: list = []

    def hold(step, result):
        if step.key == "caption.add":
            holding.set()
            second_tried.wait(10)

    first = threading.Thread(
        target=lambda: outcomes.append(service.deliver(task, product, hooks=ExecutorHooks(after_step=hold)))
    )
    first.start()
    assert holding.wait(10)
    with pytest.raises(DeliveryBlocked, match="already being delivered"):
        service.deliver(task, product)
    second_tried.set()
    first.join(30)
    assert outcomes and outcomes[0].ok
    assert len(emulator.inspect.objects("caption_asset", entryId=task.entry_id)) == 1
