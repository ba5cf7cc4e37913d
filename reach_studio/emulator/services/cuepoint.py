"""cuepoint_cuepoint: add / addFromBulk / get / list / update / delete — chapters and other cue points.

Chaptering vendors add KalturaThumbCuePoint objects with subType CHAPTER(2) and startTime in
milliseconds; code, annotation and ad cue points are accepted too. addFromBulk reads Kaltura's
`<scenes>` XML (cuepoint_bulk.py) and answers a KalturaCuePointListResponse; a file with bad scenes is
refused as a whole with one error naming every bad scene, so nothing is half-added.
"""

from __future__ import annotations

from typing import Any

from reach_studio.domain.enums import (
    CuePointStatus,
    EntryStatus,
    EntryType,
    NullableBoolean,
    ThumbCuePointSubType,
)
from reach_studio.emulator.content import (
    by_ids,
    ids_filter,
    list_response,
    now,
    reach_entry,
)
from reach_studio.emulator.cuepoint_bulk import BulkXmlError, parse_bulk_xml
from reach_studio.emulator.errors import ApiError, register_errors
from reach_studio.emulator.ks import Session
from reach_studio.emulator.registry import CallContext, Params, action
from reach_studio.emulator.schema import check_insert, check_update, coerce, define, define_enum

register_errors(
    "INVALID_CUE_POINT_ID;ID;Invalid cue point id [@ID@]",  # plugins/cue_points/base/errors/KalturaCuePointErrors.php
    # plugins/cue_points/base/errors/kCuePointErrors.php
    "END_TIME_CANNOT_BE_LESS_THAN_START_TIME;;End time cannot be less than start time",
    "END_TIME_WITHOUT_START_TIME;;Cannot provide end time without start time",
    "START_TIME_CANNOT_BE_LESS_THAN_0;;Start time cannot be less than 0",
    "START_TIME_IS_BIGGER_THAN_ENTRY_END_TIME;CUE_POINT_ID,END_TIME;Start time of the cue point [@CUE_POINT_ID@] "
    "cannot be bigger than entry end time [@END_TIME@]",
    "END_TIME_IS_BIGGER_THAN_ENTRY_END_TIME;CUE_POINT_ID,END_TIME;End time of the cue point [@CUE_POINT_ID@] "
    "cannot be bigger than entry end time [@END_TIME@]",
    "XML_FILE_NOT_FOUND;;XML file not found",
    "XML_INVALID;REASON;XML is invalid: @REASON@",
    "CUE_POINT_SYSTEM_NAME_EXISTS;NAME,ID;Cue point system name already exists [@NAME@] with id [@ID@]",
)

KIND = "cue_point"
CUE_POINT_TYPES = {
    "KalturaThumbCuePoint": "thumbCuePoint.Thumb",
    "KalturaCodeCuePoint": "codeCuePoint.Code",
    "KalturaAnnotation": "annotation.Annotation",
    "KalturaAdCuePoint": "adCuePoint.Ad",
    "KalturaEventCuePoint": "eventCuePoint.Event",
}

define_enum(
    "KalturaCuePointType",
    "str",
    sorted(
        set(CUE_POINT_TYPES.values()) | {"quiz.QUIZ_ANSWER", "quiz.QUIZ_QUESTION", "sessionCuePoint.Session"}
    ),
)
define_enum("KalturaCuePointStatus", "int", [int(s) for s in CuePointStatus])
define_enum("KalturaThumbCuePointSubType", "int", [int(s) for s in ThumbCuePointSubType])
define(
    "KalturaCuePoint",
    "KalturaObjectBase",
    abstract=True,
    id="str ro",
    intId="int ro",
    cuePointType="enum:KalturaCuePointType ro",
    status="enum:KalturaCuePointStatus ro",
    entryId="str io required",
    partnerId="int ro",
    createdAt="int ro",
    updatedAt="int ro",
    triggeredAt="int",
    tags="str",
    startTime="int",
    userId="str",
    partnerData="str",
    partnerSortValue="int",
    forceStop="enum:KalturaNullableBoolean",
    thumbOffset="int",
    systemName="str",
    isMomentary="bool ro",
    copiedFrom="str ro",
)
define(
    "KalturaThumbCuePoint",
    "KalturaCuePoint",
    assetId="str",
    description="str",
    title="str",
    subType="enum:KalturaThumbCuePointSubType",
)
define(
    "KalturaCodeCuePoint", "KalturaCuePoint", code="str", description="str", endTime="int", duration="int ro"
)
define(
    "KalturaAnnotation",
    "KalturaCuePoint",
    parentId="str",
    text="str",
    endTime="int",
    duration="int ro",
    depth="int ro",
    childrenCount="int ro",
    directChildrenCount="int ro",
    isPublic="enum:KalturaNullableBoolean",
    searchableOnEntry="enum:KalturaNullableBoolean",
)
define(
    "KalturaAdCuePoint",
    "KalturaCuePoint",
    protocolType="str",
    sourceUrl="str",
    adType="str",
    title="str",
    endTime="int",
    duration="int",
)
define("KalturaEventCuePoint", "KalturaCuePoint", eventType="str")
define("KalturaCuePointListResponse", "KalturaListResponse", objects="list:KalturaCuePoint ro")
define(
    "KalturaCuePointFilter",
    "KalturaFilter",
    idEqual="str",
    idIn="str",
    cuePointTypeEqual="str",
    cuePointTypeIn="str",
    statusEqual="int",
    statusIn="str",
    entryIdEqual="str",
    entryIdIn="str",
    tagsLike="str",
    startTimeGreaterThanOrEqual="int",
    startTimeLessThanOrEqual="int",
    systemNameEqual="str",
)
define("KalturaThumbCuePointFilter", "KalturaCuePointFilter", subTypeEqual="int", subTypeIn="str")


# Cue point types whose API object checks endTime (validateEndTimeAndDuration); a thumb cue point does not.
_TIMED_TYPES = {"KalturaCodeCuePoint", "KalturaAnnotation", "KalturaAdCuePoint"}


def _validate(cue: dict[str, Any], entry: dict[str, Any]) -> None:
    """KalturaCuePoint::validateStartTime and validateEndTimeAndDuration: times within the entry."""
    start, end = cue.get("startTime"), cue.get("endTime")
    if start is None and end is not None:
        raise ApiError("END_TIME_WITHOUT_START_TIME")
    start = start or 0
    if start < 0:
        raise ApiError("START_TIME_CANNOT_BE_LESS_THAN_0")
    length = int(entry.get("msDuration") or 0)
    live = str(entry.get("type")) == EntryType.LIVE_STREAM  # no end to check against
    if not live and length and length < start:
        raise ApiError("START_TIME_IS_BIGGER_THAN_ENTRY_END_TIME", CUE_POINT_ID=start, END_TIME=length)
    if cue.get("objectType") in _TIMED_TYPES and end:
        if end < start:
            raise ApiError("END_TIME_CANNOT_BE_LESS_THAN_START_TIME")
        if not live and length and length < end:
            raise ApiError("END_TIME_IS_BIGGER_THAN_ENTRY_END_TIME", CUE_POINT_ID=end, END_TIME=length)


# Who sees which cue point (docs/kaltura-contract.md, "Assets and cue points"). CuePointService::initService
# makes a KS that is not admin and has no `list:*` "user content only"; CuePointPeer::setDefaultCriteriaFilter
# (built lazily at the first query, so after initService) then keeps, for a KS with a user id, the user's own,
# public ones and those of the entry its `list` privilege names, and for a KS without one (a REACH task's
# accessKey: USER KS, user "") only public ones. Public: thumb (chapters), code and ad cue points always
# (their model's getIsPublic() is true), an annotation when its isPublic says so, event cue points never.
_ALWAYS_PUBLIC = {"KalturaThumbCuePoint", "KalturaCodeCuePoint", "KalturaAdCuePoint"}
CHAPTERS_PUBLIC_TAG = "chaptering"  # KalturaAnnotationFilter::CHAPTERS_PUBLIC_TAG


def is_public(cue: dict[str, Any]) -> bool:
    """CuePoint::getIsPublic as each cue point model overrides it."""
    if cue.get("objectType") in _ALWAYS_PUBLIC:
        return True
    return cue.get("isPublic") == NullableBoolean.TRUE_VALUE


def user_content_only(session: Session, entry_filter: str | None = None) -> bool:
    """CuePointService::initService (not admin and no `list:*`), and listAction's resetUserContentFilter (a
    `list` privilege naming the filter's entry lifts it)."""
    if session.is_admin:
        return False
    listed = session.privilege_values("list")
    return "*" not in listed and not (entry_filter and entry_filter in listed)


def may_list(session: Session, cue: dict[str, Any], *, chapters_tag: bool = False) -> bool:
    """A cue point the KS's default criteria let through when it is "user content only"."""
    user = session.user_id
    if user and user != "0":
        own = str(cue.get("userId") or "").lower() == user.lower()
        return own or is_public(cue) or cue.get("entryId") in session.privilege_values("list")
    # no user id: only public ones (a widget-session criterion; tagsLike "chaptering" switches it off)
    return chapters_tag or is_public(cue)


def _store_new(ctx: CallContext, cue: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    stamp = now()
    cue.setdefault("startTime", 0)
    int_id = ctx.store.next_id("cue_point_int")
    cue.update(
        {
            "id": ctx.store.next_id(KIND),
            "intId": int_id,
            "cuePointType": CUE_POINT_TYPES[cue["objectType"]],
            "status": CuePointStatus.READY,
            "partnerId": entry["partnerId"],
            "createdAt": stamp,
            "updatedAt": stamp,
            "isMomentary": cue.get("endTime") is None,
            "userId": cue.get("userId") or (ctx.session.user_id or ""),
        }
    )
    if cue.get("endTime") is not None:
        cue["duration"] = cue["endTime"] - cue["startTime"]
    if cue["objectType"] == "KalturaAnnotation" and cue.get("isPublic") is None:
        cue["isPublic"] = NullableBoolean.FALSE_VALUE  # KalturaAnnotation::toInsertableObject
    return ctx.store.put(KIND, cue)


def _check_system_name(ctx: CallContext, entry_id: str, name: str | None, own_id: str | None = None) -> None:
    """CuePointService add/update: a systemName another (not deleted) cue point of the entry has is
    CUE_POINT_SYSTEM_NAME_EXISTS naming that cue point (CuePointPeer::retrieveBySystemName). The lookup runs
    under the peer's default criteria, so a cue point the KS may not list does not count."""
    if not name:
        return
    session = ctx.require_session()
    hidden = user_content_only(session)
    for other in ctx.store.find(KIND, entryId=entry_id, systemName=name):
        if other["id"] == own_id or other.get("status") == CuePointStatus.DELETED:
            continue
        if int(other.get("partnerId", -1)) != session.partner_id or (hidden and not may_list(session, other)):
            continue
        raise ApiError("CUE_POINT_SYSTEM_NAME_EXISTS", NAME=name, ID=other["id"])


@action("cuepoint_cuepoint", "add")
def add(ctx: CallContext, p: Params) -> dict[str, Any]:
    cue = p.obj("cuePoint", "KalturaCuePoint", required=True)
    check_insert(cue)
    if not cue.get("entryId"):
        raise ApiError("PROPERTY_VALIDATION_CANNOT_BE_NULL", PROP_NAME=f"{cue['objectType']}::entryId")
    entry = reach_entry(ctx, cue["entryId"], write=True)
    _validate(cue, entry)
    _check_system_name(ctx, entry["id"], cue.get("systemName"))
    return _store_new(ctx, cue, entry)


@action("cuepoint_cuepoint", "addFromBulk")
def add_from_bulk(ctx: CallContext, p: Params) -> dict[str, Any]:
    ctx.require_session()
    upload = p.file("fileData", required=False)
    if upload is None:
        raise ApiError("XML_FILE_NOT_FOUND")
    try:
        scenes = parse_bulk_xml(upload.data)
    except BulkXmlError as exc:
        raise ApiError("XML_INVALID", REASON="; ".join(exc.problems)[:2000]) from None
    # check every scene before adding any, so a refused file leaves nothing behind
    problems: list[str] = []
    prepared: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for scene in scenes:
        where = f"scene {scene.index}"
        try:
            cue = coerce(dict(scene.fields), "KalturaCuePoint")
            cue["cuePointType"] = scene.fields["cuePointType"]
            entry = reach_entry(ctx, cue["entryId"], write=True)
            _validate(cue, entry)
        except ApiError as err:
            problems.append(f"{where}: {err.message}")
            continue
        prepared.append((cue, entry))
    if problems:
        raise ApiError("XML_INVALID", REASON="; ".join(problems)[:2000])
    created = [_store_new(ctx, cue, entry) for cue, entry in prepared]
    return {"objectType": "KalturaCuePointListResponse", "objects": created, "totalCount": len(created)}


def _get(ctx: CallContext, cue_id: str | None) -> dict[str, Any]:
    """CuePointService get/update/delete: an unknown, deleted or other partner's cue point is
    INVALID_CUE_POINT_ID (CuePointPeer::retrieveByPK under the partner filter, the user-content criteria off).
    Nothing else is checked: `@validateUser CuePoint id editcuepoint` returns at once because CuePoint is not
    IOwnable (KalturaDispatcher::validateUser), and the service only logs a caller that is not the owner
    (validateUserLog) — any key of the partner whose role may call the action (the REACH vendor role may)
    reads, changes and deletes any of the partner's cue points (docs/kaltura-contract.md, "Assets and cue
    points")."""
    session = ctx.require_session()
    cue = ctx.store.get(KIND, cue_id) if cue_id else None
    if (
        cue is None
        or cue.get("status") == CuePointStatus.DELETED
        or int(cue.get("partnerId", -1)) != session.partner_id
    ):
        raise ApiError("INVALID_CUE_POINT_ID", ID=cue_id)
    return cue


@action("cuepoint_cuepoint", "get")
def get(ctx: CallContext, p: Params) -> dict[str, Any]:
    return _get(ctx, p.str("id", required=True))


@action("cuepoint_cuepoint", "update")
def update(ctx: CallContext, p: Params) -> dict[str, Any]:
    cue = _get(ctx, p.str("id", required=True))
    changes = p.obj("cuePoint", "KalturaCuePoint", required=True)
    if changes["objectType"] != cue["objectType"]:
        raise ApiError("INVALID_OBJECT_TYPE", CLASS_NAME=changes["objectType"])
    changes.pop("objectType")
    # CuePointService::updateAction checks the systemName before KalturaCuePoint::validateForUpdate, which
    # looks the sent entryId up (validateEntryId: ENTRY_ID_NOT_FOUND) before the insert-only check
    _check_system_name(ctx, cue["entryId"], changes.get("systemName"), cue["id"])
    if changes.get("entryId") is not None:
        target = ctx.store.get("entry", changes["entryId"])
        if (
            target is None
            or target.get("status") == EntryStatus.DELETED
            or int(target.get("partnerId", -1)) != ctx.require_session().partner_id
        ):
            raise ApiError("ENTRY_ID_NOT_FOUND", ENTRY_ID=changes["entryId"])
    check_update(cue, {"objectType": cue["objectType"], **changes})
    merged = {**cue, **changes}
    _validate(merged, ctx.store.get("entry", cue["entryId"]) or {})
    changes["updatedAt"] = now()
    if merged.get("endTime") is not None:
        changes["duration"] = merged["endTime"] - merged["startTime"]
        changes["isMomentary"] = False
    return ctx.store.update(KIND, cue["id"], changes)


@action("cuepoint_cuepoint", "delete")
def delete(ctx: CallContext, p: Params) -> None:
    cue = _get(ctx, p.str("id", required=True))
    ctx.store.update(KIND, cue["id"], {"status": CuePointStatus.DELETED, "updatedAt": now()})


@action("cuepoint_cuepoint", "list")
def list_(ctx: CallContext, p: Params) -> dict[str, Any]:
    """CuePointService::listAction / KalturaCuePointFilter::doGetListResponse: idEqual, idIn, entryIdEqual or
    entryIdIn is required; the caller's partner's cue points (entries by partner, no per-entry privilege);
    DELETED never and, for a "user content only" KS, only those it may see (CuePointPeer's default criteria);
    without a pager up to 500 (getMaxInValues)."""
    session = ctx.require_session()
    flt = p.obj("filter", "KalturaCuePointFilter") or {}
    if not any(flt.get(f) for f in ("idEqual", "idIn", "entryIdEqual", "entryIdIn")):
        cls = flt.get("objectType") or "KalturaCuePointFilter"
        raise ApiError(
            "PROPERTY_VALIDATION_CANNOT_BE_NULL",
            PROP_NAME="/".join(f"{cls}::{f}" for f in ("idEqual", "idIn", "entryIdEqual", "entryIdIn")),
        )
    entry_ids = ({flt["entryIdEqual"]} if flt.get("entryIdEqual") else set()) | (
        ids_filter(flt.get("entryIdIn")) or set()
    )
    if entry_ids:
        visible = [c for e in sorted(entry_ids) for c in ctx.store.find(KIND, entryId=e)]
    else:
        visible = ctx.store.find(KIND, partnerId=session.partner_id)
    visible = [
        c
        for c in visible
        if int(c.get("partnerId", -1)) == session.partner_id and c.get("status") != CuePointStatus.DELETED
    ]
    if user_content_only(session, flt.get("entryIdEqual") or flt.get("entryIdIn")):
        chapters_tag = flt.get("tagsLike") == CHAPTERS_PUBLIC_TAG
        visible = [c for c in visible if may_list(session, c, chapters_tag=chapters_tag)]
    if flt.get("statusEqual") is not None:
        visible = [c for c in visible if c.get("status") == flt["statusEqual"]]
    visible = by_ids(visible, flt)
    if flt.get("cuePointTypeEqual"):
        visible = [c for c in visible if c.get("cuePointType") == flt["cuePointTypeEqual"]]
    types = ids_filter(flt.get("cuePointTypeIn"))
    if types is not None:
        visible = [c for c in visible if c.get("cuePointType") in types]
    if flt.get("subTypeEqual") is not None:
        visible = [c for c in visible if c.get("subType") == flt["subTypeEqual"]]
    if flt.get("startTimeGreaterThanOrEqual") is not None:
        visible = [c for c in visible if (c.get("startTime") or 0) >= flt["startTimeGreaterThanOrEqual"]]
    if flt.get("startTimeLessThanOrEqual") is not None:
        visible = [c for c in visible if (c.get("startTime") or 0) <= flt["startTimeLessThanOrEqual"]]
    if flt.get("tagsLike"):
        visible = [c for c in visible if flt["tagsLike"] in (c.get("tags") or "")]
    if flt.get("systemNameEqual"):
        visible = [c for c in visible if c.get("systemName") == flt["systemNameEqual"]]
    visible.sort(key=lambda c: (c.get("startTime") or 0, c.get("intId") or 0))
    return list_response("KalturaCuePointListResponse", visible, p, unpaged_size=500)
