"""Contract: the asset services' shared rules (attachmentAsset, flavorAsset, captionAsset) as
AttachmentAssetService, FlavorAssetService, CaptionAssetService, KalturaAssetFilter, KalturaObject and
KalturaDispatcher::validateUser rule them (docs/kaltura-contract.md, "Assets and cue points")."""

from __future__ import annotations

import time

import pytest
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Attachment import (
    KalturaAttachmentAsset,
    KalturaAttachmentAssetFilter,
    KalturaAttachmentType,
)
from KalturaClient.Plugins.Caption import KalturaCaptionAsset, KalturaCaptionAssetFilter
from KalturaClient.Plugins.Core import (
    KalturaAssetFilter,
    KalturaFlavorAsset,
    KalturaFlavorAssetFilter,
    KalturaStringResource,
)

from reach_studio.domain.enums import AssetStatus, TaskStatus

from .kaltura import client


def _refused(fn) -> KalturaException:
    with pytest.raises(KalturaException) as exc:
        fn()
    return exc.value


def _two_keys(emu):
    """The accessKeys of two pending tasks of one customer on two different entries."""
    by_partner: dict[int, dict[str, dict]] = {}
    for task in emu.inspect.objects("task", status=TaskStatus.PENDING):
        by_partner.setdefault(task["partnerId"], {}).setdefault(task["entryId"], task)
    for tasks in by_partner.values():
        if len(tasks) >= 2:
            (a, b) = list(tasks.values())[:2]
            return (
                (client(emu, a["accessKey"]), a["entryId"]),
                (client(emu, b["accessKey"]), b["entryId"]),
            )
    raise AssertionError("the demo seed has no customer with pending tasks on two entries")


def _attachment(c, entry_id, **fields):
    return c.attachment.attachmentAsset.add(
        entry_id,
        KalturaAttachmentAsset(
            filename="notes.txt", title="Notes", format=KalturaAttachmentType.TEXT, fileExt="txt", **fields
        ),
    )


def test_attachment_get_of_an_unknown_id_is_attachment_asset_id_not_found(emulator):
    (c, entry_id), _ = _two_keys(emulator)
    assert (
        _refused(lambda: c.attachment.attachmentAsset.get("0_nosuch")).code == "ATTACHMENT_ASSET_ID_NOT_FOUND"
    )
    # an id of another asset type is not an attachment (the service checks `instanceof AttachmentAsset`)
    caption = c.caption.captionAsset.add(entry_id, KalturaCaptionAsset(language="English"))
    assert (
        _refused(lambda: c.attachment.attachmentAsset.get(caption.id)).code == "ATTACHMENT_ASSET_ID_NOT_FOUND"
    )


def test_attachment_update_changes_only_the_fields_sent_and_refuses_read_only_and_insert_only_ones(emulator):
    (c, entry_id), _ = _two_keys(emulator)
    asset = _attachment(c, entry_id, partnerData="mine")
    changed = c.attachment.attachmentAsset.update(asset.id, KalturaAttachmentAsset(title="Final notes"))
    assert (changed.title, changed.filename, changed.partnerData) == ("Final notes", "notes.txt", "mine")
    err = _refused(
        lambda: c.attachment.attachmentAsset.update(asset.id, KalturaAttachmentAsset(fileExt="vtt"))
    )
    assert err.code == "PROPERTY_VALIDATION_NOT_UPDATABLE" and "fileExt" in err.message
    # the value it already has is no change, so it is not refused (KalturaObject::validateForUpdate)
    assert (
        c.attachment.attachmentAsset.update(asset.id, KalturaAttachmentAsset(fileExt="txt")).fileExt == "txt"
    )


def test_a_deleted_attachment_is_attachment_asset_id_not_found_and_leaves_the_list(emulator):
    (c, entry_id), _ = _two_keys(emulator)
    asset = _attachment(c, entry_id)
    c.attachment.attachmentAsset.delete(asset.id)
    assert (
        _refused(lambda: c.attachment.attachmentAsset.get(asset.id)).code == "ATTACHMENT_ASSET_ID_NOT_FOUND"
    )
    listed = c.attachment.attachmentAsset.list(KalturaAttachmentAssetFilter(entryIdEqual=entry_id))
    assert asset.id not in [a.id for a in listed.objects]


def test_deleted_assets_are_never_listed_whatever_the_status_filter(emulator):
    (c, entry_id), _ = _two_keys(emulator)
    flavor = c.flavorAsset.add(entry_id, KalturaFlavorAsset(flavorParamsId=1001, language="Spanish"))
    c.flavorAsset.delete(flavor.id)
    assert _refused(lambda: c.flavorAsset.get(flavor.id)).code == "FLAVOR_ASSET_ID_NOT_FOUND"
    asked = KalturaFlavorAssetFilter(entryIdEqual=entry_id, statusEqual=int(AssetStatus.DELETED))
    assert c.flavorAsset.list(asked).totalCount == 0
    asked = KalturaAttachmentAssetFilter(entryIdEqual=entry_id, statusIn=str(int(AssetStatus.DELETED)))
    attachment = _attachment(c, entry_id)
    c.attachment.attachmentAsset.delete(attachment.id)
    assert c.attachment.attachmentAsset.list(asked).totalCount == 0


def test_asset_list_needs_entry_id_equal_or_entry_id_in(emulator):
    (c, _entry_id), _ = _two_keys(emulator)
    for call, cls in (
        (
            lambda: c.attachment.attachmentAsset.list(KalturaAttachmentAssetFilter()),
            "KalturaAttachmentAssetFilter",
        ),
        (lambda: c.caption.captionAsset.list(KalturaCaptionAssetFilter()), "KalturaCaptionAssetFilter"),
        (lambda: c.flavorAsset.list(KalturaAssetFilter()), "KalturaFlavorAssetFilter"),
        (lambda: c.flavorAsset.list(), "KalturaFlavorAssetFilter"),
    ):
        err = _refused(call)
        assert err.code == "PROPERTY_VALIDATION_CANNOT_BE_NULL"
        assert f"{cls}::entryIdEqual/{cls}::entryIdIn" in err.message


def test_asset_get_and_list_are_filtered_by_partner_only(emulator):
    (mine, mine_entry), (other, _other_entry) = _two_keys(emulator)
    asset = _attachment(mine, mine_entry)
    # another task's key of the same customer reads it (assetPeer's partner filter, no per-entry privilege)
    assert other.attachment.attachmentAsset.get(asset.id).id == asset.id
    listed = other.attachment.attachmentAsset.list(KalturaAttachmentAssetFilter(entryIdEqual=mine_entry))
    assert asset.id in [a.id for a in listed.objects]
    # the vendor's own KS is another partner: not found
    vendor = emulator.store.get("partner", emulator.info["vendorPartnerId"])
    from reach_studio.emulator.services.session import sign

    vendor_client = client(emulator, sign(vendor, 2, "", 3600, ""))
    assert _refused(lambda: vendor_client.attachment.attachmentAsset.get(asset.id)).code == (
        "ATTACHMENT_ASSET_ID_NOT_FOUND"
    )


def test_a_change_on_an_entry_the_key_may_not_edit_is_invalid_ks(emulator):
    (mine, mine_entry), (other, _other_entry) = _two_keys(emulator)
    attachment = _attachment(mine, mine_entry)
    flavor = mine.flavorAsset.add(mine_entry, KalturaFlavorAsset(flavorParamsId=1001, language="Spanish"))
    for call in (
        lambda: other.attachment.attachmentAsset.update(attachment.id, KalturaAttachmentAsset(title="x")),
        lambda: other.attachment.attachmentAsset.setContent(
            attachment.id, KalturaStringResource(content="x")
        ),
        lambda: other.attachment.attachmentAsset.delete(attachment.id),
        lambda: other.flavorAsset.update(flavor.id, KalturaFlavorAsset(label="x")),
        lambda: other.flavorAsset.delete(flavor.id),
        lambda: other.attachment.attachmentAsset.add(mine_entry, KalturaAttachmentAsset(filename="a.txt")),
    ):
        err = _refused(call)
        assert err.code == "INVALID_KS" and "INVALID_TYPE" in err.message
    assert mine.attachment.attachmentAsset.get(attachment.id).title == "Notes"
    assert mine.flavorAsset.get(flavor.id).status.getValue() == AssetStatus.QUEUED


def test_flavor_update_changes_only_the_fields_sent_and_refuses_read_only_and_insert_only_ones(emulator):
    (c, entry_id), _ = _two_keys(emulator)
    flavor = c.flavorAsset.add(entry_id, KalturaFlavorAsset(flavorParamsId=1001, language="Spanish"))
    changed = c.flavorAsset.update(flavor.id, KalturaFlavorAsset(label="Español"))
    assert (changed.label, changed.language.getValue(), changed.flavorParamsId) == (
        "Español",
        "Spanish",
        1001,
    )
    # insert-only: refused when it changes (read-only fields such as width the client never sends)
    err = _refused(lambda: c.flavorAsset.update(flavor.id, KalturaFlavorAsset(flavorParamsId=1002)))
    assert err.code == "PROPERTY_VALIDATION_NOT_UPDATABLE" and "flavorParamsId" in err.message


def test_flavor_set_content_queues_the_flavor_for_conversion(emulator):
    (c, entry_id), _ = _two_keys(emulator)
    flavor = c.flavorAsset.add(entry_id, KalturaFlavorAsset(flavorParamsId=1002, language="English"))
    answered = c.flavorAsset.setContent(flavor.id, KalturaStringResource(content="not a media file"))
    # FlavorAssetService::attachFile: a new version, QUEUED until the conversion decides
    assert answered.status.getValue() == AssetStatus.QUEUED and answered.version == 1
    deadline = time.monotonic() + 30
    while c.flavorAsset.get(flavor.id).status.getValue() in (AssetStatus.QUEUED, AssetStatus.CONVERTING):
        assert time.monotonic() < deadline, "the conversion never ended"
        time.sleep(0.1)  # polling the server's state, as a client does; the deadline bounds it
    assert c.flavorAsset.get(flavor.id).status.getValue() == AssetStatus.ERROR
