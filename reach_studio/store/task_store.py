"""Local SQLite store of the REACH tasks seen, for `sync` and the GUI.

Why it exists: a supervisor wants the queue to survive restarts (first seen, claimed by whom, gone
when), and the GUI shows the last known queue at once before the first poll returns. Access keys are
Kaltura sessions, i.e. secrets: they are never written here (only their expiry time).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Self

from reach_studio import paths
from reach_studio.domain.enums import TaskStatus
from reach_studio.domain.task import Task
from reach_studio.domain.task_mapping import task_from_dict, task_to_dict

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    account     TEXT NOT NULL,
    id          INTEGER NOT NULL,
    partner_id  INTEGER NOT NULL,
    status      INTEGER NOT NULL,
    payload     TEXT NOT NULL,
    first_seen  REAL NOT NULL,
    last_seen   REAL NOT NULL,
    gone_at     REAL,
    PRIMARY KEY (account, id)
);
CREATE INDEX IF NOT EXISTS tasks_open ON tasks (gone_at, status);
"""


class TaskStoreError(Exception):
    """The task store file cannot be opened or is not ours."""


class TaskStore:
    """Thread-safe; one SQLite file (WAL) under paths.data_dir() unless a path is given."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path else paths.data_dir() / "tasks.sqlite"
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise TaskStoreError(f"Cannot open the task store {self.path}: {exc}") from None
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- writing ---------------------------------------------------------------------------------
    @staticmethod
    def _payload(task: Task) -> str:
        data = task_to_dict(task)
        data["access_key"] = ""  # a KS: never on disk
        return json.dumps(data, sort_keys=True, default=str)

    def upsert(self, tasks: Iterable[Task], seen_at: float | None = None) -> None:
        """Insert or refresh tasks (they are present again, so not gone)."""
        now = time.time() if seen_at is None else seen_at
        rows = [(t.account, t.id, t.partner_id, int(t.status), self._payload(t), now, now) for t in tasks]
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.executemany(
                    """INSERT INTO tasks (account, id, partner_id, status, payload, first_seen, last_seen, gone_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, NULL)
                   ON CONFLICT (account, id) DO UPDATE SET partner_id=excluded.partner_id,
                       status=excluded.status, payload=excluded.payload, last_seen=excluded.last_seen,
                       gone_at=NULL""",
                    rows,
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def sync_pending(self, account: str, pending: Iterable[Task], seen_at: float | None = None) -> list[int]:
        """Record one poll's PENDING list: upsert it, and mark the account's other PENDING tasks gone.

        Returns the ids that disappeared (taken by someone, aborted...).
        """
        return self.sync_status(account, pending, TaskStatus.PENDING, seen_at)

    def sync_status(
        self, account: str, tasks: Iterable[Task], status: TaskStatus, seen_at: float | None = None
    ) -> list[int]:
        """Record the complete list of an account's tasks in one status (what getJobs returned for it):
        upsert them, and mark the account's other open tasks in that status gone. Returns the gone ids."""
        now = time.time() if seen_at is None else seen_at
        tasks = list(tasks)
        self.upsert(tasks, now)
        present = {t.id for t in tasks}
        with self._lock:
            rows = self._db.execute(
                "SELECT id FROM tasks WHERE account=? AND status=? AND gone_at IS NULL",
                (account, int(status)),
            ).fetchall()
            gone = [r[0] for r in rows if r[0] not in present]
            if gone:
                self._db.executemany(
                    "UPDATE tasks SET gone_at=? WHERE account=? AND id=?", [(now, account, i) for i in gone]
                )
        return gone

    def set_status(
        self, account: str, task_id: int, status: TaskStatus, external_task_id: str | None = None
    ) -> None:
        task = self.get(account, task_id)
        if task is None:
            return
        task.status = status
        if external_task_id is not None:
            task.external_task_id = external_task_id
        self.upsert([task])

    # ---- reading ---------------------------------------------------------------------------------
    def _rows_to_tasks(self, rows) -> list[Task]:
        out = []
        for (payload,) in rows:
            try:
                out.append(task_from_dict(json.loads(payload)))
            except (ValueError, TypeError, KeyError):
                continue  # a row from a future version we cannot read: skip, do not crash
        return out

    def get(self, account: str, task_id: int) -> Task | None:
        with self._lock:
            rows = self._db.execute(
                "SELECT payload FROM tasks WHERE account=? AND id=?", (account, task_id)
            ).fetchall()
        tasks = self._rows_to_tasks(rows)
        return tasks[0] if tasks else None

    def open_tasks(self, statuses: Iterable[TaskStatus] | None = None) -> list[Task]:
        """Tasks still present (not gone), optionally only some statuses."""
        with self._lock:
            rows = self._db.execute("SELECT payload, status FROM tasks WHERE gone_at IS NULL").fetchall()
        wanted = {int(s) for s in statuses} if statuses is not None else None
        return self._rows_to_tasks([(p,) for p, s in rows if wanted is None or s in wanted])

    def all_tasks(self) -> list[Task]:
        with self._lock:
            rows = self._db.execute("SELECT payload FROM tasks").fetchall()
        return self._rows_to_tasks(rows)

    def seen_times(self, account: str, task_id: int) -> tuple[float, float, float | None] | None:
        """(first_seen, last_seen, gone_at) of a task."""
        with self._lock:
            row = self._db.execute(
                "SELECT first_seen, last_seen, gone_at FROM tasks WHERE account=? AND id=?",
                (account, task_id),
            ).fetchone()
        return tuple(row) if row else None
