"""The shell's engine calls in team mode: the queue from the team store, claims through it, heartbeats.

Why it exists: `TaskService` reaches the engine only through `engine.desktop_ops.EngineOps`; in team
mode this subclass (Qt-free, like its base) swaps a few calls and nothing else changes in the shell. The queue is read from the team store (the
supervisor service is the only one polling Kaltura), a claim takes the team row first (`team.claims`),
and a heartbeat thread tells the team this desktop is alive so its tasks are not taken over.
"""

from __future__ import annotations

import logging
import threading

from reach_studio.domain.task import Task
from reach_studio.engine.desktop_ops import EngineOps
from reach_studio.team.store import TeamStore, TeamStoreError

log = logging.getLogger(__name__)

HEARTBEAT_S = 10.0


class Heartbeat:
    """Beats every `interval` seconds in a daemon thread until stopped (Qt-free)."""

    def __init__(self, store: TeamStore, interval: float = HEARTBEAT_S) -> None:
        self.store = store
        self.interval = interval
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="team-heartbeat", daemon=True)

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.store.heartbeat()
                self.failures = 0
            except TeamStoreError as exc:
                self.failures += 1
                if self.failures == 1:
                    log.warning("Team store heartbeat failed (working on; retrying): %s", exc)
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)


class TeamEngineOps(EngineOps):
    """EngineOps reading the queue from the team store and claiming through it."""

    def __init__(self, store: TeamStore, *, heartbeat_s: float = HEARTBEAT_S, **kwargs) -> None:
        super().__init__(**kwargs)
        self.store = store
        self.linguist = store.member  # the team knows this desktop by its member name
        self._repaired: set[str] = set()  # accounts whose interrupted claims were repaired since start
        self.heartbeat = Heartbeat(store, heartbeat_s).start() if heartbeat_s > 0 else None

    def poll(self, poller) -> list[Task]:
        """The queue the supervisor published, less what the team holds, through this desktop's filter.

        The first poll of an account after start also repairs this desktop's claims that a crash left
        between the team store and Kaltura (`team.claims.repair`)."""
        if poller.account not in self._repaired:
            self._repair(poller)
        tasks = []
        for task in self.store.queue(poller.account):
            task.account = poller.account
            if not poller.task_filter.rejection(task):
                tasks.append(task)
        return tasks

    def _repair(self, poller) -> None:
        from reach_studio.team.claims import repair

        for line in repair(
            self.store,
            lambda account: poller.conn if account == poller.account else None,
            lambda task_id: f"{self.linguist}-{task_id}",
        ):
            log.info("Repaired an interrupted claim: %s", line)
        self._repaired.add(poller.account)

    def fail(self, connection, task: Task, reason: str) -> Task:
        """ERROR in Kaltura (final), then the team row goes: the task is nobody's any more."""
        failed = super().fail(connection, task, reason)
        try:
            self.store.release(
                task.account or connection.account.key,
                task.id,
                f"failed: {reason}"[:200],
                failure="TASK_FAILED",
            )
        except TeamStoreError as exc:  # the supervisor's next poll no longer lists it either way
            log.warning("Could not release failed task %s in the team store: %s", task.id, exc)
        return failed

    def scheduled(self, poller) -> list[Task]:
        return []  # live tasks are scheduled by the supervisor service in team mode (no getJobs here)

    def claim(self, connection, task: Task, before_confirm=None) -> Task:
        """Team row first, then Kaltura; the key a claim needs comes from Kaltura now (never stored).
        `before_confirm` is not used: a team claim's key may only come from Kaltura during the claim."""
        from reach_studio.kaltura import reach_api
        from reach_studio.kaltura.connection import ReachError
        from reach_studio.team.claims import claim_task

        account = task.account or connection.account.key
        self.store.take(task, account)  # the team first: a teammate's claim is refused naming the holder
        fresh = task if task.access_key else reach_api.get_pending_task(connection, task.id)
        if fresh is None:
            self.store.release(account, task.id, "no longer pending in Kaltura", failure="CLAIM_LOST")
            raise ReachError(
                "CLAIM_LOST", f"Task {task.id} is no longer waiting in Kaltura (taken or cancelled)"
            )
        fresh.account = account
        fresh.extra = {**task.extra, **fresh.extra}
        return claim_task(self.store, connection, fresh, f"{self.linguist}-{task.id}")

    def stop_caption_server(self) -> None:
        super().stop_caption_server()
        if self.heartbeat is not None:
            self.heartbeat.stop()
