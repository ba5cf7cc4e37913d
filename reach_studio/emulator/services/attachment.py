"""attachment_attachmentasset: add / setContent / get / getUrl / list / update / delete.

Vendors deliver transcripts here (objectType KalturaTranscriptAsset with accuracy, language and
humanVerified), and historically extended audio description VTT files tagged "AAD". Content arrives
through a content resource like captions do.
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
from reach_studio.emulator.registry import CallContext, Params, action
from reach_studio.emulator.schema import check_insert, check_update, define, define_enum
from reach_studio.emulator.services.caption import filter_assets

register_errors(
    'ATTACHMENT_ASSET_ID_NOT_FOUND;ASSET_ID;Attachment asset id "@ASSET_ID@" not found',
    'ATTACHMENT_ASSET_IS_NOT_READY;ASSET_ID;Attachment asset "@ASSET_ID@" is not ready',
)

ERROR, QUEUED, READY, DELETED, IMPORTING = -1, 0, 2, 3, 7
KIND = "attachment_asset"

define_enum("KalturaAttachmentType", "str", ["1", "2", "3", "4", "5"])
define_enum("KalturaTranscriptProviderType", "str", None)
define(
    "KalturaAttachmentAsset",
    "KalturaAsset",
    filename="str",
    title="str",
    format="enum:KalturaAttachmentType",
    status="enum:KalturaAttachmentAssetStatus ro",
)
define(
    "KalturaTextualAttachmentAsset",
    "KalturaAttachmentAsset",
    language="enum:KalturaLanguage",
    humanVerified="enum:KalturaNullableBoolean",
)
define(
    "KalturaTranscriptAsset",
    "KalturaTextualAttachmentAsset",
    accuracy="float",
    providerType="enum:KalturaTranscriptProviderType",
)
define("KalturaAttachmentAssetListResponse", "KalturaListResponse", objects="list:KalturaAttachmentAsset ro")
define(
    "KalturaAttachmentAssetFilter",
    "KalturaAssetFilter",
    formatEqual="enum:KalturaAttachmentType",
    formatIn="str",
)


def _validate(obj: dict[str, Any]) -> None:
    """KalturaTranscriptAsset.accuracy is a float "between 0 and 1" by its doc comment, with no
    @minValue/@maxValue: Kaltura stores any value (docs/kaltura-contract.md, "Assets")."""
    check_language(obj)


def _get(ctx: CallContext, asset_id: str | None, write: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    return entry_of_asset(ctx, KIND, asset_id or "", "ATTACHMENT_ASSET_ID_NOT_FOUND", "ASSET_ID", write=write)


@action("attachment_attachmentasset", "add")
def add(ctx: CallContext, p: Params) -> dict[str, Any]:
    entry_id = p.str("entryId", required=True)
    asset = p.obj("attachmentAsset", "KalturaAttachmentAsset", required=True)
    entry = reach_entry(ctx, entry_id, write=True)
    check_insert(asset)
    _validate(asset)
    stamp = now()
    asset.update(
        {
            "id": ctx.store.next_id(KIND),
            "entryId": entry["id"],
            "partnerId": entry["partnerId"],
            "status": QUEUED,
            "version": 0,
            "size": 0,
            "sizeInBytes": 0,
            "createdAt": stamp,
            "updatedAt": stamp,
        }
    )
    if not asset.get("fileExt") and asset.get("filename") and "." in asset["filename"]:
        asset["fileExt"] = asset["filename"].rsplit(".", 1)[1][:10]
    return ctx.store.put(KIND, asset)


def _finish(emu: Any, asset_id: str, blob: str) -> None:
    store = emu.store
    asset = store.get(KIND, asset_id)
    if asset is None:
        return
    size = store.blob_path(blob).stat().st_size
    store.update(
        KIND,
        asset_id,
        {
            "_blob": blob,
            "status": READY,
            "size": size,
            "sizeInBytes": size,
            "version": int(asset.get("version") or 0) + 1,
            "updatedAt": now(),
        },
    )


def _fail(emu: Any, asset_id: str, reason: str) -> None:
    emu.store.update(KIND, asset_id, {"status": ERROR, "updatedAt": now(), "_error": reason})


@action("attachment_attachmentasset", "setContent")
def set_content(ctx: CallContext, p: Params) -> dict[str, Any]:
    asset, _entry = _get(ctx, p.str("id", required=True), write=True)
    resource = p.obj("contentResource", "KalturaContentResource", required=True)
    attach_resource(ctx, KIND, asset["id"], resource, _finish, _fail, IMPORTING)
    return ctx.store.get(KIND, asset["id"])


@action("attachment_attachmentasset", "get")
def get(ctx: CallContext, p: Params) -> dict[str, Any]:
    return _get(ctx, p.str("attachmentAssetId", required=True), write=False)[0]


@action("attachment_attachmentasset", "update")
def update(ctx: CallContext, p: Params) -> dict[str, Any]:
    asset, _entry = _get(ctx, p.str("id", required=True), write=True)
    changes = p.obj("attachmentAsset", "KalturaAttachmentAsset", required=True)
    changes.pop("objectType", None)
    check_update(asset, {"objectType": asset["objectType"], **changes})
    _validate({"objectType": asset["objectType"], **changes})
    changes["updatedAt"] = now()
    return ctx.store.update(KIND, asset["id"], changes)


@action("attachment_attachmentasset", "delete")
def delete(ctx: CallContext, p: Params) -> None:
    asset, _entry = _get(ctx, p.str("attachmentAssetId", required=True), write=True)
    stamp = now()
    ctx.store.update(KIND, asset["id"], {"status": DELETED, "deletedAt": stamp, "updatedAt": stamp})


@action("attachment_attachmentasset", "getUrl")
def get_url(ctx: CallContext, p: Params) -> str:
    asset, _entry = _get(ctx, p.str("id", required=True), write=False)
    if asset.get("status") != READY:  # AttachmentAssetService::getUrlAction throws it without the id
        raise ApiError("ATTACHMENT_ASSET_IS_NOT_READY")
    ks = ctx.session.ks if ctx.session else ""
    name = quote(asset.get("filename") or f"a.{asset.get('fileExt') or 'bin'}", safe="")
    return (
        f"{ctx.emu.url}/api_v3/index.php/service/attachment_attachmentAsset/action/serve/attachmentAssetId/"
        f"{asset['id']}/ks/{quote(ks, safe='')}/{name}"
    )


@action("attachment_attachmentasset", "list")
def list_(ctx: CallContext, p: Params) -> dict[str, Any]:
    session = ctx.require_session()
    flt = p.obj("filter", "KalturaAssetFilter") or {}
    entry_ids = ({flt["entryIdEqual"]} if flt.get("entryIdEqual") else set()) | (
        ids_filter(flt.get("entryIdIn")) or set()
    )
    if entry_ids:
        assets = [a for e in sorted(entry_ids) for a in ctx.store.find(KIND, entryId=e)]
    else:
        assets = ctx.store.find(KIND, partnerId=session.partner_id)
    visible = []
    for asset in assets:
        entry = ctx.store.get("entry", asset.get("entryId"))
        if entry is not None and can_reach(ctx, entry):
            visible.append(asset)
    visible = filter_assets(visible, flt, default_hide_deleted=True)
    if flt.get("formatEqual"):
        visible = [a for a in visible if str(a.get("format")) == flt["formatEqual"]]
    return list_response("KalturaAttachmentAssetListResponse", visible, p)
