"""Claims through the team store against the emulator: many processes, one holder; a killed holder's
work is taken over with its draft."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import pytest

from reach_studio.domain.enums import TaskStatus
from reach_studio.domain.task_mapping import task_to_dict
from reach_studio.kaltura import reach_api
from reach_studio.kaltura.connection import AccountConfig, ReachConnection
from reach_studio.store.drafts import DraftStore, draft_key
from reach_studio.team.claims import repair, take_over_task
from reach_studio.team.drafts_sync import TeamDrafts
from reach_studio.team.store import ClaimHeld, TeamStore

ROOT = Path(__file__).resolve().parents[2]
PROCESSING = int(TaskStatus.PROCESSING)


def account(emu) -> AccountConfig:
    info = emu.info
    return AccountConfig.from_emulator_info(info)


def first_pending(conn: ReachConnection):
    tasks = sorted(reach_api.get_jobs(conn), key=lambda t: t.id)
    return tasks[0]


def spawn(tmp_path: Path, name: str, spec: dict) -> subprocess.Popen:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(spec))
    return subprocess.Popen(
        [sys.executable, "-m", "tests.team.child", str(path)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def spec_for(emu, team_db, member, task, mode, **extra) -> dict:
    acct = asdict(account(emu))
    acct.pop("regions", None)
    return {
        "mode": mode,
        "team_url": team_db,
        "member": member,
        "account": acct,
        "task": task_to_dict(task),
        **extra,
    }


@pytest.mark.slow
def test_twenty_processes_claiming_one_task_leave_exactly_one_holder(emulator, team_db, tmp_path):
    conn = ReachConnection(account(emulator))
    task = first_pending(conn)
    TeamStore(team_db, "setup").open().close()  # schema in place before the crowd arrives
    procs = [
        spawn(tmp_path, f"l{i}", spec_for(emulator, team_db, f"linguist{i:02d}", task, "claim"))
        for i in range(20)
    ]
    try:
        for p in procs:  # every desktop is connected and waiting
            line = p.stdout.readline().strip()
            assert line == "READY", p.stderr.read()
        for p in procs:
            p.stdin.write("go\n")
            p.stdin.flush()
        results = [json.loads(p.stdout.readline()) for p in procs]
    finally:
        for p in procs:
            p.kill()
            p.wait()
    winners = [r for r in results if r["won"]]
    assert len(winners) == 1
    winner = winners[0]["external"].rsplit("-", 1)[0]
    losers = [r for r in results if not r["won"]]
    assert len(losers) == 19
    assert all(r["holder"] == winner and winner in r["message"] for r in losers)
    # Kaltura saw one claim only: one PROCESSING write, under the winner's externalTaskId
    history = emulator.inspect.status_history(task.id)
    assert [h["status"] for h in history].count(PROCESSING) == 1
    assert emulator.inspect.task(task.id)["externalTaskId"] == winners[0]["external"]
    with TeamStore(team_db, "observer").open() as store:
        claims = store.claims()
    assert [(c.task_id, c.holder, c.state) for c in claims] == [(task.id, winner, "working")]


@pytest.mark.slow
def test_a_killed_holder_is_taken_over_with_its_last_draft(emulator, team_db, tmp_path):
    conn = ReachConnection(account(emulator))
    task = first_pending(conn)
    task.account = conn.account.key
    key = draft_key(task.account, task.id)
    anna_local = tmp_path / "anna-drafts.sqlite3"
    proc = spawn(tmp_path, "anna", spec_for(emulator, team_db, "anna", task, "work", drafts=str(anna_local)))
    observer = TeamStore(team_db, "observer").open()
    try:
        assert proc.stdout.readline().strip() == "WORKING", proc.stderr.read()
        deadline = time.monotonic() + 60
        while True:  # anna keeps typing; kill her at some moment well after the last explicit flush
            team = observer.draft(key)
            if team is not None and len(team.ops) >= 60:
                break
            assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read()
            time.sleep(0.05)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    killed_at = time.time()
    last_local = DraftStore(anna_local).load(key).ops_after_snapshot[-1]
    ben_store = TeamStore(team_db, "ben", stale_after_s=1.0).open()
    with pytest.raises(ClaimHeld, match="anna"):  # anna's last beat is fresher than a second
        ben_store.take_over(task.account, task.id)
    deadline = time.monotonic() + 30
    while True:  # the holder is silent: once its last beat is a second old, ben may take over
        try:
            taken = take_over_task(ben_store, conn, task, f"ben-{task.id}")
            break
        except ClaimHeld:
            assert time.monotonic() < deadline
            time.sleep(0.1)
    ben = TeamDrafts(DraftStore(tmp_path / "ben-drafts.sqlite3"), ben_store)
    draft = ben.pull(key)
    last_team = draft.ops_after_snapshot[-1]
    assert last_local["at"] - last_team["at"] <= 1.0  # at most a second of anna's edits is lost
    assert killed_at - last_team["at"] <= 1.5
    assert [o["n"] for o in draft.ops_after_snapshot] == list(range(last_team["n"] + 1))
    assert taken.status == TaskStatus.PROCESSING and taken.external_task_id == f"ben-{task.id}"
    assert emulator.inspect.task(task.id)["externalTaskId"] == f"ben-{task.id}"
    kinds = [(e.kind, e.actor) for e in ben_store.history(task.account, task.id)]
    assert kinds[-1] == ("taken_over", "ben")
    ben.close()
    ben_store.close()


def test_a_crash_between_team_store_and_kaltura_is_repaired_at_start(emulator, team_db):
    conn = ReachConnection(account(emulator))
    tasks = sorted(reach_api.get_jobs(conn), key=lambda t: t.id)
    never_sent, sent = tasks[0], tasks[1]
    store = TeamStore(team_db, "anna").open()
    for t in (never_sent, sent):
        t.account = conn.account.key
        store.take(t)  # the team row is written, then the app dies...
    reach_api.claim(conn, sent, f"anna-{sent.id}", settle=0)  # ...after Kaltura took one of them
    other = TeamStore(team_db, "ben").open()
    with pytest.raises(ClaimHeld):
        other.take(never_sent)
    done = repair(store, lambda account: conn, lambda task_id: f"anna-{task_id}")
    assert sorted(done) == sorted(
        [
            f"task {never_sent.id}: released (still pending in Kaltura)",
            f"task {sent.id}: confirmed (Kaltura has it as ours)",
        ]
    )
    assert other.take(never_sent).holder == "ben"
    assert store.claim(conn.account.key, sent.id).state == "working"
    assert store.unfinished_claims() == [c for c in store.unfinished_claims() if c.holder == "anna"] == []
