"""Task store: persists across reopen, tracks tasks that disappear, never writes an access key."""

from __future__ import annotations

import sqlite3

import pytest

from reach_studio.domain.enums import ProcessingRegion, TaskStatus
from reach_studio.domain.task import ReachProfile, Task
from reach_studio.store.task_store import TaskStore, TaskStoreError

KEY = "djJ8MTAxfSECRETKEYxxxxxxxxxxxxxxxxxxxxxxxx"


def mk(tid, status=TaskStatus.PENDING, account="a"):
    return Task(
        id=tid,
        partner_id=101,
        vendor_partner_id=7,
        entry_id=f"0_{tid}",
        status=status,
        catalog_item_id=1,
        reach_profile_id=1,
        access_key=KEY,
        account=account,
        reach_profile=ReachProfile(id=1, processing_region=ProcessingRegion.CA),
    )


def test_round_trip_and_reopen(tmp_path):
    path = tmp_path / "t.sqlite"
    with TaskStore(path) as store:
        store.upsert([mk(1), mk(2)], seen_at=10)
    with TaskStore(path) as store:
        got = store.get("a", 1)
        assert got.entry_id == "0_1" and got.reach_profile.processing_region is ProcessingRegion.CA
        assert got.access_key == ""
        assert sorted(t.id for t in store.open_tasks()) == [1, 2]


def test_access_key_never_on_disk(tmp_path):
    path = tmp_path / "t.sqlite"
    with TaskStore(path) as store:
        store.upsert([mk(1)])
        store.set_status("a", 1, TaskStatus.PROCESSING, "linguist-1")
    for f in tmp_path.iterdir():
        assert b"SECRETKEY" not in f.read_bytes()


def test_sync_pending_marks_gone_tasks(tmp_path):
    with TaskStore(tmp_path / "t.sqlite") as store:
        store.sync_pending("a", [mk(1), mk(2), mk(3)], seen_at=1)
        store.sync_pending("b", [mk(9, account="b")], seen_at=1)
        gone = store.sync_pending("a", [mk(2)], seen_at=2)
        assert sorted(gone) == [1, 3]
        assert sorted((t.account, t.id) for t in store.open_tasks()) == [("a", 2), ("b", 9)]
        assert store.seen_times("a", 1) == (1, 1, 2)
        store.sync_pending("a", [mk(1), mk(2)], seen_at=3)  # back again (e.g. reset by the customer)
        assert store.seen_times("a", 1)[2] is None


def test_status_filter(tmp_path):
    with TaskStore(tmp_path / "t.sqlite") as store:
        store.upsert([mk(1), mk(2, TaskStatus.PROCESSING)])
        assert [t.id for t in store.open_tasks([TaskStatus.PROCESSING])] == [2]


def test_not_a_database_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(TaskStoreError, match="Cannot open the task store"):
        TaskStore(bad)


def test_default_location_is_under_data_dir():
    with TaskStore() as store:
        assert store.path.name == "tasks.sqlite" and "reach-studio-home" in str(store.path)
    assert sqlite3.connect(store.path).execute("select count(*) from tasks").fetchone() == (0,)


def test_sync_status_tracks_scheduled_tasks_separately(tmp_path):
    with TaskStore(tmp_path / "t.sqlite") as store:
        store.sync_pending("a", [mk(1)], seen_at=1)
        store.sync_status("a", [mk(5, TaskStatus.SCHEDULED)], TaskStatus.SCHEDULED, seen_at=1)
        assert store.sync_status("a", [], TaskStatus.SCHEDULED, seen_at=2) == [5]
        assert [t.id for t in store.open_tasks()] == [1]  # the pending one is untouched
