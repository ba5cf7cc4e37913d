"""The shell's one window on the REACH engine: polls, claims, fails, key extension and media downloads.

Qt adapter of the Qt-free `engine.desktop_ops.EngineOps`: every call runs through `run_in_background`,
results come back as signals on the GUI thread, and the widgets never touch the network. This module
keeps the task lists the shell shows and the signals; the REACH decisions are EngineOps', so tests can
see exactly which engine call a button makes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from reach_studio.domain.enums import ProcessingRegion, ServiceFeature, ServiceType, TaskStatus
from reach_studio.domain.fair_queue import FairQueue, QueueOrder, task_key
from reach_studio.domain.task import Task
from reach_studio.engine.desktop_ops import ClaimRefused, EngineOps
from reach_studio.live.scheduling import LiveOps
from reach_studio.live.scheduling import is_live as is_live_task  # the one live rule (shell imports it here)
from reach_studio.secret_store import redact
from reach_studio.workers.background import Job, run_in_background

log = logging.getLogger(__name__)

TaskKey = tuple[str, int]


SOURCE_RECHECK_S = 600.0  # a translation's source captions are checked again after this long


class TaskService(QObject):
    """Owns the signed-in connections and the two task lists (the fair queue and "My tasks")."""

    queue_changed = Signal(object)  # pending tasks in fair order (all accounts merged, filtered)
    my_tasks_changed = Signal(object)  # tasks this linguist claimed
    explanations_changed = Signal(object)  # task key -> why it is at its place
    task_warnings_changed = Signal(object)  # task key -> why it cannot be worked (e.g. source below 100 %)
    activity = Signal(str)  # what the workers are doing, for the status bar
    # routine background news (polls, key extensions), shown apart from `activity` so that a poll every
    # few seconds never hides "Task 1015 delivered" or an error before the linguist has read it
    routine = Signal(str)
    error = Signal(str)  # a failure worth showing to the linguist
    claimed = Signal(object)  # Task (PROCESSING)
    claim_failed = Signal(object, str)  # task key, message
    failed_task = Signal(object)  # Task (ERROR)
    task_updated = Signal(object)  # Task re-read or with a new access key
    task_gone = Signal(object, str)  # task key, why: a remembered task is no longer ours
    download_started = Signal(object)  # task key
    download_progress = Signal(object, int, int)  # task key, done, total
    download_finished = Signal(object, object)  # task key, Path
    download_failed = Signal(object, str)  # task key, message
    download_cancelled = Signal(object)  # task key
    stream_ready = Signal(object, object)  # task key, engine.media_fetch.StreamSource: play it meanwhile
    # task key, StreamSource: found once the claim is written, while it is confirmed (a player may open it
    # then; claim_failed means it must be dropped)
    stream_prepared = Signal(object, object)
    _claim_written = Signal(object)  # Task: from the claim's thread, once our updateJob is in
    waveform_grew = Signal(object, object)  # task key, media.waveform.Waveform of the audio arrived so far
    polled = Signal()  # after every completed poll round
    live_ready = Signal(object, object)  # task key, LiveSession: scheduled, its caption channel open
    live_changed = Signal(object)  # LiveSession (emitted from the caption server's threads)
    media_deleted = Signal(object, object)  # task key, [Path] deleted by its content deletion policy
    media_purged = Signal(object)  # [Path] whose scheduled deletion was due

    def __init__(self, ops: EngineOps | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ops = ops or EngineOps(live=LiveOps())
        self.connections: dict[str, Any] = {}  # account key -> ReachConnection
        self.pollers: dict[str, Any] = {}  # account key -> engine Poller
        self.pending: dict[TaskKey, Task] = {}
        self.task_warnings: dict[TaskKey, str] = {}  # found before a claim; shown in the queue
        self.mine: dict[TaskKey, Task] = {}
        self.media: dict[TaskKey, Path] = {}
        self.downloads: dict[TaskKey, Job] = {}
        # while a download runs: what a player can stream, and the waveform of what has arrived
        self.streams: dict[TaskKey, Any] = {}
        self.partial_waveforms: dict[TaskKey, Any] = {}
        self.stream_while_downloading = True  # False: the media plays only once downloaded (bench baseline)
        self.live_sessions: dict[TaskKey, Any] = {}  # live tasks this app serves captions for
        self._live_jobs: dict[TaskKey, Job] = {}
        self._source_checked: dict[TaskKey, float] = {}  # when a translation's source was last checked
        self._source_jobs: dict[TaskKey, Job] = {}
        self._refreshing: dict[TaskKey, Job] = {}
        self.regions: frozenset[ProcessingRegion] | None = None
        self.service_types: frozenset[ServiceType] | None = frozenset({ServiceType.HUMAN})
        self.queue_order = QueueOrder.DEADLINE  # customer-blind; round-robin is a supervisor's setting
        self._poll_jobs: dict[str, Job] = {}
        self._failures: dict[str, int] = {}
        self._next_poll: dict[str, float] = {}
        self.poll_interval = 30.0
        self._poll_timer = QTimer(self)
        self._poll_timer.timeout.connect(self._poll_due)
        self.live_changed.connect(self._live_changed)
        self._claiming: set[TaskKey] = set()  # claims running now
        self._claim_written.connect(self._prepare_stream)
        # emitted from the download's threads; these slots run on the GUI thread, before the shell's
        self.stream_ready.connect(self._stream_ready)
        self.waveform_grew.connect(self._waveform_grew)
        self._key_timer = QTimer(self)
        self._key_timer.timeout.connect(self.extend_due_keys)
        self._keys_job: Job | None = None
        # delivered tasks whose media must go but which share the entry with another of my tasks
        self._deletion_owed: dict[tuple[str, int, str], Task] = {}
        self._key_keeper = None  # made on first use: it imports the Kaltura client, which is slow to load
        self.now: Callable[[], float] = time.time

    @property
    def key_keeper(self):
        if self._key_keeper is None:
            self._key_keeper = self.ops.make_key_keeper(self.connection_for)
        return self._key_keeper

    # -- accounts ----------------------------------------------------------------------------------

    def add_connection(self, connection) -> None:
        key = connection.account.key
        self.connections[key] = connection
        self.pollers[key] = self.ops.make_poller(connection, self._task_filter(connection))
        self.activity.emit(f"Signed in to {connection.account.display_name()}")
        self.poll_now()
        # tasks claimed before a restart come back without keys (keys are never kept on disk)
        for task in [t for k, t in self.mine.items() if k[0] == key and not t.access_key]:
            self._refresh_key(task)

    def remove_connection(self, account_key: str) -> None:
        self.connections.pop(account_key, None)
        self.pollers.pop(account_key, None)
        self.pending = {k: t for k, t in self.pending.items() if k[0] != account_key}
        self._publish_queue()

    def connection_for(self, task: Task):
        conn = self.connections.get(task.account)
        if conn is None:
            raise LookupError(f"Not signed in to the account of task {task.id}; sign in to it first")
        return conn

    def set_filters(
        self, service_types: frozenset[ServiceType] | None, regions: frozenset[ProcessingRegion] | None
    ) -> None:
        self.service_types, self.regions = service_types, regions
        for key, poller in self.pollers.items():
            poller.task_filter = self._task_filter(self.connections[key])
        self._publish_queue()

    def set_queue_order(self, order: QueueOrder | str) -> None:
        self.queue_order = QueueOrder.parse(order)
        self._publish_queue()

    def regions_for(self, account_key: str) -> frozenset[ProcessingRegion] | None:
        """The regions offered from one account: the linguist's settings within the account's own regions."""
        conn = self.connections.get(account_key)
        account_regions = getattr(getattr(conn, "account", None), "regions", None)
        if account_regions is None:
            return self.regions
        if self.regions is None:
            return frozenset(account_regions)
        return frozenset(self.regions & account_regions)

    def _task_filter(self, connection):
        return self.ops.task_filter(self.service_types, self.regions_for(connection.account.key))

    # -- polling -----------------------------------------------------------------------------------

    def start(self, poll_interval_s: float, key_check_s: float = 60.0) -> None:
        self.poll_interval = float(poll_interval_s)
        self._poll_timer.start(1000)  # checks which account is due; each account backs off on its own
        self._key_timer.start(int(key_check_s * 1000))

    def stop(self) -> None:
        self._poll_timer.stop()
        self._key_timer.stop()
        for job in list(self.downloads.values()):
            job.cancel()
        for session in self.live_sessions.values():
            session.close()
        self.live_sessions.clear()
        if hasattr(self.ops, "stop_caption_server"):
            self.ops.stop_caption_server()

    def set_poll_interval(self, seconds: float) -> None:
        self.poll_interval = float(seconds)

    def _poll_due(self) -> None:
        now = self.now()
        for key in list(self.connections):
            if now >= self._next_poll.get(key, 0):
                self.poll_now(key)

    def poll_now(self, only: str | None = None) -> None:
        for key, conn in list(self.connections.items()):
            if only is not None and key != only:
                continue
            if key in self._poll_jobs:
                continue  # the previous poll of this account is still running
            poller = self.pollers[key]
            self._next_poll[key] = self.now() + self.poll_interval
            self.routine.emit(f"Polling {conn.account.display_name()}…")
            self._poll_jobs[key] = run_in_background(
                lambda token, progress, poller=poller: (self.ops.poll(poller), self.ops.scheduled(poller)),
                on_done=lambda tasks, key=key: self._polled(key, tasks),
                on_error=lambda exc, key=key, conn=conn: self._poll_failed(key, conn, exc),
            )

    def _polled(self, account_key: str, result: tuple[list[Task], list[Task]]) -> None:
        tasks, scheduled = result
        self._poll_jobs.pop(account_key, None)
        failed_before = self._failures.get(account_key, 0)
        self._failures[account_key] = 0
        if account_key not in self.connections:
            return
        if failed_before:  # the error line said "Could not poll …": say it is over
            self.activity.emit(f"{self.connections[account_key].account.display_name()} answers again")
        self.pending = {k: t for k, t in self.pending.items() if k[0] != account_key}
        for task in tasks:
            task.account = task.account or account_key
            key = task_key(task)
            if key not in self.mine:
                self.pending[key] = task
        # the vendor's scheduled live tasks are ours to run (vendor guide: check SCHEDULED before events)
        added = False
        for task in scheduled:
            task.account = task.account or account_key
            key = task_key(task)
            if key not in self.mine and key not in self._live_jobs:
                self.mine[key] = task
                if task.access_key:
                    self.key_keeper.track(task)
                added = True
        if added:
            self._publish_mine()
        # vendor guide: a job no longer listed as SCHEDULED was cancelled (or has moved on): re-read it
        listed = {task_key(t) for t in scheduled}
        for key, task in list(self.mine.items()):
            if (
                key[0] == account_key
                and task.status == TaskStatus.SCHEDULED
                and is_live_task(task)
                and key not in listed
                and key not in self._live_jobs
            ):
                self._refresh_key(task)
        self._publish_queue()
        self.routine.emit(
            f"Queue updated at {time.strftime('%H:%M:%S')}: {len(self.visible_queue())} task(s)"
        )
        self.check_sources()
        self.polled.emit()

    def check_sources(self) -> None:
        """Issue 15, bug 8: each translation waiting in the queue has its source captions checked before anyone
        claims it (off the GUI thread, at most every SOURCE_RECHECK_S per task), so the queue and the details
        pane say "cannot be worked" up front; a source that became 100 % clears the mark."""
        now = time.monotonic()
        for key, task in list(self.pending.items()):
            if task.feature != ServiceFeature.TRANSLATION or key in self._source_jobs:
                continue
            if now - self._source_checked.get(key, -SOURCE_RECHECK_S) < SOURCE_RECHECK_S:
                continue
            conn = self.connections.get(key[0])
            if conn is None:
                continue
            self._source_checked[key] = now

            def done(problem: str | None, key=key) -> None:
                self._source_jobs.pop(key, None)
                before = self.task_warnings.get(key)
                if problem:
                    self.task_warnings[key] = problem
                else:
                    self.task_warnings.pop(key, None)
                if self.task_warnings.get(key) != before:
                    self.task_warnings_changed.emit(dict(self.task_warnings))

            def failed(exc: BaseException, key=key) -> None:
                self._source_jobs.pop(key, None)  # unknown: the claim checks again
                log.info("source captions of task %s not checked: %s", key[1], _message(exc))

            self._source_jobs[key] = run_in_background(
                lambda token, progress, conn=conn, task=task: self.ops.source_problem(conn, task),
                done,
                failed,
            )

    def _poll_failed(self, account_key: str, conn, exc: BaseException) -> None:
        self._poll_jobs.pop(account_key, None)
        failures = self._failures.get(account_key, 0) + 1
        self._failures[account_key] = failures
        delay = min(900.0, self.poll_interval * 2 ** min(failures, 10))
        self._next_poll[account_key] = self.now() + delay
        self.error.emit(
            f"Could not poll {conn.account.display_name()}: {_message(exc)} — trying again in {int(delay)} s"
        )

    def visible_queue(self) -> list[Task]:
        """Pending tasks this linguist may take (regions, service types), in queue order."""
        tasks = [t for t in self.pending.values() if self._offered(t)]
        return FairQueue(tasks, self.queue_order).tasks()

    def _offered(self, task: Task) -> bool:
        region = task.reach_profile.processing_region if task.reach_profile else None
        regions = self.regions_for(task.account)
        if regions is not None and region is not None and region not in regions:
            return False
        st = task.service_type or (task.catalog_item.service_type if task.catalog_item else None)
        return self.service_types is None or st is None or st in self.service_types

    def _publish_queue(self) -> None:
        visible = self.visible_queue()
        fq = FairQueue(visible, self.queue_order)
        now = self.now()
        self.explanations_changed.emit({task_key(t): fq.explain(t, now) for t in visible})
        self.queue_changed.emit(visible)

    def _publish_mine(self) -> None:
        self.my_tasks_changed.emit(
            sorted(self.mine.values(), key=lambda t: (t.expected_finish_time or 2**62, t.id))
        )

    # -- claim / fail --------------------------------------------------------------------------------

    def claim(self, task: Task) -> Job | None:
        """Take a task: PENDING → PROCESSING, or for a live task scheduling it (→ SCHEDULED)."""
        key = task_key(task)
        try:
            conn = self.connection_for(task)
        except LookupError as exc:
            self.claim_failed.emit(key, str(exc))
            return None
        if is_live_task(task):
            return self.schedule_live(task)
        self.activity.emit(f"Claiming task {task.id}…")
        self._claiming.add(key)

        def done(claimed: Task) -> None:
            self._claiming.discard(key)
            claimed.account = claimed.account or task.account
            _keep_names(task, claimed)
            self.pending.pop(key, None)
            self.mine[key] = claimed
            self.key_keeper.track(claimed)
            self._publish_queue()
            self._publish_mine()
            self.activity.emit(f"Task {task.id} is yours (Processing)")
            self.claimed.emit(claimed)

        def failed(exc: BaseException) -> None:
            self._claiming.discard(key)
            message = _message(exc)
            if isinstance(exc, ClaimRefused):
                self.task_warnings[key] = message
                self.task_warnings_changed.emit(dict(self.task_warnings))
                message = f"Task {task.id} was not claimed (it stays in the queue): {message}"
            if getattr(exc, "code", "") == "CLAIM_LOST":
                self.pending.pop(key, None)  # someone else has it
                self._publish_queue()
            self.activity.emit(f"Could not claim task {task.id}")
            self.claim_failed.emit(key, message)

        def written() -> None:  # the claim's thread: to the GUI thread, which starts the stream lookup
            self._claim_written.emit(task)

        return run_in_background(
            lambda token, progress: self.ops.claim(conn, task, before_confirm=written), done, failed
        )

    def _prepare_stream(self, task: Task) -> Job | None:
        """While the claim is confirmed (0.3 s settle + a re-read), find the stream the download will offer,
        so a player can open it before the editor does (`stream_prepared`; nothing for a lost claim)."""
        key = task_key(task)
        conn = self.connections.get(task.account)
        if conn is None or not self.stream_while_downloading or is_live_task(task):
            return None

        def done(source) -> None:
            if source is not None and (key in self._claiming or key in self.mine):
                self.stream_prepared.emit(key, source)

        return run_in_background(
            lambda token, progress: self.ops.stream_source(conn, task),
            done,
            lambda exc: log.info("No stream for task %s before its download: %s", task.id, _message(exc)),
        )

    def schedule_live(self, task: Task, *, adopt: bool = False) -> Job | None:
        """Provision a live task off the GUI thread: caption channel + updateLiveFeature, → SCHEDULED.

        The claim of a PENDING live task, and also (`adopt=True`) a SCHEDULED task in "My tasks" whose
        caption channel is not open in this app (after a restart, or once its workspace closed): it is
        re-provisioned in place with a fresh caption address and token. No media is downloaded for it.
        """
        key = task_key(task)
        if key in self._live_jobs:
            return self._live_jobs[key]
        try:
            conn = self.connection_for(task)
        except LookupError as exc:
            self.claim_failed.emit(key, str(exc))
            return None
        self.activity.emit(f"Scheduling live task {task.id}…")

        def done(session) -> None:
            self._live_jobs.pop(key, None)
            scheduled = session.task
            scheduled.account = scheduled.account or task.account
            _keep_names(task, scheduled)
            old = self.live_sessions.get(key)
            if old is not None and old is not session:
                old.close()
            self.live_sessions[key] = session
            self.pending.pop(key, None)
            newly = key not in self.mine
            self.mine[key] = scheduled
            self.key_keeper.track(scheduled)
            self._publish_queue()
            self._publish_mine()
            self.activity.emit(
                f"Live task {task.id} is scheduled: Kaltura sends its captions request to {session.channel.url}"
            )
            if newly:
                self.claimed.emit(scheduled)
            self.live_ready.emit(key, session)

        def failed(exc: BaseException) -> None:
            self._live_jobs.pop(key, None)
            if getattr(exc, "code", "") == "CLAIM_LOST":
                self.pending.pop(key, None)  # someone else scheduled it
                self._publish_queue()
            self.activity.emit(f"Could not schedule live task {task.id}")
            self.claim_failed.emit(key, _message(exc))

        def provision(token, progress):
            return self.ops.schedule_live(conn, task, on_change=self.live_changed.emit, adopt=adopt)

        job = run_in_background(provision, done, failed)
        self._live_jobs[key] = job
        return job

    def live_session(self, key: TaskKey):
        """The live session serving this task's captions now, or None (never scheduled here, or closed)."""
        session = self.live_sessions.get(key)
        if session is None or session.channel is None or session.state in ("ended", "failed"):
            return None
        if session.server.channel(session.task.id) is not session.channel:
            return None  # its workspace closed and stopped serving
        return session

    def _live_changed(self, session) -> None:
        """Kaltura connected (→ PROCESSING) or the stream ended: "My tasks" shows the new status."""
        key = task_key(session.task)
        if key in self.mine and self.live_sessions.get(key) is session:
            current = session.task
            current.account = current.account or key[0]
            _keep_names(self.mine[key], current)
            self.mine[key] = current
            self._publish_mine()

    def _drop_live(self, key: TaskKey) -> None:
        session = self.live_sessions.pop(key, None)
        if session is not None:
            session.close()

    def fail(self, task: Task, reason: str) -> Job | None:
        reason = reason.strip()
        if not reason:
            self.error.emit("A reason is required to fail a task.")
            return None
        try:
            conn = self.connection_for(task)
        except LookupError as exc:
            self.error.emit(str(exc))
            return None
        key = task_key(task)
        self.cancel_download(key)
        self.activity.emit(f"Failing task {task.id}…")

        def done(result: Task) -> None:
            result.account = result.account or task.account
            self._drop_live(key)
            self.mine.pop(key, None)
            self.pending.pop(key, None)
            self.key_keeper.untrack(task)
            self._publish_mine()
            self._publish_queue()
            self._settle_owed_deletions()
            self.activity.emit(f"Task {task.id} marked as failed")
            self.failed_task.emit(result)

        def failed(exc: BaseException) -> None:
            self.error.emit(f"Could not fail task {task.id}: {_message(exc)}")

        return run_in_background(lambda token, progress: self.ops.fail(conn, task, reason), done, failed)

    def adopt(self, tasks: list[Task]) -> None:
        """Put already-claimed tasks (remembered before a restart) into "My tasks"."""
        for task in tasks:
            self.mine[task_key(task)] = task
            if task.account in self.connections and not task.access_key:
                self._refresh_key(task)
        self._publish_mine()

    def forget(self, key: TaskKey) -> None:
        """Drop a task from "My tasks" (delivered, or no longer ours)."""
        task = self.mine.pop(key, None)
        self.streams.pop(key, None)
        self._drop_live(key)
        if task is not None and self._key_keeper is not None:
            self._key_keeper.untrack(task)
        self._publish_mine()
        self._settle_owed_deletions()

    def delivered(self, task: Task) -> Job | None:
        """A task went READY: off "My tasks", and its media handled as the customer's profile says.

        DELETE_ONCE_PROCESSED removes the media folder of the entry (media, peaks, partial downloads) at
        once, off the GUI thread; the week/month policies mark it for `purge_media`. While another of my
        tasks works on the same entry the deletion waits until that one is done too.
        """
        key = task_key(task)
        self.cancel_download(key)
        self._drop_live(key)
        self.media.pop(key, None)
        self.mine.pop(key, None)
        if self._key_keeper is not None:
            self._key_keeper.untrack(task)
        self._publish_mine()
        if any(_same_entry(task, other) for other in self.mine.values()):
            self._deletion_owed[_entry_of(task)] = task
            log.info("Media of task %s kept while another claimed task uses entry %s", task.id, task.entry_id)
            return None
        return self._apply_deletion_policy(task)

    def _settle_owed_deletions(self) -> None:
        for entry, task in list(self._deletion_owed.items()):
            if not any(_same_entry(task, other) for other in self.mine.values()):
                del self._deletion_owed[entry]
                self._apply_deletion_policy(task)

    def _apply_deletion_policy(self, task: Task) -> Job:
        def done(removed: list[Path]) -> None:
            if removed:
                self.activity.emit(
                    f"Deleted the media of task {task.id}, as the customer's content deletion policy asks"
                )
            self.media_deleted.emit(task_key(task), removed)

        return run_in_background(
            lambda token, progress: self.ops.after_delivery(task),
            done,
            lambda exc: self.error.emit(f"Could not delete the media of task {task.id}: {_message(exc)}"),
        )

    def purge_media(self) -> Job:
        """At start-up: delete media whose scheduled deletion (week/month policies) is due, off the GUI thread."""

        def done(removed: list[Path]) -> None:
            if removed:
                self.activity.emit(f"Deleted {len(removed)} media file(s) past their deletion date")
            self.media_purged.emit(removed)

        return run_in_background(
            lambda token, progress: self.ops.purge_due(),
            done,
            lambda exc: self.error.emit(f"Could not purge the media cache: {_message(exc)}"),
        )

    def _refresh_key(self, task: Task) -> None:
        conn = self.connections[task.account]
        key = task_key(task)
        if key in self._refreshing:
            return

        def done(fresh: Task) -> None:
            self._refreshing.pop(key, None)
            if key not in self.mine:
                return  # delivered, failed or dropped meanwhile
            fresh.account = fresh.account or task.account
            _keep_names(task, fresh)
            if fresh.status == TaskStatus.READY:  # delivered by a run killed right after READY
                self.delivered(fresh)
                self.activity.emit(f"Task {task.id} was delivered before the restart (READY)")
                return
            self.mine[key] = fresh
            self.key_keeper.track(fresh)
            self._publish_mine()
            self.task_updated.emit(fresh)
            self._rekey_stream(fresh)

        def failed(exc: BaseException) -> None:
            self._refreshing.pop(key, None)
            message = f"Task {task.id} can no longer be worked on: {_message(exc)}"
            if getattr(exc, "code", "") in (
                "CANNOT_EXTEND_ACCESS_KEY",
                "ENTRY_VENDOR_TASK_NOT_FOUND",
                "CLAIM_LOST",
            ):
                self.forget(key)
                self.task_gone.emit(key, message)
            else:
                self.error.emit(message)

        self._refreshing[key] = run_in_background(
            lambda token, progress: self.ops.refresh_key(conn, task), done, failed
        )

    # -- access keys ---------------------------------------------------------------------------------

    def extend_due_keys(self) -> None:
        """Ask the engine's key keeper to extend every key near expiry (off the GUI thread)."""
        if self._keys_job is not None or self._key_keeper is None or not self._key_keeper.due():
            return
        self.routine.emit("Extending access keys…")

        def done(extended: list[Task]) -> None:
            self._keys_job = None
            for task in extended:
                self.task_updated.emit(task)
                self._rekey_stream(task)
            if extended:
                self._publish_mine()
                self.routine.emit(f"Extended the access key of {len(extended)} task(s)")

        def failed(exc: BaseException) -> None:
            self._keys_job = None
            self.error.emit(f"Could not extend access keys: {_message(exc)}")

        self._keys_job = run_in_background(lambda token, progress: self.key_keeper.run_once(), done, failed)

    # -- media -----------------------------------------------------------------------------------------

    def start_download(self, task: Task) -> Job | None:
        key = task_key(task)
        if is_live_task(task):
            return None  # a live entry has no media file to fetch: the event is still to come
        if key in self.downloads:
            return self.downloads[key]
        if key in self.media and self.media[key].exists():
            self.download_finished.emit(key, self.media[key])
            return None
        try:
            conn = self.connection_for(task)
        except LookupError as exc:
            self.download_failed.emit(key, str(exc))
            return None
        self.activity.emit(f"Downloading media for task {task.id}…")

        def settled() -> None:
            self.downloads.pop(key, None)
            self.partial_waveforms.pop(key, None)

        def done(path: Path) -> None:
            settled()
            self.streams.pop(key, None)  # the file took over; a stream kept after a failure still plays
            self.media[key] = Path(path)
            self.activity.emit(f"Media for task {task.id} is ready")
            self.download_finished.emit(key, Path(path))

        def failed(exc: BaseException) -> None:
            settled()
            self.activity.emit(f"Download for task {task.id} failed")
            self.download_failed.emit(key, _message(exc))

        def cancelled() -> None:
            settled()
            self.activity.emit(f"Download for task {task.id} cancelled")
            self.download_cancelled.emit(key)

        hooks = {}
        if self.stream_while_downloading:
            hooks = {
                "on_stream": lambda source: self.stream_ready.emit(key, source),
                "on_waveform": lambda wave: self.waveform_grew.emit(key, wave),
            }
        job = run_in_background(
            lambda token, progress: self.ops.fetch_media(conn, task, token, progress, **hooks),
            done,
            failed,
            on_progress=lambda d, t: self.download_progress.emit(key, d, t),
            on_cancelled=cancelled,
        )
        self.downloads[key] = job
        self.download_started.emit(key)
        return job

    def _stream_ready(self, key: TaskKey, source) -> None:
        if key in self.downloads or key in self.streams:  # a new one, or the same with a fresh key
            self.streams[key] = source

    def _rekey_stream(self, task: Task) -> None:
        """The task's key was extended: a stream still playing goes on with the new key (the old expires)."""
        key = task_key(task)
        source = self.streams.get(key)
        if source is not None and task.access_key:
            fresh = source.with_key(task.access_key)
            if fresh.url != source.url:
                self.stream_ready.emit(key, fresh)

    def _waveform_grew(self, key: TaskKey, wave) -> None:
        if key in self.downloads:  # a late update after the download settled is dropped
            self.partial_waveforms[key] = wave

    def cancel_download(self, key: TaskKey) -> None:
        job = self.downloads.get(key)
        if job is not None:
            job.cancel()

    def load_source_captions(self, task: Task, on_done: Callable[[Any], None]) -> Job | None:
        try:
            conn = self.connection_for(task)
        except LookupError:
            return None

        def failed(exc: BaseException) -> None:
            if getattr(exc, "code", "") in ("NO_SOURCE_CAPTIONS", "SOURCE_CAPTIONS_NOT_ACCURATE"):
                # the engine already sent the task to ERROR with this reason (vendor guide: translation)
                self.forget(task_key(task))
                self.task_gone.emit(
                    task_key(task),
                    f"Task {task.id} cannot be translated and was set to Error: {_message(exc)}",
                )
            else:
                self.error.emit(f"Source captions of task {task.id}: {_message(exc)}")

        return run_in_background(
            lambda token, progress: self.ops.source_captions(conn, task), on_done, failed
        )


def _entry_of(task: Task) -> tuple[str, int, str]:
    return (task.account, task.partner_id, task.entry_id)


def _same_entry(a: Task, b: Task) -> bool:
    """Two tasks whose media share one cache folder (same account, customer and entry)."""
    return _entry_of(a) == _entry_of(b) and a.id != b.id


def _keep_names(old: Task, new: Task) -> None:
    """Names we looked up (entry name) survive a re-read of the task from Kaltura."""
    if old.extra.get("entry_name"):
        new.extra.setdefault("entry_name", old.extra["entry_name"])


def _message(exc: BaseException) -> str:
    """A failure in words, never with a secret (ReachError messages are already redacted)."""
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return redact(str(text))
