"""uploadToken through the official client: chunks, resume after a drop, status flow, refusals, attaching."""

from __future__ import annotations

import pytest
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Caption import KalturaCaptionAsset
from KalturaClient.Plugins.Core import (
    KalturaUploadedFileTokenResource,
    KalturaUploadToken,
    KalturaUploadTokenFilter,
)

from .entry_setup import bare_entry, key_client

SRT = b"1\n00:00:01,000 --> 00:00:02,500\nHello there\n\n2\n00:00:03,000 --> 00:00:04,000\nBye\n"


def _chunk(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return open(path, "rb")


def _upload(client, token_id, tmp_path, data: bytes, **kwargs):
    with _chunk(tmp_path, "chunk.bin", data) as fh:
        return client.uploadToken.upload(token_id, fh, **kwargs)


def test_chunked_upload_resumes_after_a_drop_and_keeps_the_bytes(emulator, tmp_path):
    entry = bare_entry(emulator)
    client = key_client(emulator, entry)
    payload = bytes(range(256)) * 40  # 10240 bytes
    token = client.uploadToken.add(KalturaUploadToken(fileName="big.bin", fileSize=len(payload)))
    assert token.status.getValue() == 0  # PENDING
    assert token.uploadedFileSize == 0

    first = _upload(client, token.id, tmp_path, payload[:4000], resume=False, finalChunk=False)
    assert first.status.getValue() == 1  # PARTIAL_UPLOAD
    assert first.uploadedFileSize == 4000

    # a chunk that "dropped" half way: the server kept 4000 + 1000 bytes of it
    _upload(client, token.id, tmp_path, payload[4000:5000], resume=True, finalChunk=False, resumeAt=4000)
    # the client asks how far the server got and continues from there
    assert client.uploadToken.get(token.id).uploadedFileSize == 5000
    # re-sending an overlapping range from an earlier offset overwrites (resumeAt inside the file)
    _upload(client, token.id, tmp_path, payload[4500:7000], resume=True, finalChunk=False, resumeAt=4500)
    last = _upload(client, token.id, tmp_path, payload[7000:], resume=True, finalChunk=True, resumeAt=7000)
    assert last.status.getValue() == 2  # FULL_UPLOAD
    assert last.uploadedFileSize == len(payload)
    assert emulator.inspect.content(token.id) == payload


def test_upload_after_the_final_chunk_is_refused(emulator, tmp_path):
    client = key_client(emulator, bare_entry(emulator))
    token = client.uploadToken.add(KalturaUploadToken(fileName="a.srt"))
    _upload(client, token.id, tmp_path, SRT)
    with pytest.raises(KalturaException) as exc:
        _upload(client, token.id, tmp_path, SRT, resume=True)
    assert exc.value.code == "UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD"


def test_a_token_attached_before_its_upload_ends_fills_the_caption_when_it_does(emulator, tmp_path):
    entry = bare_entry(emulator)
    client = key_client(emulator, entry)
    caption = client.caption.captionAsset.add(
        entry["id"], KalturaCaptionAsset(language="English", format="1")
    )
    token = client.uploadToken.add(KalturaUploadToken(fileName="en.srt"))
    _upload(client, token.id, tmp_path, SRT[:20], finalChunk=False)
    importing = client.caption.captionAsset.setContent(
        caption.id, KalturaUploadedFileTokenResource(token=token.id)
    )
    assert importing.status.getValue() == 7  # IMPORTING until the upload ends
    assert client.uploadToken.get(token.id).status.getValue() == 1  # still PARTIAL_UPLOAD
    _upload(client, token.id, tmp_path, SRT[20:], resume=True, resumeAt=20, finalChunk=True)
    done = client.caption.captionAsset.get(caption.id)
    assert done.status.getValue() == 2
    assert emulator.inspect.content(caption.id) == SRT
    closed = client.uploadToken.get(token.id)
    assert closed.status.getValue() == 3  # CLOSED
    assert closed.attachedObjectId == caption.id
    assert closed.attachedObjectType == "CaptionAsset"  # the core class (kUploadedFileTokenResource)


def test_attaching_a_finished_token_closes_it_and_a_closed_one_leaves_the_asset_importing(emulator, tmp_path):
    entry = bare_entry(emulator)
    client = key_client(emulator, entry)
    caption = client.caption.captionAsset.add(
        entry["id"], KalturaCaptionAsset(language="English", format="1")
    )
    token = client.uploadToken.add(KalturaUploadToken(fileName="en.srt"))
    _upload(client, token.id, tmp_path, SRT)
    done = client.caption.captionAsset.setContent(
        caption.id, KalturaUploadedFileTokenResource(token=token.id)
    )
    assert done.status.getValue() == 2 and emulator.inspect.content(caption.id) == SRT
    assert client.uploadToken.get(token.id).status.getValue() == 3  # CLOSED
    # KalturaUploadedFileTokenResource::toObject: any token that is not FULL_UPLOAD is "not ready" — a closed
    # one too, so attaching it again leaves the asset IMPORTING (why the app checks the token before a retry)
    again = client.caption.captionAsset.setContent(
        caption.id, KalturaUploadedFileTokenResource(token=token.id)
    )
    assert again.status.getValue() == 7


def test_tokens_are_private_to_their_partner_and_listed_by_status(emulator, tmp_path):
    mine = key_client(emulator, bare_entry(emulator, 0))
    other = key_client(emulator, bare_entry(emulator, 1))
    token = mine.uploadToken.add(KalturaUploadToken(fileName="x.srt"))
    pending = mine.uploadToken.add(KalturaUploadToken(fileName="y.srt"))
    _upload(mine, token.id, tmp_path, SRT)
    with pytest.raises(KalturaException) as exc:
        other.uploadToken.get(token.id)
    assert exc.value.code == "UPLOAD_TOKEN_NOT_FOUND"
    with pytest.raises(KalturaException) as exc:
        _upload(other, token.id, tmp_path, SRT)
    assert exc.value.code == "UPLOAD_TOKEN_NOT_FOUND"
    full = mine.uploadToken.list(KalturaUploadTokenFilter(statusEqual=2))
    assert [t.id for t in full.objects] == [token.id]
    assert full.totalCount == 1
    everything = mine.uploadToken.list()
    assert {t.id for t in everything.objects} == {token.id, pending.id}
    assert other.uploadToken.list().totalCount == 0


def test_unknown_token_and_missing_file(emulator, tmp_path):
    client = key_client(emulator, bare_entry(emulator))
    with pytest.raises(KalturaException) as exc:
        _upload(client, "0_nosuchtk", tmp_path, SRT)
    assert exc.value.code == "UPLOAD_TOKEN_NOT_FOUND"
    token = client.uploadToken.add(KalturaUploadToken())
    with pytest.raises(KalturaException) as exc:
        client.uploadToken.upload(token.id, None)
    assert exc.value.code == "MISSING_MANDATORY_PARAMETER"


def test_an_upload_resumes_after_the_emulator_restarts(tmp_path, emulator_media_cache):
    from reach_studio.emulator.server import Emulator

    data = tmp_path / "data"
    payload = b"0123456789" * 300
    with Emulator(data, seed="minimal", media_cache=emulator_media_cache) as emu:
        entry = bare_entry(emu)
        client = key_client(emu, entry)
        token = client.uploadToken.add(KalturaUploadToken(fileName="a.bin", fileSize=len(payload)))
        _upload(client, token.id, tmp_path, payload[:1234], finalChunk=False)
        caption = client.caption.captionAsset.add(
            entry["id"], KalturaCaptionAsset(language="English", format="1")
        )
        from KalturaClient.Plugins.Core import KalturaStringResource

        client.caption.captionAsset.setContent(caption.id, KalturaStringResource(content=SRT.decode()))
    with Emulator(data, seed="minimal", media_cache=emulator_media_cache) as emu:
        client = key_client(emu, emu.store.get("entry", entry["id"]))
        assert client.uploadToken.get(token.id).uploadedFileSize == 1234
        done = _upload(
            client, token.id, tmp_path, payload[1234:], resume=True, resumeAt=1234, finalChunk=True
        )
        assert done.status.getValue() == 2
        assert emu.inspect.content(token.id) == payload
        import requests

        assert requests.get(client.caption.captionAsset.getUrl(caption.id), timeout=10).content == SRT


def test_upload_and_attach_in_one_multirequest(emulator, tmp_path):
    entry = bare_entry(emulator)
    client = key_client(emulator, entry)
    client.startMultiRequest()
    token = client.uploadToken.add(KalturaUploadToken(fileName="en.srt"))
    with _chunk(tmp_path, "en.srt", SRT) as fh:
        client.uploadToken.upload(token.id, fh)
        caption = client.caption.captionAsset.add(
            entry["id"], KalturaCaptionAsset(language="English", format="1")
        )
        client.caption.captionAsset.setContent(caption.id, KalturaUploadedFileTokenResource(token=token.id))
        results = client.doMultiRequest()
    assert [type(r).__name__ for r in results] == [
        "KalturaUploadToken",
        "KalturaUploadToken",
        "KalturaCaptionAsset",
        "KalturaCaptionAsset",
    ]
    assert results[1].status.getValue() == 2
    assert results[3].status.getValue() == 2
    assert emulator.inspect.content(results[2].id) == SRT
    assert client.uploadToken.get(results[0].id).status.getValue() == 3
