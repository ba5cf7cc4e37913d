"""REACH vendor calls through the official client against the emulator: queue, task details, status rules, keys."""

from __future__ import annotations

import time

import pytest
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import KalturaFilterPager, KalturaResponseProfileHolder
from KalturaClient.Plugins.Reach import (
    KalturaEntryVendorTask,
    KalturaEntryVendorTaskFilter,
    KalturaEntryVendorTaskStatus,
    KalturaReachProfile,
    KalturaVendorCaptionsCatalogItem,
    KalturaVendorTranslationCatalogItem,
)

from reach_studio.emulator import seed
from reach_studio.emulator.ks import parse_ks
from reach_studio.emulator.server import Emulator

from .clients import customer_admin_client, new_client, vendor_client

PENDING, READY, PROCESSING, ERROR, ABORTED, SCHEDULED = 1, 2, 3, 6, 7, 9


def _jobs(client, status=None, page_size=None, page_index=None):
    f = KalturaEntryVendorTaskFilter()
    if status is not None:
        f.statusEqual = KalturaEntryVendorTaskStatus(status)
    pager = KalturaFilterPager()
    if page_size is not None:
        pager.pageSize = page_size
    if page_index is not None:
        pager.pageIndex = page_index
    return client.reach.entryVendorTask.getJobs(f, pager)


def _pending_task(emu, feature=1, service_type=None):
    for task in emu.inspect.objects("task", status=PENDING, serviceFeature=feature):
        if service_type is None or task["serviceType"] == service_type:
            return task
    raise AssertionError("seed has no such task")


def _update(client, task_id, **fields):
    change = KalturaEntryVendorTask()
    for name, value in fields.items():
        setattr(change, name, value)
    return client.reach.entryVendorTask.updateJob(task_id, change)


def _code(exc_info) -> str:
    return exc_info.value.code


# ---- getJobs -------------------------------------------------------------------------------------------
def test_get_jobs_lists_only_pending_tasks_of_the_vendor(emulator):
    client = vendor_client(emulator)
    result = _jobs(client)
    expected = {
        t["id"]
        for t in emulator.inspect.objects(
            "task", status=PENDING, vendorPartnerId=emulator.info["vendorPartnerId"]
        )
    }
    assert result.totalCount == len(expected) >= 15
    assert {t.id for t in result.objects} == expected
    first = result.objects[0]
    assert isinstance(first, KalturaEntryVendorTask)
    assert first.status.getValue() == PENDING
    assert first.accessKey.startswith("djJ8")
    assert first.entryId.startswith("0_")


def test_get_jobs_status_filter_only_allows_pending_or_scheduled(emulator):
    client = vendor_client(emulator)
    scheduled = _jobs(client, status=SCHEDULED)
    assert scheduled.totalCount == 1
    assert scheduled.objects[0].status.getValue() == SCHEDULED
    assert scheduled.objects[0].taskJobData.scheduledEventId > 0
    # asking for READY falls back to PENDING, as the server does
    assert {t.status.getValue() for t in _jobs(client, status=READY).objects} == {PENDING}


def test_get_jobs_pages(emulator):
    client = vendor_client(emulator)
    total = _jobs(client).totalCount
    page1 = _jobs(client, page_size=5, page_index=1)
    page2 = _jobs(client, page_size=5, page_index=2)
    assert len(page1.objects) == 5 and len(page2.objects) == 5
    assert page1.totalCount == page2.totalCount == total
    assert not {t.id for t in page1.objects} & {t.id for t in page2.objects}
    # a bigger page than the maximum is capped at 500, not refused
    assert len(_jobs(client, page_size=100000).objects) == total


def test_get_jobs_default_page_size_is_30(emulator):
    from reach_studio.emulator.services.reach import create_task

    some = emulator.inspect.objects("task", status=PENDING)[0]
    for _ in range(20):
        create_task(
            emulator,
            partnerId=some["partnerId"],
            entryId=some["entryId"],
            catalogItemId=some["catalogItemId"],
            reachProfileId=some["reachProfileId"],
        )
    result = _jobs(vendor_client(emulator))
    assert result.totalCount > 30
    assert len(result.objects) == 30


def test_get_jobs_never_shows_another_vendors_tasks(emulator):
    other = seed.add_partner(emulator, 4300, "Other Vendor", is_vendor=True)
    item = seed.add_catalog_item(emulator, "KalturaVendorCaptionsCatalogItem", "Other captions", 1, 1, 2)
    emulator.store.update("catalog_item", item["id"], {"vendorPartnerId": other["id"]})
    some = emulator.inspect.objects("task", status=PENDING)[0]
    emulator.control.add_task(
        partnerId=some["partnerId"],
        entryId=some["entryId"],
        catalogItemId=item["id"],
        reachProfileId=some["reachProfileId"],
    )
    ids = {t.id for t in _jobs(vendor_client(emulator), page_size=500).objects}
    others = {t["id"] for t in emulator.inspect.objects("task", vendorPartnerId=other["id"])}
    assert others and not ids & others


def test_customer_ks_cannot_get_jobs(emulator):
    with pytest.raises(KalturaException) as exc:
        _jobs(customer_admin_client(emulator))
    assert _code(exc) == "SERVICE_FORBIDDEN"  # getJobs needs the REACH vendor permission


# ---- get with the access key and the reach_vendor response profile --------------------------------------
def test_get_with_access_key_and_reach_vendor_profile_gives_catalog_item_and_profile(emulator):
    """The profile is a whitelist (2021_01_03 update); the related objects come through exclude-lists."""
    task = _pending_task(emulator, feature=1, service_type=1)
    client = new_client(emulator, task["accessKey"])
    client.setResponseProfile(KalturaResponseProfileHolder(systemName="reach_vendor"))
    got = client.reach.entryVendorTask.get(task["id"])
    assert got.id == task["id"] and got.entryId == task["entryId"]
    assert got.accessKey == task["accessKey"] and got.catalogItemId == task["catalogItemId"]
    for left_out in ("serviceFeature", "externalTaskId", "expectedFinishTime", "turnAroundTime", "price"):
        assert getattr(got, left_out) in (NotImplemented, None, ""), left_out
    related = got.relatedObjects
    item = related["reach_vendor_catalog_item"].objects[0]
    profile = related["reach_vendor_profile"].objects[0]
    assert isinstance(item, KalturaVendorCaptionsCatalogItem)
    assert item.serviceFeature.getValue() == 1 and item.outputFormat.getValue() == 1
    assert item.sourceLanguage.getValue() == "English"
    assert item.id in (NotImplemented, None) and item.name in (NotImplemented, None, "")  # excluded
    assert isinstance(profile, KalturaReachProfile)
    assert profile.id in (NotImplemented, None) and profile.dictionaries in (NotImplemented, None, [])
    stored = emulator.store.get("reach_profile", task["reachProfileId"])
    assert profile.maxCharactersPerCaptionLine == stored["maxCharactersPerCaptionLine"]
    assert profile.vendorTaskProcessingRegion.getValue() == stored["vendorTaskProcessingRegion"]
    assert got.dictionary == stored["dictionaries"][0]["data"]


def test_get_without_response_profile_has_no_related_objects(emulator):
    task = _pending_task(emulator)
    got = new_client(emulator, task["accessKey"]).reach.entryVendorTask.get(task["id"])
    assert got.relatedObjects in (NotImplemented, None, {})


def test_translation_task_points_at_its_source_caption(emulator):
    task = next(
        t
        for t in emulator.inspect.objects("task", serviceFeature=2)
        if (t.get("taskJobData") or {}).get("captionAssetId")
    )
    client = new_client(emulator, task["accessKey"])
    client.setResponseProfile(KalturaResponseProfileHolder(systemName="reach_vendor"))
    got = client.reach.entryVendorTask.get(task["id"])
    item = got.relatedObjects["reach_vendor_catalog_item"].objects[0]
    assert isinstance(item, KalturaVendorTranslationCatalogItem)
    assert item.requireSource is True
    assert got.taskJobData.captionAssetId == task["taskJobData"]["captionAssetId"]


def test_access_key_of_another_entry_is_refused(emulator):
    tasks = emulator.inspect.objects("task", status=PENDING, partnerId=101)
    a = tasks[0]
    b = next(t for t in tasks if t["entryId"] != a["entryId"])
    with pytest.raises(KalturaException) as exc:
        new_client(emulator, a["accessKey"]).reach.entryVendorTask.get(b["id"])
    assert _code(exc) == "ENTRY_VENDOR_TASK_NOT_FOUND"
    # a task on the same entry is reachable with the same key (it is scoped to the entry)
    same = next((t for t in tasks if t["entryId"] == a["entryId"] and t["id"] != a["id"]), None)
    if same is not None:
        assert new_client(emulator, a["accessKey"]).reach.entryVendorTask.get(same["id"]).id == same["id"]


def test_access_key_is_a_user_ks_of_the_customer_scoped_to_the_entry(emulator):
    task = _pending_task(emulator, feature=1, service_type=1)
    partner = emulator.store.get("partner", task["partnerId"])
    session = parse_ks(task["accessKey"], [partner["secret"]])
    assert session.partner_id == task["partnerId"] and session.type == 0 and session.user_id == ""
    for name in ("edit", "sview", "download", "disableentitlementforentry"):
        assert session.privileges[name] == task["entryId"]
    assert session.privileges["setrole"] == "REACH_VENDOR_ROLE"
    # TAT 2 business days -> max(7 days, 4 days) = 7 days
    assert abs(session.expiry - (time.time() + 7 * 86400)) < 120


def test_access_key_lives_twice_a_long_turnaround(emulator):
    sign = _pending_task(emulator, feature=19)  # TAT 10 business days
    partner = emulator.store.get("partner", sign["partnerId"])
    session = parse_ks(sign["accessKey"], [partner["secret"]])
    assert abs(session.expiry - (time.time() + 20 * 86400)) < 120
    assert session.privileges["editadmintags"] == "*"


def test_missing_task_and_missing_id(emulator):
    client = vendor_client(emulator)
    with pytest.raises(KalturaException) as exc:
        client.reach.entryVendorTask.get(999999)
    assert _code(exc) == "ENTRY_VENDOR_TASK_NOT_FOUND"
    assert "999999" in exc.value.message
    with pytest.raises(KalturaException) as exc:
        client.reach.entryVendorTask.get(None)
    assert _code(exc) == "MISSING_MANDATORY_PARAMETER"


# ---- updateJob -------------------------------------------------------------------------------------------
def test_claim_then_deliver_records_who_and_when(emulator):
    client = vendor_client(emulator)
    client.setClientTag("python-26-10-22_AcmeCaptioning-4200")
    task = _pending_task(emulator)
    before = time.time()
    claimed = _update(client, task["id"], status=KalturaEntryVendorTaskStatus(PROCESSING))
    assert claimed.status.getValue() == PROCESSING
    done = _update(
        client,
        task["id"],
        status=KalturaEntryVendorTaskStatus(READY),
        outputObjectId="0_cap12345",
        accuracy=99,
        externalTaskId="ACME-1",
    )
    assert done.status.getValue() == READY and done.outputObjectId == "0_cap12345"
    stored = emulator.inspect.task(task["id"])
    assert stored["accuracy"] == 99 and stored["externalTaskId"] == "ACME-1"
    assert stored["finishTime"] >= int(before)
    history = emulator.inspect.status_history(task["id"])
    assert [h["status"] for h in history] == [PENDING, PROCESSING, READY]
    assert history[1]["by"] == history[2]["by"] == f"vendor:{emulator.info['vendorPartnerId']}"
    assert history[2]["clientTag"] == "python-26-10-22_AcmeCaptioning-4200"
    assert before <= history[1]["at"] <= history[2]["at"] <= time.time()
    # no longer in the queue
    assert task["id"] not in {t.id for t in _jobs(client, page_size=500).objects}


# Status moves, READY/ERROR fields and final states: tests/contract/test_entry_vendor_task.py.


def test_live_task_goes_pending_scheduled_processing(emulator):
    client = vendor_client(emulator)
    live = _pending_task(emulator, feature=8)
    assert (
        _update(client, live["id"], status=KalturaEntryVendorTaskStatus(SCHEDULED)).status.getValue()
        == SCHEDULED
    )
    assert live["id"] in {t.id for t in _jobs(client, status=SCHEDULED).objects}
    assert (
        _update(client, live["id"], status=KalturaEntryVendorTaskStatus(PROCESSING)).status.getValue()
        == PROCESSING
    )
    assert [h["status"] for h in emulator.inspect.status_history(live["id"])] == [
        PENDING,
        SCHEDULED,
        PROCESSING,
    ]


def test_update_job_refuses_insert_only_fields_bad_enums_and_bad_partner_data(emulator):
    client = vendor_client(emulator)
    task = _pending_task(emulator)
    with pytest.raises(KalturaException) as exc:
        _update(client, task["id"], entryId="0_other123")
    assert _code(exc) == "PROPERTY_VALIDATION_NOT_UPDATABLE"
    assert "KalturaEntryVendorTask::entryId" in exc.value.message
    # the same value is not a change
    assert _update(client, task["id"], entryId=task["entryId"], notes="same").notes == "same"
    with pytest.raises(KalturaException) as exc:
        _update(client, task["id"], status=KalturaEntryVendorTaskStatus(42))
    assert _code(exc) == "INVALID_ENUM_VALUE"
    with pytest.raises(KalturaException) as exc:
        _update(client, task["id"], partnerData="{not json")
    assert _code(exc) == "PARTNER_DATA_NOT_VALID_JSON_STRING"
    with pytest.raises(KalturaException) as exc:
        client.reach.entryVendorTask.updateJob(task["id"], None)
    assert _code(exc) == "MISSING_MANDATORY_PARAMETER"


def test_update_job_needs_the_vendor_ks_not_the_access_key(emulator):
    task = _pending_task(emulator)
    with pytest.raises(KalturaException) as exc:
        _update(
            new_client(emulator, task["accessKey"]),
            task["id"],
            status=KalturaEntryVendorTaskStatus(PROCESSING),
        )
    assert _code(exc) == "VENDOR_TASK_SERVICE__GET_JOB_NOT_ALLOWED"
    assert emulator.inspect.task(task["id"])["status"] == PENDING


# ---- extendAccessKey -------------------------------------------------------------------------------------
def test_extend_access_key_only_while_processing_or_scheduled(emulator):
    client = vendor_client(emulator)
    task = _pending_task(emulator)
    with pytest.raises(KalturaException) as exc:
        client.reach.entryVendorTask.extendAccessKey(task["id"])
    assert _code(exc) == "CANNOT_EXTEND_ACCESS_KEY"
    assert exc.value.message == "Extending accessKey for non processing task is not allowed"
    _update(client, task["id"], status=KalturaEntryVendorTaskStatus(PROCESSING))
    extended = client.reach.entryVendorTask.extendAccessKey(task["id"])
    assert extended.accessKey != task["accessKey"]
    assert new_client(emulator, extended.accessKey).reach.entryVendorTask.get(task["id"]).id == task["id"]
    _update(client, task["id"], status=KalturaEntryVendorTaskStatus(READY), outputObjectId="0_x")
    with pytest.raises(KalturaException) as exc:
        client.reach.entryVendorTask.extendAccessKey(task["id"])
    assert _code(exc) == "CANNOT_EXTEND_ACCESS_KEY"


def test_short_access_keys_expire_and_extend(tmp_path, emulator_media_cache):
    # 3 s, not 1: a KS expires at int(now) + ttl, so a 1 s key can be dead before a loaded machine uses it
    with Emulator(tmp_path / "data", access_key_ttl=3, media_cache=emulator_media_cache) as emu:
        task = emu.inspect.objects("task", status=PENDING)[0]
        client = vendor_client(emu)
        _update(client, task["id"], status=KalturaEntryVendorTaskStatus(PROCESSING))
        time.sleep(3.1)  # the key's lifetime itself
        with pytest.raises(KalturaException) as exc:
            new_client(emu, task["accessKey"]).reach.entryVendorTask.get(task["id"])
        assert _code(exc) == "INVALID_KS" and "EXPIRED" in exc.value.message
        fresh = client.reach.entryVendorTask.extendAccessKey(task["id"]).accessKey
        assert new_client(emu, fresh).reach.entryVendorTask.get(task["id"]).id == task["id"]


# ---- customers, list, catalog items and profiles ---------------------------------------------------------
def test_customer_abort_freezes_the_task(emulator):
    client = vendor_client(emulator)
    task = _pending_task(emulator)
    _update(client, task["id"], status=KalturaEntryVendorTaskStatus(PROCESSING))
    emulator.control.abort_task(task["id"])
    with pytest.raises(KalturaException) as exc:
        _update(client, task["id"], status=KalturaEntryVendorTaskStatus(READY), outputObjectId="0_x")
    assert _code(exc) == "CANNOT_UPDATE_STATUS_OF_TASK_WHICH_IS_IN_FINAL_STATE"
    history = emulator.inspect.status_history(task["id"])
    assert history[-1]["status"] == ABORTED and history[-1]["by"] == f"customer:{task['partnerId']}"


def test_customer_abort_through_the_api_only_before_work_starts(emulator):
    task = _pending_task(emulator)
    index = [c["partnerId"] for c in emulator.info["customers"]].index(task["partnerId"])
    customer = customer_admin_client(emulator, index)
    aborted = customer.reach.entryVendorTask.abort(task["id"])
    assert aborted.status.getValue() == ABORTED
    assert task["id"] not in {t.id for t in _jobs(vendor_client(emulator), page_size=500).objects}
    other = next(
        t for t in emulator.inspect.objects("task", status=PENDING) if t["partnerId"] != task["partnerId"]
    )
    with pytest.raises(KalturaException) as exc:  # another customer's task does not exist for this one
        customer.reach.entryVendorTask.abort(other["id"])
    assert _code(exc) == "ENTRY_VENDOR_TASK_NOT_FOUND"


def test_list_with_status_filter(emulator):
    client = vendor_client(emulator)
    f = KalturaEntryVendorTaskFilter(statusEqual=KalturaEntryVendorTaskStatus(READY))
    ready = client.reach.entryVendorTask.list(f, KalturaFilterPager())
    assert ready.totalCount == len(emulator.inspect.objects("task", status=READY)) >= 1
    assert {t.status.getValue() for t in ready.objects} == {READY}
    customer = customer_admin_client(emulator, 1)
    mine = customer.reach.entryVendorTask.list(
        KalturaEntryVendorTaskFilter(), KalturaFilterPager(pageSize=500)
    )
    assert {t.partnerId for t in mine.objects} == {emulator.info["customers"][1]["partnerId"]}


def test_catalog_item_and_reach_profile_get(emulator):
    task = _pending_task(emulator, feature=2)
    client = vendor_client(emulator)
    item = client.reach.vendorCatalogItem.get(task["catalogItemId"])
    assert isinstance(item, KalturaVendorTranslationCatalogItem)
    assert item.serviceFeature.getValue() == 2 and item.targetLanguage.getValue() in ("French", "German")
    with pytest.raises(KalturaException) as exc:
        client.reach.vendorCatalogItem.get(424242)
    assert _code(exc) == "CATALOG_ITEM_NOT_FOUND"
    keyed = new_client(emulator, task["accessKey"])
    assert keyed.reach.reachProfile.get(task["reachProfileId"]).id == task["reachProfileId"]
    other_profile = next(
        p for p in emulator.inspect.objects("reach_profile") if p["partnerId"] != task["partnerId"]
    )
    with pytest.raises(KalturaException) as exc:
        keyed.reach.reachProfile.get(other_profile["id"])
    assert _code(exc) == "REACH_PROFILE_NOT_FOUND"


def test_get_jobs_with_reach_vendor_profile_carries_related_objects(emulator):
    client = vendor_client(emulator)
    client.setResponseProfile(KalturaResponseProfileHolder(systemName="reach_vendor"))
    jobs = _jobs(client)
    for task in jobs.objects:
        item = task.relatedObjects["reach_vendor_catalog_item"].objects[0]
        profile = task.relatedObjects["reach_vendor_profile"].objects[0]
        assert item.serviceFeature is not NotImplemented and profile.partnerId in (NotImplemented, None)
        assert task.serviceFeature in (NotImplemented, None)  # not in the whitelist


def test_two_claims_at_once_move_the_task_once(emulator):
    import threading

    task = _pending_task(emulator)
    clients = [vendor_client(emulator) for _ in range(6)]
    barrier = threading.Barrier(len(clients))

    def claim(client):
        barrier.wait()
        _update(client, task["id"], status=KalturaEntryVendorTaskStatus(PROCESSING))

    threads = [threading.Thread(target=claim, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert [h["status"] for h in emulator.inspect.status_history(task["id"])] == [PENDING, PROCESSING]


def test_reach_profile_and_catalog_lists(emulator):
    customer = customer_admin_client(emulator, 0)
    partner_id = emulator.info["customers"][0]["partnerId"]
    mine = customer.reach.reachProfile.list()
    assert mine.totalCount == len(emulator.inspect.objects("reach_profile", partnerId=partner_id)) >= 2
    assert {p.partnerId for p in mine.objects} == {partner_id}
    vendor = vendor_client(emulator)
    assert vendor.reach.reachProfile.list().totalCount == 0  # partner filter: a vendor has no profiles
    assert vendor.reach.vendorCatalogItem.list().totalCount == 0  # a vendor enables no items
    ordered = {t["catalogItemId"] for t in emulator.inspect.objects("task", partnerId=partner_id)}
    items = customer.reach.vendorCatalogItem.list(pager=KalturaFilterPager(pageSize=500))
    assert {i.id for i in items.objects} == ordered and items.totalCount == len(ordered)
    assert "KalturaVendorCaptionsCatalogItem" in {type(i).__name__ for i in items.objects}
