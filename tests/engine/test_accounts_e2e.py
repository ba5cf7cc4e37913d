"""Several accounts at once (e.g. global SaaS + a regional cloud), expired sessions, poll back-off."""

from __future__ import annotations

import pytest

from reach_studio.domain.enums import TaskStatus
from reach_studio.emulator.server import Emulator
from reach_studio.engine.poller import Poller, PollerGroup, TaskFilter
from reach_studio.kaltura import reach_api
from reach_studio.kaltura.connection import AccountConfig, ReachConnection

from .conftest import connect
from .kaltura_stub import KalturaStub


def test_two_clouds_merge_into_one_fair_queue(emulator, tmp_path, emulator_media_cache):
    with Emulator(tmp_path / "second-cloud", seed="demo", media_cache=emulator_media_cache) as regional:
        a, b = connect(emulator, label="global"), connect(regional, label="regional")
        assert a.account.key != b.account.key
        group = PollerGroup(
            [
                Poller(a, task_filter=TaskFilter(service_types=None)),
                Poller(b, task_filter=TaskFilter(service_types=None)),
            ]
        )
        assert all(err is None for err in group.poll_all_once().values())
        assert a.sign_ins == 1 and b.sign_ins == 1  # each account its own session
        tasks = group.queue().tasks()
        assert {t.account for t in tasks} == {a.account.key, b.account.key}
        assert len(tasks) == len(emulator.inspect.objects("task", status=TaskStatus.PENDING)) + len(
            regional.inspect.objects("task", status=TaskStatus.PENDING)
        )
        # partner 101 on each cloud is a different customer: under the supervisor's round-robin six lead
        round_robin = group.queue("customer_round_robin").tasks()
        assert len({(t.account, t.partner_id) for t in round_robin[:6]}) == 6
        # a task is claimed through its own account
        task = tasks[0]
        conn = group.poller_for(task).conn
        reach_api.claim(conn, task, "ana", settle=0)
        owner = emulator if task.account == a.account.key else regional
        assert owner.inspect.task(task.id)["status"] == 3


def test_expired_sessions_and_keys_are_renewed_once(emulator):
    conn = connect(emulator)
    task = reach_api.claim(conn, reach_api.get_jobs(conn)[0], "ana", settle=0)
    old_key = task.access_key
    emulator.faults.expire_all_ks()  # every KS and access key issued so far is refused from now on
    jobs = reach_api.get_jobs(conn)  # vendor KS refused -> signs in again, retries
    assert conn.sign_ins == 2 and jobs
    again = reach_api.get_task(conn, task)  # access key refused -> extendAccessKey (task is PROCESSING)
    assert again.status is TaskStatus.PROCESSING
    assert task.access_key != old_key and emulator.inspect.task(task.id)["accessKey"] == task.access_key


def test_poll_backs_off_on_errors_and_recovers():
    with KalturaStub(app_token="tok") as stub:
        conn = ReachConnection(
            AccountConfig(stub.url, 700, "Acme", app_token_id="t", app_token="tok"),
            retries=1,
            sleep=lambda s: None,
        )
        errors = []
        poller = Poller(conn, interval=10, max_backoff=70, on_error=lambda p, e: errors.append(e))
        stub.fail_next_5xx = 100
        assert not poller.run_once() and poller.next_delay() == 20
        assert not poller.run_once() and poller.next_delay() == 40
        assert not poller.run_once() and poller.next_delay() == 70  # capped
        assert len(errors) == 3 and all(getattr(e, "transient", False) for e in errors)
        stub.fail_next_5xx = 0
        assert poller.run_once() and poller.next_delay() == 10 and poller.last_error is None


@pytest.mark.parametrize("bad", ["ftp://x", "http://kaltura.example.com"])
def test_poller_account_needs_a_valid_url(bad):
    from reach_studio.kaltura.connection import ReachError

    with pytest.raises(ReachError):
        ReachConnection(AccountConfig(bad, 1, "V", admin_secret="s"))


def test_claimed_task_restored_without_its_key_gets_a_fresh_one(emulator):
    from reach_studio.domain.task_mapping import task_from_dict, task_to_dict

    conn = connect(emulator)
    task = reach_api.claim(conn, reach_api.get_jobs(conn)[0], "ana", settle=0)
    restored = task_from_dict({**task_to_dict(task), "access_key": ""})  # as the stores keep it
    full = reach_api.get_task(conn, restored)
    assert full.access_key and full.access_key == emulator.inspect.task(task.id)["accessKey"]
    assert full.reach_profile is not None


def test_background_poller_calls_back_and_stops():
    import threading

    with KalturaStub(app_token="tok") as stub:
        conn = ReachConnection(AccountConfig(stub.url, 700, "Acme", app_token_id="t", app_token="tok"))
        polls = []
        two = threading.Event()

        def on_tasks(poller, tasks):
            polls.append(tasks)
            if len(polls) >= 2:
                two.set()

        group = PollerGroup([Poller(conn, interval=0.05, on_tasks=on_tasks)])
        group.start()
        try:
            assert two.wait(10)
        finally:
            group.stop()
        count = len(polls)
        time_before = len([r for r in stub.requests if r["action"] == "getJobs"])
        threading.Event().wait(0.3)
        assert len([r for r in stub.requests if r["action"] == "getJobs"]) == time_before  # really stopped
        assert count >= 2 and polls[0] == []


def test_an_unexpected_error_in_a_poll_is_contained(monkeypatch):
    with KalturaStub(app_token="tok") as stub:
        conn = ReachConnection(AccountConfig(stub.url, 700, "Acme", app_token_id="t", app_token="tok"))
        poller = Poller(conn, interval=1)

        def boom(*a, **k):
            raise KeyError("surprise")

        monkeypatch.setattr(reach_api, "get_jobs", boom)
        assert poller.run_once() is False
        assert poller.last_error.code == "POLL_FAILED" and poller.failures == 1


def test_pending_tasks_whose_keys_expired_still_show_their_details_and_can_be_claimed(emulator):
    """A task left waiting longer than its key's lifetime (max(7 days, 2 x TAT): Kaltura never extends the key of
    a PENDING task) has a dead accessKey. Its catalog item and REACH profile come from the vendor's list with the
    reach_vendor profile; once claimed, the key is extended."""
    conn = connect(emulator)
    emulator.faults.expire_all_ks()  # every KS and access key issued so far, PENDING tasks' keys included
    poller = Poller(conn)
    assert poller.run_once()
    assert poller.tasks and all(
        t.catalog_item is not None and t.reach_profile is not None for t in poller.tasks
    )
    task = poller.tasks[0]
    old_key = task.access_key
    claimed = reach_api.claim(conn, task, "ana", settle=0)
    assert claimed.status is TaskStatus.PROCESSING and claimed.catalog_item is not None
    fresh = reach_api.get_task(conn, claimed)  # the dead key is extended now that the task is PROCESSING
    assert fresh.access_key != old_key and emulator.inspect.task(task.id)["accessKey"] == fresh.access_key
