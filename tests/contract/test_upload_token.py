"""Contract: uploadToken as UploadTokenService and kUploadTokenMgr rule it (docs/kaltura-contract.md, "uploadToken"),
driven with a task's accessKey."""

from __future__ import annotations

import io

import pytest
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import KalturaUploadToken

from .kaltura import client, pending_task

FULL_UPLOAD, PARTIAL_UPLOAD, PENDING, CLOSED = 2, 1, 0, 3


def _key_client(emu):
    task = pending_task(emu)
    return client(emu, task["accessKey"])


def _refused(fn) -> KalturaException:
    with pytest.raises(KalturaException) as exc:
        fn()
    return exc.value


def _send(c, token_id, data: bytes, **kwargs):
    chunk = io.BytesIO(data)
    chunk.name = "chunk.bin"
    return c.uploadToken.upload(token_id, chunk, **kwargs)


def test_add_is_pending_and_get_returns_it(emulator):
    c = _key_client(emulator)
    token = c.uploadToken.add(KalturaUploadToken(fileName="a.srt", fileSize=10.0))
    assert token.status.getValue() == PENDING
    again = c.uploadToken.get(token.id)
    assert (again.id, again.fileName, again.status.getValue()) == (token.id, "a.srt", PENDING)
    assert _refused(lambda: c.uploadToken.get("0_nosuchtoken")).code == "UPLOAD_TOKEN_NOT_FOUND"


def test_a_chunk_that_is_not_final_leaves_the_token_partial_and_the_final_one_full(emulator):
    c = _key_client(emulator)
    token = c.uploadToken.add(KalturaUploadToken())
    first = _send(c, token.id, b"a" * 100, resume=False, finalChunk=False)
    assert (first.status.getValue(), first.uploadedFileSize) == (PARTIAL_UPLOAD, 100)
    last = _send(c, token.id, b"b" * 50, resume=True, finalChunk=True, resumeAt=100)
    assert (last.status.getValue(), last.uploadedFileSize) == (FULL_UPLOAD, 150)
    assert emulator.inspect.content(token.id) == b"a" * 100 + b"b" * 50


def test_resume_before_any_upload_is_upload_token_cannot_resume(emulator):
    c = _key_client(emulator)
    token = c.uploadToken.add(KalturaUploadToken())
    assert (
        _refused(lambda: _send(c, token.id, b"x", resume=True, resumeAt=0)).code
        == "UPLOAD_TOKEN_CANNOT_RESUME"
    )


def test_a_chunk_past_the_end_is_kept_until_the_gap_is_filled(emulator):
    c = _key_client(emulator)
    token = c.uploadToken.add(KalturaUploadToken())
    _send(c, token.id, b"a" * 100, resume=False, finalChunk=False)
    ahead = _send(c, token.id, b"c" * 100, resume=True, finalChunk=False, resumeAt=200)
    assert ahead.uploadedFileSize == 100  # kept aside, not written
    filled = _send(c, token.id, b"b" * 100, resume=True, finalChunk=False, resumeAt=100)
    assert filled.uploadedFileSize == 200  # kept chunks are appended before the current one is written
    last = _send(c, token.id, b"d" * 50, resume=True, finalChunk=True, resumeAt=300)
    assert (last.status.getValue(), last.uploadedFileSize) == (FULL_UPLOAD, 350)
    assert emulator.inspect.content(token.id) == b"a" * 100 + b"b" * 100 + b"c" * 100 + b"d" * 50


def test_a_final_chunk_that_does_not_end_the_file_is_cannot_match_expected_size(emulator):
    c = _key_client(emulator)
    token = c.uploadToken.add(KalturaUploadToken())
    _send(c, token.id, b"a" * 100, resume=False, finalChunk=False)
    err = _refused(lambda: _send(c, token.id, b"z" * 10, resume=True, finalChunk=True, resumeAt=150))
    assert err.code == "UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE"
    assert c.uploadToken.get(token.id).uploadedFileSize == 100


def test_the_declared_file_size_is_not_checked_without_auto_finalize(emulator):
    c = _key_client(emulator)
    token = c.uploadToken.add(KalturaUploadToken(fileSize=500.0))
    done = _send(c, token.id, b"z" * 400, resume=False, finalChunk=True)
    assert (done.status.getValue(), done.uploadedFileSize) == (FULL_UPLOAD, 400)


def test_upload_after_the_final_chunk_is_upload_token_invalid_status_for_upload(emulator):
    c = _key_client(emulator)
    token = c.uploadToken.add(KalturaUploadToken())
    _send(c, token.id, b"done")
    err = _refused(lambda: _send(c, token.id, b"more", resume=True, resumeAt=-1))
    assert err.code == "UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD"


def test_a_deleted_token_is_upload_token_not_found(emulator):
    c = _key_client(emulator)
    token = c.uploadToken.add(KalturaUploadToken())
    c.uploadToken.delete(token.id)
    assert _refused(lambda: c.uploadToken.get(token.id)).code == "UPLOAD_TOKEN_NOT_FOUND"


def test_list_by_file_name_alone_leaves_out_closed_tokens(emulator):
    from KalturaClient.Plugins.Caption import KalturaCaptionAsset
    from KalturaClient.Plugins.Core import KalturaUploadedFileTokenResource, KalturaUploadTokenFilter

    task = pending_task(emulator)
    c = client(emulator, task["accessKey"])
    used = c.uploadToken.add(KalturaUploadToken(fileName="same.srt"))
    _send(c, used.id, b"1\n00:00:00,000 --> 00:00:01,000\nHi\n")
    asset = c.caption.captionAsset.add(task["entryId"], KalturaCaptionAsset(language="English", format="1"))
    c.caption.captionAsset.setContent(asset.id, KalturaUploadedFileTokenResource(token=used.id))
    waiting = c.uploadToken.add(KalturaUploadToken(fileName="same.srt"))
    listed = c.uploadToken.list(KalturaUploadTokenFilter(fileNameEqual="same.srt"))
    assert [t.id for t in listed.objects] == [waiting.id]


def test_attaching_a_finished_token_closes_it_without_recording_the_object(emulator):
    """A FULL_UPLOAD token is a ready resource: its file goes to the asset and entryHandled closes the token
    (kUploadTokenMgr::closeUploadTokenById sets the status only); attachCreatedObject, which records the
    object on the token, runs only for a token that is not finished."""
    from KalturaClient.Plugins.Caption import KalturaCaptionAsset
    from KalturaClient.Plugins.Core import KalturaUploadedFileTokenResource

    task = pending_task(emulator)
    c = client(emulator, task["accessKey"])
    asset = c.caption.captionAsset.add(task["entryId"], KalturaCaptionAsset(language="English", format="1"))
    token = c.uploadToken.add(KalturaUploadToken(fileName="a.srt"))
    _send(c, token.id, b"1\n00:00:00,000 --> 00:00:01,000\nHi\n", resume=False, finalChunk=True)
    assert c.caption.captionAsset.setContent(asset.id, KalturaUploadedFileTokenResource(token=token.id))
    closed = c.uploadToken.get(token.id)
    assert closed.status.getValue() == CLOSED and not closed.attachedObjectId
