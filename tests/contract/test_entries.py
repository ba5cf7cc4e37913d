"""Contract: media and baseEntry as MediaService, BaseEntryService and KalturaObject rule them
(docs/kaltura-contract.md, "Entries"), driven by a customer's admin KS and a task's accessKey."""

from __future__ import annotations

import pytest
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import (
    KalturaBaseEntry,
    KalturaBaseEntryFilter,
    KalturaEntryStatus,
    KalturaMediaEntry,
    KalturaMediaEntryFilter,
    KalturaMediaType,
    KalturaStringResource,
)

from reach_studio.domain.enums import EntryStatus

from .kaltura import client, customer_admin, pending_task

NO_CONTENT = "7"


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
