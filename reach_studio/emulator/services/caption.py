"""caption_captionasset: add / setContent / get / getUrl / update / list / delete / setAsDefault.

What a REACH vendor delivers for captions, translations and extended audio description. Fields and
enums follow the Caption plugin (docs/kaltura-contract.md#assets-and-cue-points): language must be a
KalturaLanguage *name*, format a
KalturaCaptionType, accuracy any int (KalturaCaptionAsset declares no range); isDefault=1 takes the default flag from the entry's other captions
as Kaltura does. Content arrives through a content resource (content.py) and is served at the getUrl
URL, which carries the caller's KS like Kaltura's serve URLs do.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from reach_studio.emulator.content import (
    attach_resource,
    can_reach,
    check_language,
    entry_of_asset,
    ids_filter,
    list_response,
    now,
    reach_entry,
)
from reach_studio.emulator.errors import ApiError, register_errors
from reach_studio.emulator.languages import language_code
from reach_studio.emulator.registry import CallContext, Params, action
from reach_studio.emulator.schema import check_insert, check_update, define, define_enum

register_errors(
    'CAPTION_ASSET_ID_NOT_FOUND;ASSET_ID;Caption asset id "@ASSET_ID@" not found',
    'CAPTION_ASSET_ENTRY_ID_NOT_FOUND;ENTRY_ID;Entry ID "@ENTRY_ID@" which this caption asset is associated with not '
    "found",
    'CAPTION_ASSET_IS_NOT_READY;ASSET_ID;Caption asset "@ASSET_ID@" is not ready',
    'CAPTION_ASSET_ALREADY_EXISTS;ASSET_ID,PARAM_ID;Caption asset "@ASSET_ID@" already exists for params id '
    '"@PARAM_ID@"',
)

ERROR, QUEUED, READY, DELETED, IMPORTING = -1, 0, 2, 3, 7
FORMAT_EXT = {"1": "srt", "2": "dfxp", "3": "vtt", "4": "cap", "5": "scc"}

define_enum("KalturaCaptionType", "str", ["1", "2", "3", "4", "5"])
define_enum("KalturaCaptionSource", "str", None)
define_enum("KalturaCaptionAssetUsage", "str", ["0", "1"])
define(
    "KalturaCaptionAsset",
    "KalturaAsset",
    captionParamsId="int io",
    language="enum:KalturaLanguage",
    languageCode="enum:KalturaLanguageCode ro",
    isDefault="enum:KalturaNullableBoolean",
    label="str",
    format="enum:KalturaCaptionType io",
    source="enum:KalturaCaptionSource io",
    status="enum:KalturaCaptionAssetStatus ro",
    parentId="str io",
    accuracy="int",
    displayOnPlayer="bool",
    associatedTranscriptIds="str",
    usage="enum:KalturaCaptionAssetUsage",
)
define("KalturaCaptionAssetListResponse", "KalturaListResponse", objects="list:KalturaCaptionAsset ro")
define(
    "KalturaCaptionAssetFilter",
    "KalturaAssetFilter",
    captionParamsIdEqual="int",
    captionParamsIdIn="str",
    formatEqual="enum:KalturaCaptionType",
    formatIn="str",
)

KIND = "caption_asset"


def _validate(obj: dict[str, Any]) -> None:
    """KalturaCaptionAsset.accuracy is a plain int (no @minValue/@maxValue): Kaltura stores any value."""
    check_language(obj)


def _clear_other_defaults(ctx: CallContext, entry_id: str, keep_id: str) -> None:
    for other in ctx.store.find(KIND, entryId=entry_id):
        if other["id"] != keep_id and other.get("isDefault") == 1:
            ctx.store.update(KIND, other["id"], {"isDefault": 0, "updatedAt": now()})


def _get(ctx: CallContext, asset_id: str | None, write: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    return entry_of_asset(ctx, KIND, asset_id or "", "CAPTION_ASSET_ID_NOT_FOUND", "ASSET_ID", write=write)


@action("caption_captionasset", "add")
def add(ctx: CallContext, p: Params) -> dict[str, Any]:
    entry_id = p.str("entryId", required=True)
    asset = p.obj("captionAsset", "KalturaCaptionAsset", required=True)
    entry = reach_entry(ctx, entry_id, write=True)
    check_insert(asset)
    _validate(asset)
    if asset.get("captionParamsId"):  # CaptionAssetService::addAction: one caption per caption params
        for other in ctx.store.find(KIND, entryId=entry["id"]):
            if other.get("captionParamsId") == asset["captionParamsId"] and other.get("status") != DELETED:
                raise ApiError(
                    "CAPTION_ASSET_ALREADY_EXISTS", ASSET_ID=other["id"], PARAM_ID=asset["captionParamsId"]
                )
    stamp = now()
    asset_id = ctx.store.next_id(KIND)
    asset.update(
        {
            "id": asset_id,
            "entryId": entry["id"],
            "partnerId": entry["partnerId"],
            "status": QUEUED,
            "version": 0,
            "size": 0,
            "sizeInBytes": 0,
            "createdAt": stamp,
            "updatedAt": stamp,
            "languageCode": language_code(asset.get("language")) or None,
        }
    )
    asset.setdefault("fileExt", FORMAT_EXT.get(str(asset.get("format") or ""), None))
    asset.setdefault("isDefault", 0)
    asset.setdefault("usage", "0")
    asset.setdefault("displayOnPlayer", True)  # CaptionAsset::getDisplayOnPlayer defaults to true
    if ctx.session is not None and "enablecaptionmoderation" in ctx.session.privileges:
        asset["displayOnPlayer"] = False  # CaptionAssetService::addAction: a moderated key's captions wait
    ctx.store.put(KIND, asset)
    if asset.get("isDefault") == 1:
        _clear_other_defaults(ctx, entry["id"], asset_id)
    return asset


def _finish(emu: Any, asset_id: str, blob: str) -> None:
    store = emu.store
    asset = store.get(KIND, asset_id)
    if asset is None:
        return
    size = store.blob_path(blob).stat().st_size
    changes: dict[str, Any] = {
        "_blob": blob,
        "status": READY,
        "size": size,
        "sizeInBytes": size,
        "version": int(asset.get("version") or 0) + 1,
        "updatedAt": now(),
    }
    if not asset.get("format"):
        detected = detect_format(store.blob_path(blob).read_bytes()[:2048])
        if detected:
            changes["format"] = detected
            changes["fileExt"] = asset.get("fileExt") or FORMAT_EXT[detected]
    store.update(KIND, asset_id, changes)
    _settle_same_language(store, asset_id)


def _settle_same_language(store: Any, asset_id: str) -> None:
    """CaptionAsset::preUpdate: of two captions of one language shown on the player, the newer one wins when its
    accuracy is >= 99 or >= the other's (the other is hidden and hands over the default flag); else it is hidden."""
    asset = store.get(KIND, asset_id)
    if asset is None or not asset.get("accuracy") or not asset.get("language"):
        return
    for other in store.find(KIND, entryId=asset["entryId"]):
        mine = store.get(KIND, asset_id)
        if (
            other["id"] == asset_id
            or other.get("status") == DELETED
            or other.get("language") != mine.get("language")
            or other.get("displayOnPlayer") is False
            or mine.get("displayOnPlayer") is False
        ):
            continue
        accuracy = int(mine.get("accuracy") or 0)
        if accuracy >= 99 or (other.get("accuracy") and accuracy >= int(other["accuracy"])):
            changes: dict[str, Any] = {"displayOnPlayer": False}
            if other.get("isDefault") == 1:
                changes["isDefault"] = 0
                store.update(KIND, asset_id, {"isDefault": 1})
            store.update(KIND, other["id"], changes)
        else:
            store.update(KIND, asset_id, {"displayOnPlayer": False})


def _fail(emu: Any, asset_id: str, reason: str) -> None:
    emu.store.update(KIND, asset_id, {"status": ERROR, "updatedAt": now(), "_error": reason})


def detect_format(head: bytes) -> str | None:
    """KalturaCaptionType of caption bytes, from how they start (SRT, WebVTT or DFXP/TTML)."""
    text = head.decode("utf-8", "replace").lstrip("\ufeff \r\n\t")
    if text.startswith("WEBVTT"):
        return "3"
    if text.startswith("<") and ("<tt" in text or "ttml" in text):
        return "2"
    first = text.split("\n", 2)
    if len(first) >= 2 and first[0].strip().isdigit() and "-->" in first[1]:
        return "1"
    return None


@action("caption_captionasset", "setContent")
def set_content(ctx: CallContext, p: Params) -> dict[str, Any]:
    asset, _entry = _get(ctx, p.str("id", required=True), write=True)
    resource = p.obj("contentResource", "KalturaContentResource", required=True)
    attach_resource(ctx, KIND, asset["id"], resource, _finish, _fail, IMPORTING)
    return ctx.store.get(KIND, asset["id"])


@action("caption_captionasset", "get")
def get(ctx: CallContext, p: Params) -> dict[str, Any]:
    return _get(ctx, p.str("captionAssetId", required=True), write=False)[0]


@action("caption_captionasset", "update")
def update(ctx: CallContext, p: Params) -> dict[str, Any]:
    asset, entry = _get(ctx, p.str("id", required=True), write=True)
    changes = p.obj("captionAsset", "KalturaCaptionAsset", required=True)
    changes.pop("objectType", None)
    check_update(asset, {"objectType": asset["objectType"], **changes})
    _validate({"objectType": asset["objectType"], **changes})
    if "language" in changes:
        changes["languageCode"] = language_code(changes["language"]) or None
    changes["updatedAt"] = now()
    updated = ctx.store.update(KIND, asset["id"], changes)
    if changes.get("isDefault") == 1:
        _clear_other_defaults(ctx, entry["id"], asset["id"])
    if changes.get("accuracy") is not None or "language" in changes:
        _settle_same_language(ctx.store, asset["id"])
        updated = ctx.store.get(KIND, asset["id"])
    return updated


@action("caption_captionasset", "setAsDefault")
def set_as_default(ctx: CallContext, p: Params) -> None:
    asset, entry = _get(ctx, p.str("captionAssetId", required=True), write=True)
    ctx.store.update(KIND, asset["id"], {"isDefault": 1, "updatedAt": now()})
    _clear_other_defaults(ctx, entry["id"], asset["id"])


@action("caption_captionasset", "delete")
def delete(ctx: CallContext, p: Params) -> None:
    asset, _entry = _get(ctx, p.str("captionAssetId", required=True), write=True)
    stamp = now()
    ctx.store.update(KIND, asset["id"], {"status": DELETED, "deletedAt": stamp, "updatedAt": stamp})


def serve_url(ctx: CallContext, asset: dict[str, Any]) -> str:
    ext = asset.get("fileExt") or FORMAT_EXT.get(str(asset.get("format") or ""), "txt")
    ks = ctx.session.ks if ctx.session else ""
    return (
        f"{ctx.emu.url}/api_v3/index.php/service/caption_captionAsset/action/serve/captionAssetId/"
        f"{asset['id']}/ks/{quote(ks, safe='')}/a.{ext}"
    )


@action("caption_captionasset", "getUrl")
def get_url(ctx: CallContext, p: Params) -> str:
    asset, _entry = _get(ctx, p.str("id", required=True), write=False)
    if asset.get("status") != READY:  # CaptionAssetService::getUrlAction throws it without the id
        raise ApiError("CAPTION_ASSET_IS_NOT_READY")
    return serve_url(ctx, asset)


@action("caption_captionasset", "list")
def list_(ctx: CallContext, p: Params) -> dict[str, Any]:
    session = ctx.require_session()
    flt = p.obj("filter", "KalturaAssetFilter") or {}
    entry_ids = set()
    if flt.get("entryIdEqual"):
        entry_ids.add(flt["entryIdEqual"])
    entry_ids |= ids_filter(flt.get("entryIdIn")) or set()
    if entry_ids:
        assets = [a for e in sorted(entry_ids) for a in ctx.store.find(KIND, entryId=e)]
    else:
        assets = ctx.store.find(KIND, partnerId=session.partner_id)
    visible = []
    entries: dict[str, dict[str, Any] | None] = {}
    for asset in assets:
        eid = asset.get("entryId")
        if eid not in entries:
            entries[eid] = ctx.store.get("entry", eid)
        entry = entries[eid]
        if entry is None or not can_reach(ctx, entry):
            continue
        visible.append(asset)
    visible = filter_assets(visible, flt, default_hide_deleted=True)
    if flt.get("formatEqual"):
        visible = [a for a in visible if str(a.get("format")) == flt["formatEqual"]]
    return list_response("KalturaCaptionAssetListResponse", visible, p)


def filter_assets(
    assets: list[dict[str, Any]], flt: dict[str, Any], *, default_hide_deleted: bool
) -> list[dict]:
    """The KalturaAssetFilter fields every asset list shares (id, status, tags)."""
    if flt.get("idEqual"):
        assets = [a for a in assets if a["id"] == flt["idEqual"]]
    wanted = ids_filter(flt.get("idIn"))
    if wanted is not None:
        assets = [a for a in assets if a["id"] in wanted]
    if flt.get("statusEqual") is not None:
        assets = [a for a in assets if a.get("status") == flt["statusEqual"]]
    elif flt.get("statusIn"):
        statuses = ids_filter(flt["statusIn"]) or set()
        assets = [a for a in assets if str(a.get("status")) in statuses]
    elif default_hide_deleted:
        assets = [a for a in assets if a.get("status") != DELETED]
    not_in = ids_filter(flt.get("statusNotIn"))
    if not_in:
        assets = [a for a in assets if str(a.get("status")) not in not_in]
    if flt.get("tagsLike"):
        assets = [a for a in assets if flt["tagsLike"] in (a.get("tags") or "")]
    return assets
