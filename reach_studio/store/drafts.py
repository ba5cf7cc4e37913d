"""Crash-proof journal of the work done in each task: snapshots plus the small edits made since.

A linguist can lose hours of work to a crash, a kill or a power cut. Every edit is written here as it
happens (SQLite in WAL mode, one transaction per op), so after a kill the next start can offer to
restore every open draft with at most the last second lost. The editor owns the document; this store
only keeps what it is given: the last full snapshot and the ops appended after it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reach_studio import paths

SCHEMA_VERSION = 1


class DraftStoreError(Exception):
    """The draft store cannot be opened or a draft cannot be written (the message says what to do)."""


@dataclass
class Draft:
    kind: str  # editor kind, e.g. "captions", "translation", "chapters"
    snapshot: dict[str, Any] | None  # None when only ops were journaled so far
    ops_after_snapshot: list[dict[str, Any]] = field(default_factory=list)
    updated_at: float = 0.0
    label: str = ""


@dataclass
class DraftInfo:
    task_key: str
    kind: str
    label: str
    updated_at: float
    op_count: int


def draft_key(account: str, task_id: int) -> str:
    """The key of a task's draft: task ids are only unique within one account (service URL + vendor)."""
    return f"{account or 'default'}#{int(task_id)}"


class DraftStore:
    """SQLite store of drafts; safe to use from several threads (one connection, serialised by a lock)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else paths.data_dir() / "drafts.sqlite3"
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10)
            # WAL + NORMAL: a committed op survives a killed process (it is in the WAL file); FULL would also
            # survive a power cut at the price of an fsync per keystroke.
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(
                """
                CREATE TABLE IF NOT EXISTS drafts (
                    task_key TEXT PRIMARY KEY,
                    kind TEXT NOT NULL DEFAULT '',
                    label TEXT NOT NULL DEFAULT '',
                    snapshot TEXT,
                    updated_at REAL NOT NULL
                );
                CREATE TABLE IF NOT EXISTS ops (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    task_key TEXT NOT NULL,
                    op TEXT NOT NULL,
                    at REAL NOT NULL
                );
                CREATE INDEX IF NOT EXISTS ops_by_task ON ops (task_key, seq);
                CREATE TABLE IF NOT EXISTS claimed_tasks (
                    task_key TEXT PRIMARY KEY,
                    task TEXT NOT NULL,
                    updated_at REAL NOT NULL
                );
                """
            )
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise DraftStoreError(
                f"cannot open the drafts store {self.path}: {exc}. Move the file aside to start with no drafts."
            ) from exc

    # -- writing ---------------------------------------------------------------------------------

    def save_snapshot(self, task_key: str, kind: str, payload: dict, *, label: str = "") -> None:
        """Store the full editor state of a task and drop the ops it already contains."""
        text = _dumps(payload, "snapshot")
        now = time.time()
        with self._write() as db:
            db.execute(
                "INSERT INTO drafts (task_key, kind, label, snapshot, updated_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(task_key) DO UPDATE SET kind=excluded.kind, snapshot=excluded.snapshot, "
                "updated_at=excluded.updated_at, label=CASE WHEN excluded.label != '' THEN excluded.label "
                "ELSE drafts.label END",
                (task_key, kind, label, text, now),
            )
            db.execute("DELETE FROM ops WHERE task_key = ?", (task_key,))

    def append_op(self, task_key: str, op: dict) -> None:
        """Journal one small edit; it is durable when this returns."""
        text = _dumps(op, "op")
        now = time.time()
        with self._write() as db:
            db.execute(
                "INSERT INTO drafts (task_key, updated_at) VALUES (?, ?) "
                "ON CONFLICT(task_key) DO UPDATE SET updated_at=excluded.updated_at",
                (task_key, now),
            )
            db.execute("INSERT INTO ops (task_key, op, at) VALUES (?, ?, ?)", (task_key, text, now))

    def discard(self, task_key: str) -> None:
        """Forget a task's draft (after delivery, or when the linguist declines to restore it)."""
        with self._write() as db:
            db.execute("DELETE FROM ops WHERE task_key = ?", (task_key,))
            db.execute("DELETE FROM drafts WHERE task_key = ?", (task_key,))

    def remember_task(self, task_key: str, task: dict) -> None:
        """Keep a claimed task's details so its draft can be reopened after a restart.

        The access key is a KS (a secret) and is dropped: after a restart the engine gets a fresh one
        with extendAccessKey.
        """
        clean = {k: v for k, v in task.items() if k not in ("access_key", "access_key_expiry")}
        text = _dumps(clean, "task")
        with self._write() as db:
            db.execute(
                "INSERT INTO claimed_tasks (task_key, task, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(task_key) DO UPDATE SET task=excluded.task, updated_at=excluded.updated_at",
                (task_key, text, time.time()),
            )

    def forget_task(self, task_key: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM claimed_tasks WHERE task_key = ?", (task_key,))

    def remembered_tasks(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            rows = self._db.execute("SELECT task_key, task FROM claimed_tasks ORDER BY updated_at").fetchall()
        return {key: _loads(text, key) for key, text in rows}

    # -- reading ---------------------------------------------------------------------------------

    def load(self, task_key: str) -> Draft | None:
        with self._lock:
            row = self._db.execute(
                "SELECT kind, label, snapshot, updated_at FROM drafts WHERE task_key = ?", (task_key,)
            ).fetchone()
            if row is None:
                return None
            ops = self._db.execute(
                "SELECT op FROM ops WHERE task_key = ? ORDER BY seq", (task_key,)
            ).fetchall()
        kind, label, snapshot, updated_at = row
        return Draft(
            kind=kind,
            snapshot=_loads(snapshot, task_key) if snapshot is not None else None,
            ops_after_snapshot=[_loads(o, task_key) for (o,) in ops],
            updated_at=updated_at,
            label=label,
        )

    def open_drafts(self) -> list[DraftInfo]:
        """Every draft still in the store, newest first (for "restore drafts?" at start-up)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT d.task_key, d.kind, d.label, d.updated_at, "
                "(SELECT COUNT(*) FROM ops o WHERE o.task_key = d.task_key) "
                "FROM drafts d ORDER BY d.updated_at DESC"
            ).fetchall()
        return [DraftInfo(task_key=r[0], kind=r[1], label=r[2], updated_at=r[3], op_count=r[4]) for r in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- helpers ---------------------------------------------------------------------------------

    def _write(self):
        return _Transaction(self)


class _Transaction:
    def __init__(self, store: DraftStore) -> None:
        self.store = store

    def __enter__(self) -> sqlite3.Connection:
        self.store._lock.acquire()
        try:
            self.store._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            self.store._lock.release()
            raise DraftStoreError(f"cannot write a draft to {self.store.path}: {exc}") from exc
        return self.store._db

    def __exit__(self, exc_type, exc, tb) -> bool:
        db = self.store._db
        try:
            if exc_type is None:
                db.execute("COMMIT")
            else:
                db.execute("ROLLBACK")
        except sqlite3.Error as err:
            raise DraftStoreError(f"cannot write a draft to {self.store.path}: {err}") from err
        finally:
            self.store._lock.release()
        if isinstance(exc, sqlite3.Error):
            raise DraftStoreError(f"cannot write a draft to {self.store.path}: {exc}") from exc
        return False


def _dumps(value: Any, what: str) -> str:
    if not isinstance(value, dict):
        raise DraftStoreError(f"a draft {what} must be a dict, not {type(value).__name__}")
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise DraftStoreError(f"a draft {what} must be plain JSON data: {exc}") from exc


def _loads(text: str, task_key: str) -> dict[str, Any]:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise DraftStoreError(f"the draft of {task_key} is damaged: {exc}") from exc
