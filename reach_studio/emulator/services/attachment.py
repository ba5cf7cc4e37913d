"""attachment_attachmentasset: add / getUrl / update here; get / delete / setContent / list by the shared
asset CRUD (emulator/assets.py).

Vendors deliver transcripts here (objectType KalturaTranscriptAsset with accuracy, language and
humanVerified), and historically extended audio description VTT files tagged "AAD". Content arrives
through a content resource like captions do.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from reach_studio.domain.enums import AssetStatus
from reach_studio.emulator.assets import AssetCrud, by_format
from reach_studio.emulator.content import check_language
from reach_studio.emulator.errors import ApiError, register_errors
from reach_studio.emulator.registry import CallContext, Params, action
from reach_studio.emulator.schema import define, define_enum

register_errors(
    'ATTACHMENT_ASSET_ID_NOT_FOUND;ASSET_ID;Attachment asset id "@ASSET_ID@" not found',
    'ATTACHMENT_ASSET_IS_NOT_READY;ASSET_ID;Attachment asset "@ASSET_ID@" is not ready',
)

CRUD = AssetCrud(
    "attachment_asset",
    "KalturaAttachmentAsset",
    "attachmentAsset",
    "ATTACHMENT_ASSET_ID_NOT_FOUND",
    "ASSET_ID",
    "KalturaAttachmentAssetListResponse",
)
KIND = CRUD.kind

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


@action("attachment_attachmentasset", "add")
def add(ctx: CallContext, p: Params) -> dict[str, Any]:
    asset, entry = CRUD.new(ctx, p, _validate)
    CRUD.stamp_new(ctx, asset, entry)
    if not asset.get("fileExt") and asset.get("filename") and "." in asset["filename"]:
        asset["fileExt"] = asset["filename"].rsplit(".", 1)[1][:10]
    return ctx.store.put(KIND, asset)


def _finish(emu: Any, asset_id: str, blob: str) -> None:
    CRUD.store_content(emu, asset_id, blob, ready=True)


@action("attachment_attachmentasset", "update")
def update(ctx: CallContext, p: Params) -> dict[str, Any]:
    return CRUD.update(ctx, p, _validate)[0]


@action("attachment_attachmentasset", "getUrl")
def get_url(ctx: CallContext, p: Params) -> str:
    asset, _entry = CRUD.get(ctx, p.str("id", required=True), write=False)
    if (
        asset.get("status") != AssetStatus.READY
    ):  # AttachmentAssetService::getUrlAction throws it without the id
        raise ApiError("ATTACHMENT_ASSET_IS_NOT_READY")
    ks = ctx.session.ks if ctx.session else ""
    name = quote(asset.get("filename") or f"a.{asset.get('fileExt') or 'bin'}", safe="")
    return (
        f"{ctx.emu.url}/api_v3/index.php/service/attachment_attachmentAsset/action/serve/attachmentAssetId/"
        f"{asset['id']}/ks/{quote(ks, safe='')}/{name}"
    )


CRUD.register("attachment_attachmentasset", "attachmentAssetId", _finish, by_format)
