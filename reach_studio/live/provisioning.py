"""Provisioning and status moves of a live REACH task (vendor guide "Live captions",
docs/kaltura-contract.md#live).

Why it exists: a live task is not claimed like a file task. Before the event the vendor tells Kaltura
where to send the media and where to read captions — `scheduleEvent.updateLiveFeature` on the task's
`scheduledEventId`, feature `LiveCaptionFeature-reach-<taskId>`, a KalturaLiveCaptionFeature with
mediaUrl/mediaKey (the vendor's RTMP(S) ingest), captionUrl (our caption websocket) and a fresh
captionToken — then moves the task to SCHEDULED with its externalTaskId. When Kaltura starts pulling
captions the task goes to PROCESSING, and when the stream ends to READY. A live task's READY carries
no output asset: the guide's post-processing step for live is only the status change (Kaltura itself
turns the stream into WebVTT), so no outputObjectId is sent.

mediaUrl/mediaKey are the session's own RTMP ingest (live/ingest: an ffmpeg listener per task, behind
the vendor's TLS proxy for RTMPS), or an ingest the vendor runs elsewhere (REACH_LIVE_MEDIA_URL).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from KalturaClient.Plugins.Reach import KalturaEntryVendorTask
from KalturaClient.Plugins.Schedule import KalturaLiveCaptionFeature

from reach_studio.domain.enums import ServiceFeature, TaskStatus
from reach_studio.domain.task import Task
from reach_studio.domain.task_mapping import TaskMappingError, plain, task_from
from reach_studio.kaltura.connection import ReachConnection, ReachError
from reach_studio.live.scheduling import is_live

log = logging.getLogger(__name__)


# ISO 639-2 codes for the feature's `language` when Kaltura has not set one (it normally has).
_THREE_LETTER = {
    "English": "eng",
    "Spanish": "spa",
    "French": "fra",
    "German": "deu",
    "Italian": "ita",
    "Portuguese": "por",
    "Dutch": "nld",
    "Hebrew": "heb",
    "Arabic": "ara",
    "Japanese": "jpn",
    "Korean": "kor",
    "Chinese": "zho",
    "Russian": "rus",
    "Polish": "pol",
    "Turkish": "tur",
    "Hindi": "hin",
    "Swedish": "swe",
    "Danish": "dan",
    "Norwegian": "nor",
    "Finnish": "fin",
    "Greek": "ell",
    "Czech": "ces",
    "Hungarian": "hun",
    "Romanian": "ron",
    "Ukrainian": "ukr",
    "Vietnamese": "vie",
    "Thai": "tha",
    "Indonesian": "ind",
    "Catalan": "cat",
    "Welsh": "cym",
}


class LiveProvisioningError(ReachError):
    """A live task cannot be provisioned or moved (not a live task, no event, Kaltura refused)."""


@dataclass(frozen=True)
class RtmpIngest:
    """Where Kaltura restreams the event: our listener's URL and secret key, or the vendor's own ingest."""

    media_url: str = ""  # e.g. "rtmps://ingest.vendor.example/live"
    media_key_template: str = "reach-{task_id}"
    key: str = field(default="", repr=False)  # a listener's own stream key (checked by the listener)

    def media_key(self, task_id: int) -> str:
        if not self.media_url:
            return ""
        return self.key or self.media_key_template.format(task_id=int(task_id))


@dataclass
class LiveProvision:
    """What was handed to Kaltura for one task (repr keeps the token out of logs)."""

    task: Task
    event_id: int
    feature_name: str
    caption_url: str
    caption_token: str = field(repr=False)
    media_url: str = ""
    media_key: str = ""
    language: str = ""


def feature_name(task_id: int) -> str:
    """The systemName Kaltura gives the task's feature on the event (LiveFeature::defaultName)."""
    return f"LiveCaptionFeature-reach-{int(task_id)}"


def scheduled_event_id(task: Task) -> int:
    """The task's scheduledEventId (KalturaScheduledVendorTaskData), or LiveProvisioningError."""
    if not is_live(task):
        raise LiveProvisioningError(
            "NOT_A_LIVE_TASK", f"Task {task.id} is not a live caption or live translation task"
        )
    value = task.job_data.get("scheduledEventId")
    try:
        event_id = int(value)
    except (TypeError, ValueError):
        raise LiveProvisioningError(
            "NO_SCHEDULED_EVENT",
            f"Live task {task.id} names no scheduled event (taskJobData.scheduledEventId)",
        ) from None
    if event_id <= 0:
        raise LiveProvisioningError("NO_SCHEDULED_EVENT", f"Live task {task.id} names no scheduled event")
    return event_id


def live_window(task: Task) -> tuple[int | None, int | None]:
    """(startDate, endDate) the customer ordered captions for (epoch seconds), None when not given."""

    def num(key: str) -> int | None:
        try:
            return int(task.job_data.get(key))
        except (TypeError, ValueError):
            return None

    return num("startDate"), num("endDate")


def language_for(task: Task, current: str | None = None) -> str:
    """The feature's 3-letter language: Kaltura's own value if set, else from the catalog item."""
    if current:
        return current
    name = task.target_language if task.feature == ServiceFeature.LIVE_TRANSLATION else task.source_language
    return _THREE_LETTER.get(name or "", "")


def read_event(conn: ReachConnection, task: Task) -> dict[str, Any]:
    """The task's schedule event as a plain dict (with the task's key, as for every call on its entry)."""
    event_id = scheduled_event_id(task)
    obj = conn.call(lambda c: c.schedule.scheduleEvent.get(event_id), task=task)
    return plain(obj) or {}


def read_feature(conn: ReachConnection, task: Task) -> dict[str, Any] | None:
    """The task's live feature on its event, or None when Kaltura has not added it."""
    name = feature_name(task.id)
    for feature in read_event(conn, task).get("liveFeatures") or []:
        if isinstance(feature, dict) and feature.get("systemName") == name:
            return feature
    return None


def _update_task(conn: ReachConnection, task: Task, **fields: Any) -> Task:
    update = KalturaEntryVendorTask(**fields)
    obj = conn.call(lambda c: c.reach.entryVendorTask.updateJob(task.id, update), about=task)
    try:
        updated = task_from(obj)
    except TaskMappingError as exc:
        raise LiveProvisioningError(
            "UNREADABLE_TASK", f"Task {task.id} as Kaltura sent it cannot be read: {exc}"
        ) from None
    updated.account = task.account
    if not updated.access_key:
        updated.access_key, updated.access_key_expiry = task.access_key, task.access_key_expiry
    updated.catalog_item = updated.catalog_item or task.catalog_item
    updated.reach_profile = updated.reach_profile or task.reach_profile
    return updated


def provision(
    conn: ReachConnection,
    task: Task,
    *,
    caption_url: str,
    caption_token: str,
    external_task_id: str,
    ingest: RtmpIngest | None = None,
) -> LiveProvision:
    """updateLiveFeature (media + caption endpoints, fresh token), then PENDING → SCHEDULED with externalTaskId.

    A task already SCHEDULED (or PROCESSING) under our externalTaskId is re-provisioned in place: the
    feature gets the new caption URL and token, the status is left alone (a restart of the vendor's
    caption server gets a new port and token). A task someone else holds is refused.
    """
    event_id = scheduled_event_id(task)
    if not caption_url or not caption_token:
        raise LiveProvisioningError(
            "NO_CAPTION_ENDPOINT", "A live task needs a caption URL and a caption token"
        )
    if task.status not in (TaskStatus.PENDING, TaskStatus.SCHEDULED, TaskStatus.PROCESSING):
        raise LiveProvisioningError(
            "NOT_PROVISIONABLE",
            f"Live task {task.id} is {task.status.name.lower()}; it can no longer be scheduled",
        )
    if (
        task.status != TaskStatus.PENDING
        and task.external_task_id
        and task.external_task_id != external_task_id
    ):
        raise LiveProvisioningError(
            "CLAIM_LOST",
            f"Live task {task.id} is already scheduled by {task.external_task_id}; pick another task",
        )
    ingest = ingest or RtmpIngest()
    name = feature_name(task.id)
    current = None
    try:
        current = read_feature(conn, task)
    except ReachError as exc:  # reading is a nicety (Kaltura's language); updateLiveFeature decides
        log.info("Could not read the schedule event of task %s: %s", task.id, exc.message)
    language = language_for(task, (current or {}).get("language"))
    feature = KalturaLiveCaptionFeature(
        mediaUrl=ingest.media_url,
        mediaKey=ingest.media_key(task.id),
        captionUrl=caption_url,
        captionToken=caption_token,
        language=language or NotImplemented,
    )
    conn.call(lambda c: c.schedule.scheduleEvent.updateLiveFeature(event_id, name, feature), task=task)
    log.info("Live task %s: caption endpoint set on schedule event %s (%s)", task.id, event_id, name)
    updated = task
    if task.status == TaskStatus.PENDING:
        updated = _update_task(conn, task, status=int(TaskStatus.SCHEDULED), externalTaskId=external_task_id)
        log.info("Live task %s scheduled as %s", task.id, external_task_id)
    return LiveProvision(
        updated,
        event_id,
        name,
        caption_url,
        caption_token,
        ingest.media_url,
        ingest.media_key(task.id),
        language,
    )


def start_processing(conn: ReachConnection, task: Task) -> Task:
    """The event started and captions flow: SCHEDULED → PROCESSING (no-op when already PROCESSING)."""
    if task.status == TaskStatus.PROCESSING:
        return task
    updated = _update_task(conn, task, status=int(TaskStatus.PROCESSING))
    log.info("Live task %s is processing", task.id)
    return updated


def finish(conn: ReachConnection, task: Task) -> Task:
    """The stream ended: PROCESSING → READY (a live task has no output asset to name)."""
    if task.status == TaskStatus.SCHEDULED:
        task = start_processing(conn, task)
    updated = _update_task(conn, task, status=int(TaskStatus.READY))
    log.info("Live task %s is ready (stream ended at %s)", task.id, time.strftime("%H:%M:%S"))
    return updated
