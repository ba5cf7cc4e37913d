"""REACH services: entryVendorTask, vendorCatalogItem and reachProfile, with Kaltura's vendor-side rules.

getJobs is forced to the caller's vendor partner and to PENDING (or SCHEDULED) as EntryVendorTaskService
does; a task's accessKey is a USER KS of the customer partner scoped to the task's entry; updateJob
applies the model's status rules (and no stricter ones) and records who made each move and when. Each rule
is a line of docs/kaltura-contract.md with its source and contract test.
"""

from __future__ import annotations

import itertools
import json
import time
from typing import TYPE_CHECKING, Any

from reach_studio.domain.enums import (
    EntryObjectType,
    ServiceFeature,
    ServiceType,
    TaskCreationMode,
    TaskStatus,
    TurnAroundTime,
)
from reach_studio.emulator import schema
from reach_studio.emulator.errors import ApiError
from reach_studio.emulator.ks import SESSION_USER, kill, make_ks
from reach_studio.emulator.registry import CallContext, Params, action

if TYPE_CHECKING:
    from reach_studio.emulator.server import Emulator

FINAL = {s for s in TaskStatus if s.is_final}

# EntryVendorTask::save(): a move *to* PROCESSING or ABORTED is refused unless the task was waiting
# (PENDING, PENDING_MODERATION, PENDING_ENTRY_READY or SCHEDULED). Every other move of a task that is
# not final is accepted, as are READY without outputObjectId and ERROR without errDescription
# (docs/kaltura-contract.md, "entryVendorTask").
WAITING = {
    TaskStatus.PENDING,
    TaskStatus.PENDING_MODERATION,
    TaskStatus.PENDING_ENTRY_READY,
    TaskStatus.SCHEDULED,
}
GUARDED_TARGETS = {TaskStatus.PROCESSING, TaskStatus.ABORTED}

DEFAULT_PAGE_SIZE = 30
MAX_PAGE_SIZE = 500
SEVEN_DAYS = 7 * 86400
# EntryVendorTask::calculateBusinessDays: business days end at 18:00 New York time, Monday..Friday.
BUSINESS_TZ = "America/New_York"
BUSINESS_DAY_START_HOUR, BUSINESS_DAY_END_HOUR = 6, 18


# ---- helpers shared with the seed and the control API ----------------------------------------------
def _seconds_to_next_business_day(now: float) -> int:
    """EntryVendorTask::calculateSecondsToNextBusinessDay, in New York local time."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    local = datetime.fromtimestamp(int(now), ZoneInfo(BUSINESS_TZ))
    day = local.isoweekday()  # Monday is 1
    hhmmss = local.hour * 10000 + local.minute * 100 + local.second

    def end_of(d: datetime) -> datetime:
        return d.replace(hour=BUSINESS_DAY_END_HOUR, minute=0, second=0)

    if day > 5:  # weekend: the end of the next Monday
        expires = end_of(local + timedelta(days=8 - day))
    else:
        if BUSINESS_DAY_START_HOUR * 10000 <= hhmmss <= BUSINESS_DAY_END_HOUR * 10000:
            expires = local + timedelta(days=1)  # during work hours: 24 hours (wall clock) later
        elif hhmmss < BUSINESS_DAY_START_HOUR * 10000:
            expires = end_of(local)  # before work hours: the end of today
        else:
            expires = end_of(local + timedelta(days=1))  # after work hours: the end of tomorrow
        if expires.isoweekday() > 5:  # lands on a weekend: two days later
            expires = expires + timedelta(days=2)
    return int(expires.timestamp()) - int(now)


def business_days_seconds(days: int, now: float) -> int:
    """EntryVendorTask::calculateBusinessDays: seconds from `now` until `days` business days have passed."""
    total = 0
    remaining = days
    while True:
        total += _seconds_to_next_business_day(now + total)
        remaining -= 1
        if remaining == 0:
            return total


def expected_finish_time(turn_around_time: int | None, now: float) -> int:
    """EntryVendorTask::preSave when a task becomes PENDING: BEST_EFFORT is 7 days, 1..7 are business
    days (weekends skipped), anything else is taken as seconds."""
    tat = int(turn_around_time or 0)
    if tat == TurnAroundTime.BEST_EFFORT:
        tat = SEVEN_DAYS
    elif TurnAroundTime.ONE_BUSINESS_DAY <= tat <= TurnAroundTime.SEVEN_BUSINESS_DAYS:
        tat = business_days_seconds(tat, now)
    return int(now) + tat


def access_key_ttl(emu: Emulator, catalog_item: dict[str, Any]) -> int:
    """VendorCatalogItem::getKsExpiry: max(2 x the *raw* turnAroundTime, 7 days), so business-day and
    best-effort items get 7 days; or the emulator's test override."""
    if emu.access_key_ttl is not None:
        return max(1, int(emu.access_key_ttl))
    return max(SEVEN_DAYS, 2 * int(catalog_item.get("turnAroundTime") or 0))


def _moderates_output(profile: dict[str, Any] | None, catalog_item: dict[str, Any]) -> bool:
    """kReachManager::addEntryVendorTask: the key gets enablecaptionmoderation unless the profile shows
    this service type's captions on the player at once (ReachProfile::shouldModerateOutputCaptions)."""
    profile = profile or {}
    service_type = catalog_item.get("serviceType")
    if service_type == ServiceType.HUMAN:
        shown = profile.get("autoDisplayHumanCaptionsOnPlayer")
    elif service_type == ServiceType.MACHINE:
        shown = profile.get("autoDisplayMachineCaptionsOnPlayer")
    else:
        shown = False
    return shown not in (1, True, "1", "true")


def make_access_key(emu: Emulator, task: dict[str, Any], catalog_item: dict[str, Any]) -> str:
    """A USER KS of the customer partner scoped to the task's entry (VendorCatalogItem::getPrivileges)."""
    partner = emu.store.get("partner", task["partnerId"])
    if partner is None:
        raise ApiError("INVALID_PARTNER_ID", PARTNER_ID=task["partnerId"])
    entry_id = task["entryId"]
    privileges = (
        f"edit:{entry_id},setrole:REACH_VENDOR_ROLE,disableentitlementforentry:{entry_id},"
        f"sview:{entry_id},download:{entry_id}"
    )
    if task.get("_outputModerated"):
        privileges += ",enablecaptionmoderation"
    if catalog_item.get("serviceFeature") == ServiceFeature.SIGN_LANGUAGE:
        privileges += ",editadmintags:*"
    return make_ks(
        partner["secret"],
        partner["id"],
        session_type=SESSION_USER,
        user_id="",
        expiry_s=access_key_ttl(emu, catalog_item),
        privileges=privileges,
    )


def _dictionary_for(profile: dict[str, Any] | None, catalog_item: dict[str, Any]) -> str | None:
    if not profile:
        return None
    for dictionary in profile.get("dictionaries") or []:
        if dictionary.get("language") == catalog_item.get("sourceLanguage"):
            return dictionary.get("data")
    return None


# KalturaVendorTaskData::getInstance (plugins/reach/lib/api/data/entryVendorTaks/KalturaVendorTaskData.php) answers
# only these task data classes; for any other (kVendorTaskData, kLocalizedVendorTaskData, kSignLanguageVendorTaskData)
# it returns null and the task has no taskJobData. Kaltura itself creates task data only for translation of a
# caption asset, sign language of a flavor, intelligent tagging and live (VendorCatalogItem::getTaskJobData and
# its overrides); EntryVendorTask::preSave's entryDuration is commented out, so only live task data (the event's
# length, VendorLiveCaptionCatalogItem::getTaskJobData) carries entryDuration.
SENT_TASK_DATA = frozenset(
    [
        "KalturaAlignmentVendorTaskData",
        "KalturaTranslationVendorTaskData",
        "KalturaIntelligentTaggingVendorTaskData",
        "KalturaScheduledVendorTaskData",
        "KalturaClipsVendorTaskData",
        "KalturaQuizVendorTaskData",
        "KalturaSummaryVendorTaskData",
        "KalturaModerationVendorTaskData",
        "KalturaMetadataEnrichmentVendorTaskData",
        "KalturaSpeechToVideoVendorTaskData",
        "KalturaImmersiveAgentCallVendorTaskData",
        "KalturaImmersiveAgentChatVendorTaskData",
    ]
)


def create_task(emu: Emulator, **fields: Any) -> dict[str, Any]:
    """Order a task the way a customer does (control API, seed): fills what Kaltura derives itself.

    Needs partnerId, entryId, catalogItemId and reachProfileId; accepts notes, taskJobData, status,
    createdAt, expectedFinishTime, price, userId, context, partnerData, accuracy.
    """
    store = emu.store
    for name in ("partnerId", "entryId", "catalogItemId", "reachProfileId"):
        if fields.get(name) in (None, ""):
            raise ApiError("MISSING_MANDATORY_PARAMETER", PARAM_NAME=name)
    item = store.get("catalog_item", fields["catalogItemId"])
    if item is None:
        raise ApiError("CATALOG_ITEM_NOT_FOUND", ID=fields["catalogItemId"])
    profile = store.get("reach_profile", fields["reachProfileId"])
    if profile is None or profile.get("partnerId") != int(fields["partnerId"]):
        raise ApiError("REACH_PROFILE_NOT_FOUND", ID=fields["reachProfileId"])
    entry = store.get("entry", fields["entryId"])
    if entry is None or int(entry.get("partnerId", -1)) != int(fields["partnerId"]):
        raise ApiError("ENTRY_ID_NOT_FOUND", ENTRY_ID=fields["entryId"])
    created = int(fields.get("createdAt") or time.time())
    status = int(fields.get("status") or TaskStatus.PENDING)
    job_data = fields.get("taskJobData")
    if job_data is not None:
        job_data = schema.coerce(job_data, "KalturaVendorTaskData", "taskJobData")
    unsent = None  # kept for the emulator itself, never answered (see SENT_TASK_DATA)
    if job_data is not None and job_data.get("objectType") not in SENT_TASK_DATA:
        unsent, job_data = job_data, None
    task: dict[str, Any] = {
        "objectType": "KalturaEntryVendorTask",
        "id": store.next_id("task"),
        "partnerId": int(fields["partnerId"]),
        "vendorPartnerId": item["vendorPartnerId"],
        "createdAt": created,
        "updatedAt": created,
        "queueTime": created,
        "finishTime": None,
        "entryId": entry["id"],
        "status": status,
        "reachProfileId": profile["id"],
        "catalogItemId": item["id"],
        "price": float(fields.get("price") or round((entry.get("msDuration") or 60000) / 60000 * 1.5, 2)),
        "userId": fields.get("userId") or "customer-admin",
        "entryObjectType": EntryObjectType.ENTRY,
        "unitsUsed": None,
        "moderatingUser": None,
        "errDescription": None,
        "version": "0",
        "notes": fields.get("notes"),
        "dictionary": fields.get("dictionary") or _dictionary_for(profile, item),
        "context": fields.get("context"),
        "accuracy": fields.get("accuracy"),
        "outputObjectId": None,
        "partnerData": fields.get("partnerData"),
        "creationMode": TaskCreationMode.MANUAL,
        "taskJobData": job_data,
        "expectedFinishTime": int(
            fields.get("expectedFinishTime") or expected_finish_time(item.get("turnAroundTime"), created)
        ),
        "serviceType": item.get("serviceType"),
        "serviceFeature": item.get("serviceFeature"),
        "turnAroundTime": item.get("turnAroundTime"),
        "externalTaskId": None,
        "externalObjectId": None,
    }
    if unsent is not None:
        task["_taskJobData"] = unsent
    task["_outputModerated"] = _moderates_output(profile, item)
    task["accessKey"] = make_access_key(emu, task, item)
    store.put("task", task)
    store.add_history(task["id"], status, f"customer:{task['partnerId']}", at=float(created))
    return task


def customer_abort(emu: Emulator, task_id: int) -> dict[str, Any]:
    """The customer aborts a task that is not finished (control API; also while the vendor works on it)."""
    with emu.store.atomic():
        task = emu.store.get("task", task_id)
        if task is None:
            raise ApiError("ENTRY_VENDOR_TASK_NOT_FOUND", ID=task_id)
        if task["status"] in FINAL:
            raise ApiError(
                "CANNOT_UPDATE_STATUS_OF_TASK_WHICH_IS_IN_FINAL_STATE",
                ID=task_id,
                OLD_STATUS=task["status"],
                NEW_STATUS=TaskStatus.ABORTED,
            )
        now = int(time.time())  # no finishTime: EntryVendorTask::preSave sets it for READY and ERROR only
        task = emu.store.update("task", task_id, {"status": TaskStatus.ABORTED, "updatedAt": now})
        emu.store.add_history(task_id, TaskStatus.ABORTED, f"customer:{task['partnerId']}")
        return task


def _list_response(type_name: str, objects: list[dict[str, Any]], total: int | None = None) -> dict[str, Any]:
    return {
        "objectType": type_name,
        "objects": objects,
        "totalCount": len(objects) if total is None else total,
    }


def _with_related(ctx: CallContext, p: Params, task: dict[str, Any]) -> dict[str, Any]:
    """The task as the action answers it: through the reach_vendor response profile when the client names it."""
    if p.response_profile_name() != "reach_vendor":
        return task
    return reach_vendor_view(ctx, task)


# ---- the reach_vendor response profile ------------------------------------------------------------------
# kaltura/server deployment/updates/scripts/xml/responseProfiles/2021_01_03_update_reach_vendor_response_profiles
# .template.xml: type 1 (ResponseProfileType::INCLUDE_FIELDS) with these fields only. The update leaves the
# relatedProfiles of 2020_11_03_update_reach_vendor_response_profiles.template.xml in place: both are type 2
# (EXCLUDE_FIELDS). KalturaObject::fromObject hands the same profile to nested objects (taskJobData via
# KalturaVendorTaskData::getInstance), so the include list filters taskJobData's fields too; arrays are
# copied with fromDbArray and are not filtered.
REACH_VENDOR_FIELDS = frozenset(
    [
        "id",
        "partnerId",
        "vendorPartnerId",
        "createdAt",
        "entryId",
        "status",
        "version",
        "reachProfileId",
        "catalogItemId",
        "accessKey",
        "notes",
        "dictionary",
        "taskJobData",
        "captionAssetId",
        "jsonTranscriptAssetId",
        "textTranscriptAssetId",
    ]
)
REACH_VENDOR_CATALOG_ITEM_EXCLUDED = frozenset(
    [
        "id",
        "vendorPartnerId",
        "name",
        "systemName",
        "createdAt",
        "updatedAt",
        "status",
        "pricing",
        "fixedPriceAddons",
    ]
)
REACH_VENDOR_PROFILE_EXCLUDED = frozenset(
    [
        "id",
        "partnerId",
        "createdAt",
        "updatedAt",
        "status",
        "profileType",
        "rules",
        "credit",
        "usedCredit",
        "dictionaries",
        "autoDisplayMachineCaptionsOnPlayer",
        "autoDisplayHumanCaptionsOnPlayer",
        "enableMachineModeration",
        "enableHumanModeration",
    ]
)


def profile_filtered(obj: dict[str, Any], fields: frozenset[str], include: bool) -> dict[str, Any]:
    """An object as KalturaObject::fromObject serialises it under a response profile (nested objects too)."""
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if key == "objectType" or key.startswith("_"):
            out[key] = value
            continue
        if (key in fields) != include:
            continue
        out[key] = profile_filtered(value, fields, include) if isinstance(value, dict) else value
    return out


def reach_vendor_view(ctx: CallContext, task: dict[str, Any]) -> dict[str, Any]:
    """The task through the reach_vendor profile: whitelisted fields + the exclude-filtered related objects."""
    item = ctx.store.get("catalog_item", task["catalogItemId"])
    profile = ctx.store.get("reach_profile", task["reachProfileId"])
    view = profile_filtered(task, REACH_VENDOR_FIELDS, include=True)
    items = [profile_filtered(item, REACH_VENDOR_CATALOG_ITEM_EXCLUDED, include=False)] if item else []
    profiles = [profile_filtered(profile, REACH_VENDOR_PROFILE_EXCLUDED, include=False)] if profile else []
    view["relatedObjects"] = {
        "reach_vendor_catalog_item": _list_response("KalturaVendorCatalogItemListResponse", items),
        "reach_vendor_profile": _list_response("KalturaReachProfileListResponse", profiles),
    }
    return view


def _page(p: Params, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    pager = p.obj("pager", "KalturaFilterPager") or {}
    size = pager.get("pageSize") or DEFAULT_PAGE_SIZE
    size = DEFAULT_PAGE_SIZE if size <= 0 else min(size, MAX_PAGE_SIZE)
    index = max(1, pager.get("pageIndex") or 1)
    return items[(index - 1) * size : index * size]


def _ints(text: str | None) -> set[int]:
    out = set()
    for part in (text or "").split(","):
        part = part.strip()
        if part.lstrip("-").isdigit():
            out.add(int(part))
    return out


def _apply_filter(tasks: list[dict[str, Any]], f: dict[str, Any]) -> list[dict[str, Any]]:
    def keep(t: dict[str, Any]) -> bool:
        if f.get("idEqual") is not None and t["id"] != f["idEqual"]:
            return False
        if f.get("idIn") and t["id"] not in _ints(f["idIn"]):
            return False
        if f.get("idNotIn") and t["id"] in _ints(f["idNotIn"]):
            return False
        if f.get("entryIdEqual") and t["entryId"] != f["entryIdEqual"]:
            return False
        if f.get("entryIdIn") and t["entryId"] not in {x.strip() for x in f["entryIdIn"].split(",")}:
            return False
        # KalturaEntryVendorTaskBaseFilter maps these to _eq_/_in_ reach_profile_id and catalog_item_id, which
        # EntryVendorTaskFilter (baseObjectFilter) applies to list and getJobs alike (docs: "entryVendorTask")
        if f.get("reachProfileIdEqual") is not None and t["reachProfileId"] != f["reachProfileIdEqual"]:
            return False
        if f.get("reachProfileIdIn") and t["reachProfileId"] not in _ints(f["reachProfileIdIn"]):
            return False
        if f.get("catalogItemIdEqual") is not None and t["catalogItemId"] != f["catalogItemIdEqual"]:
            return False
        if f.get("catalogItemIdIn") and t["catalogItemId"] not in _ints(f["catalogItemIdIn"]):
            return False
        if f.get("partnerIdEqual") is not None and t["partnerId"] != f["partnerIdEqual"]:
            return False
        for field in ("createdAt", "updatedAt", "queueTime", "finishTime", "expectedFinishTime"):
            low, high = f.get(f"{field}GreaterThanOrEqual"), f.get(f"{field}LessThanOrEqual")
            value = t.get(field)
            if low is not None and (value is None or value < low):
                return False
            if high is not None and (value is None or value > high):
                return False
        return True

    tasks = [t for t in tasks if keep(t)]
    order = f.get("orderBy")
    if order and order[1:] in schema.all_fields("KalturaEntryVendorTask"):
        key = order[1:]
        tasks.sort(key=lambda t: (t.get(key) is None, t.get(key) or 0), reverse=order.startswith("-"))
    return tasks


def _vendor_task(ctx: CallContext, task_id: int) -> dict[str, Any]:
    session = ctx.require_vendor()
    task = ctx.store.get("task", task_id)
    if task is None or task.get("vendorPartnerId") != session.partner_id:
        raise ApiError("ENTRY_VENDOR_TASK_NOT_FOUND", ID=task_id)
    return task


# ---- entryVendorTask ----------------------------------------------------------------------------------
def _get_jobs_statuses(f: dict[str, Any]) -> tuple[int, set[int] | None]:
    """EntryVendorTaskService::getJobsAction: statusEqual/statusIn naming anything but PENDING or SCHEDULED
    (or nothing) becomes statusEqual=PENDING; a statusIn that was sent still applies on top."""
    status_equal, status_in = f.get("statusEqual"), f.get("statusIn")
    if status_equal or status_in:
        asked = [str(status_equal)] if status_equal else str(status_in).split(",")
        if any(a not in (str(TaskStatus.PENDING), str(TaskStatus.SCHEDULED)) for a in asked):
            status_equal = TaskStatus.PENDING
    else:
        status_equal = TaskStatus.PENDING
    return status_equal, (_ints(status_in) if status_in else None)


def _indexed_status_matches(
    ctx: CallContext, task: dict[str, Any], status_equal: int | None, status_in: set[int] | None
) -> bool:
    """getJobs searches the sphinx index, which lags the database: for `emu.index_lag_s` seconds after a task
    changed status it is still found under its old one (the object returned carries the new status)."""
    statuses = {task["status"]}
    lag = float(getattr(ctx.emu, "index_lag_s", 0.0) or 0.0)
    if lag > 0:
        history = ctx.store.history(task["id"])
        since = time.time() - lag
        statuses |= {h["status"] for h, later in itertools.pairwise(history) if later["at"] >= since}
    if status_equal is not None and status_equal not in statuses:
        return False
    return status_in is None or bool(statuses & status_in)


@action("reach_entryvendortask", "getJobs")
def get_jobs(ctx: CallContext, p: Params) -> dict[str, Any]:
    session = ctx.require_session()
    if (
        not ctx.is_vendor_session()
    ):  # permission item REACH_VENDOR_PARTNER (service.reach.entryVendorTask.ini)
        raise ApiError("SERVICE_FORBIDDEN", SERVICE="reach_entryVendorTask->getJobs")
    f = p.obj("filter", "KalturaEntryVendorTaskFilter") or {}
    status_equal, status_in = _get_jobs_statuses(f)
    tasks = [
        t
        for t in ctx.store.find("task", vendorPartnerId=session.partner_id)
        if _indexed_status_matches(ctx, t, status_equal, status_in)
    ]
    tasks = _apply_filter(tasks, f)
    page = [_with_related(ctx, p, t) for t in _page(p, tasks)]
    return _list_response("KalturaEntryVendorTaskListResponse", page, len(tasks))


@action("reach_entryvendortask", "list")
def list_tasks(ctx: CallContext, p: Params) -> dict[str, Any]:
    session = ctx.require_session()
    f = p.obj("filter", "KalturaEntryVendorTaskFilter") or {}
    if ctx.is_vendor_session():
        tasks = ctx.store.find("task", vendorPartnerId=session.partner_id)
    else:
        tasks = [t for t in ctx.store.find("task", partnerId=session.partner_id) if _can_see_task(ctx, t)]
    if f.get("statusEqual") is not None:
        tasks = [t for t in tasks if t["status"] == f["statusEqual"]]
    if f.get("statusIn"):
        wanted = _ints(f["statusIn"])
        tasks = [t for t in tasks if t["status"] in wanted]
    tasks = _apply_filter(tasks, f)
    page = [_with_related(ctx, p, t) for t in _page(p, tasks)]
    return _list_response("KalturaEntryVendorTaskListResponse", page, len(tasks))


def _can_see_task(ctx: CallContext, task: dict[str, Any]) -> bool:
    session = ctx.session
    if session is None or session.is_widget:
        return False
    if ctx.is_vendor_session():
        return task.get("vendorPartnerId") == session.partner_id
    entry = ctx.store.get("entry", task["entryId"]) or {"id": task["entryId"], "partnerId": task["partnerId"]}
    return ctx.can_reach_entry(entry)


@action("reach_entryvendortask", "get")
def get(ctx: CallContext, p: Params) -> dict[str, Any]:
    ctx.require_session()
    task_id = p.int("id", required=True)
    task = ctx.store.get("task", task_id)
    # With the task's accessKey or a customer admin KS; a key for another entry sees nothing, as if the
    # task did not exist. The vendor's own KS does not see it either: EntryVendorTaskService::initService
    # filters get by the caller's partner (docs/kaltura-contract.md#entryvendortask).
    if task is None or ctx.is_vendor_session() or not _can_see_task(ctx, task):
        raise ApiError("ENTRY_VENDOR_TASK_NOT_FOUND", ID=task_id)
    return _with_related(ctx, p, task)


def check_status_move(task: dict[str, Any], changes: dict[str, Any]) -> None:
    """KalturaEntryVendorTask::validateForUpdate and EntryVendorTask::save, as updateJob applies them."""
    old = task["status"]
    new = changes.get("status") or old
    if old in FINAL:
        if new != old:
            raise ApiError(
                "CANNOT_UPDATE_STATUS_OF_TASK_WHICH_IS_IN_FINAL_STATE",
                ID=task["id"],
                OLD_STATUS=old,
                NEW_STATUS=new,
            )
        if changes.get("unitsUsed"):  # any non-zero value, even the same one
            raise ApiError(
                "CANNOT_UPDATE_UNIT_USED_OF_TASK_WHICH_IS_IN_FINAL_STATE",
                ID=task["id"],
                OLD_UNITS_USED=task.get("unitsUsed"),
                NEW_UNITS_USED=changes["unitsUsed"],
            )
    if new != old and new in GUARDED_TARGETS and old not in WAITING:
        raise ApiError(
            "ENTRY_VENDOR_TASK_ITEM_COULD_NOT_BE_UPDATED",
            REASON=f"Entry vendor task item with id [{task['id']}] could not be updated to status [{new}]",
        )


@action("reach_entryvendortask", "updateJob")
def update_job(ctx: CallContext, p: Params) -> dict[str, Any]:
    task_id = p.int("id", required=True)
    changes = p.obj("entryVendorTask", "KalturaEntryVendorTask", required=True)
    with ctx.store.atomic():  # two claims of one task at once: only one moves it
        return _with_related(ctx, p, _update_job(ctx, task_id, changes))


def _update_job(ctx: CallContext, task_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    task = _vendor_task(ctx, task_id)
    changes.pop("objectType", None)
    schema.check_update(task, changes)
    if "partnerData" in changes and changes["partnerData"] not in (None, ""):
        try:
            json.loads(changes["partnerData"])
        except ValueError:
            raise ApiError("PARTNER_DATA_NOT_VALID_JSON_STRING") from None
    old = task["status"]
    new = changes.get("status") or old
    check_status_move(task, changes)
    if new != old and new == TaskStatus.PENDING:  # EntryVendorTask::preSave: queued again
        item = ctx.store.get("catalog_item", task["catalogItemId"]) or {}
        stamp = time.time()
        changes["queueTime"] = int(stamp)
        changes["expectedFinishTime"] = expected_finish_time(item.get("turnAroundTime"), stamp)
    if "taskJobData" in changes and changes["taskJobData"] is not None and task.get("taskJobData"):
        job = dict(task["taskJobData"])
        job_changes = {k: v for k, v in changes["taskJobData"].items() if k != "objectType"}
        schema.check_update(job, {"objectType": job.get("objectType"), **job_changes})
        job.update(job_changes)
        changes["taskJobData"] = job
    now = int(time.time())
    changes["updatedAt"] = now
    if new != old and new in (TaskStatus.READY, TaskStatus.ERROR):  # EntryVendorTask::preSave
        changes["finishTime"] = now
    task = ctx.store.update("task", task_id, changes)
    if new != old:
        ctx.store.add_history(task_id, new, f"vendor:{ctx.session.partner_id}", client_tag=ctx.client_tag)
        if new == TaskStatus.READY:
            kill_access_key_on_ready(ctx, task)
    return task


def kill_access_key_on_ready(ctx: CallContext, task: dict[str, Any]) -> None:
    """kReachManager::handleEntryVendorTaskStatusChanged → invalidateAccessKey: once READY, the task's
    accessKey is killed (ks::kill); any later call with it is refused as INVALID_KS (-6, LOGOUT)."""
    kill(ctx.store, task.get("accessKey") or "")


@action("reach_entryvendortask", "extendAccessKey")
def extend_access_key(ctx: CallContext, p: Params) -> dict[str, Any]:
    task_id = p.int("id", required=True)
    session = ctx.require_session()
    with ctx.store.atomic():
        # EntryVendorTaskService::extendAccessKeyAction checks only that the caller is the task's vendor
        task = ctx.store.get("task", task_id)
        if task is None or task.get("vendorPartnerId") != session.partner_id:
            raise ApiError("ENTRY_VENDOR_TASK_NOT_FOUND", ID=task_id)
        if task["status"] not in (TaskStatus.SCHEDULED, TaskStatus.PROCESSING):
            raise ApiError("CANNOT_EXTEND_ACCESS_KEY")
        item = ctx.store.get("catalog_item", task["catalogItemId"]) or {}
        key = make_access_key(ctx.emu, task, item)
        task = ctx.store.update("task", task_id, {"accessKey": key, "updatedAt": int(time.time())})
        return _with_related(ctx, p, task)


@action("reach_entryvendortask", "abort")
def abort(ctx: CallContext, p: Params) -> dict[str, Any]:
    """EntryVendorTaskService::abortAction: the customer's partner (partner filter), only while the task
    waits (PENDING_MODERATION, PENDING, SCHEDULED); a USER KS only for the user who ordered it."""
    session = ctx.require_session()
    task_id = p.int("id", required=True)
    reason = p.str("abortReason")
    with ctx.store.atomic():
        task = ctx.store.get("task", task_id)
        if task is None or task["partnerId"] != session.partner_id:
            raise ApiError("ENTRY_VENDOR_TASK_NOT_FOUND", ID=task_id)
        if task["status"] not in (TaskStatus.PENDING_MODERATION, TaskStatus.PENDING, TaskStatus.SCHEDULED):
            raise ApiError("CANNOT_ABORT_NOT_MODERATED_TASK", ID=task_id)
        if not session.is_admin and session.user_id != (task.get("userId") or ""):
            raise ApiError("ENTRY_VENDOR_TASK_ACTION_NOT_ALLOWED", ID=task_id, USER_ID=session.user_id)
        customer_abort(ctx.emu, task_id)
        return ctx.store.update("task", task_id, {"errDescription": reason})


# ---- vendorCatalogItem and reachProfile ---------------------------------------------------------------
@action("reach_vendorcatalogitem", "get")
def get_catalog_item(ctx: CallContext, p: Params) -> dict[str, Any]:
    ctx.require_session()
    item_id = p.int("id", required=True)
    item = ctx.store.get("catalog_item", item_id)
    if item is None:
        raise ApiError("CATALOG_ITEM_NOT_FOUND", ID=item_id)
    return item


@action("reach_vendorcatalogitem", "list")
def list_catalog_items(ctx: CallContext, p: Params) -> dict[str, Any]:
    """KalturaVendorCatalogItemFilter::doGetListResponse: `idEqual` alone is not filtered by partner; otherwise
    only the items the caller's own partner enabled (a vendor enables none), and a `partnerIdEqual` naming
    another partner lists nothing (docs/kaltura-contract.md, "Catalog items and REACH profiles")."""
    session = ctx.require_session()
    items = ctx.store.all("catalog_item")
    flt = p.raw.get("filter") if isinstance(p.raw.get("filter"), dict) else {}
    partner_equal = flt.get("partnerIdEqual")
    if partner_equal not in (None, "", 0, "0") and str(partner_equal) != str(session.partner_id):
        items = []
    elif partner_equal not in (None, "", 0, "0") or flt.get("idEqual") in (None, ""):
        enabled = _enabled_catalog_item_ids(ctx, session.partner_id)
        items = [i for i in items if i.get("id") in enabled]
    if flt.get("idEqual") not in (None, ""):
        items = [i for i in items if str(i.get("id")) == str(flt["idEqual"])]
    if flt.get("idIn") not in (None, ""):
        wanted = {part.strip() for part in str(flt["idIn"]).split(",")}
        items = [i for i in items if str(i.get("id")) in wanted]
    page = _page(p, items)
    return _list_response("KalturaVendorCatalogItemListResponse", page, len(items))


def _enabled_catalog_item_ids(ctx: CallContext, partner_id: int) -> set[int]:
    """The items a partner enabled (Kaltura's PartnerCatalogItem, which the emulator does not store): a customer
    orders only enabled items (EntryVendorTaskService::addAction), so the items of its tasks; a vendor none."""
    return {t["catalogItemId"] for t in ctx.store.find("task", partnerId=partner_id)}


@action("reach_reachprofile", "get")
def get_reach_profile(ctx: CallContext, p: Params) -> dict[str, Any]:
    """ReachProfileService::initService applies the partner filter: only the caller's partner's profiles (a
    vendor's KS finds none; the task's accessKey, a KS of the customer, finds the task's)."""
    session = ctx.require_session()
    profile_id = p.int("id", required=True)
    profile = ctx.store.get("reach_profile", profile_id)
    if profile is None or profile.get("partnerId") != session.partner_id:
        raise ApiError("REACH_PROFILE_NOT_FOUND", ID=profile_id)
    return profile


@action("reach_reachprofile", "list")
def list_reach_profiles(ctx: CallContext, p: Params) -> dict[str, Any]:
    """The caller's partner's own profiles (partner filter): a vendor has none."""
    session = ctx.require_session()
    profiles = ctx.store.find("reach_profile", partnerId=session.partner_id)
    page = _page(p, profiles)
    return _list_response("KalturaReachProfileListResponse", page, len(profiles))
