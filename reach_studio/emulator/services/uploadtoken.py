"""uploadToken: add / upload (chunked, resumable) / get / list / delete, with Kaltura's status flow.

A token starts PENDING(0); a chunk that is not final makes it PARTIAL_UPLOAD(1), the final chunk
FULL_UPLOAD(2), and attaching it to an asset or entry CLOSED(3) (kUploadTokenMgr). `resume=True`
writes at `resumeAt` (-1 = the end) so a client whose connection dropped can ask `uploadedFileSize`
and continue from there; a chunk past the end is kept aside until the gap is filled, as Kaltura does.
"""

from __future__ import annotations

from typing import Any

from reach_studio.domain.enums import UploadTokenStatus
from reach_studio.emulator.content import by_ids, ids_filter, list_response, now, upload_finished
from reach_studio.emulator.errors import ApiError
from reach_studio.emulator.registry import CallContext, Params, action
from reach_studio.emulator.schema import check_insert, define

define(
    "KalturaUploadToken",
    "KalturaObjectBase",
    id="str ro",
    partnerId="int ro",
    userId="str ro",
    status="enum:KalturaUploadTokenStatus ro",
    fileName="str io",
    fileSize="float io",
    uploadedFileSize="float ro",
    createdAt="int ro",
    updatedAt="int ro",
    uploadUrl="str ro",
    autoFinalize="enum:KalturaNullableBoolean io",
    attachedObjectType="str ro",
    attachedObjectId="str ro",
)
define("KalturaUploadTokenListResponse", "KalturaListResponse", objects="list:KalturaUploadToken ro")
define(
    "KalturaUploadTokenFilter",
    "KalturaFilter",
    idEqual="str",
    idIn="str",
    userIdEqual="str",
    statusEqual="enum:KalturaUploadTokenStatus",
    statusIn="str",
    fileNameEqual="str",
    fileSizeEqual="float",
)


def _get_token(ctx: CallContext, token_id: str | None) -> dict[str, Any]:
    session = ctx.require_session()
    token = ctx.store.get("upload_token", token_id) if token_id else None
    if (
        token is None
        or int(token.get("partnerId", -1)) != session.partner_id
        or token.get("status") == UploadTokenStatus.DELETED
    ):
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
    token.update(
        {
            "id": token_id,
            "partnerId": session.partner_id,
            "userId": session.user_id,
            "status": UploadTokenStatus.PENDING,
            "uploadedFileSize": 0,
            "createdAt": stamp,
            "updatedAt": stamp,
            "uploadUrl": ctx.emu.url,
            "_blob": ctx.store.put_blob(b""),
        }
    )
    return ctx.store.put("upload_token", token)


@action("uploadtoken", "upload")
def upload(ctx: CallContext, p: Params) -> dict[str, Any]:
    """As kUploadTokenMgr::uploadFileToToken (docs/kaltura-contract.md, "uploadToken")."""
    token = _get_token(ctx, p.str("uploadTokenId", required=True))
    sent = p.file("fileData")
    data, filename = sent.data, sent.filename
    resume = p.bool("resume", default=False)
    final_chunk = p.bool("finalChunk", default=True)
    resume_at = int(p.float("resumeAt", default=-1.0) or 0)
    if token.get("status") not in (UploadTokenStatus.PENDING, UploadTokenStatus.PARTIAL_UPLOAD):
        raise ApiError("UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD")
    changes: dict[str, Any] = {"updatedAt": now()}
    if filename and not token.get("fileName"):
        changes["fileName"] = filename
    if not data and not final_chunk and resume_at > 0:
        return ctx.store.update("upload_token", token["id"], changes)  # an empty chunk is dismissed
    path = ctx.store.blob_path(token["_blob"])
    chunks: dict[str, str] = dict(token.get("_chunks") or {})
    if resume:
        if (
            token.get("status") == UploadTokenStatus.PENDING
        ):  # no file yet: Kaltura's upload temp path is unset
            raise ApiError("UPLOAD_TOKEN_CANNOT_RESUME")
        size = _resume(ctx, path, chunks, data, resume_at, final_chunk)
    else:
        path.write_bytes(data)
        size = len(data)
    expected = token.get("fileSize")
    if token.get("autoFinalize") == 1 and expected and size >= int(expected):
        final_chunk = True
    changes.update({"uploadedFileSize": size, "_chunks": chunks})
    if final_chunk:
        if resume and resume_at > 0 and size != resume_at + len(data):
            ctx.store.update(
                "upload_token", token["id"], {**changes, "status": UploadTokenStatus.PARTIAL_UPLOAD}
            )
            raise ApiError("UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE")
        changes["status"] = UploadTokenStatus.FULL_UPLOAD
    else:
        changes["status"] = UploadTokenStatus.PARTIAL_UPLOAD
    updated = ctx.store.update("upload_token", token["id"], changes)
    if updated.get("status") == UploadTokenStatus.FULL_UPLOAD and updated.get("_attachedKind"):
        upload_finished(ctx.emu, updated)  # attached to an asset while it was uploading
        updated = ctx.store.get("upload_token", token["id"])
    return updated


def _resume(ctx: CallContext, path, chunks: dict[str, str], data: bytes, resume_at: int, final: bool) -> int:
    """kUploadTokenMgr::handleResume: write at `resume_at` (-1 = the end) when it touches the file's end,
    else keep the chunk aside and append kept chunks as the file's end reaches them."""
    with open(path, "r+b") as out:
        if resume_at < 0:
            out.seek(0, 2)
            out.write(data)
            return out.tell()
        out.seek(0, 2)
        current = _append_kept(ctx, out, chunks)
        if (not final or resume_at == 0) and resume_at <= current < resume_at + len(data):
            out.seek(resume_at)
            out.write(data)
            return out.tell()
        chunks[str(resume_at)] = ctx.store.put_blob(data)
        return _append_kept(ctx, out, chunks)


def _append_kept(ctx: CallContext, out, chunks: dict[str, str]) -> int:
    current = out.tell()
    while str(current) in chunks:
        out.write(ctx.store.blob_path(chunks.pop(str(current))).read_bytes())
        current = out.tell()
    return current


@action("uploadtoken", "get")
def get(ctx: CallContext, p: Params) -> dict[str, Any]:
    return _get_token(ctx, p.str("uploadTokenId", required=True))


@action("uploadtoken", "delete")
def delete(ctx: CallContext, p: Params) -> None:
    token = _get_token(ctx, p.str("uploadTokenId", required=True))
    ctx.store.update("upload_token", token["id"], {"status": UploadTokenStatus.DELETED, "updatedAt": now()})


@action("uploadtoken", "list")
def list_(ctx: CallContext, p: Params) -> dict[str, Any]:
    session = ctx.require_session()
    flt = p.obj("filter", "KalturaUploadTokenFilter") or {}
    tokens = [
        t
        for t in ctx.store.find("upload_token", partnerId=session.partner_id)
        if t.get("status") != UploadTokenStatus.DELETED
    ]
    tokens = by_ids(tokens, flt)
    if flt.get("statusEqual") is not None:
        tokens = [t for t in tokens if t.get("status") == flt["statusEqual"]]
    statuses = ids_filter(flt.get("statusIn"))
    if statuses is not None:
        tokens = [t for t in tokens if str(t.get("status")) in statuses]
    if flt.get("fileNameEqual") and flt.get("statusEqual") is None and not flt.get("statusIn"):
        # UploadTokenService::listAction: a file-name filter alone only lists tokens still in use
        tokens = [
            t
            for t in tokens
            if t.get("status")
            in (UploadTokenStatus.PENDING, UploadTokenStatus.PARTIAL_UPLOAD, UploadTokenStatus.FULL_UPLOAD)
        ]
    if flt.get("fileNameEqual"):
        tokens = [t for t in tokens if t.get("fileName") == flt["fileNameEqual"]]
    return list_response("KalturaUploadTokenListResponse", tokens, p)
