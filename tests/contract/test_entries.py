"""Contract: media and baseEntry as MediaService, BaseEntryService and KalturaObject rule them
(docs/kaltura-contract.md, "Entries"), driven by a customer's admin KS and a task's accessKey."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import (
    KalturaAssetFilter,
    KalturaBaseEntry,
    KalturaBaseEntryFilter,
    KalturaEntryStatus,
    KalturaMediaEntry,
    KalturaMediaEntryFilter,
    KalturaMediaType,
    KalturaStringResource,
    KalturaUploadedFileTokenResource,
    KalturaUploadToken,
)

from reach_studio.domain.enums import AssetStatus, EntryStatus, UploadTokenStatus

from .kaltura import client, customer_admin, pending_task

NO_CONTENT = "7"
IMPORTING, READY = AssetStatus.IMPORTING, AssetStatus.READY


def _chunk(data: bytes) -> io.BytesIO:
    chunk = io.BytesIO(data)
    chunk.name = "sign.mp4"
    return chunk


def _refused(fn) -> KalturaException:
    with pytest.raises(KalturaException) as exc:
        fn()
    return exc.value


def _key_client(emu):
    task = pending_task(emu)
    return client(emu, task["accessKey"]), emu.store.get("entry", task["entryId"])


def test_media_add_needs_a_media_type_and_makes_an_entry_without_content(emulator):
    c = customer_admin(emulator)
    err = _refused(lambda: c.media.add(KalturaMediaEntry(name="No type")))
    assert err.code == "PROPERTY_VALIDATION_CANNOT_BE_NULL" and "mediaType" in str(err.message)
    entry = c.media.add(KalturaMediaEntry(name="Talk", mediaType=KalturaMediaType.VIDEO))
    assert entry.status.getValue() == NO_CONTENT
    assert c.media.get(entry.id).name == "Talk"


def test_add_content_to_an_entry_that_has_content_is_entry_already_with_content(emulator):
    c, entry = _key_client(emulator)
    err = _refused(lambda: c.media.addContent(entry["id"], KalturaStringResource(content="x")))
    assert err.code == "ENTRY_ALREADY_WITH_CONTENT"


def test_add_content_with_an_unfinished_upload_token_waits_for_the_upload(emulator):
    """A token that is not FULL_UPLOAD is a resource "not ready": the entry turns IMPORT, its source flavor
    IMPORTING, the token records that flavor, and the last chunk brings the file (the flavor is converted, the
    entry READY, the token CLOSED). A CLOSED token leaves the entry waiting for good."""
    c, _parent = _key_client(emulator)
    source_file = next(f for f in emulator.inspect.objects("flavor_asset") if f.get("_path"))
    data = Path(source_file["_path"]).read_bytes()
    entry = c.media.add(KalturaMediaEntry(name="Sign language", mediaType=KalturaMediaType.VIDEO))
    token = c.uploadToken.add(KalturaUploadToken(fileName="sign.mp4"))
    resource = KalturaUploadedFileTokenResource(token=token.id)
    assert c.media.addContent(entry.id, resource).status.getValue() == EntryStatus.IMPORT
    (waiting,) = c.flavorAsset.list(KalturaAssetFilter(entryIdEqual=entry.id)).objects
    assert waiting.status.getValue() == IMPORTING and waiting.isOriginal and waiting.flavorParamsId == 0
    attached = c.uploadToken.get(token.id)
    assert attached.status.getValue() == UploadTokenStatus.PENDING and attached.attachedObjectId == waiting.id
    assert attached.attachedObjectType == "flavorAsset"  # the core class of the source flavor
    half = len(data) // 2
    c.uploadToken.upload(token.id, _chunk(data[:half]), resume=False, finalChunk=False)
    assert c.media.get(entry.id).status.getValue() == EntryStatus.IMPORT  # still waiting for the rest
    c.uploadToken.upload(token.id, _chunk(data[half:]), resume=True, finalChunk=True, resumeAt=half)
    deadline = time.monotonic() + 60
    while c.media.get(entry.id).status.getValue() != EntryStatus.READY:
        assert time.monotonic() < deadline, "the entry never became READY"
        time.sleep(0.1)  # polling the server's state, as a client does; the deadline bounds it
    (source,) = c.flavorAsset.list(KalturaAssetFilter(entryIdEqual=entry.id)).objects
    assert source.id == waiting.id and source.status.getValue() == READY
    assert emulator.inspect.content(source.id) == data
    assert c.uploadToken.get(token.id).status.getValue() == UploadTokenStatus.CLOSED
    # the CLOSED token attached again: the second entry waits IMPORT for good, nothing is refused
    other = c.media.add(KalturaMediaEntry(name="Again", mediaType=KalturaMediaType.VIDEO))
    assert c.media.addContent(other.id, resource).status.getValue() == EntryStatus.IMPORT
    (stuck,) = c.flavorAsset.list(KalturaAssetFilter(entryIdEqual=other.id)).objects
    assert stuck.status.getValue() == IMPORTING


def test_get_of_an_unknown_entry_is_entry_id_not_found(emulator):
    c, entry = _key_client(emulator)
    assert c.baseEntry.get(entry["id"]).id == entry["id"]
    assert _refused(lambda: c.baseEntry.get("0_nosuchentry")).code == "ENTRY_ID_NOT_FOUND"
    assert _refused(lambda: c.media.get("0_nosuchentry")).code == "ENTRY_ID_NOT_FOUND"


def test_update_changes_only_the_fields_sent_and_refuses_insert_only_ones(emulator):
    c = customer_admin(emulator)
    entry = c.media.add(KalturaMediaEntry(name="Talk", description="first", mediaType=KalturaMediaType.VIDEO))
    changed = c.baseEntry.update(entry.id, KalturaBaseEntry(name="Renamed"))
    assert (changed.name, changed.description) == ("Renamed", "first")
    err = _refused(lambda: c.media.update(entry.id, KalturaMediaEntry(mediaType=KalturaMediaType.AUDIO)))
    assert err.code == "PROPERTY_VALIDATION_NOT_UPDATABLE" and "mediaType" in str(err.message)


def test_list_by_id_in_returns_the_entries_asked_for(emulator):
    c = customer_admin(emulator)
    a = c.media.add(KalturaMediaEntry(name="A", mediaType=KalturaMediaType.VIDEO))
    c.media.add(KalturaMediaEntry(name="B", mediaType=KalturaMediaType.VIDEO))
    # new entries have no content (NO_CONTENT): the status filter keeps list from its READY-only default
    listed = c.baseEntry.list(KalturaBaseEntryFilter(idIn=a.id, statusIn=KalturaEntryStatus.NO_CONTENT))
    assert [e.id for e in listed.objects] == [a.id] and listed.totalCount == 1


def test_list_without_id_equal_or_a_status_filter_lists_only_ready_entries(emulator):
    c = customer_admin(emulator)
    fresh = c.media.add(KalturaMediaEntry(name="Only a name", mediaType=KalturaMediaType.VIDEO))
    assert c.media.list(KalturaMediaEntryFilter(nameEqual="Only a name")).totalCount == 0
    assert c.baseEntry.list(KalturaBaseEntryFilter(idIn=fresh.id)).totalCount == 0
    assert [e.id for e in c.baseEntry.list(KalturaBaseEntryFilter(idEqual=fresh.id)).objects] == [fresh.id]
    every = ",".join(str(s) for s in EntryStatus)
    by_name = c.media.list(KalturaMediaEntryFilter(nameEqual="Only a name", statusIn=every))
    assert [e.id for e in by_name.objects] == [fresh.id]
    ready = c.baseEntry.list(KalturaBaseEntryFilter()).objects
    assert ready and all(e.status.getValue() == KalturaEntryStatus.READY for e in ready)
