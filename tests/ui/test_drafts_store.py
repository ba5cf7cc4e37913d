"""The drafts store keeps a task's work across restarts and kills, and rejects what it cannot keep."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from reach_studio import paths
from reach_studio.store.drafts import DraftStore, DraftStoreError, draft_key


def test_snapshot_then_ops_survive_reopen_and_a_new_snapshot_drops_older_ops(tmp_path):
    store = DraftStore(tmp_path / "d.sqlite3")
    key = draft_key("https://api.kaltura.com|123", 42)
    store.save_snapshot(
        key, "captions", {"cues": [{"start_ms": 0, "end_ms": 900, "text": "Hëllo"}]}, label="Intro"
    )
    store.append_op(key, {"op": "edit_text", "index": 0, "text": "Hello"})
    store.append_op(key, {"op": "insert", "index": 1, "start_ms": 1000})
    store.close()

    reopened = DraftStore(tmp_path / "d.sqlite3")
    draft = reopened.load(key)
    assert draft.kind == "captions"
    assert draft.label == "Intro"
    assert draft.snapshot["cues"][0]["text"] == "Hëllo"
    assert [o["op"] for o in draft.ops_after_snapshot] == ["edit_text", "insert"]

    reopened.save_snapshot(key, "captions", {"cues": []})
    draft = reopened.load(key)
    assert draft.ops_after_snapshot == []
    assert draft.label == "Intro"  # kept when a later snapshot gives none


def test_open_drafts_lists_every_task_newest_first_and_discard_removes(tmp_path):
    store = DraftStore(tmp_path / "d.sqlite3")
    store.save_snapshot("a#1", "captions", {"n": 1})
    time.sleep(0.01)
    store.append_op("b#2", {"op": "x"})  # ops before any snapshot still make a draft
    infos = store.open_drafts()
    assert [i.task_key for i in infos] == ["b#2", "a#1"]
    assert infos[0].op_count == 1 and infos[0].kind == ""
    assert store.load("b#2").snapshot is None
    store.discard("b#2")
    assert store.load("b#2") is None
    assert [i.task_key for i in store.open_drafts()] == ["a#1"]


def test_default_location_is_under_the_data_dir():
    store = DraftStore()
    assert store.path.parent == paths.data_dir()


def test_bad_payloads_and_a_damaged_file_give_a_clear_error(tmp_path):
    store = DraftStore(tmp_path / "d.sqlite3")
    with pytest.raises(DraftStoreError, match="plain JSON"):
        store.append_op("a#1", {"when": object()})
    with pytest.raises(DraftStoreError, match="must be a dict"):
        store.save_snapshot("a#1", "captions", ["not", "a", "dict"])  # type: ignore[arg-type]
    assert store.load("a#1") is None  # nothing half-written

    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(DraftStoreError, match="Move the file aside"):
        DraftStore(junk)


def test_ops_written_before_sigkill_are_all_there(tmp_path):
    """A process appending ops is killed mid-stream: every op it reported as written is restored."""
    db = tmp_path / "d.sqlite3"
    script = textwrap.dedent(
        f"""
        import sys
        from reach_studio.store.drafts import DraftStore
        store = DraftStore({str(db)!r})
        i = 0
        while True:
            store.append_op("acc#7", {{"op": "type", "i": i}})
            print(i, flush=True)
            i += 1
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        last = -1
        deadline = time.monotonic() + 20
        while last < 200 and time.monotonic() < deadline:
            last = int(proc.stdout.readline())
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
    assert last >= 200
    draft = DraftStore(db).load("acc#7")
    indexes = [o["i"] for o in draft.ops_after_snapshot]
    assert indexes == list(range(len(indexes)))  # in order, no gaps
    assert len(indexes) >= last + 1  # nothing reported as written was lost


def test_remembered_claimed_tasks_never_keep_the_access_key(tmp_path):
    store = DraftStore(tmp_path / "d.sqlite3")
    store.remember_task(
        "acc#5", {"id": 5, "access_key": "djJ8-secret-ks", "access_key_expiry": 1, "notes": "n"}
    )
    assert DraftStore(tmp_path / "d.sqlite3").remembered_tasks() == {"acc#5": {"id": 5, "notes": "n"}}
    assert b"djJ8-secret-ks" not in (tmp_path / "d.sqlite3").read_bytes()
    store.forget_task("acc#5")
    assert store.remembered_tasks() == {}
