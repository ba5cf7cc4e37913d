"""Contract: the Kaltura rules task ownership and delivery rely on (docs/kaltura-contract.md, "Task ownership
and delivery"), each driven through the official client against the emulator."""

from __future__ import annotations

import pytest
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Caption import KalturaCaptionAsset, KalturaCaptionAssetFilter
from KalturaClient.Plugins.Core import KalturaFilterPager, KalturaResponseProfileHolder
from KalturaClient.Plugins.Reach import KalturaEntryVendorTaskFilter

from tests.contract.kaltura import (
    PROCESSING,
    READY,
    SCHEDULED,
    client,
    new_task,
    pending_task,
    update_job,
    vendor,
)


def _with_profile(c):
    c.setResponseProfile(KalturaResponseProfileHolder(systemName="reach_vendor"))
    return c


def _absent(value) -> bool:
    return value in (NotImplemented, None, "")


def _claimed(emu, feature: int = 1, external: str = "acme-7") -> dict:
    task = new_task(emu, feature)
    update_job(vendor(emu), task["id"], status=PROCESSING, externalTaskId=external)
    return emu.inspect.task(task["id"])


def _vendor_list_by_id(emu, task_id: int):
    listing = vendor(emu).reach.entryVendorTask.list(
        KalturaEntryVendorTaskFilter(idEqual=task_id), KalturaFilterPager(pageSize=1)
    )
    (found,) = listing.objects
    return found


def test_reach_vendor_profile_returns_only_its_whitelisted_fields(emulator):
    task = _claimed(emulator)
    got = _with_profile(client(emulator, task["accessKey"])).reach.entryVendorTask.get(task["id"])
    assert got.id == task["id"] and got.entryId == task["entryId"] and got.accessKey == task["accessKey"]
    assert got.status.getValue() == PROCESSING and got.catalogItemId == task["catalogItemId"]
    for name in (
        "externalTaskId",
        "outputObjectId",
        "serviceFeature",
        "serviceType",
        "turnAroundTime",
        "expectedFinishTime",
        "price",
        "userId",
        "partnerData",
        "updatedAt",
    ):
        assert _absent(getattr(got, name)), name
    plain = client(emulator, task["accessKey"]).reach.entryVendorTask.get(task["id"])  # no profile: all
    assert plain.externalTaskId == "acme-7" and plain.serviceFeature.getValue() == 1


def test_reach_vendor_profile_filters_nested_task_job_data_with_the_same_whitelist(emulator):
    live = next(
        t
        for t in emulator.inspect.objects("task", status=SCHEDULED)
        if (t.get("taskJobData") or {}).get("scheduledEventId")
    )
    got = _with_profile(vendor(emulator)).reach.entryVendorTask.getJobs(
        KalturaEntryVendorTaskFilter(statusEqual=SCHEDULED, idEqual=live["id"]), KalturaFilterPager()
    )
    (task,) = got.objects
    assert _absent(getattr(task.taskJobData, "scheduledEventId", None))
    assert _absent(getattr(task.taskJobData, "entryDuration", None))  # left out of the 2021 list
    translation = next(
        t
        for t in emulator.inspect.objects("task", serviceFeature=2)
        if (t.get("taskJobData") or {}).get("captionAssetId")
    )
    kept = _with_profile(client(emulator, translation["accessKey"])).reach.entryVendorTask.get(
        translation["id"]
    )
    assert kept.taskJobData.captionAssetId == translation["taskJobData"]["captionAssetId"]  # whitelisted


def test_reach_vendor_related_catalog_item_and_profile_come_through_exclude_lists(emulator):
    task = pending_task(emulator)
    got = _with_profile(client(emulator, task["accessKey"])).reach.entryVendorTask.get(task["id"])
    item = got.relatedObjects["reach_vendor_catalog_item"].objects[0]
    profile = got.relatedObjects["reach_vendor_profile"].objects[0]
    for name in ("id", "vendorPartnerId", "name", "systemName", "status", "pricing"):
        assert _absent(getattr(item, name)), name
    assert item.serviceFeature.getValue() == 1 and not _absent(item.sourceLanguage)
    for name in ("id", "partnerId", "status", "rules", "credit", "dictionaries"):
        assert _absent(getattr(profile, name)) or getattr(profile, name) == [], name
    assert profile.maxCharactersPerCaptionLine not in (NotImplemented, None)


def test_vendor_list_by_id_returns_every_field_in_any_status(emulator):
    task = _claimed(emulator)
    found = _vendor_list_by_id(emulator, task["id"])
    assert found.externalTaskId == "acme-7" and found.status.getValue() == PROCESSING
    assert found.serviceFeature.getValue() == 1 and found.expectedFinishTime
    live = next(
        t
        for t in emulator.inspect.objects("task", status=SCHEDULED)
        if (t.get("taskJobData") or {}).get("scheduledEventId")
    )
    assert (
        _vendor_list_by_id(emulator, live["id"]).taskJobData.scheduledEventId
        == live["taskJobData"]["scheduledEventId"]
    )
    update_job(vendor(emulator), task["id"], status=READY, outputObjectId="0_out")
    done = _vendor_list_by_id(emulator, task["id"])
    assert (
        done.status.getValue() == READY and done.outputObjectId == "0_out" and done.externalTaskId == "acme-7"
    )


def test_access_key_is_killed_when_the_task_becomes_ready(emulator):
    task = _claimed(emulator)
    keyed = client(emulator, task["accessKey"])
    assert keyed.reach.entryVendorTask.get(task["id"]).id == task["id"]
    update_job(vendor(emulator), task["id"], status=READY, outputObjectId="0_out")
    with pytest.raises(KalturaException) as refused:
        keyed.reach.entryVendorTask.get(task["id"])
    assert refused.value.code == "INVALID_KS" and "-6" in refused.value.message  # ks::LOGOUT
    with pytest.raises(KalturaException) as extend:
        vendor(emulator).reach.entryVendorTask.extendAccessKey(task["id"])
    assert extend.value.code == "CANNOT_EXTEND_ACCESS_KEY"


def test_asset_partner_data_is_kept_and_listed_so_a_marker_finds_its_object(emulator):
    task = _claimed(emulator)
    keyed = client(emulator, task["accessKey"])
    mark = f"reach-studio:task-{task['id']}:caption.add:by:acme-7"
    made = keyed.caption.captionAsset.add(
        task["entryId"], KalturaCaptionAsset(language="English", partnerData=mark)
    )
    listed = keyed.caption.captionAsset.list(
        KalturaCaptionAssetFilter(entryIdEqual=task["entryId"]), KalturaFilterPager(pageSize=500)
    ).objects
    assert [a.id for a in listed if a.partnerData == mark] == [made.id]
    keyed.caption.captionAsset.delete(made.id)  # the task's key may remove what the vendor made
    listed = keyed.caption.captionAsset.list(
        KalturaCaptionAssetFilter(entryIdEqual=task["entryId"]), KalturaFilterPager(pageSize=500)
    ).objects
    assert made.id not in [a.id for a in listed]
