"""The REACH vendor calls, each returning domain models: getJobs, get, claim, fail, finish, extend, playback, captions.

Why it exists: it encodes the vendor guide's rules in one place — getJobs with the vendor KS and
vendorPartnerIdEqual + statusEqual=PENDING, paged; `get` with the task's accessKey and the reach_vendor
response profile set again every time; a claim is updateJob → PROCESSING with our externalTaskId and a
re-read to make sure it is really ours; every failure path ends the task in ERROR with a short reason.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from KalturaClient.Plugins.Caption import KalturaCaptionAssetFilter
from KalturaClient.Plugins.Core import KalturaFilterPager, KalturaPlaybackContextOptions
from KalturaClient.Plugins.Reach import KalturaEntryVendorTask, KalturaEntryVendorTaskFilter

from reach_studio.domain.enums import ServiceFeature, TaskStatus
from reach_studio.domain.task import Task
from reach_studio.domain.task_mapping import TaskMappingError, plain, task_from
from reach_studio.kaltura import transport
from reach_studio.kaltura.connection import (
    KS_ERROR_CODES,
    ReachConnection,
    ReachError,
    with_reach_vendor_profile,
)
from reach_studio.kaltura.ks import access_key_expiry

log = logging.getLogger(__name__)

PAGE_SIZE = 100  # Kaltura allows up to 500
MAX_PAGES = 200
ERR_DESCRIPTION_MAX = 500
CAPTION_MAX_BYTES = 50 * 1024**2
KEY_ISSUED_AT = "access_key_issued_at"  # Task.extra: when extendAccessKey gave us the current key


class ClaimLost(ReachError):
    """Someone else (another linguist or vendor tool) took the task first."""

    def __init__(self, task: Task, holder: str, status: TaskStatus) -> None:
        who = f"by {holder}" if holder else "by someone else"
        super().__init__(
            "CLAIM_LOST",
            f"Task {task.id} was already taken {who} (it is {status.name.lower()}); pick another task",
        )
        self.holder = holder


class SourceCaptionsUnusable(ReachError):
    """A translation's source captions are missing or not 100 % accurate; the task went to ERROR."""


def _tat_raw(task: Task) -> int | None:
    """The task's turnAroundTime enum value as Kaltura stores it (the key lifetime is computed on it)."""
    tat = task.turn_around_time
    return int(tat) if tat is not None else None


def _adopt(conn: ReachConnection, task: Task, issued_at: float) -> Task:
    task.account = conn.account.key
    if task.created_at:  # Kaltura issues a task's first key when the task is created
        issued_at = min(issued_at, task.created_at)
    if task.access_key:
        task.access_key_expiry = access_key_expiry(task.access_key, issued_at, _tat_raw(task))
    return task


def _xml_value(element: Any) -> Any:
    children = [c for c in element if isinstance(c.tag, str)]
    if not children:
        return element.text or ""
    if all(c.tag == "item" for c in children):
        return [_xml_value(c) for c in children]
    return {c.tag: _xml_value(c) for c in children}


def unknown_fields(node: Any, obj: Any) -> dict[str, Any]:
    """Fields in the server's XML that the client library dropped (a newer server): kept as plain values."""
    if node is None or obj is None:
        return {}
    known = set(vars(obj))
    return {
        child.tag: _xml_value(child)
        for child in node
        if isinstance(child.tag, str)
        and child.tag not in known
        and child.tag not in ("objectType", "relatedObjects")
    }


def _keep_unknown(task: Task, node: Any, obj: Any) -> Task:
    """Add the task's (and its catalog item's / profile's) unknown fields to their `extra`."""
    for key, value in unknown_fields(node, obj).items():
        task.extra.setdefault(key, value)
    related = getattr(obj, "relatedObjects", None)
    if node is None or not isinstance(related, dict):
        return task
    for item in node.findall("relatedObjects/item"):
        listing = related.get(item.findtext("itemKey") or "")
        objects = list(getattr(listing, "objects", None) or [])
        for sub_node, sub_obj in zip(item.findall("objects/item"), objects, strict=False):
            name = type(sub_obj).__name__
            target = (
                task.catalog_item
                if "CatalogItem" in name
                else task.reach_profile
                if "ReachProfile" in name
                else None
            )
            if target is not None:
                for key, value in unknown_fields(sub_node, sub_obj).items():
                    target.extra.setdefault(key, value)
    return task


def get_jobs(
    conn: ReachConnection,
    status: TaskStatus = TaskStatus.PENDING,
    page_size: int = PAGE_SIZE,
) -> list[Task]:
    """All tasks waiting for this vendor (getJobs with the vendor KS), every page."""
    tasks: list[Task] = []
    seen: set[int] = set()
    for page in range(1, MAX_PAGES + 1):
        now = time.time()

        def fetch(client, page=page):
            flt = KalturaEntryVendorTaskFilter(
                vendorPartnerIdEqual=conn.account.vendor_partner_id, statusEqual=int(status)
            )
            listing = client.reach.entryVendorTask.getJobs(
                flt, KalturaFilterPager(pageSize=page_size, pageIndex=page)
            )
            return listing, getattr(client, "last_result", None)

        result, node = conn.call(fetch)
        objects = list(getattr(result, "objects", None) or [])
        nodes = node.findall("objects/item") if node is not None else []
        for index, obj in enumerate(objects):
            try:
                task = _adopt(conn, task_from(obj), now)
            except TaskMappingError as exc:  # one malformed task must not hide the others
                log.warning("Skipping a task Kaltura sent that cannot be read: %s", exc)
                continue
            _keep_unknown(task, nodes[index] if index < len(nodes) else None, obj)
            if task.status != status:  # the search index lags: a task that just left PENDING may be listed
                continue
            if task.id not in seen:
                seen.add(task.id)
                tasks.append(task)
        total = getattr(result, "totalCount", None)
        if len(objects) < page_size or (isinstance(total, int) and len(seen) >= total):
            break
    return tasks


def read_state(conn: ReachConnection, task: Task) -> Task:
    """The task with every field as Kaltura holds it now: entryVendorTask.list idEqual with the vendor KS and
    no response profile.

    Why not `get`: with the reach_vendor profile Kaltura returns only a whitelist (docs/kaltura-contract.md),
    without externalTaskId, outputObjectId, serviceFeature, expectedFinishTime or taskJobData.scheduledEventId;
    and the task's accessKey dies when the task is READY. The vendor's list answers for any status.
    Catalog item, REACH profile and (when the answer has none) the access key are carried over from `task`.
    """
    now = time.time()

    def fetch(client):
        flt = KalturaEntryVendorTaskFilter(idEqual=task.id)
        listing = client.reach.entryVendorTask.list(flt, KalturaFilterPager(pageSize=1))
        return listing, getattr(client, "last_result", None)

    result, node = conn.call(fetch, about=task)
    objects = list(getattr(result, "objects", None) or [])
    nodes = node.findall("objects/item") if node is not None else []
    for index, obj in enumerate(objects):
        if getattr(obj, "id", None) != task.id:
            continue
        try:
            state = task_from(obj)
        except TaskMappingError as exc:
            raise ReachError(
                "UNREADABLE_TASK", f"Task {task.id} as Kaltura sent it cannot be read: {exc}"
            ) from None
        _keep_unknown(state, nodes[index] if index < len(nodes) else None, obj)
        state.catalog_item = state.catalog_item or task.catalog_item
        state.reach_profile = state.reach_profile or task.reach_profile
        return _with_key(conn, state, task, now)
    raise ReachError("ENTRY_VENDOR_TASK_NOT_FOUND", f"Task {task.id} is not among this vendor's tasks")


def _with_key(conn: ReachConnection, fresh: Task, known: Task, now: float) -> Task:
    """`fresh` keeps the key we already hold (and its expiry) unless Kaltura gave a new one."""
    fresh.account = conn.account.key
    if not fresh.access_key:
        fresh.access_key = known.access_key
        fresh.access_key_expiry = known.access_key_expiry
        return fresh
    if fresh.access_key == known.access_key and known.access_key_expiry:
        fresh.access_key_expiry = known.access_key_expiry
        return fresh
    return _adopt(conn, fresh, now)


def _merge_profiled(state: Task, profiled: Task) -> Task:
    """The full task: `state` (every field) with what only the reach_vendor profile brings — the catalog item
    and REACH profile (exclude-lists: no id, name, status, dictionaries...) — and the profile's key."""
    merged = state
    merged.catalog_item = profiled.catalog_item or state.catalog_item
    merged.reach_profile = profiled.reach_profile or state.reach_profile
    if merged.catalog_item is not None and not merged.catalog_item.id:
        merged.catalog_item.id = merged.catalog_item_id
    if merged.reach_profile is not None and not merged.reach_profile.id:
        merged.reach_profile.id = merged.reach_profile_id
    if profiled.access_key:
        merged.access_key = profiled.access_key
    merged.notes = merged.notes or profiled.notes
    merged.dictionary = merged.dictionary or profiled.dictionary
    merged.job_data = {**profiled.job_data, **merged.job_data}
    merged.entry_duration_ms = merged.entry_duration_ms or profiled.entry_duration_ms
    merged.job_data_type = merged.job_data_type or profiled.job_data_type
    for key, value in profiled.extra.items():
        merged.extra.setdefault(key, value)
    # Fields the profile leaves out come from `state`; when Kaltura sent none there, the catalog item's
    for name in ("service_feature", "service_type", "turn_around_time"):
        if getattr(merged, name) is None and merged.catalog_item is not None:
            setattr(merged, name, getattr(merged.catalog_item, name))
    return merged


def get_task(conn: ReachConnection, task: Task, *, state: Task | None = None) -> Task:
    """The full task: catalog item + REACH profile (task accessKey, reach_vendor profile) and every other field.

    The reach_vendor profile is an include-only whitelist, so the task's own fields (status, externalTaskId,
    serviceFeature, expectedFinishTime, taskJobData.scheduledEventId, ...) come from `state` — an answer
    without a profile that the caller just had (getJobs) — or else from `read_state`.
    A claimed task whose key we no longer have (e.g. restored after a restart: keys are never stored)
    gets a fresh one with extendAccessKey first.
    """
    now = time.time()
    if not task.access_key and task.status in (TaskStatus.PROCESSING, TaskStatus.SCHEDULED):
        extend_access_key(conn, task)

    def fetch(client):
        found = with_reach_vendor_profile(client).reach.entryVendorTask.get(task.id)
        return found, getattr(client, "last_result", None)

    try:
        obj, node = conn.call(fetch, task=task)
    except ReachError as exc:
        # A task waiting longer than its key's lifetime (max(7 days, 2 x TAT)) has a dead key that Kaltura will
        # not extend before the claim: its catalog item and profile come from the vendor's list instead.
        if exc.code not in KS_ERROR_CODES or task.status in (TaskStatus.PROCESSING, TaskStatus.SCHEDULED):
            raise
        obj, node = _profiled_from_vendor_list(conn, task)
    try:
        profiled = _keep_unknown(task_from(obj), node, obj)
    except TaskMappingError as exc:
        raise ReachError(
            "UNREADABLE_TASK", f"Task {task.id} as Kaltura sent it cannot be read: {exc}"
        ) from None
    if state is None:
        state = read_state(conn, profiled if profiled.access_key else task)
    else:
        state = copy.deepcopy(state)
    full = _with_key(conn, _merge_profiled(state, profiled), task, now)
    if full.entry_duration_ms is None:
        full.entry_duration_ms = entry_duration_ms(conn, full)
    return full


def _profiled_from_vendor_list(conn: ReachConnection, task: Task) -> tuple[Any, Any]:
    """entryVendorTask.list idEqual with the vendor KS and the reach_vendor profile: the same whitelisted task
    and related catalog item / REACH profile as `get` (EntryVendorTaskService::initService applies no partner
    filter to list, so the customer's profile is found; docs/kaltura-contract.md)."""

    def fetch(client):
        listed = with_reach_vendor_profile(client).reach.entryVendorTask.list(
            KalturaEntryVendorTaskFilter(idEqual=task.id), KalturaFilterPager(pageSize=1)
        )
        return listed, getattr(client, "last_result", None)

    listed, node = conn.call(fetch, about=task)
    nodes = node.findall("objects/item") if node is not None else []
    for index, obj in enumerate(list(getattr(listed, "objects", None) or [])):
        if getattr(obj, "id", None) == task.id:
            return obj, nodes[index] if index < len(nodes) else None
    raise ReachError("ENTRY_VENDOR_TASK_NOT_FOUND", f"Task {task.id} is not among this vendor's tasks")


def entry_duration_ms(conn: ReachConnection, task: Task) -> int | None:
    """The entry's length (baseEntry.get msDuration, task key), or None when it cannot be read.

    Why: Kaltura sends `taskJobData.entryDuration` only for live tasks (KalturaVendorTaskData::getInstance
    answers no task data for most services, and EntryVendorTask::preSave's entryDuration is commented out;
    docs/kaltura-contract.md), yet the editors, the checks and the download verification need the length."""
    try:
        entry = conn.call(lambda c: c.baseEntry.get(task.entry_id), task=task)
    except ReachError as exc:
        log.info("Could not read the length of entry %s for task %s: %s", task.entry_id, task.id, exc.code)
        return None
    ms = getattr(entry, "msDuration", None)
    return int(ms) if isinstance(ms, int) and ms > 0 else None


def _update(conn: ReachConnection, task: Task, **fields) -> Task:
    update = KalturaEntryVendorTask(**fields)
    obj = conn.call(lambda c: c.reach.entryVendorTask.updateJob(task.id, update), about=task)
    updated = task_from(obj)
    _carry(task, updated)
    return updated


def _carry(old: Task, new: Task) -> None:
    """Keep what updateJob's answer may lack (key, related objects, account)."""
    new.account = old.account
    if not new.access_key or new.access_key == old.access_key:
        new.access_key = old.access_key
        new.access_key_expiry = old.access_key_expiry
    new.catalog_item = new.catalog_item or old.catalog_item
    new.reach_profile = new.reach_profile or old.reach_profile


def claim(
    conn: ReachConnection,
    task: Task,
    external_task_id: str,
    settle: float = 0.3,
    before_confirm: Callable[[], None] | None = None,
) -> Task:
    """Take a PENDING task: updateJob → PROCESSING with our externalTaskId, then re-read to confirm.

    Kaltura has no compare-and-set, so two linguists can write at almost the same moment; the last
    write wins on the server. Waiting `settle` seconds before the confirming re-read lets a concurrent
    writer land first, so only the real winner confirms. Raises ClaimLost when someone else holds it.
    Status and externalTaskId are read with `read_state`: the reach_vendor profile carries no externalTaskId.
    `before_confirm` is called once our write is in, before the pause: the shell starts opening the
    task's stream then (and drops it if the claim is lost).
    """
    current = read_state(conn, task)
    if current.status != TaskStatus.PENDING and current.external_task_id != external_task_id:
        raise ClaimLost(task, current.external_task_id, current.status)
    if current.status == TaskStatus.PENDING:
        _update(conn, current, status=int(TaskStatus.PROCESSING), externalTaskId=external_task_id)
        if before_confirm is not None:
            before_confirm()
        if settle > 0:
            time.sleep(settle)
    confirmed = get_task(conn, current)
    if confirmed.status != TaskStatus.PROCESSING or confirmed.external_task_id != external_task_id:
        raise ClaimLost(task, confirmed.external_task_id, confirmed.status)
    log.info("Claimed task %s (entry %s) as %s", task.id, task.entry_id, external_task_id)
    return confirmed


def still_ours(conn: ReachConnection, task: Task, external_task_id: str) -> bool:
    """Is the task still PROCESSING under our externalTaskId? Check before delivering: Kaltura has no
    compare-and-set, so a claim can (rarely) be overwritten by someone claiming at the same moment."""
    current = read_state(conn, task)
    return current.status == TaskStatus.PROCESSING and current.external_task_id == external_task_id


def fail(conn: ReachConnection, task: Task, description: str) -> Task:
    """Move the task to ERROR with a short human errDescription (secrets scrubbed)."""
    text = " ".join(conn.redact(description, (task.access_key,)).split())
    if len(text) > ERR_DESCRIPTION_MAX:
        text = text[: ERR_DESCRIPTION_MAX - 1] + "…"
    updated = _update(conn, task, status=int(TaskStatus.ERROR), errDescription=text)
    log.info("Task %s set to ERROR: %s", task.id, text)
    return updated


def finish(conn: ReachConnection, task: Task, output_object_id: str, accuracy: int | None = None) -> Task:
    """Move the task to READY with its output object (and accuracy, when known)."""
    fields: dict = {"status": int(TaskStatus.READY), "outputObjectId": output_object_id}
    if accuracy is not None:
        fields["accuracy"] = int(accuracy)
    return _update(conn, task, **fields)


def extend_access_key(conn: ReachConnection, task: Task) -> Task:
    """A fresh accessKey (vendor KS); Kaltura allows it for PROCESSING and SCHEDULED tasks only."""
    if task.status not in (TaskStatus.PROCESSING, TaskStatus.SCHEDULED):
        raise ReachError(
            "CANNOT_EXTEND_ACCESS_KEY",
            f"Task {task.id} is {task.status.name.lower()}; only claimed tasks can be extended",
        )
    now = time.time()
    obj = conn.call(lambda c: c.reach.entryVendorTask.extendAccessKey(task.id), about=task)
    key = getattr(obj, "accessKey", None)
    if not key:
        raise ReachError("FAILED_EXTEND_ACCESS_KEY", f"Kaltura returned no new access key for task {task.id}")
    task.access_key = key
    task.access_key_expiry = access_key_expiry(key, now, _tat_raw(task))
    task.extra[KEY_ISSUED_AT] = now
    return task


def playback_context(conn: ReachConnection, task: Task, streamer_type: str) -> dict:
    """baseEntry.getPlaybackContext with the task's key, as a plain dict (sources, flavorAssets, ...)."""
    options = KalturaPlaybackContextOptions(streamerType=streamer_type, mediaProtocol="https")
    obj = conn.call(lambda c: c.baseEntry.getPlaybackContext(task.entry_id, options), task=task)
    return plain(obj) or {}


def caption_assets(conn: ReachConnection, task: Task) -> list[dict]:
    """The entry's caption assets (task key), as plain dicts."""
    flt = KalturaCaptionAssetFilter(entryIdEqual=task.entry_id)
    result = conn.call(
        lambda c: c.caption.captionAsset.list(flt, KalturaFilterPager(pageSize=500)), task=task
    )
    return [plain(o) for o in (getattr(result, "objects", None) or [])]


def caption_url(conn: ReachConnection, task: Task, caption_asset_id: str) -> str:
    return str(conn.call(lambda c: c.caption.captionAsset.getUrl(caption_asset_id), task=task))


def caption_content(conn: ReachConnection, task: Task, caption_asset_id: str, timeout: float = 60.0) -> bytes:
    """The bytes of one of the entry's caption assets: getUrl with the task's key, then a bounded download
    (retried on 5xx and dropped connections, refused when absurdly large)."""
    return _download_small(conn, caption_url(conn, task, caption_asset_id), timeout)


@dataclass
class SourceCaptions:
    asset_id: str
    language: str
    accuracy: int | None
    format: str  # KalturaCaptionType value: "1" SRT, "2" DFXP, "3" WebVTT ...
    content: bytes


def needs_source_captions(task: Task) -> bool:
    """Translations from captions: requireSource true or absent (vendor guide, Translation row)."""
    if task.feature != ServiceFeature.TRANSLATION:
        return False
    return task.catalog_item is None or task.catalog_item.require_source is not False


def fetch_source_captions(conn: ReachConnection, task: Task, timeout: float = 60.0) -> SourceCaptions:
    """The source-language captions a translation works from; below 100 % accuracy the task goes to ERROR.

    Uses taskJobData.captionAssetId when Kaltura names the asset, else the entry's caption in the
    catalog item's source language (the most accurate one).
    """
    source, accuracy, problem = _pick_source(conn, task)
    if problem is not None:
        fail(conn, task, problem[1])
        raise SourceCaptionsUnusable(*problem)
    content = caption_content(conn, task, source["id"], timeout)
    return SourceCaptions(
        asset_id=source["id"],
        language=source.get("language") or "",
        accuracy=accuracy,
        format=str(source.get("format") or ""),
        content=content,
    )


def source_captions_problem(conn: ReachConnection, task: Task) -> str | None:
    """Why a translation could not start from its source captions (missing, or below 100 % accurate), read
    without touching the task: checked before the claim, so an unusable task is never claimed."""
    if not needs_source_captions(task):
        return None
    _source, _accuracy, problem = _pick_source(conn, task)
    return problem[1] if problem is not None else None


def _pick_source(conn: ReachConnection, task: Task) -> tuple[dict | None, int | None, tuple[str, str] | None]:
    """(the source caption asset, its accuracy, (code, reason) when it cannot be translated from)."""
    assets = caption_assets(conn, task)
    wanted = task.job_data.get("captionAssetId")
    source = next((a for a in assets if a.get("id") == wanted), None) if wanted else None
    if source is None:
        lang = task.source_language
        candidates = [a for a in assets if not lang or a.get("language") == lang]
        candidates = [a for a in candidates if a.get("status") in (None, 2)] or candidates
        if candidates:
            source = max(candidates, key=lambda a: int(a.get("accuracy") or 0))
    if source is None:
        reason = f"No {task.source_language or 'source'} captions on entry {task.entry_id} to translate from"
        return None, None, ("NO_SOURCE_CAPTIONS", reason)
    accuracy = source.get("accuracy")
    accuracy = int(accuracy) if accuracy not in (None, "") else None
    if accuracy is not None and accuracy < 100:
        reason = (
            f"Source captions ({source.get('language') or task.source_language}, asset {source.get('id')}) "
            f"are {accuracy}% accurate; translation needs 100% accurate source captions"
        )
        return source, accuracy, ("SOURCE_CAPTIONS_NOT_ACCURATE", reason)
    return source, accuracy, None


def _download_small(
    conn: ReachConnection, url: str, timeout: float, attempts: int = 4, max_bytes: int = CAPTION_MAX_BYTES
) -> bytes:
    """GET a caption file (retrying 5xx and dropped connections), refusing anything absurdly large."""
    last = ""
    for attempt in range(attempts):
        try:
            status, body = transport.get_small(url, timeout, max_bytes, getattr(conn, "deadline_at", None))
            if 400 <= status < 500:
                raise ReachError("DOWNLOAD_FAILED", f"Caption download refused: HTTP {status}")
            if status < 400:
                return body
            last = f"HTTP {status}"
        except transport.LimitExceeded as exc:  # deadline, minimum rate, size cap (transport.py)
            if exc.kind == "size":
                raise ReachError(
                    "DOWNLOAD_FAILED", f"Caption file is larger than {max_bytes // 1024**2} MB"
                ) from None
            if exc.kind == "overall":
                raise ReachError(
                    "DEADLINE_EXCEEDED", "The overall deadline ran out during the caption download"
                ) from None
            last = exc.reason
        except requests.RequestException as exc:
            last = type(exc).__name__
        time.sleep(min(2.0, 0.2 * 2**attempt))
    raise ReachError(
        "DOWNLOAD_FAILED", f"Caption download failed after {attempts} attempts ({last})", transient=True
    )


def hand_over(conn: ReachConnection, task: Task, external_task_id: str) -> Task:
    """A claimed (PROCESSING) task changes hands inside the vendor (team take-over): only its
    externalTaskId changes (updateJob may set it: EntryVendorTaskService::updateJobAction), so ownership
    checks before delivery see the new holder."""
    if task.status != TaskStatus.PROCESSING:
        raise ReachError(
            "CANNOT_HAND_OVER",
            f"Task {task.id} is {task.status.name.lower()}; only a claimed task changes hands",
        )
    updated = _update(conn, task, externalTaskId=external_task_id)
    log.info("Task %s handed over to %s", task.id, external_task_id)
    return updated


def get_pending_task(conn: ReachConnection, task_id: int) -> Task | None:
    """One PENDING task by id with its accessKey (getJobs idEqual), or None when it is no longer pending.

    For desktops that read the queue from a team store, where access keys (secrets) are never kept: the
    key a claim needs comes from Kaltura at claim time. getJobsAction applies the rest of the filter
    (EntryVendorTaskService::getJobsAction only forces vendorPartnerIdEqual and the status)."""
    now = time.time()

    def fetch(client):
        flt = KalturaEntryVendorTaskFilter(
            vendorPartnerIdEqual=conn.account.vendor_partner_id,
            statusEqual=int(TaskStatus.PENDING),
            idEqual=task_id,
        )
        return client.reach.entryVendorTask.getJobs(flt, KalturaFilterPager(pageSize=1, pageIndex=1))

    result = conn.call(fetch)
    for obj in list(getattr(result, "objects", None) or []):
        try:
            task = _adopt(conn, task_from(obj), now)
        except TaskMappingError:
            return None
        if task.id == task_id:
            return task
    return None
