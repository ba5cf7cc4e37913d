"""uploadToken: add / upload (chunked, resumable) / get / list / delete, with Kaltura's status flow.

A token starts PENDING(0); a chunk that is not final makes it PARTIAL_UPLOAD(1), the final chunk
FULL_UPLOAD(2), and attaching it to an asset or entry CLOSED(3) (kUploadTokenMgr). `resume=True`
writes at `resumeAt` (-1 = the end) so a client whose connection dropped can ask `uploadedFileSize`
and continue from there; a resume point past the end is refused as Kaltura refuses it.
"""

from __future__ import annotations

from typing import Any

from reach_studio.emulator.content import ids_filter, list_response, now
from reach_studio.emulator.errors import ApiError
from reach_studio.emulator.registry import CallContext, Params, action
from reach_studio.emulator.schema import check_insert, define

PENDING, PARTIAL_UPLOAD, FULL_UPLOAD, CLOSED, TIMED_OUT, DELETED = 0, 1, 2, 3, 4, 5

define(
    "KalturaUploadToken", "KalturaObjectBase",
    id="str ro", partnerId="int ro", userId="str ro", status="enum:KalturaUploadTokenStatus ro",
    fileName="str io", fileSize="float io", uploadedFileSize="float ro", createdAt="int ro", updatedAt="int ro",
    uploadUrl="str ro", autoFinalize="enum:KalturaNullableBoolean io", attachedObjectType="str ro",
    attachedObjectId="str ro",
)
define("KalturaUploadTokenListResponse", "KalturaListResponse", objects="list:KalturaUploadToken ro")
define("KalturaUploadTokenFilter", "KalturaFilter", idEqual="str", idIn="str", userIdEqual="str",
       statusEqual="enum:KalturaUploadTokenStatus", statusIn="str", fileNameEqual="str", fileSizeEqual="float")


def _get_token(ctx: CallContext, token_id: str | None) -> dict[str, Any]:
    session = ctx.require_session()
    token = ctx.store.get("upload_token", token_id) if token_id else None
    if token is None or int(token.get("partnerId", -1)) != session.partner_id or token.get("status") == DELETED:
        raise ApiError("UPLOAD_TOKEN_NOT_FOUND")
    return token


@action("uploadtoken", "add")
def add(ctx: CallContext, p: Params) -> dict[str, Any]:
    session = ctx.require_session()
    token = p.obj("uploadToken", "KalturaUploadToken") or {"objectType": "KalturaUploadToken"}
    check_insert(token)
    if token.get("fileSize") is not None and token["fileSize"] < 0:
        raise ApiError("PROPERTY_VALIDATION_MIN_VALUE", PROP_NAME="KalturaUploadToken::fileSize", MIN_VALUE=0)
    token_id = ctx.store.next_id("upload_token")
    stamp = now()
    token.update({
        "id": token_id, "partnerId": session.partner_id, "userId": session.user_id, "status": PENDING,
        "uploadedFileSize": 0, "createdAt": stamp, "updatedAt": stamp,
        "uploadUrl": ctx.emu.url, "_blob": ctx.store.put_blob(b""),
    })
    return ctx.store.put("upload_token", token)


@action("uploadtoken", "upload")
def upload(ctx: CallContext, p: Params) -> dict[str, Any]:
    token = _get_token(ctx, p.str("uploadTokenId", required=True))
    data = p.file("fileData")
    resume = p.bool("resume", default=False)
    final_chunk = p.bool("finalChunk", default=True)
    resume_at = p.float("resumeAt", default=-1.0)
    if token.get("status") not in (PENDING, PARTIAL_UPLOAD):
        raise ApiError("UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD")
    path = ctx.store.blob_path(token["_blob"])
    current = path.stat().st_size if path.exists() else 0
    if resume:
        if token.get("status") == PENDING and current == 0 and resume_at > 0:
            raise ApiError("UPLOAD_TOKEN_RESUMING_INVALID_POSITION")
        position = current if resume_at is None or resume_at < 0 else int(resume_at)
        if position > current:
            raise ApiError("UPLOAD_TOKEN_RESUMING_INVALID_POSITION")
        with open(path, "r+b" if path.exists() else "wb") as out:
            out.seek(position)
            out.write(data.data)
            out.truncate()
    else:
        path.write_bytes(data.data)
    size = path.stat().st_size
    expected = token.get("fileSize")
    auto_final = token.get("autoFinalize") == 1 and expected and size >= int(expected)
    changes: dict[str, Any] = {"uploadedFileSize": size, "updatedAt": now()}
    if final_chunk or auto_final:
        if expected and int(expected) != size:
            ctx.store.update("upload_token", token["id"], {**changes, "status": PARTIAL_UPLOAD})
            raise ApiError("UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE")
        changes["status"] = FULL_UPLOAD
    else:
        changes["status"] = PARTIAL_UPLOAD
    if data.filename and not token.get("fileName"):
        changes["fileName"] = data.filename
    return ctx.store.update("upload_token", token["id"], changes)


@action("uploadtoken", "get")
def get(ctx: CallContext, p: Params) -> dict[str, Any]:
    return _get_token(ctx, p.str("uploadTokenId", required=True))


@action("uploadtoken", "delete")
def delete(ctx: CallContext, p: Params) -> None:
    token = _get_token(ctx, p.str("uploadTokenId", required=True))
    ctx.store.update("upload_token", token["id"], {"status": DELETED, "updatedAt": now()})


@action("uploadtoken", "list")
def list_(ctx: CallContext, p: Params) -> dict[str, Any]:
    session = ctx.require_session()
    flt = p.obj("filter", "KalturaUploadTokenFilter") or {}
    tokens = [t for t in ctx.store.find("upload_token", partnerId=session.partner_id) if t.get("status") != DELETED]
    if flt.get("idEqual"):
        tokens = [t for t in tokens if t["id"] == flt["idEqual"]]
    wanted = ids_filter(flt.get("idIn"))
    if wanted is not None:
        tokens = [t for t in tokens if t["id"] in wanted]
    if flt.get("statusEqual") is not None:
        tokens = [t for t in tokens if t.get("status") == flt["statusEqual"]]
    statuses = ids_filter(flt.get("statusIn"))
    if statuses is not None:
        tokens = [t for t in tokens if str(t.get("status")) in statuses]
    if flt.get("fileNameEqual"):
        tokens = [t for t in tokens if t.get("fileName") == flt["fileNameEqual"]]
    return list_response("KalturaUploadTokenListResponse", tokens, p)
