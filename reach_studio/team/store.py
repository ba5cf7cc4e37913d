"""The team store: one PostgreSQL shared by a team's desktops and its supervisor service.

Why it exists: Kaltura has no compare-and-set, so two linguists claiming inside the settle window can
both believe they hold a task. Here a claim is a row with a primary key, inserted in a transaction: one
insert wins, every other claimer is told who holds the task. The same database carries what a team needs
beyond Kaltura: heartbeats (a silent holder can be taken over), assignment, the review step, the drafts
of every desktop (so a take-over gets the work), the queue as the single poller saw it, and an event log
of every step (who, when). All times are the server's clock, so desktops with skewed clocks agree.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Self

import psycopg
from psycopg.types.json import Jsonb

from reach_studio.domain.task import Task
from reach_studio.domain.task_mapping import task_from_dict, task_to_dict
from reach_studio.team.config import carries_password
from reach_studio.team.migrate import MigrationError, migrate

log = logging.getLogger(__name__)

STALE_AFTER_S = 120.0  # a holder silent this long may be taken over
ACTIVE_STATES = ("claiming", "working", "review", "returned", "approved")
ROLES = ("linguist", "reviewer", "supervisor")


class TeamStoreError(RuntimeError):
    """The team store cannot be reached or refused a write (the message says what to do)."""


class ClaimHeld(TeamStoreError):
    """Someone else holds the task (or it is assigned to someone else)."""

    code = "CLAIM_LOST"  # what the shell already understands: the task leaves this desktop's queue

    def __init__(self, task_id: int, holder: str, state: str, since: float, why: str = "") -> None:
        self.task_id, self.holder, self.state, self.since = task_id, holder, state, since
        super().__init__(why or f"Task {task_id} is held by {holder} ({state})")


class NotAllowed(TeamStoreError):
    """The step does not fit the task's state or the member's role (e.g. approving one's own work)."""


@dataclass
class Claim:
    account: str
    task_id: int
    holder: str
    state: str
    external_task_id: str = ""
    partner_id: int = 0
    feature: int | None = None
    label: str = ""
    expected_finish: float | None = None
    reviewer: str | None = None
    since: float = 0.0
    heartbeat_at: float = 0.0
    silent_s: float = 0.0  # seconds since the holder's last heartbeat (server clock)
    assignee: str | None = None


@dataclass
class Event:
    kind: str
    actor: str
    at: float
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Comment:
    round: int
    cue_index: int | None
    text: str
    author: str
    at: float


@dataclass
class TeamDraft:
    draft_key: str
    kind: str
    label: str
    snapshot: dict[str, Any] | None
    ops: list[dict[str, Any]]
    rev: int
    author: str
    updated_at: float


@dataclass
class DraftConflict:
    id: int
    draft_key: str
    author: str
    kind: str
    payload: dict[str, Any]
    reason: str
    at: float


@dataclass
class PushResult:
    rev: int
    conflict: str = ""  # non-empty: this write was kept aside in draft_conflicts (why)
    overwrote: str = ""  # non-empty: the previous version (by someone else) was kept aside


_CLAIM_COLUMNS = (
    "c.account, c.task_id, c.holder, c.state, c.external_task_id, c.partner_id, c.feature, c.label, "
    "extract(epoch from c.expected_finish), c.reviewer, extract(epoch from c.since), "
    "extract(epoch from c.heartbeat_at), extract(epoch from now() - c.heartbeat_at), a.assignee"
)


def _claim(row: tuple) -> Claim:
    return Claim(
        account=row[0],
        task_id=int(row[1]),
        holder=row[2],
        state=row[3],
        external_task_id=row[4],
        partner_id=int(row[5] or 0),
        feature=row[6],
        label=row[7],
        expected_finish=float(row[8]) if row[8] is not None else None,
        reviewer=row[9],
        since=float(row[10]),
        heartbeat_at=float(row[11]),
        silent_s=float(row[12]),
        assignee=row[13],
    )


def split_draft_key(draft_key: str) -> tuple[str, int] | None:
    """(account, task_id) of a store.drafts.draft_key, or None when it is not one."""
    account, _, task = draft_key.rpartition("#")
    return (account, int(task)) if task.isdigit() else None


class TeamStore:
    """One member's connection to the team store; thread-safe (one connection, serialised by a lock).

    Every statement has a deadline (statement_timeout) and connecting has one too, so a dead network
    never hangs a caller for long; a dropped connection is reopened on the next call.
    """

    def __init__(
        self,
        url: str,
        member: str,
        *,
        connect_timeout: float = 5.0,
        statement_timeout_s: float = 10.0,
        stale_after_s: float = STALE_AFTER_S,
    ) -> None:
        if not url:
            raise TeamStoreError("no team store URL (settings team_db_url or REACH_TEAM_DB)")
        if carries_password(url):
            raise TeamStoreError(
                "the team store URL carries a password, which every user of this machine could read (in ps "
                "for --team-db): remove it and keep the password in ~/.pgpass or PGPASSWORD"
            )
        self.url = url
        self.member = member
        self.connect_timeout = connect_timeout
        self.statement_timeout_s = statement_timeout_s
        self.stale_after_s = stale_after_s
        self._lock = threading.RLock()
        self._conn: psycopg.Connection | None = None
        self._ready = False

    # -- connection --------------------------------------------------------------------------------

    def open(self, *, role: str | None = None, display_name: str = "") -> Self:
        """Connect now (migrations and registration happen on the first connection anyway) and set the
        member's role; a desktop can skip this and let its first call, off the GUI thread, connect."""
        with self._lock:
            self._connection()
        if role is not None or display_name:
            self.join(role=role, display_name=display_name)
        return self

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connection(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed or self._conn.broken:
            try:
                self._conn = psycopg.connect(
                    self.url,
                    autocommit=True,
                    connect_timeout=max(1, int(self.connect_timeout)),
                    options=f"-c statement_timeout={int(self.statement_timeout_s * 1000)}",
                    application_name=f"reach-studio {self.member}"[:63],
                )
            except psycopg.Error as exc:
                raise TeamStoreError(f"cannot reach the team store: {_reason(exc)}") from None
            if not self._ready:  # first connection of this client: schema up to date, member known
                try:
                    migrate(self._conn)
                except MigrationError as exc:
                    self._conn.close()
                    self._conn = None
                    raise TeamStoreError(str(exc)) from None
                self._ready = True
                self.join()
        return self._conn

    @contextmanager
    def _tx(self) -> Iterator[psycopg.Connection]:
        """One transaction. A dropped connection fails this call and is reopened by the next one."""
        with self._lock:
            conn = self._connection()
            try:
                with conn.transaction():
                    yield conn
            except psycopg.Error as exc:
                if conn.broken or conn.closed:
                    self._conn = None
                raise TeamStoreError(f"team store: {_reason(exc)}") from None

    def _event(self, conn, account: str, task_id: int, kind: str, **detail: Any) -> None:
        conn.execute(
            "INSERT INTO events (account, task_id, kind, actor, detail) VALUES (%s, %s, %s, %s, %s)",
            (account, task_id, kind, self.member, Jsonb(detail)),
        )

    # -- members -----------------------------------------------------------------------------------

    def join(
        self,
        *,
        role: str | None = None,
        display_name: str = "",
        languages: Iterable[str] | None = None,
        services: Iterable[int] | None = None,
    ) -> None:
        """Register or refresh this member; only the given fields change."""
        if role is not None and role not in ROLES:
            raise NotAllowed(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO members (member, display_name, role, languages, services) "
                "VALUES (%s, %s, coalesce(%s::text, 'linguist'), coalesce(%s::text[], '{}'), coalesce(%s::int[], '{}')) "
                "ON CONFLICT (member) DO UPDATE SET last_seen = now(), "
                "display_name = CASE WHEN excluded.display_name <> '' THEN excluded.display_name "
                "ELSE members.display_name END, role = coalesce(%s::text, members.role), "
                "languages = coalesce(%s::text[], members.languages), services = coalesce(%s::int[], members.services)",
                (
                    self.member,
                    display_name,
                    role,
                    list(languages) if languages is not None else None,
                    [int(s) for s in services] if services is not None else None,
                    role,
                    list(languages) if languages is not None else None,
                    [int(s) for s in services] if services is not None else None,
                ),
            )

    def role(self, member: str | None = None) -> str:
        with self._tx() as conn:
            row = conn.execute(
                "SELECT role FROM members WHERE member = %s", (member or self.member,)
            ).fetchone()
        return row[0] if row else "linguist"

    def members(self) -> list[dict[str, Any]]:
        with self._tx() as conn:
            rows = conn.execute(
                "SELECT member, display_name, role, languages, services, extract(epoch from last_seen) "
                "FROM members ORDER BY member"
            ).fetchall()
        return [
            {
                "member": r[0],
                "display_name": r[1],
                "role": r[2],
                "languages": list(r[3]),
                "services": list(r[4]),
                "last_seen": float(r[5]),
            }
            for r in rows
        ]

    # -- the queue (written by the supervisor's poller, read by every desktop) ---------------------

    def publish_queue(self, account: str, tasks: Iterable[Task]) -> int:
        """Replace one account's queue with what the poller just saw (access keys are never stored)."""
        rows = []
        for task in tasks:
            data = task_to_dict(task)
            data["access_key"] = ""
            data["access_key_expiry"] = None
            rows.append(
                (
                    account,
                    task.id,
                    task.partner_id,
                    int(task.feature) if task.feature is not None else None,
                    task.target_language or task.source_language or "",
                    int(task.status),
                    task.expected_finish_time,
                    Jsonb(json.loads(json.dumps(data, default=str))),
                )
            )
        with self._tx() as conn:
            conn.execute("DELETE FROM queue WHERE account = %s", (account,))
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO queue (account, task_id, partner_id, feature, language, status, "
                    "expected_finish, task) VALUES (%s, %s, %s, %s, %s, %s, to_timestamp(%s), %s)",
                    rows,
                )
            conn.execute(
                "INSERT INTO poll_runs (account, polled_at, ok) VALUES (%s, now(), true) "
                "ON CONFLICT (account) DO UPDATE SET polled_at = now(), ok = true, message = ''",
                (account,),
            )
        return len(rows)

    def poll_failed(self, account: str, message: str) -> None:
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO poll_runs (account, polled_at, ok, message) VALUES (%s, now(), false, %s) "
                "ON CONFLICT (account) DO UPDATE SET polled_at = now(), ok = false, message = excluded.message",
                (account, message[:500]),
            )
            conn.execute(
                "INSERT INTO failures (account, reason, actor) VALUES (%s, 'POLL_FAILED', %s)",
                (account, self.member),
            )

    def queue(self, account: str | None = None) -> list[Task]:
        """Pending tasks as the poller last saw them, without those someone already holds here."""
        with self._tx() as conn:
            rows = conn.execute(
                "SELECT q.task FROM queue q WHERE (%s::text IS NULL OR q.account = %s) AND NOT EXISTS "
                "(SELECT 1 FROM claims c WHERE c.account = q.account AND c.task_id = q.task_id) "
                "ORDER BY q.expected_finish NULLS LAST, q.task_id",
                (account, account),
            ).fetchall()
        return [task_from_dict(r[0]) for r in rows]

    def last_poll(self, account: str) -> tuple[float, bool, str] | None:
        with self._tx() as conn:
            row = conn.execute(
                "SELECT extract(epoch from polled_at), ok, message FROM poll_runs WHERE account = %s",
                (account,),
            ).fetchone()
        return (float(row[0]), row[1], row[2]) if row else None

    # -- claims ------------------------------------------------------------------------------------

    def take(self, task: Task, account: str | None = None) -> Claim:
        """Take the task in the team store (state "claiming"): one row per task, so one taker wins.

        Raises ClaimHeld naming the holder when the row exists for someone else, or when a supervisor
        assigned the task to another member. Taking a task one already holds returns that claim.
        """
        account = account or task.account
        label = str(task.extra.get("entry_name") or task.entry_id)
        with self._tx() as conn:
            assigned = conn.execute(
                "SELECT assignee, language, feature FROM assignments WHERE account = %s AND task_id = %s",
                (account, task.id),
            ).fetchone()
            if assigned is not None:
                self._check_assignment(conn, task.id, assigned)
            row = conn.execute(
                "INSERT INTO claims (account, task_id, holder, state, partner_id, feature, label, "
                "expected_finish) VALUES (%s, %s, %s, 'claiming', %s, %s, %s, to_timestamp(%s)) "
                "ON CONFLICT (account, task_id) DO NOTHING RETURNING task_id",
                (
                    account,
                    task.id,
                    self.member,
                    task.partner_id,
                    int(task.feature) if task.feature is not None else None,
                    label,
                    task.expected_finish_time,
                ),
            ).fetchone()
            if row is not None:
                self._event(conn, account, task.id, "claim_started")
        claim = self.claim(account, task.id)
        if claim is None:  # released between our insert and read: try again once
            return self.take(task, account)
        if claim.holder != self.member:
            raise ClaimHeld(
                task.id,
                claim.holder,
                claim.state,
                claim.since,
                f"Task {task.id} is already held by {claim.holder} (since "
                f"{_clock(claim.since)}); pick another task",
            )
        return claim

    def _check_assignment(self, conn, task_id: int, assigned: tuple) -> None:
        assignee, language, feature = assigned
        if assignee and assignee != self.member:
            raise ClaimHeld(task_id, assignee, "assigned", 0.0, f"Task {task_id} is assigned to {assignee}")
        if language or feature is not None:
            me = conn.execute(
                "SELECT languages, services FROM members WHERE member = %s", (self.member,)
            ).fetchone()
            languages, services = (list(me[0]), list(me[1])) if me else ([], [])
            if (language and language not in languages) or (feature is not None and feature not in services):
                wanted = " and ".join(
                    x for x in (language and f"language {language}", feature and f"service {feature}") if x
                )
                raise ClaimHeld(
                    task_id, "", "assigned", 0.0, f"Task {task_id} is assigned to linguists with {wanted}"
                )

    def confirm(self, account: str, task_id: int, external_task_id: str) -> None:
        """Kaltura moved the task to PROCESSING under our externalTaskId: the claim is complete."""
        with self._tx() as conn:
            cur = conn.execute(
                "UPDATE claims SET state = 'working', external_task_id = %s, heartbeat_at = now() "
                "WHERE account = %s AND task_id = %s AND holder = %s AND state = 'claiming'",
                (external_task_id, account, task_id, self.member),
            )
            if cur.rowcount:
                self._event(conn, account, task_id, "claimed", external_task_id=external_task_id)

    def release(self, account: str, task_id: int, reason: str, *, failure: str = "") -> None:
        """Give the task back (Kaltura refused the claim, the linguist dropped it, it failed)."""
        with self._tx() as conn:
            cur = conn.execute(
                "DELETE FROM claims WHERE account = %s AND task_id = %s AND holder = %s",
                (account, task_id, self.member),
            )
            if cur.rowcount:
                self._event(conn, account, task_id, "released", reason=reason)
            if failure:
                conn.execute(
                    "INSERT INTO failures (account, task_id, reason, actor) VALUES (%s, %s, %s, %s)",
                    (account, task_id, failure, self.member),
                )

    def abandon(self, account: str, task_id: int, reason: str) -> None:
        """Supervisor: drop someone else's claim row (it never reached Kaltura and its holder is gone)."""
        with self._tx() as conn:
            cur = conn.execute(
                "DELETE FROM claims WHERE account = %s AND task_id = %s AND state = 'claiming'",
                (account, task_id),
            )
            if cur.rowcount:
                self._event(conn, account, task_id, "abandoned", reason=reason)

    def record_failure(self, account: str, task_id: int | None, reason: str) -> None:
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO failures (account, task_id, reason, actor) VALUES (%s, %s, %s, %s)",
                (account, task_id, reason, self.member),
            )

    def heartbeat(self) -> int:
        """I am alive: refresh every claim I hold. Returns how many."""
        with self._tx() as conn:
            cur = conn.execute(
                "UPDATE claims SET heartbeat_at = now() WHERE holder = %s AND state IN "
                "('claiming', 'working', 'returned')",
                (self.member,),
            )
            conn.execute("UPDATE members SET last_seen = now() WHERE member = %s", (self.member,))
            return cur.rowcount

    def claim(self, account: str, task_id: int) -> Claim | None:
        with self._tx() as conn:
            row = conn.execute(
                f"SELECT {_CLAIM_COLUMNS} FROM claims c LEFT JOIN assignments a "
                "ON a.account = c.account AND a.task_id = c.task_id "
                "WHERE c.account = %s AND c.task_id = %s",
                (account, task_id),
            ).fetchone()
        return _claim(row) if row else None

    def claims(self, *, holder: str | None = None, states: Iterable[str] = ACTIVE_STATES) -> list[Claim]:
        """Who holds what, since when, due when (oldest first)."""
        with self._tx() as conn:
            rows = conn.execute(
                f"SELECT {_CLAIM_COLUMNS} FROM claims c LEFT JOIN assignments a "
                "ON a.account = c.account AND a.task_id = c.task_id "
                "WHERE c.state = ANY(%s) AND (%s::text IS NULL OR c.holder = %s) ORDER BY c.since",
                (list(states), holder, holder),
            ).fetchall()
        return [_claim(r) for r in rows]

    def take_over(self, account: str, task_id: int, *, force: bool = False) -> Claim:
        """Become the holder of a task whose holder went silent (no heartbeat for `stale_after_s`).

        A supervisor may `force` it while the holder still beats (reassigning work). The draft stays in
        the team store; `TeamDrafts.pull` brings it to this desktop.
        """
        with self._tx() as conn:
            row = conn.execute(
                "SELECT holder, state, extract(epoch from now() - heartbeat_at), extract(epoch from since) "
                "FROM claims WHERE account = %s AND task_id = %s FOR UPDATE",
                (account, task_id),
            ).fetchone()
            if row is None:
                raise NotAllowed(f"Task {task_id} is not held by anyone here: claim it instead")
            holder, state, silent, since = row[0], row[1], float(row[2]), float(row[3])
            if holder != self.member:
                if state not in ("claiming", "working", "returned"):
                    raise NotAllowed(f"Task {task_id} is {state}; it cannot be taken over now")
                if force:
                    me = conn.execute("SELECT role FROM members WHERE member = %s", (self.member,)).fetchone()
                    if not me or me[0] != "supervisor":
                        raise NotAllowed("Only a supervisor can take over a task whose holder is active")
                elif silent < self.stale_after_s:
                    raise ClaimHeld(
                        task_id,
                        holder,
                        state,
                        since,
                        f"Task {task_id} is held by {holder}, last active {int(silent)} s ago; it can be "
                        f"taken over after {int(self.stale_after_s)} s of silence",
                    )
                conn.execute(
                    "UPDATE claims SET holder = %s, since = now(), heartbeat_at = now(), "
                    "state = CASE WHEN state = 'claiming' THEN 'claiming' ELSE 'working' END "
                    "WHERE account = %s AND task_id = %s",
                    (self.member, account, task_id),
                )
                self._event(
                    conn,
                    account,
                    task_id,
                    "taken_over",
                    previous=holder,
                    silent_s=round(silent, 1),
                    forced=force,
                )
        claim = self.claim(account, task_id)
        assert claim is not None
        return claim

    def set_external_id(self, account: str, task_id: int, external_task_id: str) -> None:
        with self._tx() as conn:
            conn.execute(
                "UPDATE claims SET external_task_id = %s WHERE account = %s AND task_id = %s AND holder = %s",
                (external_task_id, account, task_id, self.member),
            )

    def unfinished_claims(self) -> list[Claim]:
        """My claims still "claiming": a crash came between the team store and Kaltura (repair at start)."""
        return [c for c in self.claims(holder=self.member, states=("claiming",))]

    # -- assignment --------------------------------------------------------------------------------

    def assign(
        self,
        account: str,
        task_id: int,
        *,
        to: str | None = None,
        language: str | None = None,
        feature: int | None = None,
    ) -> None:
        """Reserve a task for one member, or for members with a skill (language and/or service)."""
        if self.role() != "supervisor":
            raise NotAllowed("Only a supervisor can assign tasks")
        if not (to or language or feature is not None):
            raise NotAllowed("Assign to a member, a language or a service")
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO assignments (account, task_id, assignee, language, feature, assigned_by) "
                "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (account, task_id) DO UPDATE SET "
                "assignee = excluded.assignee, language = excluded.language, feature = excluded.feature, "
                "assigned_by = excluded.assigned_by, assigned_at = now()",
                (account, task_id, to, language, feature, self.member),
            )
            self._event(conn, account, task_id, "assigned", to=to, language=language, feature=feature)

    def unassign(self, account: str, task_id: int) -> None:
        with self._tx() as conn:
            if conn.execute(
                "DELETE FROM assignments WHERE account = %s AND task_id = %s", (account, task_id)
            ).rowcount:
                self._event(conn, account, task_id, "unassigned")

    def assignments(self) -> list[dict[str, Any]]:
        with self._tx() as conn:
            rows = conn.execute(
                "SELECT account, task_id, assignee, language, feature, assigned_by, "
                "extract(epoch from assigned_at) FROM assignments ORDER BY assigned_at"
            ).fetchall()
        keys = ("account", "task_id", "assignee", "language", "feature", "assigned_by", "assigned_at")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    # -- review ------------------------------------------------------------------------------------

    def require_review(self, *, partner_id: int | None = None, feature: int | None = None) -> None:
        """From now on tasks of this customer and/or service need a reviewer's approval before delivery."""
        if self.role() != "supervisor":
            raise NotAllowed("Only a supervisor can change review rules")
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO review_rules (partner_id, feature, created_by) VALUES (%s, %s, %s)",
                (partner_id, feature, self.member),
            )

    def review_required(self, partner_id: int, feature: int | None) -> bool:
        with self._tx() as conn:
            row = conn.execute(
                "SELECT 1 FROM review_rules WHERE (partner_id IS NULL OR partner_id = %s) "
                "AND (feature IS NULL OR feature = %s) LIMIT 1",
                (partner_id, feature),
            ).fetchone()
        return row is not None

    def submit(self, account: str, task_id: int) -> None:
        """The holder hands the work to review (state working/returned → review)."""
        self._move(account, task_id, ("working", "returned"), "review", "submitted", holder_only=True)

    def return_for_fixes(
        self, account: str, task_id: int, comments: Iterable[tuple[int | None, str]] = ()
    ) -> None:
        """A reviewer sends the work back with comments on cues (review → returned)."""
        comments = [(c, t.strip()) for c, t in comments if t and t.strip()]
        if not comments:
            raise NotAllowed("Say what to fix: returning needs at least one comment")
        with self._tx() as conn:
            round_ = self._review_step(conn, account, task_id, "returned", "returned", comments=len(comments))
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO review_comments (account, task_id, round, cue_index, text, author) "
                    "VALUES (%s, %s, %s, %s, %s, %s)",
                    [(account, task_id, round_, cue, text, self.member) for cue, text in comments],
                )

    def approve(self, account: str, task_id: int) -> None:
        """A reviewer approves (review → approved); only an approved task may be delivered."""
        with self._tx() as conn:
            self._review_step(conn, account, task_id, "approved", "approved")

    def _review_step(self, conn, account: str, task_id: int, state: str, kind: str, **detail: Any) -> int:
        row = conn.execute(
            "SELECT holder, state FROM claims WHERE account = %s AND task_id = %s FOR UPDATE",
            (account, task_id),
        ).fetchone()
        if row is None or row[1] != "review":
            raise NotAllowed(f"Task {task_id} is not waiting for review")
        if row[0] == self.member:
            raise NotAllowed("Reviewing one's own work is not allowed: another member must review it")
        conn.execute(
            "UPDATE claims SET state = %s, reviewer = %s WHERE account = %s AND task_id = %s",
            (state, self.member, account, task_id),
        )
        round_ = conn.execute(
            "SELECT count(*) FROM events WHERE account = %s AND task_id = %s AND kind = 'submitted'",
            (account, task_id),
        ).fetchone()[0]
        self._event(conn, account, task_id, kind, round=round_, holder=row[0], **detail)
        return int(round_)

    def _move(
        self, account: str, task_id: int, from_states: tuple[str, ...], to: str, kind: str, holder_only: bool
    ) -> None:
        with self._tx() as conn:
            row = conn.execute(
                "SELECT holder, state FROM claims WHERE account = %s AND task_id = %s FOR UPDATE",
                (account, task_id),
            ).fetchone()
            if row is None:
                raise NotAllowed(f"Task {task_id} is not claimed through the team")
            if holder_only and row[0] != self.member:
                raise NotAllowed(f"Task {task_id} is held by {row[0]}, not by you")
            if row[1] not in from_states:
                raise NotAllowed(f"Task {task_id} is {row[1]}; cannot do that now")
            conn.execute(
                "UPDATE claims SET state = %s, heartbeat_at = now() WHERE account = %s AND task_id = %s",
                (to, account, task_id),
            )
            self._event(conn, account, task_id, kind)

    def may_deliver(self, account: str, task_id: int, partner_id: int, feature: int | None) -> str:
        """ "" when this member may deliver the task now, else why not (review pending, not the holder)."""
        claim = self.claim(account, task_id)
        if claim is None:
            return ""  # not claimed through the team (e.g. before team mode): nothing to gate
        if self.review_required(partner_id, feature):
            if claim.state != "approved":
                return f"Task {task_id} needs a reviewer's approval before delivery (it is {claim.state})"
            if self.member not in (claim.holder, claim.reviewer):
                return f"Task {task_id} is delivered by {claim.holder} or its reviewer"
            return ""
        if claim.holder != self.member:
            return f"Task {task_id} is held by {claim.holder}"
        return ""

    def delivered(self, account: str, task_id: int, output_object_id: str = "") -> None:
        """Kaltura has the task READY: the claim ends (kept as "delivered" so nobody claims it again)."""
        with self._tx() as conn:
            conn.execute(
                "UPDATE claims SET state = 'delivered' WHERE account = %s AND task_id = %s",
                (account, task_id),
            )
            self._event(conn, account, task_id, "delivered", output_object_id=output_object_id)

    def comments(self, account: str, task_id: int) -> list[Comment]:
        with self._tx() as conn:
            rows = conn.execute(
                "SELECT round, cue_index, text, author, extract(epoch from at) FROM review_comments "
                "WHERE account = %s AND task_id = %s ORDER BY id",
                (account, task_id),
            ).fetchall()
        return [Comment(r[0], r[1], r[2], r[3], float(r[4])) for r in rows]

    def review_queue(self) -> list[Claim]:
        """Tasks waiting for a reviewer other than their holder."""
        return [c for c in self.claims(states=("review",)) if c.holder != self.member]

    def history(self, account: str, task_id: int) -> list[Event]:
        with self._tx() as conn:
            rows = conn.execute(
                "SELECT kind, actor, extract(epoch from at), detail FROM events "
                "WHERE account = %s AND task_id = %s ORDER BY id",
                (account, task_id),
            ).fetchall()
        return [Event(r[0], r[1], float(r[2]), dict(r[3] or {})) for r in rows]

    # -- drafts ------------------------------------------------------------------------------------

    def push_draft(
        self,
        draft_key: str,
        *,
        base_rev: int,
        kind: str = "",
        label: str = "",
        snapshot: dict[str, Any] | None = None,
        ops: Iterable[dict[str, Any]] = (),
        replace: bool = False,
    ) -> PushResult:
        """Journal a desktop's draft: `replace` = the whole state (snapshot + ops), else ops appended.

        Last writer wins, but nothing is silently lost: a write by someone who no longer holds the task,
        or ops built on a version someone else has since changed, go to `draft_conflicts`; a whole-state
        write over someone else's newer version keeps that version there first.
        """
        ops = list(ops)
        where = split_draft_key(draft_key)
        with self._tx() as conn:
            row = conn.execute(
                "SELECT rev, author, kind, label, snapshot FROM drafts WHERE draft_key = %s FOR UPDATE",
                (draft_key,),
            ).fetchone()
            holder = None
            if where is not None:
                h = conn.execute(
                    "SELECT holder FROM claims WHERE account = %s AND task_id = %s AND state = ANY(%s)",
                    (where[0], where[1], list(ACTIVE_STATES)),
                ).fetchone()
                holder = h[0] if h else None
            rev = int(row[0]) if row else 0
            mine = {"kind": kind, "label": label, "snapshot": snapshot, "ops": ops, "replace": replace}
            if holder is not None and holder != self.member:
                return PushResult(
                    rev, conflict=self._conflict(conn, draft_key, mine, f"{holder} holds the task")
                )
            stale = row is not None and rev != base_rev and row[1] != self.member
            if stale and not replace:
                return PushResult(
                    rev,
                    conflict=self._conflict(conn, draft_key, mine, f"{row[1]} changed the draft meanwhile"),
                )
            overwrote = ""
            if stale and replace:
                old_ops = [
                    r[0]
                    for r in conn.execute(
                        "SELECT op FROM draft_ops WHERE draft_key = %s ORDER BY seq", (draft_key,)
                    )
                ]
                theirs = {
                    "kind": row[2],
                    "label": row[3],
                    "snapshot": row[4],
                    "ops": old_ops,
                    "replace": True,
                }
                overwrote = self._conflict(
                    conn, draft_key, theirs, f"overwritten by {self.member}", author=row[1]
                )
            if row is None:
                conn.execute(
                    "INSERT INTO drafts (draft_key, kind, label, snapshot, rev, author) "
                    "VALUES (%s, %s, %s, %s, 1, %s)",
                    (draft_key, kind, label, Jsonb(snapshot) if snapshot is not None else None, self.member),
                )
                rev = 1
            else:
                rev += 1
                if replace:
                    conn.execute(
                        "UPDATE drafts SET kind = %s, label = CASE WHEN %s <> '' THEN %s ELSE label END, "
                        "snapshot = %s, rev = %s, author = %s, updated_at = clock_timestamp() "
                        "WHERE draft_key = %s",
                        (
                            kind or row[2],
                            label,
                            label,
                            Jsonb(snapshot) if snapshot is not None else None,
                            rev,
                            self.member,
                            draft_key,
                        ),
                    )
                else:
                    conn.execute(
                        "UPDATE drafts SET rev = %s, author = %s, updated_at = clock_timestamp() "
                        "WHERE draft_key = %s",
                        (rev, self.member, draft_key),
                    )
            if replace:
                conn.execute("DELETE FROM draft_ops WHERE draft_key = %s", (draft_key,))
            if ops:
                with conn.cursor() as cur:
                    cur.executemany(
                        "INSERT INTO draft_ops (draft_key, op, author) VALUES (%s, %s, %s)",
                        [(draft_key, Jsonb(op), self.member) for op in ops],
                    )
        return PushResult(rev, overwrote=overwrote)

    def _conflict(self, conn, draft_key: str, payload: dict, reason: str, author: str | None = None) -> str:
        conn.execute(
            "INSERT INTO draft_conflicts (draft_key, author, kind, payload, reason) VALUES (%s, %s, %s, %s, %s)",
            (
                draft_key,
                author or self.member,
                "replace" if payload.get("replace") else "ops",
                Jsonb(payload),
                reason,
            ),
        )
        log.warning("draft %s: a write by %s was kept aside: %s", draft_key, author or self.member, reason)
        return reason

    def draft(self, draft_key: str) -> TeamDraft | None:
        with self._tx() as conn:
            row = conn.execute(
                "SELECT kind, label, snapshot, rev, author, extract(epoch from updated_at) FROM drafts "
                "WHERE draft_key = %s",
                (draft_key,),
            ).fetchone()
            if row is None:
                return None
            ops = [
                r[0]
                for r in conn.execute(
                    "SELECT op FROM draft_ops WHERE draft_key = %s ORDER BY seq", (draft_key,)
                )
            ]
        return TeamDraft(draft_key, row[0], row[1], row[2], ops, int(row[3]), row[4], float(row[5]))

    def draft_conflicts(
        self, draft_key: str | None = None, *, unresolved_only: bool = True
    ) -> list[DraftConflict]:
        with self._tx() as conn:
            rows = conn.execute(
                "SELECT id, draft_key, author, kind, payload, reason, extract(epoch from at) "
                "FROM draft_conflicts WHERE (%s::text IS NULL OR draft_key = %s) "
                "AND (NOT %s OR NOT resolved) ORDER BY id",
                (draft_key, draft_key, unresolved_only),
            ).fetchall()
        return [DraftConflict(r[0], r[1], r[2], r[3], r[4], r[5], float(r[6])) for r in rows]

    def resolve_conflict(self, conflict_id: int) -> None:
        with self._tx() as conn:
            conn.execute("UPDATE draft_conflicts SET resolved = true WHERE id = %s", (conflict_id,))

    # -- figures for the supervisor's metrics and status page ---------------------------------------

    def stats(self, at_risk_within_s: float = 3600.0) -> dict[str, Any]:
        """Counts the supervisor exports: queue depth, at-risk tasks, claims/deliveries, failures."""
        with self._tx() as conn:
            depth = conn.execute(
                "SELECT partner_id, coalesce(feature, 0), count(*) FROM queue q WHERE NOT EXISTS "
                "(SELECT 1 FROM claims c WHERE c.account = q.account AND c.task_id = q.task_id) "
                "GROUP BY 1, 2"
            ).fetchall()
            at_risk = conn.execute(
                "SELECT count(*) FROM ("
                " SELECT expected_finish FROM queue q WHERE NOT EXISTS (SELECT 1 FROM claims c"
                "  WHERE c.account = q.account AND c.task_id = q.task_id)"
                " UNION ALL SELECT expected_finish FROM claims WHERE state <> 'delivered') t "
                "WHERE expected_finish IS NOT NULL AND expected_finish < now() + make_interval(secs => %s)",
                (at_risk_within_s,),
            ).fetchone()[0]
            per_member = conn.execute(
                "SELECT actor, kind, count(*) FROM events WHERE kind IN ('claimed', 'delivered', 'taken_over') "
                "GROUP BY 1, 2"
            ).fetchall()
            failures = conn.execute("SELECT reason, count(*) FROM failures GROUP BY 1").fetchall()
            states = conn.execute("SELECT state, count(*) FROM claims GROUP BY 1").fetchall()
        return {
            "queue_depth": [(int(p), int(f), int(n)) for p, f, n in depth],
            "at_risk": int(at_risk),
            "per_member": [(a, k, int(n)) for a, k, n in per_member],
            "failures": [(r, int(n)) for r, n in failures],
            "claim_states": {s: int(n) for s, n in states},
        }


def _reason(exc: BaseException) -> str:
    """A database error in one line, without the URL (it may carry a password)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]


def _clock(epoch: float) -> str:
    import time

    return time.strftime("%H:%M", time.localtime(epoch)) if epoch else "?"
