"""caption_captionasset: add / getUrl / update / setAsDefault here; get / delete / setContent / list by the
shared asset CRUD (emulator/assets.py).

What a REACH vendor delivers for captions, translations and extended audio description. Fields and
enums follow the Caption plugin (docs/kaltura-contract.md#assets-and-cue-points): language must be a
KalturaLanguage *name*, format a
KalturaCaptionType, accuracy any int (KalturaCaptionAsset declares no range); isDefault=1 takes the default flag from the entry's other captions
as Kaltura does. Content arrives through a content resource (content.py) and is served at the getUrl
URL, which carries the caller's KS like Kaltura's serve URLs do. A caption becoming READY must parse with
its format's content manager (domain/formats/kaltura_parse.py), else it ends in ERROR, as in Kaltura.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from reach_studio.domain.enums import AssetStatus, CaptionAssetUsage, CaptionType, NullableBoolean
from reach_studio.domain.formats.kaltura_parse import MAX_CHECKED_BYTES, kaltura_parses
from reach_studio.emulator.assets import AssetCrud, by_format
from reach_studio.emulator.content import check_language, now
from reach_studio.emulator.errors import ApiError, register_errors
from reach_studio.emulator.languages import language_code
from reach_studio.emulator.registry import CallContext, Params, action
from reach_studio.emulator.schema import define, define_enum

register_errors(
    'CAPTION_ASSET_ID_NOT_FOUND;ASSET_ID;Caption asset id "@ASSET_ID@" not found',
    'CAPTION_ASSET_ENTRY_ID_NOT_FOUND;ENTRY_ID;Entry ID "@ENTRY_ID@" which this caption asset is associated with not '
    "found",
    'CAPTION_ASSET_IS_NOT_READY;ASSET_ID;Caption asset "@ASSET_ID@" is not ready',
    'CAPTION_ASSET_ALREADY_EXISTS;ASSET_ID,PARAM_ID;Caption asset "@ASSET_ID@" already exists for params id '
    '"@PARAM_ID@"',
)

FORMAT_EXT = {
    CaptionType.SRT: "srt",
    CaptionType.DFXP: "dfxp",
    CaptionType.WEBVTT: "vtt",
    CaptionType.CAP: "cap",
    CaptionType.SCC: "scc",
}

define_enum("KalturaCaptionType", "str", [str(t) for t in CaptionType])
define_enum("KalturaCaptionSource", "str", None)
define_enum("KalturaCaptionAssetUsage", "str", [str(u) for u in CaptionAssetUsage])
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

CRUD = AssetCrud(
    "caption_asset",
    "KalturaCaptionAsset",
    "captionAsset",
    "CAPTION_ASSET_ID_NOT_FOUND",
    "ASSET_ID",
    "KalturaCaptionAssetListResponse",
)
KIND = CRUD.kind


def _validate(obj: dict[str, Any]) -> None:
    """KalturaCaptionAsset.accuracy is a plain int (no @minValue/@maxValue): Kaltura stores any value."""
    check_language(obj)


@action("caption_captionasset", "add")
def add(ctx: CallContext, p: Params) -> dict[str, Any]:
    asset, entry = CRUD.new(ctx, p, _validate)
    if asset.get("captionParamsId"):  # CaptionAssetService::addAction: one caption per caption params
        for other in ctx.store.find(KIND, entryId=entry["id"]):
            if (
                other.get("captionParamsId") == asset["captionParamsId"]
                and other.get("status") != AssetStatus.DELETED
            ):
                raise ApiError(
                    "CAPTION_ASSET_ALREADY_EXISTS", ASSET_ID=other["id"], PARAM_ID=asset["captionParamsId"]
                )
    CRUD.stamp_new(ctx, asset, entry)
    asset["languageCode"] = language_code(asset.get("language")) or None
    asset.setdefault("fileExt", FORMAT_EXT.get(str(asset.get("format") or ""), None))
    asset.setdefault("isDefault", NullableBoolean.FALSE_VALUE)
    asset.setdefault("usage", CaptionAssetUsage.CAPTION)
    asset.setdefault("displayOnPlayer", True)  # CaptionAsset::getDisplayOnPlayer defaults to true
    if ctx.session is not None and "enablecaptionmoderation" in ctx.session.privileges:
        asset["displayOnPlayer"] = False  # CaptionAssetService::addAction: a moderated key's captions wait
    ctx.store.put(KIND, asset)
    if asset.get("isDefault") == NullableBoolean.TRUE_VALUE:
        CRUD.clear_other_defaults(ctx.store, entry["id"], asset["id"])
    return asset


def _finish(emu: Any, asset_id: str, blob: str) -> None:
    store = emu.store
    asset = store.get(KIND, asset_id)
    if asset is None:
        return
    changes = CRUD.content_changes(store, asset, blob, ready=True)
    with open(store.blob_path(blob), "rb") as content:
        head = content.read(MAX_CHECKED_BYTES)
    if not kaltura_parses(asset.get("format"), head):
        changes["status"] = (
            AssetStatus.ERROR
        )  # CaptionAsset::preUpdate: validateCaptionContent found no caption
    store.update(KIND, asset_id, changes)
    if changes["status"] == AssetStatus.READY:
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
            or other.get("status") == AssetStatus.DELETED
            or other.get("language") != mine.get("language")
            or other.get("displayOnPlayer") is False
            or mine.get("displayOnPlayer") is False
        ):
            continue
        accuracy = int(mine.get("accuracy") or 0)
        if accuracy >= 99 or (other.get("accuracy") and accuracy >= int(other["accuracy"])):
            changes: dict[str, Any] = {"displayOnPlayer": False}
            if other.get("isDefault") == NullableBoolean.TRUE_VALUE:
                changes["isDefault"] = NullableBoolean.FALSE_VALUE
                store.update(KIND, asset_id, {"isDefault": NullableBoolean.TRUE_VALUE})
            store.update(KIND, other["id"], changes)
        else:
            store.update(KIND, asset_id, {"displayOnPlayer": False})


@action("caption_captionasset", "update")
def update(ctx: CallContext, p: Params) -> dict[str, Any]:
    updated, entry, changes = CRUD.update(ctx, p, _validate)
    if "language" in changes:
        updated = ctx.store.update(
            KIND, updated["id"], {"languageCode": language_code(changes["language"]) or None}
        )
    if changes.get("isDefault") == NullableBoolean.TRUE_VALUE:
        CRUD.clear_other_defaults(ctx.store, entry["id"], updated["id"])
    if changes.get("accuracy") is not None or "language" in changes:
        _settle_same_language(ctx.store, updated["id"])
        updated = ctx.store.get(KIND, updated["id"])
    return updated


@action("caption_captionasset", "setAsDefault")
def set_as_default(ctx: CallContext, p: Params) -> None:
    asset, entry = CRUD.get(ctx, p.str("captionAssetId", required=True), write=True)
    ctx.store.update(KIND, asset["id"], {"isDefault": NullableBoolean.TRUE_VALUE, "updatedAt": now()})
    CRUD.clear_other_defaults(ctx.store, entry["id"], asset["id"])


def serve_url(emu: Any, asset: dict[str, Any], ks: str, action_name: str = "serve", ext: str = "") -> str:
    """The caption serve URL (serve, or serveWebVTT with ext "vtt"), carrying the KS as a path segment."""
    ext = ext or asset.get("fileExt") or FORMAT_EXT.get(str(asset.get("format") or ""), "txt")
    return (
        f"{emu.url}/api_v3/index.php/service/caption_captionAsset/action/{action_name}/captionAssetId/"
        f"{asset['id']}/ks/{quote(ks, safe='')}/a.{ext}"
    )


@action("caption_captionasset", "getUrl")
def get_url(ctx: CallContext, p: Params) -> str:
    asset, _entry = CRUD.get(ctx, p.str("id", required=True), write=False)
    if asset.get("status") != AssetStatus.READY:  # CaptionAssetService::getUrlAction throws it without the id
        raise ApiError("CAPTION_ASSET_IS_NOT_READY")
    return serve_url(ctx.emu, asset, ctx.session.ks if ctx.session else "")


CRUD.register("caption_captionasset", "captionAssetId", _finish, by_format)
