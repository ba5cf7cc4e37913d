"""Keeps the accessKeys of claimed tasks alive, so a long job never loses access to the customer's entry.

Why it exists: a task's accessKey (the KS for everything on the customer's entry) expires — by default
after max(7 days, 2 × turnaround) — and Kaltura lets the vendor extend it only while the task is
PROCESSING or SCHEDULED (vendor guide, "Extend accessKey Expiration"). The keeper knows each key's
expiry (read from the KS when it is readable, else estimated from when we got it; a known key lifetime
can be configured, e.g. for short-lived keys) and calls extendAccessKey with the vendor KS a margin
before it runs out. It never extends a task in any other status, and it updates the shared Task object
in place, so every part holding that task uses the new key from then on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from reach_studio.domain.enums import TaskStatus
from reach_studio.domain.fair_queue import task_key
from reach_studio.domain.task import Task
from reach_studio.kaltura import reach_api
from reach_studio.kaltura.connection import ReachConnection, ReachError
from reach_studio.kaltura.ks import key_lifetime_s, ks_expiry

log = logging.getLogger(__name__)

EXTENDABLE = (TaskStatus.PROCESSING, TaskStatus.SCHEDULED)


@dataclass
class _Tracked:
    task: Task
    key: str
    received_at: float


class KeyKeeper:
    """Tracks claimed tasks and extends their keys before expiry. Thread-safe."""

    def __init__(
        self,
        connection_for: Callable[[Task], ReachConnection] | ReachConnection,
        *,
        key_lifetime: float | None = None,
        margin_fraction: float = 0.3,
        max_margin: float = 86400.0,
        min_margin: float = 2.0,
        on_extended: Callable[[Task], None] | None = None,
        on_error: Callable[[Task, Exception], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if isinstance(connection_for, ReachConnection):
            conn = connection_for
            self._conn_for: Callable[[Task], ReachConnection] = lambda task: conn
        else:
            self._conn_for = connection_for
        self.key_lifetime = key_lifetime
        self.margin_fraction = margin_fraction
        self.max_margin = max_margin
        self.min_margin = min_margin
        self.on_extended = on_extended
        self.on_error = on_error
        self.clock = clock
        self.extensions = 0
        self._tracked: dict[tuple[str, int], _Tracked] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ---- what we know about each key ----------------------------------------------------------
    def lifetime(self, task: Task) -> float:
        if self.key_lifetime:
            return self.key_lifetime
        return key_lifetime_s(task.turn_around_time)

    def expiry(self, task: Task) -> float | None:
        with self._lock:
            tracked = self._tracked.get(task_key(task))
        if tracked is None:
            return None
        return self._expiry(tracked)

    def _expiry(self, tracked: _Tracked) -> float:
        readable = ks_expiry(tracked.key)
        if readable:
            return float(readable)
        return tracked.received_at + self.lifetime(tracked.task)

    def _margin(self, tracked: _Tracked) -> float:
        readable = ks_expiry(tracked.key)
        lifetime = readable - tracked.received_at if readable else self.lifetime(tracked.task)
        return min(self.max_margin, max(self.min_margin, lifetime * self.margin_fraction))

    # ---- tracking ------------------------------------------------------------------------------
    def track(self, task: Task, received_at: float | None = None) -> None:
        """Start watching a claimed task's key.

        `received_at`: when the key was issued. By default: when we extended it, else when the task was
        created (Kaltura issues the first key then), so a task that waited days in the queue is not
        thought to hold a fresh key.
        """
        if task.status not in EXTENDABLE:
            return
        if received_at is None:
            now = self.clock()
            received_at = task.extra.get(reach_api.KEY_ISSUED_AT) or min(now, task.created_at or now)
        with self._lock:
            self._tracked[task_key(task)] = _Tracked(task, task.access_key, received_at)
            task.access_key_expiry = int(self._expiry(self._tracked[task_key(task)]))

    def untrack(self, task: Task) -> None:
        with self._lock:
            self._tracked.pop(task_key(task), None)

    def tracked(self) -> list[Task]:
        with self._lock:
            return [t.task for t in self._tracked.values()]

    def due(self, now: float | None = None) -> list[Task]:
        now = self.clock() if now is None else now
        with self._lock:
            items = list(self._tracked.values())
        return [
            t.task for t in items if t.task.status in EXTENDABLE and now >= self._expiry(t) - self._margin(t)
        ]

    def run_once(self, now: float | None = None) -> list[Task]:
        """Extend every key that is due; returns the tasks extended."""
        now = self.clock() if now is None else now
        with self._lock:
            items = list(self._tracked.values())
        extended = []
        for tracked in items:
            task = tracked.task
            if task.status not in EXTENDABLE:  # delivered, failed, aborted: never extend
                self.untrack(task)
                continue
            if tracked.key != task.access_key:  # someone else refreshed it (e.g. connection.renew_task_key)
                tracked.key, tracked.received_at = task.access_key, now
            if now < self._expiry(tracked) - self._margin(tracked):
                continue
            try:
                reach_api.extend_access_key(self._conn_for(task), task)
            except ReachError as exc:
                log.warning("Could not extend the access key of task %s: %s", task.id, exc)
                if exc.code == "CANNOT_EXTEND_ACCESS_KEY":
                    self.untrack(task)  # Kaltura says it is no longer processing
                if self.on_error:
                    self.on_error(task, exc)
                continue
            tracked.key, tracked.received_at = task.access_key, self.clock()
            task.access_key_expiry = int(self._expiry(tracked))
            self.extensions += 1
            extended.append(task)
            log.info(
                "Extended the access key of task %s; now valid until %s",
                task.id,
                time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(task.access_key_expiry)),
            )
            if self.on_extended:
                self.on_extended(task)
        return extended

    # ---- background thread ---------------------------------------------------------------------
    def start(self, interval: float = 60.0) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()

        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    self.run_once()
                except Exception:  # never let the keeper thread die silently
                    log.exception("Key keeper pass failed")

        self._thread = threading.Thread(target=loop, name="key-keeper", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)
