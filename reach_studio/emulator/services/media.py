"""media: add / addContent / get / update / list — media entries, and the entries the seed makes.

An entry made by media.add has no content (status NO_CONTENT "7"); addContent attaches a resource, the
entry is PRECONVERT ("1") while it is "processed" in the background, and then READY ("2") with a source
flavor, duration and dimensions from probing the file — or ERROR_CONVERTING ("-1") when the content is
not media. `add_generated_entry` is what the demo seed and the tests use to make entries with the media
factory's flavors (source, two video sizes, audio-only), optionally without HLS (`hls=False`).
"""

from __future__ import annotations

from typing import Any

from reach_studio.domain.enums import (
    AssetStatus,
    EntryModerationStatus,
    EntrySourceType,
    EntryStatus,
    EntryType,
    MediaType,
    NullableBoolean,
)
from reach_studio.emulator.content import (
    attach_resource,
    await_upload,
    by_ids,
    can_reach,
    ids_filter,
    list_response,
    now,
    reach_entry,
    run_later,
    unfinished_token,
)
from reach_studio.emulator.errors import ApiError, register_errors
from reach_studio.emulator.registry import CallContext, Params, action
from reach_studio.emulator.schema import check_insert, check_update, define, define_enum

register_errors("ENTRY_ALREADY_WITH_CONTENT;;Entry already associated with content")

PROCESS_DELAY_S = 0.2

define_enum(
    "KalturaEntryStatus",
    "str",
    [str(s) for s in EntryStatus] + ["virusScan.Infected", "virusScan.ScanFailure"],
)
define_enum("KalturaEntryType", "str", None)
define_enum("KalturaMediaType", "int", [int(t) for t in MediaType] + [202, 203, 204])
define_enum("KalturaSourceType", "str", None)
define("KalturaMultiLingualString", "KalturaObjectBase", language="str", value="str")
define(
    "KalturaBaseEntry",
    "KalturaObjectBase",
    id="str ro",
    name="str",
    multiLingual_name="list:KalturaMultiLingualString",
    description="str",
    multiLingual_description="list:KalturaMultiLingualString",
    partnerId="int ro",
    userId="str",
    creatorId="str io",
    tags="str",
    multiLingual_tags="list:KalturaMultiLingualString",
    adminTags="str",
    categories="str",
    categoriesIds="str",
    status="enum:KalturaEntryStatus ro",
    moderationStatus="int ro",
    moderationCount="int ro",
    type="enum:KalturaEntryType io",
    createdAt="int ro",
    updatedAt="int ro",
    rank="float ro",
    totalRank="int ro",
    votes="int ro",
    groupId="int",
    partnerData="str",
    downloadUrl="str ro",
    searchText="str ro",
    licenseType="int",
    version="int ro",
    thumbnailUrl="str ro",
    accessControlId="int",
    startDate="int",
    endDate="int",
    referenceId="str",
    replacingEntryId="str ro",
    replacedEntryId="str ro",
    replacementStatus="str ro",
    partnerSortValue="int",
    conversionProfileId="int",
    redirectEntryId="str",
    rootEntryId="str ro",
    parentEntryId="str",
    entitledUsersEdit="str",
    entitledUsersPublish="str",
    entitledUsersView="str",
    capabilities="str ro",
    templateEntryId="str io",
    displayInSearch="int",
    application="str",
    applicationVersion="str",
    blockAutoTranscript="bool",
    defaultLanguage="str",
    responseLanguage="str ro",
)
define(
    "KalturaPlayableEntry",
    "KalturaBaseEntry",
    plays="int ro",
    views="int ro",
    lastPlayedAt="int ro",
    width="int ro",
    height="int ro",
    duration="int ro",
    msDuration="int",
    durationType="str ro",
)
define(
    "KalturaMediaEntry",
    "KalturaPlayableEntry",
    mediaType="enum:KalturaMediaType io",
    conversionQuality="str io",
    sourceType="enum:KalturaSourceType io",
    sourceVersion="str io",
    searchProviderType="int",
    searchProviderId="str",
    creditUserName="str",
    creditUrl="str",
    mediaDate="int ro",
    dataUrl="str ro",
    flavorParamsIds="str ro",
    isTrimDisabled="enum:KalturaNullableBoolean",
)
define(
    "KalturaLiveEntry",
    "KalturaMediaEntry",
    abstract=True,
    recordStatus="int",
    dvrStatus="int",
    dvrWindow="int",
    lastBroadcast="int ro",
    firstBroadcast="int ro",
    currentBroadcastStartTime="float ro",
)
define(
    "KalturaLiveStreamEntry",
    "KalturaLiveEntry",
    streamRemoteId="str ro",
    streamRemoteBackupId="str ro",
    streamName="str",
    primaryBroadcastingUrl="str ro",
    secondaryBroadcastingUrl="str ro",
)
define("KalturaBaseEntryListResponse", "KalturaListResponse", objects="list:KalturaBaseEntry ro")
define("KalturaMediaListResponse", "KalturaListResponse", objects="list:KalturaMediaEntry ro")
define(
    "KalturaBaseEntryFilter",
    "KalturaFilter",
    idEqual="str",
    idIn="str",
    parentEntryIdEqual="str",
    referenceIdEqual="str",
    tagsLike="str",
    statusEqual="str",
    statusIn="str",
    statusNotIn="str",
    nameLike="str",
    nameEqual="str",
)
define("KalturaMediaEntryFilter", "KalturaBaseEntryFilter", mediaTypeEqual="int")


def entry_template(partner_id: int, entry_id: str, name: str, **fields: Any) -> dict[str, Any]:
    stamp = now()
    entry: dict[str, Any] = {
        "objectType": "KalturaMediaEntry",
        "id": entry_id,
        "name": name,
        "description": "",
        "partnerId": partner_id,
        "userId": "",
        "creatorId": "",
        "tags": "",
        "adminTags": "",
        "categories": "",
        "categoriesIds": "",
        "status": EntryStatus.NO_CONTENT,
        "moderationStatus": EntryModerationStatus.AUTO_APPROVED,
        "moderationCount": 0,
        "type": EntryType.MEDIA_CLIP,
        "createdAt": stamp,
        "updatedAt": stamp,
        "version": 0,
        "partnerSortValue": 0,
        "rootEntryId": entry_id,
        "parentEntryId": None,
        "mediaType": MediaType.VIDEO,
        "sourceType": EntrySourceType.FILE,
        "duration": 0,
        "msDuration": 0,
        "width": 0,
        "height": 0,
        "plays": 0,
        "views": 0,
        "flavorParamsIds": "",
        "displayInSearch": 1,
    }
    entry.update(fields)
    return entry


def add_generated_entry(
    emu: Any,
    partner_id: int,
    name: str,
    *,
    duration_s: float = 20.0,
    video: bool = True,
    hls: bool = True,
    variant: str | None = None,
    entry_id: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A READY entry whose flavors are the media factory's generated files (used by the seed and tests)."""
    from reach_studio.emulator.media_factory import build_entry_media

    store = emu.store
    entry_id = entry_id or store.next_id("entry")
    media = build_entry_media(emu.media_cache, duration_s, video=video, variant=variant or name)
    big = max((f for f in media.flavors if f.has_video), key=lambda f: f.width, default=None)
    entry = entry_template(
        partner_id,
        entry_id,
        name,
        status=EntryStatus.READY,
        mediaType=MediaType.VIDEO if video else MediaType.AUDIO,
        duration=round(media.duration_ms / 1000),
        msDuration=media.duration_ms,
        width=big.width if big else 0,
        height=big.height if big else 0,
        flavorParamsIds=",".join(str(f.flavor_params_id) for f in media.flavors),
        _hls=hls,
        **fields,
    )
    store.put("entry", entry)
    stamp = now()
    for flavor in media.flavors:
        store.put(
            "flavor_asset",
            {
                "objectType": "KalturaFlavorAsset",
                "id": store.next_id("flavor_asset"),
                "entryId": entry_id,
                "partnerId": partner_id,
                "version": 1,
                "size": (flavor.size + 1023) // 1024,
                "sizeInBytes": flavor.size,
                "tags": flavor.tags,
                "fileExt": flavor.file_ext,
                "createdAt": stamp,
                "updatedAt": stamp,
                "description": "",
                "partnerData": None,
                "flavorParamsId": flavor.flavor_params_id,
                "width": flavor.width,
                "height": flavor.height,
                "bitrate": flavor.bitrate_kbps,
                "frameRate": 15.0 if flavor.has_video else 0.0,
                "isOriginal": flavor.is_original,
                "isWeb": True,
                "containerFormat": flavor.container_format,
                "videoCodecId": flavor.video_codec_id,
                "status": AssetStatus.READY,
                "language": None,
                "label": None,
                "isDefault": NullableBoolean.FALSE_VALUE,
                "_path": str(flavor.path),
                "_hasVideo": flavor.has_video,
                "_hasAudio": flavor.has_audio,
                "_durationMs": media.duration_ms,
            },
        )
    return entry


def _get_entry(ctx: CallContext, entry_id: str | None, write: bool) -> dict[str, Any]:
    return reach_entry(ctx, entry_id, write=write)


@action("media", "add")
def add(ctx: CallContext, p: Params) -> dict[str, Any]:
    session = ctx.require_session()
    entry = p.obj("entry", "KalturaMediaEntry", required=True)
    check_insert(entry)
    if entry.get("mediaType") is None:
        raise ApiError("PROPERTY_VALIDATION_CANNOT_BE_NULL", PROP_NAME="KalturaMediaEntry::mediaType")
    parent_id = entry.get("parentEntryId")
    if parent_id:
        reach_entry(ctx, parent_id, write=True)
    entry_id = ctx.store.next_id("entry")
    fields = {k: v for k, v in entry.items() if v is not None and k not in ("objectType", "name")}
    created = entry_template(session.partner_id, entry_id, entry.get("name") or "", **fields)
    created["creatorId"] = created["userId"] = session.user_id or ""
    # the key that made it may keep working on it (a vendor adds content to the entry it created)
    created["_creatorEntries"] = sorted(session.privilege_values("edit") - {"*"})
    return ctx.store.put("entry", created)


def _process(emu: Any, entry_id: str) -> None:
    from reach_studio.emulator.services.flavor import probe_into

    store = emu.store
    entry = store.get("entry", entry_id)
    if entry is None or not entry.get("_blob"):
        return
    path = store.blob_path(entry["_blob"])
    try:
        fields = probe_into(path)
    except Exception as exc:  # noqa: BLE001 - whatever the probe raises, the entry ends in ERROR_CONVERTING
        store.update(
            "entry",
            entry_id,
            {"status": EntryStatus.ERROR_CONVERTING, "updatedAt": now(), "_error": str(exc)[:300]},
        )
        return
    stamp = now()
    # the original flavor the upload waited for (media.addContent with an unfinished token) becomes the source
    waiting = next(
        (
            f
            for f in store.find("flavor_asset", entryId=entry_id, isOriginal=True)
            if f.get("status") in (AssetStatus.IMPORTING, AssetStatus.QUEUED)
        ),
        None,
    )
    for old in store.find("flavor_asset", entryId=entry_id, isOriginal=True):
        if waiting is None or old["id"] != waiting["id"]:
            store.update("flavor_asset", old["id"], {"status": AssetStatus.DELETED, "deletedAt": stamp})
    flavor = {
        "objectType": "KalturaFlavorAsset",
        "id": waiting["id"] if waiting else store.next_id("flavor_asset"),
        "entryId": entry_id,
        "partnerId": entry["partnerId"],
        "version": 1,
        "tags": "source,web",
        "fileExt": path.suffix.lstrip(".") or "mp4",
        "createdAt": stamp,
        "updatedAt": stamp,
        "flavorParamsId": 0,
        "isOriginal": True,
        "isWeb": True,
        "status": AssetStatus.READY,
        "isDefault": NullableBoolean.FALSE_VALUE,
        "_blob": entry["_blob"],
        **fields,
    }
    if waiting is not None:
        flavor["createdAt"] = waiting.get("createdAt", stamp)
    store.put("flavor_asset", flavor)
    duration_ms = int(fields.pop("_durationMs", 0) or flavor.get("_durationMs") or 0)
    store.update(
        "entry",
        entry_id,
        {
            "status": EntryStatus.READY,
            "updatedAt": stamp,
            "msDuration": duration_ms,
            "duration": round(duration_ms / 1000),
            "width": flavor.get("width") or 0,
            "height": flavor.get("height") or 0,
            "mediaType": MediaType.VIDEO if flavor.get("_hasVideo") else MediaType.AUDIO,
            "flavorParamsIds": "0",
            "version": int(entry.get("version") or 0) + 1,
        },
    )


def _finish(emu: Any, entry_id: str, blob: str) -> None:
    emu.store.update("entry", entry_id, {"_blob": blob, "status": EntryStatus.PRECONVERT, "updatedAt": now()})
    run_later(PROCESS_DELAY_S, lambda: _process(emu, entry_id), f"process-{entry_id}")


def _fail(emu: Any, entry_id: str, reason: str) -> None:
    emu.store.update(
        "entry", entry_id, {"status": EntryStatus.ERROR_IMPORTING, "updatedAt": now(), "_error": reason}
    )


def _finish_source(emu: Any, flavor_id: str, blob: str) -> None:
    """The upload an entry's source flavor waited for has ended (kFlowHelper::handleUploadFinished: the
    original flavor turns QUEUED and the entry is processed)."""
    flavor = emu.store.update("flavor_asset", flavor_id, {"status": AssetStatus.QUEUED, "updatedAt": now()})
    _finish(emu, flavor["entryId"], blob)


def _await_source(ctx: CallContext, entry: dict[str, Any], token: dict[str, Any]) -> None:
    """KalturaEntryService::attachLocalFileResource with a resource that is not ready (an upload token still
    uploading, timed out or CLOSED): the entry turns IMPORT, its original flavor (kFlowHelper::
    createOriginalFlavorAsset: tagged `source`, flavor params 0) IMPORTING, and the token records that
    flavor; the file arrives with the token's last chunk — for a CLOSED token never."""
    store, stamp = ctx.store, now()
    originals = [
        f
        for f in store.find("flavor_asset", entryId=entry["id"], isOriginal=True)
        if f.get("status") != AssetStatus.DELETED
    ]
    flavor = originals[0] if originals else None
    if flavor is None:
        flavor = store.put(
            "flavor_asset",
            {
                "objectType": "KalturaFlavorAsset",
                "id": store.next_id("flavor_asset"),
                "entryId": entry["id"],
                "partnerId": entry["partnerId"],
                "version": 1,
                "tags": "source",
                "flavorParamsId": 0,
                "isOriginal": True,
                "isWeb": False,
                "isDefault": NullableBoolean.FALSE_VALUE,
                "createdAt": stamp,
                "updatedAt": stamp,
            },
        )
    store.update("flavor_asset", flavor["id"], {"status": AssetStatus.IMPORTING, "updatedAt": stamp})
    store.update("entry", entry["id"], {"status": EntryStatus.IMPORT, "updatedAt": stamp})
    await_upload(ctx, token, "flavor_asset", flavor["id"], _finish_source, finisher="entry_source")


@action("media", "addContent")
def add_content(ctx: CallContext, p: Params) -> dict[str, Any]:
    entry = _get_entry(ctx, p.str("entryId", required=True), write=True)
    resource = p.obj("resource", "KalturaResource", required=True)
    if entry.get("status") != EntryStatus.NO_CONTENT:  # MediaService::addContentAction
        raise ApiError("ENTRY_ALREADY_WITH_CONTENT")
    token = unfinished_token(ctx, resource)
    if token is not None:
        _await_source(ctx, entry, token)
    else:
        attach_resource(ctx, "entry", entry["id"], resource, _finish, _fail, EntryStatus.IMPORT)
    return ctx.store.get("entry", entry["id"])


@action("media", "get")
def get(ctx: CallContext, p: Params) -> dict[str, Any]:
    return _get_entry(ctx, p.str("entryId", required=True), write=False)


def update_entry(ctx: CallContext, entry_id: str | None, changes: dict[str, Any]) -> dict[str, Any]:
    """baseEntry.update / media.update: only sent fields change; readonly ones are refused."""
    entry = _get_entry(ctx, entry_id, write=True)
    changes = dict(changes)
    changes.pop("objectType", None)
    check_update(entry, {"objectType": entry["objectType"], **changes})
    parent_id = changes.get("parentEntryId")
    if parent_id:
        if parent_id == entry["id"]:
            raise ApiError("INVALID_OBJECT_ID", ID=parent_id)
        reach_entry(ctx, parent_id, write=False)
    changes["updatedAt"] = now()
    return ctx.store.update("entry", entry["id"], changes)


@action("media", "update")
def update(ctx: CallContext, p: Params) -> dict[str, Any]:
    return update_entry(
        ctx, p.str("entryId", required=True), p.obj("mediaEntry", "KalturaMediaEntry", required=True)
    )


def list_entries(ctx: CallContext, p: Params, response_type: str) -> dict[str, Any]:
    """baseEntry.list / media.list as KalturaBaseEntryFilter::prepareEntriesCriteriaFilter: without idEqual and
    without a status filter only READY entries, and not those PENDING_MODERATION or REJECTED; a DELETED
    entry only when a status filter asks for it; then the filter's fields (idIn, names, tags, parent…)."""
    session = ctx.require_session()
    flt = p.obj("filter", "KalturaBaseEntryFilter") or {}
    entries = [e for e in ctx.store.find("entry", partnerId=session.partner_id) if can_reach(ctx, e)]
    status_filtered = any(flt.get(f) is not None for f in ("statusEqual", "statusIn", "statusNotIn"))
    if not status_filtered:
        entries = [e for e in entries if e.get("status") != EntryStatus.DELETED]
    if not flt.get("idEqual"):
        if not status_filtered:
            entries = [e for e in entries if e.get("status") == EntryStatus.READY]
        hidden = {EntryModerationStatus.PENDING_MODERATION, EntryModerationStatus.REJECTED}
        entries = [e for e in entries if e.get("moderationStatus") not in hidden]
    if flt.get("statusEqual") is not None:
        entries = [e for e in entries if str(e.get("status")) == str(flt["statusEqual"])]
    for field, keep in (("statusIn", True), ("statusNotIn", False)):
        wanted = ids_filter(flt.get(field))
        if wanted is not None:
            entries = [e for e in entries if (str(e.get("status")) in wanted) == keep]
    entries = by_ids(entries, flt)
    for field, key in (
        ("parentEntryIdEqual", "parentEntryId"),
        ("referenceIdEqual", "referenceId"),
        ("nameEqual", "name"),
        ("mediaTypeEqual", "mediaType"),
    ):
        if flt.get(field) is not None:
            entries = [e for e in entries if e.get(key) == flt[field]]
    for field, key in (("nameLike", "name"), ("tagsLike", "tags")):
        if flt.get(field):
            entries = [e for e in entries if str(flt[field]).lower() in str(e.get(key) or "").lower()]
    return list_response(response_type, entries, p)


@action("media", "list")
def list_(ctx: CallContext, p: Params) -> dict[str, Any]:
    return list_entries(ctx, p, "KalturaMediaListResponse")
