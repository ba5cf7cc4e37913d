"""The emulator's state: SQLite under the data folder, so a restart with the same folder keeps everything.

Objects are plain dicts with Kaltura field names (plus "objectType"); keys starting with "_" are the
emulator's own bookkeeping (file paths, flags) and are never sent to clients. Uploaded or attached
bytes live as files under `<data>/blobs/`. One connection guarded by a lock keeps it thread-safe for
the threaded HTTP server; WAL keeps readers from blocking on writers of other processes (inspection).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

# Kinds whose ids are integers (Kaltura uses ints for these); every other kind gets "0_xxxxxxxx" ids.
INT_KINDS = {"task", "catalog_item", "reach_profile", "schedule_event", "partner", "cue_point_int", "history"}

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
_SCRAMBLE = 2654435761**2 % (36**8)  # odd and not a multiple of 3: a bijection modulo 36**8


class StoreError(Exception):
    """A store operation could not be done (unknown object, bad data folder)."""


def _kaltura_id(kind: str, n: int) -> str:
    # Deterministic, Kaltura-looking ids ("0_k3x9q2ab") from a per-kind counter: a bijective scramble of
    # n so ids do not look sequential, without depending on the clock or on randomness.
    salt = sum(ord(c) for c in kind) * 7919
    value = (n * _SCRAMBLE + salt) % (36**8)
    chars = []
    for _ in range(8):
        value, rem = divmod(value, 36)
        chars.append(_ALPHABET[rem])
    return "0_" + "".join(chars)


class Store:
    """Thread-safe object store with integer/Kaltura-style ids, blobs and task status history."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.blob_dir = self.data_dir / "blobs"
            self.blob_dir.mkdir(exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot use emulator data folder {self.data_dir}: {exc.strerror}") from None
        self._lock = threading.RLock()
        self._db = sqlite3.connect(
            self.data_dir / "emulator.sqlite3", check_same_thread=False, isolation_level=None
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(
            """
            CREATE TABLE IF NOT EXISTS objects (kind TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,
                                                PRIMARY KEY (kind, id));
            CREATE TABLE IF NOT EXISTS counters (kind TEXT PRIMARY KEY, value INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS status_history (seq INTEGER PRIMARY KEY AUTOINCREMENT, task_id INTEGER NOT NULL,
                                                       status INTEGER NOT NULL, by TEXT NOT NULL, at REAL NOT NULL,
                                                       client_tag TEXT NOT NULL DEFAULT '');
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            """
        )

    def atomic(self) -> threading.RLock:
        """`with store.atomic():` makes a read-check-write sequence atomic against other request threads."""
        return self._lock

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # ---- objects -------------------------------------------------------------------------------
    def next_id(self, kind: str, numeric: bool | None = None) -> int | str:
        """A new id for `kind`: ints for INT_KINDS (or numeric=True), else Kaltura-style "0_xxxxxxxx"."""
        with self._lock:
            row = self._db.execute("SELECT value FROM counters WHERE kind=?", (kind,)).fetchone()
            value = (row[0] if row else 0) + 1
            self._db.execute("INSERT OR REPLACE INTO counters (kind, value) VALUES (?, ?)", (kind, value))
        if numeric if numeric is not None else kind in INT_KINDS:
            return value
        return _kaltura_id(kind, value)

    def set_counter_floor(self, kind: str, value: int) -> None:
        """Make next_id(kind) return at least value+1 (ids that look like a real account's)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM counters WHERE kind=?", (kind,)).fetchone()
            if not row or row[0] < value:
                self._db.execute("INSERT OR REPLACE INTO counters (kind, value) VALUES (?, ?)", (kind, value))

    def put(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        """Insert or replace an object (it must have an "id")."""
        if "id" not in obj or obj["id"] in (None, ""):
            raise StoreError(f"{kind} object without id")
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO objects (kind, id, data) VALUES (?, ?, ?)",
                (kind, str(obj["id"]), json.dumps(obj)),
            )
        return dict(obj)

    def get(self, kind: str, obj_id: object) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT data FROM objects WHERE kind=? AND id=?", (kind, str(obj_id))
            ).fetchone()
        return json.loads(row[0]) if row else None

    def find(self, kind: str, **equals: Any) -> list[dict[str, Any]]:
        """Objects of `kind` whose fields equal the given values, in insertion order."""
        sql = "SELECT data FROM objects WHERE kind=?"
        args: list[Any] = [kind]
        for name, value in equals.items():
            if value is None:
                sql += f" AND json_extract(data, '$.\"{name}\"') IS NULL"
            else:
                sql += f" AND json_extract(data, '$.\"{name}\"') = ?"
                args.append(int(value) if isinstance(value, bool) else value)
        sql += " ORDER BY rowid"
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return [json.loads(r[0]) for r in rows]

    def all(self, kind: str) -> list[dict[str, Any]]:
        return self.find(kind)

    def update(self, kind: str, obj_id: object, changes: dict[str, Any]) -> dict[str, Any]:
        """Merge `changes` into a stored object and return the new version."""
        with self._lock:
            current = self.get(kind, obj_id)
            if current is None:
                raise StoreError(f"no {kind} with id {obj_id}")
            current.update(changes)
            self.put(kind, current)
        return current

    def delete(self, kind: str, obj_id: object) -> None:
        with self._lock:
            self._db.execute("DELETE FROM objects WHERE kind=? AND id=?", (kind, str(obj_id)))

    def count(self, kind: str) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM objects WHERE kind=?", (kind,)).fetchone()[0]

    # ---- meta (small key/value settings such as the seed name) ---------------------------------
    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # ---- task status history -------------------------------------------------------------------
    def add_history(
        self, task_id: int, status: int, by: str, at: float | None = None, client_tag: str = ""
    ) -> None:
        """Record who moved a task to `status` and when (and with which clientTag)."""
        with self._lock:
            self._db.execute(
                "INSERT INTO status_history (task_id, status, by, at, client_tag) VALUES (?, ?, ?, ?, ?)",
                (int(task_id), int(status), by, time.time() if at is None else at, client_tag or ""),
            )

    def history(self, task_id: int) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT status, by, at, client_tag FROM status_history WHERE task_id=? ORDER BY seq",
                (int(task_id),),
            ).fetchall()
        return [{"status": s, "by": b, "at": a, "clientTag": t} for s, b, a, t in rows]

    # ---- blobs ---------------------------------------------------------------------------------
    def put_blob(self, data: bytes | BinaryIO | Path, suffix: str = "") -> str:
        """Keep bytes (or a copy of a file) and return the blob name to store on an object."""
        name = uuid.uuid4().hex + suffix
        target = self.blob_dir / name
        if isinstance(data, (bytes, bytearray)):
            target.write_bytes(data)
        elif isinstance(data, Path):
            shutil.copyfile(data, target)
        else:
            with open(target, "wb") as out:
                shutil.copyfileobj(data, out)
        return name

    def blob_path(self, name: str) -> Path:
        path = (self.blob_dir / name).resolve()
        if path.parent != self.blob_dir.resolve():
            raise StoreError("invalid blob name")
        return path

    def open_blob(self, name: str) -> BinaryIO:
        try:
            return open(self.blob_path(name), "rb")
        except FileNotFoundError:
            raise StoreError(f"blob {name} is missing") from None

    def read_blob(self, name: str) -> bytes:
        with self.open_blob(name) as fh:
            return fh.read()


def ids(objs: Iterable[dict[str, Any]]) -> list[Any]:
    return [o["id"] for o in objs]
