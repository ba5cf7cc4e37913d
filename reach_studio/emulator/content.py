"""Content of assets and entries: the object types they share and how a content resource becomes bytes.

captionAsset/attachmentAsset/flavorAsset.setContent and media.addContent all take a KalturaResource:
an upload token (attaching a finished one closes it; one still uploading leaves the asset IMPORTING until its
last chunk lands, as KalturaUploadedFileTokenResource::toObject and kFlowHelper::handleUploadFinished do), a URL the server downloads itself (with
optional headers; the asset shows IMPORTING until the download ends in READY or ERROR), a string, or
another asset's content. Kaltura does the URL import and the flavor conversion in batch jobs; here they
run in background threads, so a client sees the same status flow and has to poll the same way.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from reach_studio.domain.enums import AssetStatus, EntryStatus, UploadTokenStatus
from reach_studio.emulator.errors import ApiError, register_errors
from reach_studio.emulator.languages import is_language, language_names
from reach_studio.emulator.schema import define, define_enum

if TYPE_CHECKING:
    from reach_studio.emulator.registry import CallContext
    from reach_studio.emulator.server import Emulator

log = logging.getLogger(__name__)

URL_IMPORT_TIMEOUT_S = 30.0
URL_IMPORT_MAX_BYTES = 4 * 1024**3

register_errors(
    "UPLOAD_TOKEN_NOT_FOUND;;Upload token not found",
    "UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD;;Upload token is in an invalid status for uploading a file, "
    "maybe the file was already uploaded",
    "UPLOAD_TOKEN_INVALID_STATUS_FOR_ADD_ENTRY;;Upload token is in an invalid status for adding entry, "
    "maybe the a file was not uploaded or the token was used",
    "UPLOAD_TOKEN_CANNOT_RESUME;;Cannot resume the upload, original file was not found",
    "UPLOAD_TOKEN_RESUMING_INVALID_POSITION;;Resuming not allowed after end of file",
    "UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE;;Failed to match expected file size",
    "UPLOAD_ERROR;;Upload failed",
    "RESOURCE_TYPE_NOT_SUPPORTED;RES_TYPE;Resource type [@RES_TYPE@] is not supported",
    'ASSET_ID_NOT_FOUND;ID;Asset id "@ID@" not found',
    "INVALID_URL;URL;Invalid url [@URL@]",
)

# ---- shared object types --------------------------------------------------------------------------
define_enum("KalturaLanguage", "str", language_names())
define_enum("KalturaLanguageCode", "str", None)
define_enum("KalturaUploadTokenStatus", "int", [int(s) for s in UploadTokenStatus])
define_enum("KalturaFlavorAssetStatus", "int", [int(s) for s in AssetStatus])
_A = AssetStatus
_CAPTION_STATUSES = [int(s) for s in (_A.ERROR, _A.QUEUED, _A.READY, _A.DELETED, _A.IMPORTING, _A.EXPORTING)]
define_enum("KalturaCaptionAssetStatus", "int", _CAPTION_STATUSES)
define_enum("KalturaAttachmentAssetStatus", "int", _CAPTION_STATUSES)

define("KalturaString", "KalturaObjectBase", value="str")
define("KalturaResource", "KalturaObjectBase", abstract=True)
define("KalturaContentResource", "KalturaResource", abstract=True)
define("KalturaDataCenterContentResource", "KalturaContentResource", abstract=True)
define("KalturaGenericDataCenterContentResource", "KalturaDataCenterContentResource", abstract=True)
define("KalturaUploadedFileTokenResource", "KalturaGenericDataCenterContentResource", token="str required")
define(
    "KalturaUrlResource",
    "KalturaContentResource",
    url="str required",
    forceAsyncDownload="bool",
    urlHeaders="list:KalturaString",
    shouldRedirect="bool",
)
define("KalturaStringResource", "KalturaContentResource", content="str required")
define("KalturaAssetResource", "KalturaContentResource", assetId="str required")

define(
    "KalturaAsset",
    "KalturaObjectBase",
    abstract=True,
    id="str ro",
    entryId="str ro",
    partnerId="int ro",
    version="int ro",
    size="int ro",
    tags="str",
    fileExt="str io",
    createdAt="int ro",
    updatedAt="int ro",
    deletedAt="int ro",
    description="str ro",
    partnerData="str",
    partnerDescription="str",
    actualSourceAssetParamsIds="str",
    sizeInBytes="int ro",
)
define("KalturaFilter", "KalturaObjectBase", orderBy="str")
define(
    "KalturaAssetFilter",
    "KalturaFilter",
    idEqual="str",
    idIn="str",
    entryIdEqual="str",
    entryIdIn="str",
    partnerIdEqual="int",
    partnerIdIn="str",
    tagsLike="str",
    statusEqual="int",
    statusIn="str",
    statusNotIn="str",
)

# ---- small helpers the asset services share ------------------------------------------------------


def now() -> int:
    return int(time.time())


def check_language(obj: dict[str, Any], field: str = "language") -> None:
    """Kaltura refuses a language that is not a KalturaLanguage *name* ("English", not "en")."""
    value = obj.get(field)
    if value not in (None, "") and not is_language(value):
        raise ApiError(
            "INVALID_ENUM_VALUE",
            ENUM_VAL=value,
            PARAM_NAME=f"{obj.get('objectType')}::{field}",
            ENUM_TYPE="KalturaLanguage",
        )


def ids_filter(text: str | None) -> set[str] | None:
    if text in (None, ""):
        return None
    return {part.strip() for part in str(text).split(",") if part.strip()}


def by_ids(objects: list[dict[str, Any]], flt: dict[str, Any]) -> list[dict[str, Any]]:
    """The idEqual / idIn fields every Kaltura filter has."""
    if flt.get("idEqual"):
        objects = [o for o in objects if str(o["id"]) == str(flt["idEqual"])]
    wanted = ids_filter(flt.get("idIn"))
    if wanted is not None:
        objects = [o for o in objects if str(o["id"]) in wanted]
    return objects


def pager(p: Any, unpaged_size: int = 30) -> tuple[int, int]:
    """(page size, 1-based page index) from a KalturaFilterPager param: Kaltura's defaults 30, max 500;
    `unpaged_size` when no pager is sent at all (cuePoint.list uses 500)."""
    raw = p.obj("pager", "KalturaFilterPager")
    if raw is None:
        return unpaged_size, 1
    size = raw.get("pageSize") or 30
    index = raw.get("pageIndex") or 1
    size = max(1, min(int(size), 500))
    return size, max(1, int(index))


def list_response(
    type_name: str, objects: list[dict[str, Any]], p: Any, unpaged_size: int = 30
) -> dict[str, Any]:
    size, index = pager(p, unpaged_size)
    page = objects[(index - 1) * size : index * size]
    return {"objectType": type_name, "objects": page, "totalCount": len(objects)}


def can_reach(ctx: CallContext, entry: dict[str, Any], write: bool = False) -> bool:
    """The entry rule of registry.require_entry_access, plus: a key that reaches an entry also reaches the child entries made from it
    (parentEntryId, e.g. the sign-language entry a vendor adds) and the entries it created itself."""
    if ctx.can_reach_entry(entry, write):
        return True
    session = ctx.session
    if session is None or session.is_widget or int(entry.get("partnerId", -1)) != session.partner_id:
        return False
    allowed = set(session.privilege_values("edit"))
    if not write:
        allowed |= session.privilege_values("sview") | session.privilege_values("download")
    if entry.get("parentEntryId") and entry["parentEntryId"] in allowed:
        return True
    return bool(allowed & set(entry.get("_creatorEntries") or []))


def reach_entry(ctx: CallContext, entry_id: str | None, write: bool = False) -> dict[str, Any]:
    """The entry if the caller's KS reaches it, else ENTRY_ID_NOT_FOUND (Kaltura does not say "forbidden")."""
    ctx.require_session()
    entry = ctx.store.get("entry", entry_id) if entry_id else None
    if entry is None or entry.get("status") == EntryStatus.DELETED or not can_reach(ctx, entry, write):
        raise ApiError("ENTRY_ID_NOT_FOUND", ENTRY_ID=entry_id)
    return entry


# ---- content resources --------------------------------------------------------------------------
Finisher = Callable[["Emulator", str, str], None]
"""Called with (emu, object id, blob name) once the bytes are in place (possibly in a background thread)."""

Failer = Callable[["Emulator", str, str], None]
"""Called with (emu, object id, reason) when a URL import fails."""


def _token_for(ctx: CallContext, token_id: str) -> dict[str, Any]:
    token = ctx.store.get("upload_token", token_id) if token_id else None
    session = ctx.require_session()
    if token is None or int(token.get("partnerId", -1)) != session.partner_id:
        raise ApiError("UPLOAD_TOKEN_NOT_FOUND")
    return token


def _safe_headers(items: list[Any] | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    for item in items or []:
        text = item.get("value") if isinstance(item, dict) else None
        if not text or ":" not in text:
            continue
        name, _, value = text.partition(":")
        name = name.strip()
        if name and "\n" not in name and "\r" not in value:
            headers[name] = value.strip()
    return headers


def attach_resource(
    ctx: CallContext,
    kind: str,
    object_id: str,
    resource: dict[str, Any],
    finish: Finisher,
    fail: Failer,
    importing_status: Any,
) -> str:
    """Bring a resource's bytes to the object: returns "done" (finish already ran) or "importing"."""
    rtype = resource.get("objectType")
    store = ctx.store
    if rtype == "KalturaUploadedFileTokenResource":
        token = _token_for(ctx, str(resource.get("token") or ""))
        status = int(token.get("status", 0))
        # KalturaUploadedFileTokenResource::toObject: a token that is not FULL_UPLOAD (still uploading, or
        # already CLOSED) is a resource "not ready": the asset turns IMPORTING and is filled when the upload ends
        # (an entry's content waits in its source flavor: media.addContent handles that case itself)
        if status != UploadTokenStatus.FULL_UPLOAD and kind != "entry":
            store.update(kind, object_id, {"status": importing_status, "updatedAt": now()})
            await_upload(ctx, token, kind, object_id, finish)
            return "importing"
        if status != UploadTokenStatus.FULL_UPLOAD or not token.get("_blob"):
            raise ApiError("UPLOAD_TOKEN_INVALID_STATUS_FOR_ADD_ENTRY")
        _close_into(ctx.emu, token, kind, object_id, finish)
        return "done"
    if rtype == "KalturaStringResource":
        blob = store.put_blob(str(resource.get("content") or "").encode("utf-8"))
        finish(ctx.emu, object_id, blob)
        return "done"
    if rtype == "KalturaAssetResource":
        source_id = str(resource.get("assetId") or "")
        for source_kind in ("caption_asset", "attachment_asset", "flavor_asset"):
            source = store.get(source_kind, source_id)
            if source is not None:
                break
        if source is None or int(source.get("partnerId", -1)) != ctx.require_session().partner_id:
            raise ApiError("ASSET_ID_NOT_FOUND", ID=source_id)
        if source.get("_blob"):
            blob = store.put_blob(store.blob_path(source["_blob"]))
        elif source.get("_path"):
            blob = store.put_blob(Path(source["_path"]))
        else:
            raise ApiError("ASSET_ID_NOT_FOUND", ID=source_id)
        finish(ctx.emu, object_id, blob)
        return "done"
    if rtype == "KalturaUrlResource":
        url = str(resource.get("url") or "")
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ApiError("INVALID_URL", URL=url[:200])
        headers = _safe_headers(resource.get("urlHeaders"))
        store.update(kind, object_id, {"status": importing_status, "updatedAt": now()})
        thread = threading.Thread(
            target=_import_url,
            args=(ctx.emu, kind, object_id, url, headers, finish, fail),
            name=f"url-import-{object_id}",
            daemon=True,
        )
        thread.start()
        return "importing"
    raise ApiError("RESOURCE_TYPE_NOT_SUPPORTED", RES_TYPE=rtype)


_FINISHERS: dict[str, Finisher] = {}
"""finisher name (the kind, unless named) -> the finisher its service passed, for tokens attached before
their upload ended."""


def unfinished_token(ctx: CallContext, resource: dict[str, Any]) -> dict[str, Any] | None:
    """The upload token of a KalturaUploadedFileTokenResource that is not FULL_UPLOAD, else None (an unknown
    token is UPLOAD_TOKEN_NOT_FOUND, as the resource's toObject answers)."""
    if resource.get("objectType") != "KalturaUploadedFileTokenResource":
        return None
    token = _token_for(ctx, str(resource.get("token") or ""))
    return None if int(token.get("status", 0)) == UploadTokenStatus.FULL_UPLOAD else token


def await_upload(
    ctx: CallContext,
    token: dict[str, Any],
    kind: str,
    object_id: str,
    finish: Finisher,
    *,
    finisher: str | None = None,
) -> None:
    """kUploadedFileTokenResource::attachCreatedObject: the token records the object waiting for its file, and
    kFlowHelper::handleUploadFinished (`upload_finished`) fills it when the last chunk lands."""
    name = finisher or kind
    _FINISHERS[name] = finish
    ctx.store.update(
        "upload_token",
        token["id"],
        {
            "updatedAt": now(),
            "attachedObjectType": _core_class(ctx.store.get(kind, object_id) or {}, kind),
            "attachedObjectId": object_id,
            "_attachedKind": kind,
            "_finisher": name,
        },
    )


def _close_into(emu: Emulator, token: dict[str, Any], kind: str, object_id: str, finish: Finisher) -> None:
    """A FULL_UPLOAD token's file becomes the object's content and the token is CLOSED. Attached when already
    FULL_UPLOAD, the token does not record the object (attachCreatedObject runs only for a resource that is
    not ready; entryHandled → kUploadTokenMgr::closeUploadTokenById only closes it)."""
    store = emu.store
    blob = store.put_blob(store.blob_path(token["_blob"]), suffix=Path(token.get("fileName") or "").suffix)
    store.update("upload_token", token["id"], {"status": UploadTokenStatus.CLOSED, "updatedAt": now()})
    finish(emu, object_id, blob)


def upload_finished(emu: Emulator, token: dict[str, Any]) -> None:
    """kFlowHelper::handleUploadFinished: a token that was attached to an asset before its upload ended fills
    that asset once it is FULL_UPLOAD (docs/kaltura-contract.md, "Assets and cue points")."""
    kind = token.get("_attachedKind")
    finish = _FINISHERS.get(token.get("_finisher") or kind or "")
    object_id = token.get("attachedObjectId")
    if not kind or finish is None or not object_id or emu.store.get(kind, object_id) is None:
        return
    _close_into(emu, token, kind, str(object_id), finish)


# KalturaUploadToken.attachedObjectType is the token's objectType, which kUploadedFileTokenResource::
# attachCreatedObject sets to get_class() of the *core* object: CaptionAsset, AttachmentAsset (TranscriptAsset
# for a transcript), flavorAsset, entry — not the API class names.
_CORE_CLASSES = {
    "caption_asset": "CaptionAsset",
    "attachment_asset": "AttachmentAsset",
    "flavor_asset": "flavorAsset",
    "entry": "entry",
}


def _core_class(obj: dict[str, Any], kind: str) -> str:
    if obj.get("objectType") == "KalturaTranscriptAsset":
        return "TranscriptAsset"
    return _CORE_CLASSES.get(kind, kind)


def _import_url(
    emu: Emulator,
    kind: str,
    object_id: str,
    url: str,
    headers: dict[str, str],
    finish: Finisher,
    fail: Failer,
) -> None:
    import requests

    store = emu.store
    try:
        with requests.get(
            url, headers=headers, timeout=URL_IMPORT_TIMEOUT_S, stream=True, allow_redirects=True
        ) as response:
            if response.status_code >= 400:
                raise OSError(f"HTTP {response.status_code}")
            name = store.put_blob(b"", suffix=Path(urlparse(url).path).suffix[:10])
            total = 0
            with open(store.blob_path(name), "wb") as out:
                for chunk in response.iter_content(256 * 1024):
                    total += len(chunk)
                    if total > URL_IMPORT_MAX_BYTES:
                        raise OSError("file too large")
                    out.write(chunk)
    except Exception as exc:  # noqa: BLE001 - any network or disk failure ends the import in ERROR, as Kaltura's batch does
        # no query strings: a signed deliverable URL carries its token there
        reason = re.sub(r"\?[^\s'\"]*", "?...", f"{type(exc).__name__}: {exc}")[:300]
        log.info("URL import for %s %s failed: %s", kind, object_id, reason)
        try:
            fail(emu, object_id, reason)
        except Exception:
            log.debug("could not record the failed import of %s", object_id, exc_info=True)
        return
    try:
        finish(emu, object_id, name)
    except Exception:
        log.debug("could not finish the import of %s", object_id, exc_info=True)


def run_later(delay_s: float, fn: Callable[[], None], name: str) -> None:
    """Run fn in a daemon thread after delay_s (Kaltura's batch jobs); errors after a stop are ignored."""

    def runner() -> None:
        time.sleep(delay_s)
        try:
            fn()
        except Exception:
            log.debug("background job %s failed", name, exc_info=True)

    threading.Thread(target=runner, name=name, daemon=True).start()
