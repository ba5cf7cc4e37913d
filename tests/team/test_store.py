"""The team store on a real PostgreSQL: migrations, claims, take-over, assignment, review, draft journal."""

from __future__ import annotations

import threading

import psycopg
import pytest

from reach_studio.domain.enums import ServiceFeature, TaskStatus
from reach_studio.domain.task import Task
from reach_studio.store.drafts import DraftStore, draft_key
from reach_studio.team import migrate
from reach_studio.team.drafts_sync import TeamDrafts
from reach_studio.team.store import ClaimHeld, NotAllowed, TeamStore, TeamStoreError

ACCOUNT = "https://kaltura.example#100"


def task(task_id: int = 7, partner_id: int = 2001, language_feature=ServiceFeature.CAPTIONS) -> Task:
    return Task(
        id=task_id,
        partner_id=partner_id,
        vendor_partner_id=100,
        entry_id=f"0_entry{task_id}",
        status=TaskStatus.PENDING,
        catalog_item_id=1,
        reach_profile_id=1,
        service_feature=language_feature,
        expected_finish_time=2_000_000_000,
        account=ACCOUNT,
    )


def member(url: str, name: str, role: str | None = None, **kw) -> TeamStore:
    return TeamStore(url, name, **kw).open(role=role)


def test_migrations_apply_once_even_when_many_clients_start_together(team_db):
    errors = []

    def start(i):
        try:
            member(team_db, f"m{i}").close()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with psycopg.connect(team_db) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]
    assert versions == [m.version for m in migrate.available()]


def test_a_database_from_a_newer_version_is_refused_with_a_clear_message(team_db):
    member(team_db, "a").close()
    with psycopg.connect(team_db, autocommit=True) as conn:
        conn.execute("INSERT INTO schema_migrations (version, name) VALUES (999, '0999_future.sql')")
    with pytest.raises(TeamStoreError, match="newer than this Reach Studio"):
        member(team_db, "b")


def test_second_taker_is_told_who_holds_the_task(team_db):
    anna, ben = member(team_db, "anna"), member(team_db, "ben")
    claim = anna.take(task())
    assert (claim.holder, claim.state) == ("anna", "claiming")
    with pytest.raises(ClaimHeld) as held:
        ben.take(task())
    assert held.value.holder == "anna"
    assert "anna" in str(held.value)
    assert anna.take(task()).holder == "anna"  # taking again what one holds is fine
    anna.confirm(ACCOUNT, 7, "reachstudio-anna-7")
    assert [(c.holder, c.state, c.external_task_id) for c in ben.claims()] == [
        ("anna", "working", "reachstudio-anna-7")
    ]
    assert [e.kind for e in ben.history(ACCOUNT, 7)] == ["claim_started", "claimed"]


def test_released_task_is_back_in_the_queue_and_claimable(team_db):
    anna, ben = member(team_db, "anna"), member(team_db, "ben")
    anna.publish_queue(ACCOUNT, [task(7), task(8)])
    anna.take(task(7))
    assert [t.id for t in ben.queue()] == [8]
    anna.release(ACCOUNT, 7, "changed my mind")
    assert [t.id for t in ben.queue()] == [7, 8]
    assert ben.take(task(7)).holder == "ben"


def test_take_over_needs_a_silent_holder_unless_a_supervisor_forces_it(team_db):
    anna = member(team_db, "anna")
    ben = member(team_db, "ben", stale_after_s=0.3)
    boss = member(team_db, "boss", role="supervisor")
    anna.take(task())
    anna.confirm(ACCOUNT, 7, "x-anna")
    with pytest.raises(ClaimHeld, match="last active"):
        ben.take_over(ACCOUNT, 7)
    with pytest.raises(NotAllowed, match="Only a supervisor"):
        ben.take_over(ACCOUNT, 7, force=True)
    assert boss.take_over(ACCOUNT, 7, force=True).holder == "boss"
    with psycopg.connect(team_db, autocommit=True) as conn:  # boss goes silent
        conn.execute("UPDATE claims SET heartbeat_at = now() - interval '1 second'")
    claim = ben.take_over(ACCOUNT, 7)
    assert claim.holder == "ben" and claim.state == "working"
    assert boss.heartbeat() == 0  # boss no longer holds anything
    kinds = [(e.kind, e.actor, e.detail.get("previous")) for e in anna.history(ACCOUNT, 7)]
    assert kinds[-2:] == [("taken_over", "boss", "anna"), ("taken_over", "ben", "boss")]


def test_assigned_task_can_only_be_taken_by_its_assignee_or_matching_skills(team_db):
    boss = member(team_db, "boss", role="supervisor")
    anna, ben = member(team_db, "anna"), member(team_db, "ben")
    with pytest.raises(NotAllowed):
        anna.assign(ACCOUNT, 7, to="anna")
    boss.assign(ACCOUNT, 7, to="ben")
    with pytest.raises(ClaimHeld, match="assigned to ben"):
        anna.take(task(7))
    assert ben.take(task(7)).holder == "ben"
    boss.assign(ACCOUNT, 8, language="de", feature=int(ServiceFeature.TRANSLATION))
    with pytest.raises(ClaimHeld, match="language de"):
        anna.take(task(8))
    anna.join(languages=["de"], services=[int(ServiceFeature.TRANSLATION)])
    assert anna.take(task(8)).holder == "anna"


def test_review_steps_are_enforced_and_recorded(team_db):
    boss = member(team_db, "boss", role="supervisor")
    anna, rita = member(team_db, "anna"), member(team_db, "rita", role="reviewer")
    boss.require_review(partner_id=2001)
    assert anna.review_required(2001, int(ServiceFeature.CAPTIONS))
    assert not anna.review_required(2002, int(ServiceFeature.CAPTIONS))
    anna.take(task())
    anna.confirm(ACCOUNT, 7, "x-anna")
    assert "approval" in anna.may_deliver(ACCOUNT, 7, 2001, 1)
    with pytest.raises(NotAllowed):
        rita.approve(ACCOUNT, 7)  # not submitted yet
    anna.submit(ACCOUNT, 7)
    assert [c.task_id for c in rita.review_queue()] == [7]
    with pytest.raises(NotAllowed, match="own work"):
        anna.approve(ACCOUNT, 7)
    with pytest.raises(NotAllowed, match="at least one comment"):
        rita.return_for_fixes(ACCOUNT, 7, [])
    rita.return_for_fixes(ACCOUNT, 7, [(3, "Speaker label missing"), (None, "Check the names")])
    assert [(c.round, c.cue_index, c.text, c.author) for c in anna.comments(ACCOUNT, 7)] == [
        (1, 3, "Speaker label missing", "rita"),
        (1, None, "Check the names", "rita"),
    ]
    anna.submit(ACCOUNT, 7)
    rita.approve(ACCOUNT, 7)
    assert anna.may_deliver(ACCOUNT, 7, 2001, 1) == ""
    anna.delivered(ACCOUNT, 7, "1_cap")
    steps = [(e.kind, e.actor) for e in boss.history(ACCOUNT, 7)]
    assert steps == [
        ("claim_started", "anna"),
        ("claimed", "anna"),
        ("submitted", "anna"),
        ("returned", "rita"),
        ("submitted", "anna"),
        ("approved", "rita"),
        ("delivered", "anna"),
    ]


def test_drafts_reach_the_team_and_a_take_over_pulls_them(team_db, tmp_path):
    key = draft_key(ACCOUNT, 7)
    anna_store, ben_store = member(team_db, "anna"), member(team_db, "ben", stale_after_s=0.2)
    anna_store.take(task())
    anna_store.confirm(ACCOUNT, 7, "x-anna")
    anna = TeamDrafts(DraftStore(tmp_path / "anna.sqlite3"), anna_store, push_interval=0.01)
    anna.save_snapshot(key, "captions", {"version": 1, "items": ["a"]}, label="Task 7")
    for n in range(5):
        anna.append_op(key, {"op": "edit", "n": n})
    assert anna.flush()
    team = ben_store.draft(key)
    assert team.snapshot == {"version": 1, "items": ["a"]} and [o["n"] for o in team.ops] == [0, 1, 2, 3, 4]
    with psycopg.connect(team_db, autocommit=True) as conn:
        conn.execute("UPDATE claims SET heartbeat_at = now() - interval '1 second'")
    ben_store.take_over(ACCOUNT, 7)
    ben = TeamDrafts(DraftStore(tmp_path / "ben.sqlite3"), ben_store, push_interval=0.01)
    pulled = ben.pull(key)
    assert pulled.snapshot == {"version": 1, "items": ["a"]} and len(pulled.ops_after_snapshot) == 5
    ben.append_op(key, {"op": "edit", "n": 5})
    assert ben.flush()
    # anna comes back (she was offline): her later edits must not be lost, nor overwrite ben's work
    conflicts = []
    anna.on_conflict = lambda k, why: conflicts.append((k, why))
    anna.append_op(key, {"op": "edit", "n": 99})
    assert anna.flush()
    assert [o["n"] for o in ben_store.draft(key).ops] == [0, 1, 2, 3, 4, 5]
    kept = ben_store.draft_conflicts(key)
    assert [(c.author, c.reason) for c in kept] == [("anna", "ben holds the task")]
    assert kept[0].payload["ops"] == [{"op": "edit", "n": 99}]
    assert conflicts == [(key, "ben holds the task")]
    anna.close()
    ben.close()


def test_stale_whole_state_write_keeps_the_other_version_aside(team_db, tmp_path):
    key = draft_key(ACCOUNT, 9)
    anna_store, ben_store = member(team_db, "anna"), member(team_db, "ben")
    # no claim row (e.g. drafts of tasks claimed before team mode): last writer wins, nothing lost
    assert (
        anna_store.push_draft(key, base_rev=-1, kind="captions", snapshot={"v": "anna"}, replace=True).rev
        == 1
    )
    result = ben_store.push_draft(key, base_rev=-1, kind="captions", snapshot={"v": "ben"}, replace=True)
    assert result.overwrote == "overwritten by ben"
    assert ben_store.draft(key).snapshot == {"v": "ben"}
    kept = ben_store.draft_conflicts(key)
    assert [(c.author, c.payload["snapshot"]) for c in kept] == [("anna", {"v": "anna"})]


def test_offline_edits_are_kept_locally_and_synced_on_reconnect(team_db, tmp_path, pg_cluster):
    key = draft_key(ACCOUNT, 11)
    store = member(team_db, "anna")
    store.take(task(11))
    online = []
    drafts = TeamDrafts(
        DraftStore(tmp_path / "d.sqlite3"), store, push_interval=0.01, on_online=online.append
    )
    good_url = store.url
    store.close()
    store.url = f"postgresql://reach@127.0.0.1:{_closed_port()}/nowhere"  # the network is gone
    drafts.save_snapshot(key, "captions", {"items": [1]})
    drafts.append_op(key, {"n": 1})
    assert not drafts.flush(timeout=1.0)
    assert drafts.local.load(key).ops_after_snapshot == [{"n": 1}]  # the local journal has it at once
    assert online == [False]
    store.url = good_url
    assert drafts.flush(timeout=40)
    assert online == [False, True]
    team = store.draft(key)
    assert team.snapshot == {"items": [1]} and team.ops == [{"n": 1}]
    drafts.close()


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
