"""The REACH operations a linguist's desktop makes: poll (with entry names), claim, fail, fresh keys,
media downloads and the content deletion policy, a translation's source captions, live scheduling.

Why it exists: the shell's Qt adapter (`workers/task_service.TaskService`) only marshals these calls to
worker threads and their results back as signals; the decisions live here, Qt-free, so tests call them
directly and team mode (`team/desktop_ops.TeamEngineOps`) swaps a few of them. Every method blocks: run
it off the GUI thread. Live scheduling is the `live` collaborator's (`live.scheduling.LiveOps`, given by
the caller because live/ sits above engine/); without one this desktop serves no live tasks.
"""

from __future__ import annotations

import getpass
import logging
import socket
from pathlib import Path
from typing import Any

from reach_studio.domain.captions import CaptionDocument
from reach_studio.domain.progress import CancelToken
from reach_studio.domain.task import Task

log = logging.getLogger(__name__)


class ClaimRefused(Exception):
    """The task was not claimed because it could not be worked (the message says why); it stays PENDING."""

    code = "CLAIM_REFUSED"


class LiveUnavailable(Exception):
    """A live task reached a desktop built without live scheduling (the message says so)."""

    code = "LIVE_UNAVAILABLE"


class EngineOps:
    """The engine calls the shell makes, each blocking (run off the GUI thread)."""

    def __init__(
        self, media_dir: Path | None = None, cache_bytes: int | None = None, *, live: Any = None
    ) -> None:
        self.media_dir = media_dir
        self.cache_bytes = cache_bytes
        self.live = live  # live.scheduling.LiveOps, or None: no live tasks on this desktop
        self.linguist = linguist_id()
        self._entry_names: dict[tuple[str, str], str] = {}

    def make_poller(self, connection, task_filter):
        from reach_studio.engine.poller import Poller

        return Poller(connection, task_filter=task_filter)

    def task_filter(self, service_types, regions):
        from reach_studio.engine.poller import TaskFilter

        return TaskFilter(service_types=service_types, regions=regions)

    def poll(self, poller) -> list[Task]:
        tasks = poller.poll_once()
        self.add_entry_names(poller.conn, tasks)
        return tasks

    def add_entry_names(self, connection, tasks: list[Task]) -> None:
        """Entry names for the queue (baseEntry.get with each task's key), fetched once per entry; the
        desktop's queue and `sync`'s table both show them (an entry id alone says nothing to a person)."""
        for task in tasks:
            cached = self._entry_names.get((task.account, task.entry_id))
            if cached is None and task.access_key:
                try:
                    entry = connection.call(
                        lambda c, t=task: c.baseEntry.get(t.entry_id), task=task, retries=1
                    )
                    cached = str(getattr(entry, "name", "") or "")
                except Exception as exc:  # noqa: BLE001 - a name is nice to have; the entry id still identifies it
                    log.debug("no name for entry %s: %s", task.entry_id, exc)
                    cached = ""
                self._entry_names[(task.account, task.entry_id)] = cached
            if cached:
                task.extra.setdefault("entry_name", cached)

    # -- live tasks (through the live collaborator) -------------------------------------------------

    def scheduled(self, poller) -> list[Task]:
        """This vendor's SCHEDULED live tasks (getJobs statusEqual SCHEDULED) the filter accepts, in full."""
        if self.live is None:
            return []
        tasks = self.live.scheduled(poller.conn, poller.task_filter)
        self.add_entry_names(poller.conn, tasks)
        return tasks

    def _live_ops(self):
        if self.live is None:
            raise LiveUnavailable("This desktop was started without live scheduling")
        return self.live

    def live_scheduler(self):
        """The app's live scheduling (live/scheduling: REACH_LIVE_* say where it listens)."""
        return self._live_ops().scheduler()

    def caption_server(self):
        """The one caption websocket of this app (started on first use)."""
        return self._live_ops().scheduler().caption_server()

    def stop_caption_server(self) -> None:
        if self.live is not None:
            self.live.stop()

    def schedule_live(self, connection, task: Task, on_change=None, *, adopt: bool = False):
        """Schedule a live task under this linguist's externalTaskId (`LiveOps.schedule` says how)."""
        return self._live_ops().schedule(connection, task, self.linguist, on_change=on_change, adopt=adopt)

    # -- file tasks ---------------------------------------------------------------------------------

    def claim(self, connection, task: Task, before_confirm=None) -> Task:
        """`before_confirm`: called once the claim is written, before it is confirmed (reach_api.claim)."""
        from reach_studio.kaltura import reach_api

        problem = reach_api.source_captions_problem(connection, task)  # a translation's source, checked first
        if problem is not None:
            raise ClaimRefused(problem)
        return reach_api.claim(connection, task, f"{self.linguist}-{task.id}", before_confirm=before_confirm)

    def stream_source(self, connection, task: Task):
        """What a player can stream for the task now, without downloading (media_fetch.stream_source)."""
        from reach_studio.engine.media_fetch import stream_source

        return stream_source(connection, task, cache=self.media_cache())

    def source_problem(self, connection, task: Task) -> str | None:
        """Why a translation could not start from its source captions, or None (read only: the queue asks
        it before anyone claims; `claim` asks it again)."""
        from reach_studio.kaltura import reach_api

        return reach_api.source_captions_problem(connection, task)

    def fail(self, connection, task: Task, reason: str) -> Task:
        from reach_studio.kaltura import reach_api

        return reach_api.fail(connection, task, reason)

    def refresh_key(self, connection, task: Task) -> Task:
        """A fresh access key for a remembered claimed task (after a restart keys are not kept on disk).

        First the task's state with the vendor KS: a task READY under our externalTaskId was delivered by a
        run killed right after READY (Kaltura killed its key and refuses to extend it), so its delivery
        journal is closed as delivered and the READY task returned; a task someone else holds raises ClaimLost.
        """
        from reach_studio.domain.enums import TaskStatus
        from reach_studio.kaltura import reach_api
        from reach_studio.store.delivery_journal import DeliveryJournal

        state = reach_api.read_state(connection, task)
        ours = bool(state.external_task_id) and state.external_task_id == task.external_task_id
        if state.status == TaskStatus.READY and ours:
            with DeliveryJournal() as journal:
                journal.close_delivered(task.id)
            return state
        if state.status not in (TaskStatus.PROCESSING, TaskStatus.SCHEDULED) or (
            task.external_task_id and not ours
        ):
            raise reach_api.ClaimLost(task, state.external_task_id, state.status)
        fresh = reach_api.extend_access_key(connection, state)
        return reach_api.get_task(connection, fresh)

    def make_key_keeper(self, connection_for):
        from reach_studio.engine.key_keeper import KeyKeeper

        return KeyKeeper(connection_for)

    def media_cache(self):
        from reach_studio.engine.media_fetch import DEFAULT_CAP_BYTES, MediaCache

        return MediaCache(self.media_dir, self.cache_bytes or DEFAULT_CAP_BYTES)

    def fetch_media(self, connection, task: Task, token: CancelToken, progress, **hooks) -> Path:
        """`hooks`: on_stream / on_waveform of media_fetch.fetch_task_media (play while downloading)."""
        from reach_studio.engine.media_fetch import fetch_task_media

        return fetch_task_media(
            connection, task, cache=self.media_cache(), progress=progress, token=token, **hooks
        ).path

    def after_delivery(self, task: Task) -> list[Path]:
        """The profile's content deletion policy once the task is delivered (now, or a scheduled deletion)."""
        return self.media_cache().after_delivery(task)

    def purge_due(self) -> list[Path]:
        """Media whose scheduled deletion time (week/month policies) has passed."""
        return self.media_cache().purge_due()

    def source_captions(self, connection, task: Task) -> CaptionDocument | None:
        """The translation's source captions as a CaptionDocument, or None when the task needs none."""
        from reach_studio.kaltura import reach_api

        if not reach_api.needs_source_captions(task):
            return None
        return source_caption_document(reach_api.fetch_source_captions(connection, task))


def source_caption_document(src) -> CaptionDocument:
    """Source caption bytes (as Kaltura serves them) → CaptionDocument, with Kaltura's accuracy kept."""
    from reach_studio.domain.formats import read_captions

    fmt = {"1": "srt", "2": "dfxp", "3": "vtt"}.get(str(src.format))
    doc = read_captions(src.content, fmt, name=f"caption asset {src.asset_id}", language=src.language or None)
    doc.language = doc.language or src.language
    doc.accuracy = src.accuracy
    return doc


def linguist_id() -> str:
    """This desktop's name in externalTaskIds: `reachstudio-<login>@<host>`."""
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name (containers): a neutral one
        user = "linguist"
    return f"reachstudio-{user}@{socket.gethostname()}"
