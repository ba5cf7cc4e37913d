"""Key keeper: extends PROCESSING keys a margin before expiry, never other statuses (stub server, fake clock)."""

from __future__ import annotations

import base64

import pytest

from reach_studio.domain.enums import TaskStatus, TurnAroundTime
from reach_studio.domain.task import Task
from reach_studio.engine.key_keeper import KeyKeeper
from reach_studio.kaltura.connection import AccountConfig, ReachConnection

from .kaltura_stub import KalturaStub


@pytest.fixture
def conn():
    with KalturaStub(app_token="tok") as stub:
        c = ReachConnection(
            AccountConfig(stub.url, 700, "Acme", app_token_id="t", app_token="tok"), sleep=lambda s: None
        )
        c.stub = stub
        yield c


def mk(tid, status=TaskStatus.PROCESSING, key=None, tat=TurnAroundTime.TWO_HOURS):
    return Task(
        id=tid,
        partner_id=1,
        vendor_partner_id=700,
        entry_id="0_e",
        status=status,
        catalog_item_id=1,
        reach_profile_id=1,
        access_key=key or f"key-{tid}",
        turn_around_time=tat,
    )


def test_extends_before_expiry_with_known_lifetime(conn):
    clock = [1000.0]
    keeper = KeyKeeper(conn, key_lifetime=100, clock=lambda: clock[0])
    task = mk(5)
    keeper.track(task)
    assert task.access_key_expiry == 1100
    clock[0] = 1050
    assert keeper.run_once() == [] and task.access_key == "key-5"
    clock[0] = 1075  # inside the 30 s margin
    assert keeper.run_once() == [task]
    assert task.access_key == "extended-key-5" and task.access_key_expiry == 1175
    calls = [r for r in conn.stub.requests if r["action"] == "extendAccessKey"]
    assert len(calls) == 1 and calls[0]["id"] == "5" and calls[0]["ks"].startswith("vendor-ks")
    clock[0] = 1100
    assert keeper.run_once() == []  # fresh key: nothing due


def test_never_extends_other_statuses(conn):
    clock = [0.0]
    keeper = KeyKeeper(conn, key_lifetime=10, clock=lambda: clock[0])
    pending = mk(1, TaskStatus.PENDING)
    keeper.track(pending)
    assert keeper.tracked() == []
    done = mk(2)
    keeper.track(done)
    done.status = TaskStatus.READY  # delivered meanwhile
    clock[0] = 9.9
    assert keeper.run_once() == []
    assert keeper.tracked() == []
    assert not [r for r in conn.stub.requests if r["action"] == "extendAccessKey"]


def test_default_lifetime_is_max_of_7_days_and_twice_tat(conn):
    keeper = KeyKeeper(conn, clock=lambda: 0.0)
    short, long_ = mk(1, tat=TurnAroundTime.TWO_HOURS), mk(2, tat=TurnAroundTime.TEN_DAYS)
    keeper.track(short)
    keeper.track(long_)
    assert short.access_key_expiry == 7 * 86400
    assert long_.access_key_expiry == 20 * 86400


def test_readable_ks_expiry_wins(conn):
    v1 = base64.b64encode(b"a" * 40 + b"|1;1;5000;0;1;;edit:0_e").decode()
    keeper = KeyKeeper(conn, clock=lambda: 0.0)
    task = mk(3, key=v1)
    keeper.track(task)
    assert task.access_key_expiry == 5000
    assert keeper.due(now=3000) == [] and keeper.due(now=4000) == [task]  # 30 % margin of a 5000 s key


def test_key_age_counts_from_task_creation_or_last_extension(conn):
    clock = [10_000.0]
    keeper = KeyKeeper(conn, key_lifetime=1000, clock=lambda: clock[0])
    waited = mk(7)
    waited.created_at = 9_500  # sat in the queue for 500 s: its first key is that old
    keeper.track(waited)
    assert waited.access_key_expiry == 10_500
    fresh = mk(8)
    fresh.created_at = 1_000
    fresh.extra["access_key_issued_at"] = 9_900  # extended a moment ago
    keeper.track(fresh)
    assert fresh.access_key_expiry == 10_900
    assert keeper.due() == [] and keeper.due(now=10_250) == [waited]
