"""schedule_scheduleevent: get and updateLiveFeature — how a live-caption vendor hands Kaltura its endpoints.

When a live REACH task is scheduled Kaltura adds a KalturaLiveCaptionFeature named
`LiveCaptionFeature-reach-{taskId}` to the customer's KalturaLiveStreamScheduleEvent; the vendor fills
in mediaUrl/mediaKey (where to restream) and captionUrl/captionToken (the caption websocket) with
updateLiveFeature. Refusals follow ScheduleEventService (docs/kaltura-contract.md#live): INVALID_OBJECT_ID
for an unknown
event, INVALID_SCHEDULE_EVENT_TYPE for one that is not a live stream event, FEATURE_NAME_NOT_FOUND.
`add_live_event` is what the seed uses to create such an event.
"""

from __future__ import annotations

from typing import Any

from reach_studio.domain.enums import ScheduleEventStatus
from reach_studio.emulator.content import can_reach, now
from reach_studio.emulator.errors import ApiError, register_errors
from reach_studio.emulator.registry import CallContext, Params, action
from reach_studio.emulator.schema import define, define_enum

register_errors(
    'SCHEDULE_EVENT_ID_NOT_FOUND;ID;Schedule event id "@ID@" not found',
    "INVALID_SCHEDULE_EVENT_TYPE;ID;Schedule event [@ID@] is not a live stream schedule event",
    "FEATURE_NAME_NOT_FOUND;NAME;Feature [@NAME@] not found",
    "CANNOT_UPDATE_SCHEDULE_EVENT_FEATURE;;Cannot update the schedule event feature",
)

KIND = "schedule_event"

define_enum("KalturaScheduleEventStatus", "int", [int(s) for s in ScheduleEventStatus])
define_enum("KalturaScheduleEventRecurrenceType", "int", [0, 1, 2])
define("KalturaLiveFeature", "KalturaObjectBase", systemName="str", preStartTime="int", postEndTime="int")
define(
    "KalturaLiveCaptionFeature",
    "KalturaLiveFeature",
    mediaUrl="str",
    mediaKey="str",
    captionUrl="str",
    captionToken="str",
    inputDelay="int",
    captionFormat="str",
    language="str",
)
define(
    "KalturaScheduleEvent",
    "KalturaObjectBase",
    abstract=True,
    id="int ro",
    partnerId="int ro",
    parentId="int ro",
    summary="str",
    description="str",
    status="enum:KalturaScheduleEventStatus ro",
    startDate="int",
    endDate="int",
    referenceId="str",
    classificationType="int",
    location="str",
    organizer="str",
    ownerId="str",
    priority="int",
    sequence="int",
    recurrenceType="enum:KalturaScheduleEventRecurrenceType",
    duration="int",
    contact="str",
    comment="str",
    tags="str",
    createdAt="int ro",
    updatedAt="int ro",
)
define(
    "KalturaEntryScheduleEvent",
    "KalturaScheduleEvent",
    abstract=True,
    templateEntryId="str",
    entryIds="str",
    categoryIds="str",
)
define("KalturaRecordScheduleEvent", "KalturaEntryScheduleEvent")
define("KalturaBaseLiveScheduleEvent", "KalturaEntryScheduleEvent", abstract=True)
define("KalturaLiveRedirectScheduleEvent", "KalturaBaseLiveScheduleEvent", redirectEntryId="str")
define(
    "KalturaLiveStreamScheduleEvent",
    "KalturaBaseLiveScheduleEvent",
    sourceEntryId="str",
    projectedAudience="int",
    preStartTime="int",
    postEndTime="int",
    preStartEntryId="str",
    postEndEntryId="str",
    isContentInterruptible="bool",
    liveFeatures="list:KalturaLiveFeature",
)


def feature_name(task_id: int) -> str:
    """The systemName Kaltura gives the caption feature of a scheduled live REACH task."""
    return f"LiveCaptionFeature-reach-{int(task_id)}"


def add_live_event(
    emu: Any,
    partner_id: int,
    entry_id: str,
    start: int,
    end: int,
    *,
    features: list[dict[str, Any]] | None = None,
    object_type: str = "KalturaLiveStreamScheduleEvent",
    summary: str = "Live event",
) -> dict[str, Any]:
    """Create a schedule event (for the seed and tests); features are KalturaLiveCaptionFeature dicts."""
    stamp = now()
    event: dict[str, Any] = {
        "objectType": object_type,
        "id": emu.store.next_id(KIND),
        "partnerId": partner_id,
        "summary": summary,
        "status": ScheduleEventStatus.ACTIVE,
        "startDate": int(start),
        "endDate": int(end),
        "duration": int(end) - int(start),
        "templateEntryId": entry_id,
        "entryIds": entry_id,
        "createdAt": stamp,
        "updatedAt": stamp,
        "recurrenceType": 0,
    }
    if object_type == "KalturaLiveStreamScheduleEvent":
        event.update(
            {
                "sourceEntryId": entry_id,
                "preStartTime": 0,
                "postEndTime": 0,
                "liveFeatures": [
                    dict({"objectType": "KalturaLiveCaptionFeature"}, **f) for f in features or []
                ],
            }
        )
    return emu.store.put(KIND, event)


def _event(ctx: CallContext, event_id: int | None) -> dict[str, Any]:
    session = ctx.require_session()
    event = ctx.store.get(KIND, event_id) if event_id is not None else None
    if (
        event is None
        or int(event.get("partnerId", -1)) != session.partner_id
        or event.get("status") == ScheduleEventStatus.DELETED
    ):
        raise ApiError("INVALID_OBJECT_ID", ID=event_id)
    if not session.is_admin:
        # an entry-scoped key (the task's accessKey) reaches only the events of its own entry
        entry_ids = {
            event.get("templateEntryId"),
            event.get("sourceEntryId"),
            *str(event.get("entryIds") or "").split(","),
        } - {None, ""}
        entries = [ctx.store.get("entry", e) for e in entry_ids]
        if not any(e is not None and can_reach(ctx, e) for e in entries):
            raise ApiError("INVALID_OBJECT_ID", ID=event_id)
    return event


@action("schedule_scheduleevent", "get")
def get(ctx: CallContext, p: Params) -> dict[str, Any]:
    return _event(ctx, p.int("scheduleEventId", required=True))


@action("schedule_scheduleevent", "updateLiveFeature")
def update_live_feature(ctx: CallContext, p: Params) -> dict[str, Any]:
    event_id = p.int("scheduledEventId", required=True)
    name = p.str("featureName", required=True)
    feature = p.obj("liveFeature", "KalturaLiveFeature", required=True)
    event = _event(ctx, event_id)
    if event.get("objectType") != "KalturaLiveStreamScheduleEvent":
        raise ApiError("INVALID_SCHEDULE_EVENT_TYPE", ID=event_id)
    features = [dict(f) for f in event.get("liveFeatures") or []]
    index = next((i for i, f in enumerate(features) if f.get("systemName") == name), None)
    if index is None:
        raise ApiError("FEATURE_NAME_NOT_FOUND", NAME=name)
    current = features[index]
    if feature["objectType"] != current.get("objectType", "KalturaLiveCaptionFeature"):
        # the feature keeps its type; a different subclass cannot replace it
        raise ApiError("CANNOT_UPDATE_SCHEDULE_EVENT_FEATURE")
    changes = {k: v for k, v in feature.items() if k not in ("objectType", "systemName")}
    features[index] = {**current, **changes}
    return ctx.store.update(KIND, event["id"], {"liveFeatures": features, "updatedAt": now()})
