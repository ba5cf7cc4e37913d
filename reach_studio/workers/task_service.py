"""The shell's one window on the REACH engine: polls, claims, fails, key extension and media downloads.

Qt adapter of the Qt-free engine (`kaltura.reach_api`, `engine.*`): every call runs through
`run_in_background`, results come back as signals on the GUI thread, and the widgets never touch the
network. The engine operations are reached through `EngineOps`, so the adapter holds no REACH logic of
its own and tests can see exactly which engine call a button makes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from reach_studio.domain.enums import ProcessingRegion, ServiceType, TaskStatus
from reach_studio.domain.fair_queue import FairQueue, task_key
from reach_studio.domain.progress import CancelToken
from reach_studio.domain.task import Task
from reach_studio.secrets import redact
from reach_studio.workers.background import Job, run_in_background

log = logging.getLogger(__name__)

TaskKey = tuple[str, int]


class EngineOps:
    """The engine calls the shell makes, each blocking (run off the GUI thread)."""

    def __init__(self, media_dir: Path | None = None) -> None:
        self.media_dir = media_dir

    def poll(self, connection) -> list[Task]:
        from reach_studio.kaltura import reach_api

        return reach_api.poll_pending(connection)

    def my_tasks(self, connection, known: list[Task]) -> list[Task]:
        """Re-read tasks this linguist claimed, so the list shows what Kaltura says now."""
        from reach_studio.kaltura import reach_api

        fresh = []
        for task in known:
            try:
                fresh.append(reach_api.get_task(connection, task.id, access_key=task.access_key))
            except Exception as exc:  # one unreadable task must not hide the others
                log.info("could not refresh task %s: %s", task.id, exc)
                fresh.append(task)
        return fresh

    def claim(self, connection, task: Task) -> Task:
        from reach_studio.kaltura import reach_api

        return reach_api.claim(connection, task)

    def fail(self, connection, task: Task, reason: str) -> Task:
        from reach_studio.kaltura import reach_api

        return reach_api.fail(connection, task, reason)

    def extend(self, connection, task: Task) -> Task:
        from reach_studio.kaltura import reach_api

        return reach_api.extend_access_key(connection, task)

    def key_due(self, task: Task, now: float) -> bool:
        """Whether the task's access key should be extended now (PROCESSING/SCHEDULED only)."""
        if task.status not in (TaskStatus.PROCESSING, TaskStatus.SCHEDULED):
            return False
        try:
            from reach_studio.engine import key_keeper

            return bool(key_keeper.needs_extension(task, now))
        except (ImportError, AttributeError):
            expiry = task.access_key_expiry
            return expiry is not None and expiry - now < 24 * 3600

    def fetch_media(self, connection, task: Task, token: CancelToken, progress) -> Path:
        from reach_studio.engine import media_fetch

        return media_fetch.fetch_media(connection, task, cache_dir=self.media_dir, token=token, progress=progress)


class TaskService(QObject):
    """Owns the signed-in connections and the two task lists (the fair queue and "My tasks")."""

    queue_changed = Signal(list)  # pending tasks in fair order (all accounts merged, filtered)
    my_tasks_changed = Signal(list)  # tasks this linguist claimed
    explanations_changed = Signal(dict)  # task key -> why it is at its place
    activity = Signal(str)  # what the workers are doing, for the status bar
    error = Signal(str)  # a failure worth showing to the linguist
    claimed = Signal(object)  # Task (PROCESSING)
    claim_failed = Signal(object, str)  # task key, message
    failed_task = Signal(object)  # Task (ERROR)
    download_progress = Signal(object, int, int)  # task key, done, total
    download_finished = Signal(object, object)  # task key, Path
    download_failed = Signal(object, str)  # task key, message
    download_cancelled = Signal(object)  # task key
    polled = Signal()  # after every completed poll round

    def __init__(self, ops: EngineOps | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ops = ops or EngineOps()
        self.connections: dict[str, Any] = {}  # account key -> ReachConnection
        self.pending: dict[TaskKey, Task] = {}
        self.mine: dict[TaskKey, Task] = {}
        self.media: dict[TaskKey, Path] = {}
        self.downloads: dict[TaskKey, Job] = {}
        self.regions: frozenset[ProcessingRegion] | None = None
        self.service_types: frozenset[ServiceType] | None = frozenset({ServiceType.HUMAN})
        self._poll_jobs: dict[str, Job] = {}
        self._poll_timer = QTimer(self)
        self._poll_timer.timeout.connect(self.poll_now)
        self._key_timer = QTimer(self)
        self._key_timer.timeout.connect(self.extend_due_keys)
        self._extending: set[TaskKey] = set()
        self.now: Callable[[], float] = time.time

    # -- accounts ----------------------------------------------------------------------------------

    def add_connection(self, connection) -> None:
        self.connections[connection.account.key] = connection
        self.activity.emit(f"Signed in to {connection.account.display_name()}")
        self.poll_now()

    def remove_connection(self, account_key: str) -> None:
        self.connections.pop(account_key, None)
        self.pending = {k: t for k, t in self.pending.items() if k[0] != account_key}
        self._publish_queue()

    def connection_for(self, task: Task):
        conn = self.connections.get(task.account)
        if conn is None:
            raise LookupError(f"not signed in to the account of task {task.id}")
        return conn

    # -- polling -----------------------------------------------------------------------------------

    def start(self, poll_interval_s: float, key_check_s: float = 60.0) -> None:
        self._poll_timer.start(int(poll_interval_s * 1000))
        self._key_timer.start(int(key_check_s * 1000))

    def stop(self) -> None:
        self._poll_timer.stop()
        self._key_timer.stop()
        for job in list(self.downloads.values()):
            job.cancel()
        for job in list(self._poll_jobs.values()):
            job.cancel()

    def set_poll_interval(self, seconds: float) -> None:
        if self._poll_timer.isActive():
            self._poll_timer.start(int(seconds * 1000))

    def poll_now(self) -> None:
        for key, conn in list(self.connections.items()):
            if key in self._poll_jobs:
                continue  # the previous poll of this account is still running
            self.activity.emit(f"Polling {conn.account.display_name()}…")
            self._poll_jobs[key] = run_in_background(
                lambda token, progress, conn=conn: self.ops.poll(conn),
                on_done=lambda tasks, key=key: self._polled(key, tasks),
                on_error=lambda exc, key=key, conn=conn: self._poll_failed(key, conn, exc),
                on_cancelled=lambda key=key: self._poll_jobs.pop(key, None),
            )

    def _polled(self, account_key: str, tasks: list[Task]) -> None:
        self._poll_jobs.pop(account_key, None)
        if account_key not in self.connections:
            return
        for task in tasks:
            task.account = task.account or account_key
        self.pending = {k: t for k, t in self.pending.items() if k[0] != account_key}
        for task in tasks:
            key = task_key(task)
            if key not in self.mine:
                self.pending[key] = task
        self._publish_queue()
        self.activity.emit(f"Queue updated at {time.strftime('%H:%M:%S')}: {len(self.visible_queue())} task(s)")
        self.polled.emit()

    def _poll_failed(self, account_key: str, conn, exc: BaseException) -> None:
        self._poll_jobs.pop(account_key, None)
        self.error.emit(f"Could not poll {conn.account.display_name()}: {_message(exc)}")

    def visible_queue(self) -> list[Task]:
        """Pending tasks this linguist may take (regions, service types), in fair order."""
        tasks = [t for t in self.pending.values() if self._offered(t)]
        return FairQueue(tasks).tasks()

    def _offered(self, task: Task) -> bool:
        if self.regions is not None and task.reach_profile and task.reach_profile.processing_region is not None:
            if task.reach_profile.processing_region not in self.regions:
                return False
        st = task.service_type or (task.catalog_item.service_type if task.catalog_item else None)
        if self.service_types is not None and st is not None and st not in self.service_types:
            return False
        return True

    def _publish_queue(self) -> None:
        visible = self.visible_queue()
        fq = FairQueue(visible)
        now = self.now()
        self.explanations_changed.emit({task_key(t): fq.explain(t, now) for t in visible})
        self.queue_changed.emit(visible)

    def _publish_mine(self) -> None:
        self.my_tasks_changed.emit(sorted(self.mine.values(), key=lambda t: (t.expected_finish_time or 2**62, t.id)))

    # -- claim / fail --------------------------------------------------------------------------------

    def claim(self, task: Task) -> Job | None:
        try:
            conn = self.connection_for(task)
        except LookupError as exc:
            self.claim_failed.emit(task_key(task), str(exc))
            return None
        key = task_key(task)
        self.activity.emit(f"Claiming task {task.id}…")

        def done(claimed: Task) -> None:
            claimed.account = claimed.account or task.account
            self.pending.pop(key, None)
            self.mine[key] = claimed
            self._publish_queue()
            self._publish_mine()
            self.activity.emit(f"Task {task.id} is yours (Processing)")
            self.claimed.emit(claimed)

        def failed(exc: BaseException) -> None:
            message = _message(exc)
            self.pending.pop(key, None)  # someone else has it, or it is gone: the next poll confirms
            self._publish_queue()
            self.activity.emit(f"Could not claim task {task.id}")
            self.claim_failed.emit(key, message)

        return run_in_background(lambda token, progress: self.ops.claim(conn, task), done, failed)

    def fail(self, task: Task, reason: str) -> Job | None:
        reason = reason.strip()
        if not reason:
            self.error.emit("A reason is required to fail a task.")
            return None
        conn = self.connection_for(task)
        key = task_key(task)
        self.cancel_download(key)
        self.activity.emit(f"Failing task {task.id}…")

        def done(result: Task) -> None:
            result.account = result.account or task.account
            self.mine.pop(key, None)
            self.pending.pop(key, None)
            self._publish_mine()
            self._publish_queue()
            self.activity.emit(f"Task {task.id} marked as failed")
            self.failed_task.emit(result)

        def failed(exc: BaseException) -> None:
            self.error.emit(f"Could not fail task {task.id}: {_message(exc)}")

        return run_in_background(lambda token, progress: self.ops.fail(conn, task, reason), done, failed)

    def adopt(self, tasks: list[Task]) -> None:
        """Put already-claimed tasks (e.g. from the task store after a restart) into "My tasks"."""
        for task in tasks:
            self.mine[task_key(task)] = task
        self._publish_mine()

    # -- access keys ---------------------------------------------------------------------------------

    def extend_due_keys(self) -> None:
        now = self.now()
        for key, task in list(self.mine.items()):
            if key in self._extending or not self.ops.key_due(task, now):
                continue
            conn = self.connections.get(task.account)
            if conn is None:
                continue
            self._extending.add(key)
            self.activity.emit(f"Extending the access key of task {task.id}…")

            def done(fresh: Task, key=key, task=task) -> None:
                self._extending.discard(key)
                if key in self.mine:
                    fresh.account = fresh.account or task.account
                    self.mine[key] = fresh
                    self._publish_mine()
                self.activity.emit(f"Access key of task {task.id} extended")

            def failed(exc: BaseException, key=key, task=task) -> None:
                self._extending.discard(key)
                self.error.emit(f"Could not extend the access key of task {task.id}: {_message(exc)}")

            run_in_background(lambda token, progress, conn=conn, task=task: self.ops.extend(conn, task), done, failed)

    # -- media -----------------------------------------------------------------------------------------

    def start_download(self, task: Task) -> Job | None:
        key = task_key(task)
        if key in self.downloads:
            return self.downloads[key]
        if key in self.media and self.media[key].exists():
            self.download_finished.emit(key, self.media[key])
            return None
        conn = self.connection_for(task)
        self.activity.emit(f"Downloading media for task {task.id}…")

        def done(path: Path) -> None:
            self.downloads.pop(key, None)
            self.media[key] = Path(path)
            self.activity.emit(f"Media for task {task.id} is ready")
            self.download_finished.emit(key, Path(path))

        def failed(exc: BaseException) -> None:
            self.downloads.pop(key, None)
            self.activity.emit(f"Download for task {task.id} failed")
            self.download_failed.emit(key, _message(exc))

        def cancelled() -> None:
            self.downloads.pop(key, None)
            self.activity.emit(f"Download for task {task.id} cancelled")
            self.download_cancelled.emit(key)

        job = run_in_background(
            lambda token, progress: self.ops.fetch_media(conn, task, token, progress),
            done,
            failed,
            on_progress=lambda d, t: self.download_progress.emit(key, d, t),
            on_cancelled=cancelled,
        )
        self.downloads[key] = job
        return job

    def cancel_download(self, key: TaskKey) -> None:
        job = self.downloads.get(key)
        if job is not None:
            job.cancel()


def _message(exc: BaseException) -> str:
    """A failure in words, never with a secret (ReachError messages are already redacted)."""
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return redact(str(text))
