"""Polling REACH for new work, one poller per vendor account, merged into one fair queue.

Why it exists: a vendor serves the global SaaS, regional clouds and on-prem instances at once, each
with its own account and session (docs/kaltura-contract.md#clouds). Each account's poller calls getJobs on
an interval,
backs off when Kaltura or the network fails, fetches the full task (catalog item + profile) once per
task, and drops tasks the linguist may not take: outside their processing regions, or a service
type/feature this vendor does not do. `PollerGroup` merges every account's tasks into one queue.
Plain threads and callbacks: no Qt, so `sync`, the GUI (through a Qt adapter) and tests share it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from reach_studio.domain.enums import ProcessingRegion, ServiceFeature, ServiceType, TaskStatus
from reach_studio.domain.fair_queue import FairQueue, QueueOrder
from reach_studio.domain.task import Task
from reach_studio.kaltura import reach_api
from reach_studio.kaltura.connection import ReachConnection, ReachError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TaskFilter:
    """Which tasks this linguist/vendor takes. None = any."""

    service_types: frozenset[ServiceType] | None = frozenset({ServiceType.HUMAN})
    features: frozenset[ServiceFeature] | None = None
    regions: frozenset[ProcessingRegion] | None = None

    def accepts(self, task: Task) -> bool:
        return not self.rejection(task)

    def rejection(self, task: Task) -> str:
        """Why a task is not offered ("" when it is)."""
        if (
            self.service_types is not None
            and task.service_type is not None
            and task.service_type not in self.service_types
        ):
            return f"service type {task.service_type.name.lower()} is not taken"
        feature = task.feature
        if self.features is not None and feature is not None and feature not in self.features:
            return f"feature {feature.name.lower()} is not taken"
        region = task.reach_profile.processing_region if task.reach_profile else None
        if self.regions is not None and region is not None and region not in self.regions:
            return f"processing region {region.name} is outside the linguist's regions"
        return ""


class Poller:
    """getJobs on an interval for one account; new tasks get their full details once."""

    def __init__(
        self,
        conn: ReachConnection,
        *,
        interval: float = 60.0,
        task_filter: TaskFilter | None = None,
        on_tasks: Callable[[Poller, list[Task]], None] | None = None,
        on_error: Callable[[Poller, Exception], None] | None = None,
        max_backoff: float = 900.0,
        detail_workers: int = 4,
    ) -> None:
        self.conn = conn
        self.interval = interval
        # the account's own region setting narrows the filter further
        base = task_filter or TaskFilter()
        if conn.account.regions is not None:
            regions = conn.account.regions if base.regions is None else base.regions & conn.account.regions
            base = TaskFilter(base.service_types, base.features, frozenset(regions))
        self.task_filter = base
        self.on_tasks = on_tasks
        self.on_error = on_error
        self.max_backoff = max_backoff
        self.detail_workers = detail_workers
        self.failures = 0
        self.last_error: Exception | None = None
        self.last_poll: float | None = None
        self.tasks: list[Task] = []  # the latest accepted PENDING tasks
        self.rejected: dict[int, str] = {}  # task id -> why it is not offered
        self._details: dict[int, Task] = {}  # task id -> full task (keyed while its access key is unchanged)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def account(self) -> str:
        return self.conn.account.key

    def poll_once(self) -> list[Task]:
        """One getJobs pass; returns the accepted tasks (also kept in .tasks). Raises ReachError."""
        light = reach_api.get_jobs(self.conn)
        fresh = [
            t for t in light if t.id not in self._details or self._details[t.id].access_key != t.access_key
        ]
        if fresh:
            with ThreadPoolExecutor(max_workers=max(1, min(self.detail_workers, len(fresh)))) as pool:
                for task, full in zip(fresh, pool.map(self._detail, fresh), strict=True):
                    self._details[task.id] = full
        present = {t.id for t in light}
        for stale in [i for i in self._details if i not in present]:
            del self._details[stale]
        accepted, rejected = [], {}
        for t in light:
            full = self._details[t.id]
            why = self.task_filter.rejection(full)
            if why:
                rejected[full.id] = why
            else:
                accepted.append(full)
        self.tasks, self.rejected = accepted, rejected
        self.last_poll = time.time()
        return accepted

    def _detail(self, task: Task) -> Task:
        try:
            return reach_api.get_task(self.conn, task, state=task)  # getJobs had every field
        except ReachError as exc:
            # keep the getJobs version: better a task without its profile than no task
            log.warning("Could not read details of task %s: %s", task.id, exc)
            return task

    def next_delay(self) -> float:
        if self.failures == 0:
            return self.interval
        return min(self.max_backoff, self.interval * (2 ** min(self.failures, 10)))

    def run_once(self) -> bool:
        """poll_once with error accounting and callbacks; True on success."""
        try:
            tasks = self.poll_once()
        except Exception as exc:  # a poller must survive anything one poll throws at it
            if not isinstance(exc, (ReachError, OSError)):
                log.exception("Unexpected failure while polling %s", self.conn.account.display_name())
                exc = ReachError("POLL_FAILED", f"Polling failed unexpectedly ({type(exc).__name__})")
            self.failures += 1
            self.last_error = exc
            log.warning(
                "Polling %s failed (%s); next try in %.0f s",
                self.conn.account.display_name(),
                exc,
                self.next_delay(),
            )
            if self.on_error:
                self.on_error(self, exc)
            return False
        self.failures = 0
        self.last_error = None
        if self.on_tasks:
            self.on_tasks(self, tasks)
        return True

    # ---- background thread -------------------------------------------------------------------
    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._loop, name=f"poller-{self.conn.account.vendor_partner_id}", daemon=True
        )
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self.next_delay())

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)

    def poll_now(self) -> None:
        """Ask the background loop to poll again soon (e.g. the user pressed Refresh)."""
        self.run_once()


class PollerGroup:
    """Several accounts' pollers feeding one fair queue."""

    def __init__(self, pollers: Iterable[Poller]) -> None:
        self.pollers = list(pollers)
        self._lock = threading.Lock()

    def poll_all_once(self) -> dict[str, Exception | None]:
        """Poll every account in parallel; returns each account's error (None = fine)."""
        results: dict[str, Exception | None] = {}
        with ThreadPoolExecutor(max_workers=max(1, len(self.pollers))) as pool:
            for poller, ok in zip(self.pollers, pool.map(Poller.run_once, self.pollers), strict=True):
                results[poller.account] = None if ok else poller.last_error
        return results

    def tasks(self) -> list[Task]:
        with self._lock:
            return [t for p in self.pollers for t in p.tasks if t.status == TaskStatus.PENDING]

    def queue(self, order: QueueOrder | str = QueueOrder.DEADLINE) -> FairQueue:
        return FairQueue(self.tasks(), order)

    def poller_for(self, task: Task) -> Poller | None:
        return next((p for p in self.pollers if p.account == task.account), None)

    def start(self) -> None:
        for p in self.pollers:
            p.start()

    def stop(self) -> None:
        for p in self.pollers:
            p._stop.set()
        for p in self.pollers:
            p.stop()
