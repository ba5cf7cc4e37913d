"""The engine against the emulator: sign-in, fair queue, claim and lost races, ERROR, key extension, captions."""

from __future__ import annotations

import threading
import time

import pytest

from reach_studio.domain.enums import ProcessingRegion, ServiceFeature, ServiceType, TaskStatus
from reach_studio.engine.key_keeper import KeyKeeper
from reach_studio.engine.poller import Poller, PollerGroup, TaskFilter
from reach_studio.kaltura import reach_api
from reach_studio.kaltura.connection import ReachError
from reach_studio.kaltura.reach_api import ClaimLost, SourceCaptionsUnusable

from .conftest import connect


def _pending_ids(emu) -> set[int]:
    vendor = emu.info["vendorPartnerId"]
    return {t["id"] for t in emu.inspect.objects("task", status=TaskStatus.PENDING, vendorPartnerId=vendor)}


def _find(tasks, **want):
    for t in tasks:
        if all(getattr(t, k) == v for k, v in want.items()):
            return t
    raise AssertionError(f"no task with {want}")


def test_app_token_sign_in_lists_every_pending_task_with_details(emulator, conn):
    tasks = reach_api.get_jobs(conn, page_size=3)  # several pages
    assert {t.id for t in tasks} == _pending_ids(emulator)
    assert conn.sign_ins == 1
    assert all(t.access_key for t in tasks)
    full = reach_api.get_task(conn, tasks[0])
    record = emulator.inspect.task(full.id)
    assert full.catalog_item is not None and full.catalog_item.id == record["catalogItemId"]
    assert full.reach_profile is not None and full.reach_profile.id == record["reachProfileId"]


def test_tasks_without_task_job_data_get_their_entry_length_from_the_entry(emulator, conn):
    """Kaltura sends taskJobData.entryDuration only for live tasks (docs/kaltura-contract.md): every other
    task's length is read from its entry, so the editors, checks and download verification still have it."""
    poller = Poller(conn)
    assert poller.run_once()
    plain = [t for t in poller.tasks if t.service_feature is ServiceFeature.CAPTIONS]
    assert plain and all(not emulator.inspect.task(t.id).get("taskJobData") for t in plain)
    for task in plain:
        (entry,) = emulator.inspect.objects("entry", id=task.entry_id)
        assert task.entry_duration_ms == entry["msDuration"] > 0


def test_claim_is_recorded_with_the_task_client_tag(emulator, conn):
    task = reach_api.get_jobs(conn)[0]
    claimed = reach_api.claim(conn, task, "linguist-ana")
    record = emulator.inspect.task(task.id)
    assert record["status"] == 3 and record["externalTaskId"] == "linguist-ana"
    assert claimed.status is TaskStatus.PROCESSING
    last = emulator.inspect.status_history(task.id)[-1]
    info = emulator.info
    assert last["clientTag"] == f"python-26-10-22_{info['vendorName']}-{info['vendorPartnerId']}-{task.id}"


def test_queue_order_is_deadline_first_across_three_customers(emulator, conn):
    poller = Poller(conn, task_filter=TaskFilter(service_types=frozenset({ServiceType.HUMAN})))
    assert poller.run_once()
    queue = PollerGroup([poller]).queue()
    tasks = queue.tasks()
    customers = {t.partner_id for t in tasks}
    assert len(customers) == 3
    # customer-blind: the whole queue by the expected finish time Kaltura recorded
    finish = [emulator.inspect.task(t.id)["expectedFinishTime"] for t in tasks]
    assert finish == sorted(finish)
    machine = {
        t["id"] for t in emulator.inspect.objects("task", status=TaskStatus.PENDING) if t["serviceType"] == 2
    }
    assert machine and not machine & {t.id for t in tasks}
    assert set(poller.rejected) >= machine
    assert "whatever its customer" in queue.explain(tasks[0])


def test_region_filter_offers_only_the_linguists_regions(emulator):
    conn = connect(emulator, regions=frozenset({ProcessingRegion.EU}))
    poller = Poller(conn, task_filter=TaskFilter(service_types=None))
    poller.run_once()
    assert poller.tasks
    for task in poller.tasks:
        profile = emulator.inspect.objects("reach_profile", id=task.reach_profile_id)[0]
        assert profile["vendorTaskProcessingRegion"] == 2
    assert any("region" in why for why in poller.rejected.values())


def test_lost_race_gives_a_clear_message(emulator):
    ana, bo = connect(emulator), connect(emulator)
    task = reach_api.get_jobs(ana)[0]
    reach_api.claim(ana, task, "ana")
    with pytest.raises(ClaimLost) as info:
        reach_api.claim(bo, task, "bo")
    assert "already taken by ana" in str(info.value)
    assert emulator.inspect.task(task.id)["externalTaskId"] == "ana"
    assert reach_api.still_ours(ana, task, "ana") and not reach_api.still_ours(bo, task, "bo")


def test_simultaneous_claims_have_exactly_one_winner(emulator):
    ana, bo = connect(emulator), connect(emulator)
    task = reach_api.get_jobs(ana)[1]
    barrier = threading.Barrier(2)
    outcome: dict[str, object] = {}

    def go(name, conn):
        barrier.wait()
        try:
            reach_api.claim(conn, task, name)
            outcome[name] = "won"
        except ClaimLost as exc:
            outcome[name] = exc

    threads = [threading.Thread(target=go, args=(n, c)) for n, c in (("ana", ana), ("bo", bo))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    winners = [n for n, r in outcome.items() if r == "won"]
    assert len(winners) == 1
    assert emulator.inspect.task(task.id)["externalTaskId"] == winners[0]


def test_fail_puts_the_reason_in_the_emulator(emulator, conn):
    task = reach_api.claim(conn, reach_api.get_jobs(conn)[0], "ana")
    reach_api.fail(conn, task, "The audio track is silent from 0:00 to the end.\n(checked twice)")
    record = emulator.inspect.task(task.id)
    assert record["status"] == 6
    assert record["errDescription"] == "The audio track is silent from 0:00 to the end. (checked twice)"
    assert emulator.inspect.status_history(task.id)[-1]["status"] == 6


def test_source_captions_accuracy_check(emulator, conn):
    tasks = [reach_api.get_task(conn, t) for t in reach_api.get_jobs(conn)]
    translations = [
        t for t in tasks if t.feature == ServiceFeature.TRANSLATION and reach_api.needs_source_captions(t)
    ]
    assert len(translations) >= 2
    good = bad = None
    for t in translations:
        asset = emulator.inspect.objects("caption_asset", id=t.job_data.get("captionAssetId"))
        if asset and asset[0]["accuracy"] == 100:
            good = t
        elif asset and asset[0]["accuracy"] < 100:
            bad = t
    assert good is not None and bad is not None
    good = reach_api.claim(conn, good, "ana")
    source = reach_api.fetch_source_captions(conn, good)
    assert source.accuracy == 100 and b"-->" in source.content
    assert source.content == emulator.inspect.content(source.asset_id)

    bad = reach_api.claim(conn, bad, "ana")
    with pytest.raises(SourceCaptionsUnusable, match="80% accurate"):
        reach_api.fetch_source_captions(conn, bad)
    record = emulator.inspect.task(bad.id)
    assert record["status"] == 6 and "80% accurate" in record["errDescription"]

    from_audio = [
        t for t in tasks if t.feature == ServiceFeature.TRANSLATION and not reach_api.needs_source_captions(t)
    ]
    assert from_audio and all(t.catalog_item.require_source is False for t in from_audio)


def test_extend_refused_for_pending_tasks(conn):
    task = reach_api.get_jobs(conn)[0]
    with pytest.raises(ReachError) as info:
        reach_api.extend_access_key(conn, task)
    assert info.value.code == "CANNOT_EXTEND_ACCESS_KEY"


def test_short_keys_are_extended_before_expiry(tmp_path, emulator_media_cache):
    from reach_studio.emulator.server import Emulator

    ttl = 8
    with Emulator(tmp_path / "emu", seed="demo", access_key_ttl=ttl, media_cache=emulator_media_cache) as emu:
        conn = connect(emu)
        jobs = reach_api.get_jobs(conn)
        claimed = reach_api.claim(conn, jobs[0], "ana", settle=0)
        idle = jobs[1]  # stays PENDING: its key must never be extended
        idle_key = emu.inspect.task(idle.id)["accessKey"]
        first_key, claimed_at = claimed.access_key, time.time()
        extended_at: list[float] = []
        keeper = KeyKeeper(conn, key_lifetime=ttl, on_extended=lambda t: extended_at.append(time.time()))
        keeper.track(claimed, received_at=claimed_at)
        keeper.track(idle)
        keeper.start(interval=0.2)
        try:
            deadline = time.time() + ttl + 3
            while time.time() < deadline and time.time() < claimed_at + ttl + 1.5:
                time.sleep(0.2)
        finally:
            keeper.stop()
        assert extended_at and extended_at[0] < claimed_at + ttl  # before the first key expired
        assert claimed.access_key != first_key
        assert emu.inspect.task(claimed.id)["accessKey"] == claimed.access_key
        # the first key is dead by now, the kept one works (a raw client: no automatic renewal)
        assert time.time() > claimed_at + ttl
        client = conn.task_client(claimed)
        assert client.reach.entryVendorTask.get(claimed.id).id == claimed.id
        assert emu.inspect.task(idle.id)["accessKey"] == idle_key
        assert keeper.tracked() == [claimed]
