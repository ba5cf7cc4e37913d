"""SQLite journal of delivery runs, so a delivery interrupted by a crash resumes instead of starting over.

Every step of a delivery plan is recorded twice: when it is about to be sent ("started") and when Kaltura
answered ("done", with the ids Kaltura returned). A step started but not done has an unknown outcome: the
executor then looks for the object it would have created before trying again. Upload tokens are recorded
as soon as they exist so that a restarted process continues the same token from the server's
uploadedFileSize. Rows are keyed by task id + plan hash. No secrets are stored here (no KS, no URL headers).
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from reach_studio import paths

_SCHEMA = """
CREATE TABLE IF NOT EXISTS delivery_run (
    task_id INTEGER NOT NULL,
    plan_hash TEXT NOT NULL,
    status TEXT NOT NULL,             -- running | done | failed
    description TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    started_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (task_id, plan_hash)
);
CREATE TABLE IF NOT EXISTS delivery_step (
    task_id INTEGER NOT NULL,
    plan_hash TEXT NOT NULL,
    step_key TEXT NOT NULL,
    state TEXT NOT NULL,              -- started | done
    result TEXT NOT NULL DEFAULT '{}',
    attempts INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL,
    seq INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (task_id, plan_hash, step_key)
);
CREATE TABLE IF NOT EXISTS delivery_lease (
    task_id INTEGER PRIMARY KEY,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    thread INTEGER NOT NULL,
    acquired_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS upload_token (
    task_id INTEGER NOT NULL,
    plan_hash TEXT NOT NULL,
    step_key TEXT NOT NULL,
    token_id TEXT NOT NULL,
    file_size INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (task_id, plan_hash, step_key)
);
"""


@dataclass(frozen=True)
class RunInfo:
    task_id: int
    plan_hash: str
    status: str
    error: str
    started_at: float
    updated_at: float


class DeliveryJournal:
    """Thread-safe; one connection per journal object. Safe against SIGKILL: each record is one commit."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else paths.data_dir() / "delivery_journal.sqlite3"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- runs -----------------------------------------------------------------------------------

    def begin_run(self, task_id: int, plan_hash: str, description: str = "") -> None:
        now = time.time()
        with self._lock:
            self._db.execute(
                "INSERT INTO delivery_run(task_id, plan_hash, status, description, started_at, updated_at) "
                "VALUES (?,?,?,?,?,?) ON CONFLICT(task_id, plan_hash) DO UPDATE SET status='running', "
                "error='', updated_at=excluded.updated_at",
                (task_id, plan_hash, "running", description, now, now),
            )

    def finish_run(self, task_id: int, plan_hash: str, status: str, error: str = "") -> None:
        with self._lock:
            self._db.execute(
                "UPDATE delivery_run SET status=?, error=?, updated_at=? WHERE task_id=? AND plan_hash=?",
                (status, error, time.time(), task_id, plan_hash),
            )

    def close_delivered(self, task_id: int) -> int:
        """Mark every unfinished run of a task done: Kaltura has it READY with our output (a run was killed
        after READY, before it could record so). Returns how many runs were closed."""
        with self._lock:
            cursor = self._db.execute(
                "UPDATE delivery_run SET status='done', error='', updated_at=? "
                "WHERE task_id=? AND status<>'done'",
                (time.time(), task_id),
            )
        return cursor.rowcount

    def run(self, task_id: int, plan_hash: str) -> RunInfo | None:
        with self._lock:
            row = self._db.execute(
                "SELECT task_id, plan_hash, status, error, started_at, updated_at FROM delivery_run "
                "WHERE task_id=? AND plan_hash=?",
                (task_id, plan_hash),
            ).fetchone()
        return RunInfo(*row) if row else None

    def runs(self, task_id: int) -> list[RunInfo]:
        with self._lock:
            rows = self._db.execute(
                "SELECT task_id, plan_hash, status, error, started_at, updated_at FROM delivery_run "
                "WHERE task_id=? ORDER BY started_at",
                (task_id,),
            ).fetchall()
        return [RunInfo(*r) for r in rows]

    def has_other_runs(self, task_id: int, plan_hash: str) -> bool:
        """True when an earlier, different plan for this task ran (its objects may exist on Kaltura)."""
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM delivery_run WHERE task_id=? AND plan_hash<>? LIMIT 1", (task_id, plan_hash)
            ).fetchone()
        return row is not None

    # --- one delivery per task at a time ----------------------------------------------------------

    def acquire(self, task_id: int) -> bool:
        """Take the task's delivery lease; False while another live thread or process on this machine
        holds it (two Deliver clicks, or the GUI and `sync` at once). A dead holder's lease is taken over."""
        me = (socket.gethostname(), os.getpid(), threading.get_ident())
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute(
                    "SELECT host, pid, thread FROM delivery_lease WHERE task_id=?", (task_id,)
                ).fetchone()
                if row is not None and tuple(row) != me and _alive(*row):
                    self._db.execute("ROLLBACK")
                    return False
                self._db.execute(
                    "INSERT OR REPLACE INTO delivery_lease(task_id, host, pid, thread, acquired_at) "
                    "VALUES (?,?,?,?,?)",
                    (task_id, *me, time.time()),
                )
                self._db.execute("COMMIT")
                return True
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def release(self, task_id: int) -> None:
        me = (socket.gethostname(), os.getpid(), threading.get_ident())
        with self._lock:
            self._db.execute(
                "DELETE FROM delivery_lease WHERE task_id=? AND host=? AND pid=? AND thread=?", (task_id, *me)
            )

    # --- steps ----------------------------------------------------------------------------------

    def mark_started(self, task_id: int, plan_hash: str, step_key: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO delivery_step(task_id, plan_hash, step_key, state, attempts, updated_at, seq) "
                "VALUES (?,?,?,'started',1,?,(SELECT COALESCE(MAX(seq),0)+1 FROM delivery_step "
                "WHERE task_id=? AND plan_hash=?)) "
                "ON CONFLICT(task_id, plan_hash, step_key) DO UPDATE SET attempts=attempts+1, "
                "updated_at=excluded.updated_at WHERE state='started'",
                (task_id, plan_hash, step_key, time.time(), task_id, plan_hash),
            )

    def record(self, task_id: int, plan_hash: str, step_key: str, result: dict[str, Any]) -> None:
        payload = json.dumps(result, sort_keys=True)
        with self._lock:
            self._db.execute(
                "INSERT INTO delivery_step(task_id, plan_hash, step_key, state, result, attempts, updated_at, seq) "
                "VALUES (?,?,?,'done',?,1,?,(SELECT COALESCE(MAX(seq),0)+1 FROM delivery_step "
                "WHERE task_id=? AND plan_hash=?)) "
                "ON CONFLICT(task_id, plan_hash, step_key) DO UPDATE SET state='done', result=excluded.result, "
                "updated_at=excluded.updated_at",
                (task_id, plan_hash, step_key, payload, time.time(), task_id, plan_hash),
            )

    def completed(self, task_id: int, plan_hash: str) -> dict[str, dict[str, Any]]:
        """step key -> the result recorded for it, for every step that is done."""
        with self._lock:
            rows = self._db.execute(
                "SELECT step_key, result FROM delivery_step WHERE task_id=? AND plan_hash=? AND state='done' "
                "ORDER BY seq",
                (task_id, plan_hash),
            ).fetchall()
        return {k: json.loads(r) for k, r in rows}

    def started_not_done(self, task_id: int, plan_hash: str) -> set[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT step_key FROM delivery_step WHERE task_id=? AND plan_hash=? AND state='started'",
                (task_id, plan_hash),
            ).fetchall()
        return {r[0] for r in rows}

    def attempts(self, task_id: int, plan_hash: str, step_key: str) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT attempts FROM delivery_step WHERE task_id=? AND plan_hash=? AND step_key=?",
                (task_id, plan_hash, step_key),
            ).fetchone()
        return int(row[0]) if row else 0

    # --- upload tokens --------------------------------------------------------------------------

    def set_upload_token(
        self, task_id: int, plan_hash: str, step_key: str, token_id: str, file_size: int, fingerprint: str
    ) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO upload_token(task_id, plan_hash, step_key, token_id, file_size, fingerprint, updated_at) "
                "VALUES (?,?,?,?,?,?,?) ON CONFLICT(task_id, plan_hash, step_key) DO UPDATE SET "
                "token_id=excluded.token_id, file_size=excluded.file_size, fingerprint=excluded.fingerprint, "
                "updated_at=excluded.updated_at",
                (task_id, plan_hash, step_key, token_id, file_size, fingerprint, time.time()),
            )

    def upload_token(self, task_id: int, plan_hash: str, step_key: str, fingerprint: str) -> str | None:
        """The token id recorded for this upload, if it was for the same file content."""
        with self._lock:
            row = self._db.execute(
                "SELECT token_id, fingerprint FROM upload_token WHERE task_id=? AND plan_hash=? AND step_key=?",
                (task_id, plan_hash, step_key),
            ).fetchone()
        if row is None or row[1] != fingerprint:
            return None
        return str(row[0])

    def forget(self, task_id: int) -> None:
        """Drop everything about a task (after READY, when the user clears history)."""
        with self._lock:
            for table in ("delivery_step", "upload_token", "delivery_run", "delivery_lease"):
                self._db.execute(f"DELETE FROM {table} WHERE task_id=?", (task_id,))


def _alive(host: str, pid: int, thread: int) -> bool:
    """Whether a lease holder still runs. Another machine's lease is trusted (we cannot check it)."""
    if host != socket.gethostname():
        return True
    if pid == os.getpid():
        return any(t.ident == thread for t in threading.enumerate())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
