"""While a claim is confirmed, the stream the download will offer is already known (issue 15, start at once)."""

from __future__ import annotations

import pytest

from reach_studio.domain.enums import ServiceFeature, TaskStatus
from reach_studio.engine.media_fetch import MediaCache, fetch_task_media, stream_source
from reach_studio.kaltura import reach_api
from reach_studio.kaltura.reach_api import ClaimLost

from .conftest import connect, task_on_entry

LECTURE = "Lecture 1 - Introduction to kinesiology"  # HLS, video


def _task(emulator, conn, entry_name: str, feature: ServiceFeature):
    return task_on_entry(emulator, conn, entry_name, feature)[0]


def test_before_confirm_comes_once_our_write_is_in_and_before_the_confirming_read(emulator, conn):
    task = _task(emulator, conn, LECTURE, ServiceFeature.CAPTIONS)
    seen = []

    def written():
        record = emulator.inspect.task(task.id)
        seen.append((record["status"], record["externalTaskId"], emulator.inspect.calls().copy()))

    claimed = reach_api.claim(conn, task, "ana", settle=0, before_confirm=written)
    assert claimed.status is TaskStatus.PROCESSING
    ((status, holder, calls),) = seen
    assert (status, holder) == (int(TaskStatus.PROCESSING), "ana")
    after = emulator.inspect.calls()
    assert after.get("reach_entryvendortask.get", 0) > calls.get("reach_entryvendortask.get", 0), (
        "the claim is confirmed after the hook"
    )


def test_a_claim_someone_else_holds_calls_no_hook(emulator):
    ana, bo = connect(emulator), connect(emulator)
    task = _task(emulator, ana, LECTURE, ServiceFeature.CAPTIONS)
    reach_api.claim(ana, task, "ana", settle=0)
    called = []
    with pytest.raises(ClaimLost):
        reach_api.claim(bo, task, "bo", settle=0, before_confirm=lambda: called.append(1))
    assert not called


def test_the_stream_found_early_is_the_one_the_download_offers_and_none_once_cached(emulator, conn):
    task = _task(emulator, conn, LECTURE, ServiceFeature.CAPTIONS)
    task = reach_api.claim(conn, task, "ana", settle=0)
    early = stream_source(conn, task, cache=MediaCache())
    assert early is not None and early.protocol == "hls"
    assert task.access_key not in repr(early)
    offered = []
    result = fetch_task_media(conn, task, cache=MediaCache(), on_stream=offered.append)
    assert [(s.url, s.choice.flavor.id) for s in offered] == [(early.url, early.choice.flavor.id)]
    assert result.choice.flavor.id == early.choice.flavor.id
    assert stream_source(conn, task, cache=MediaCache()) is None, "the downloaded file plays instead"
