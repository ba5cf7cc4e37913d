"""Contract: entryVendorTask as plugins/reach/services/EntryVendorTaskService.php and the EntryVendorTask
model rule it (docs/kaltura-contract.md, "entryVendorTask"). One test per rule, named after it."""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import KalturaFilterPager
from KalturaClient.Plugins.Reach import KalturaEntryVendorTaskFilter, KalturaEntryVendorTaskStatus

from reach_studio.emulator.ks import parse_ks
from reach_studio.emulator.services import reach
from reach_studio.kaltura import reach_api

from .kaltura import (
    ABORTED,
    ERROR,
    PENDING,
    PROCESSING,
    READY,
    SCHEDULED,
    app_connection,
    client,
    customer_admin,
    new_task,
    pending_task,
    update_job,
    vendor,
)


def _refused(fn) -> KalturaException:
    with pytest.raises(KalturaException) as exc:
        fn()
    return exc.value


def _jobs(c, **filter_fields) -> list[int]:
    f = KalturaEntryVendorTaskFilter(**filter_fields)
    return [t.id for t in c.reach.entryVendorTask.getJobs(f, KalturaFilterPager(pageSize=500)).objects]


# ---- updateJob: status moves ---------------------------------------------------------------------------
def test_update_job_to_processing_only_from_a_waiting_status(emulator):
    c = vendor(emulator)
    task = pending_task(emulator)
    update_job(c, task["id"], status=KalturaEntryVendorTaskStatus(PROCESSING))
    # PROCESSING again is no change of status: Kaltura saves it without a word (a second claim is silent)
    assert (
        update_job(c, task["id"], status=KalturaEntryVendorTaskStatus(PROCESSING)).status.getValue()
        == PROCESSING
    )
    update_job(c, task["id"], status=KalturaEntryVendorTaskStatus(PENDING))  # accepted by Kaltura
    update_job(c, task["id"], status=KalturaEntryVendorTaskStatus(SCHEDULED))  # any feature
    update_job(c, task["id"], status=KalturaEntryVendorTaskStatus(PROCESSING))  # SCHEDULED -> PROCESSING


def test_update_job_to_processing_or_aborted_from_processing_is_refused_with_the_model_message(emulator):
    c = vendor(emulator)
    task = pending_task(emulator)
    update_job(c, task["id"], status=KalturaEntryVendorTaskStatus(PROCESSING))
    update_job(c, task["id"], status=KalturaEntryVendorTaskStatus(ERROR), errDescription="x")
    task = new_task(emulator)
    update_job(c, task["id"], status=KalturaEntryVendorTaskStatus(PROCESSING))
    err = _refused(lambda: update_job(c, task["id"], status=KalturaEntryVendorTaskStatus(ABORTED)))
    assert err.code == "ENTRY_VENDOR_TASK_ITEM_COULD_NOT_BE_UPDATED"
    assert (
        str(err.message)
        == f"Entry vendor task item with id [{task['id']}] could not be updated to status [7]"
    )
    assert emulator.inspect.task(task["id"])["status"] == PROCESSING


def test_update_job_accepts_ready_without_output_object_id_and_error_without_description(emulator):
    c = vendor(emulator)
    a, b = pending_task(emulator), new_task(emulator, feature=2)
    assert (
        update_job(c, a["id"], status=KalturaEntryVendorTaskStatus(READY)).status.getValue() == READY
    )  # from PENDING
    update_job(c, b["id"], status=KalturaEntryVendorTaskStatus(PROCESSING))
    assert update_job(c, b["id"], status=KalturaEntryVendorTaskStatus(ERROR)).status.getValue() == ERROR


def test_update_job_cannot_change_the_status_of_a_final_task(emulator):
    c = vendor(emulator)
    task = pending_task(emulator)
    update_job(c, task["id"], status=KalturaEntryVendorTaskStatus(PROCESSING))
    update_job(c, task["id"], status=KalturaEntryVendorTaskStatus(READY), outputObjectId="0_x")
    err = _refused(lambda: update_job(c, task["id"], status=KalturaEntryVendorTaskStatus(PROCESSING)))
    assert err.code == "CANNOT_UPDATE_STATUS_OF_TASK_WHICH_IS_IN_FINAL_STATE"
    assert str(err.message) == (
        f"Cannot update status from [2] to [3] for task with id [{task['id']}], since task is in final status"
    )
    # the same status, and other fields, may still be sent
    assert update_job(c, task["id"], status=KalturaEntryVendorTaskStatus(READY), notes="n").notes == "n"


def test_update_job_cannot_set_units_used_of_a_final_task(emulator):
    c = vendor(emulator)
    task = pending_task(emulator)
    update_job(c, task["id"], status=KalturaEntryVendorTaskStatus(READY))
    err = _refused(lambda: update_job(c, task["id"], unitsUsed=3))
    assert err.code == "CANNOT_UPDATE_UNIT_USED_OF_TASK_WHICH_IS_IN_FINAL_STATE"


def test_update_job_back_to_pending_restarts_queue_time_and_expected_finish(emulator):
    c = vendor(emulator)
    task = new_task(emulator, createdAt=int(time.time()) - 3 * 86400)
    before = emulator.inspect.task(task["id"])
    update_job(c, task["id"], status=KalturaEntryVendorTaskStatus(PROCESSING))
    update_job(c, task["id"], status=KalturaEntryVendorTaskStatus(PENDING))
    after = emulator.inspect.task(task["id"])
    assert after["queueTime"] > before["queueTime"]
    assert after["expectedFinishTime"] > before["expectedFinishTime"]


def test_finish_time_is_set_only_for_ready_and_error(emulator):
    task = pending_task(emulator)
    emulator.control.abort_task(task["id"])
    assert emulator.inspect.task(task["id"])["finishTime"] is None
    c = vendor(emulator)
    other = new_task(emulator, feature=2)
    update_job(c, other["id"], status=KalturaEntryVendorTaskStatus(ERROR), errDescription="cannot")
    assert emulator.inspect.task(other["id"])["finishTime"]


# ---- getJobs -------------------------------------------------------------------------------------------
def test_get_jobs_status_filter_other_than_pending_or_scheduled_becomes_pending(emulator):
    c = vendor(emulator)
    pending = set(_jobs(c))
    assert pending and set(_jobs(c, statusEqual=KalturaEntryVendorTaskStatus(READY))) == pending
    # statusIn naming PROCESSING: statusEqual becomes PENDING *and* statusIn still applies
    assert _jobs(c, statusIn="3,6") == []
    assert set(_jobs(c, statusIn="1,3")) == pending


def test_get_jobs_may_list_a_task_that_just_left_pending(emulator):
    emulator.index_lag_s = 60.0
    c = vendor(emulator)
    task = pending_task(emulator)
    update_job(c, task["id"], status=KalturaEntryVendorTaskStatus(PROCESSING))
    listed = {
        t.id: t
        for t in c.reach.entryVendorTask.getJobs(
            KalturaEntryVendorTaskFilter(), KalturaFilterPager(pageSize=500)
        ).objects
    }
    assert listed[task["id"]].status.getValue() == PROCESSING  # found by the stale index, read fresh
    # the app does not offer it as waiting
    assert task["id"] not in {t.id for t in reach_api.get_jobs(app_connection(emulator))}


def test_list_and_get_jobs_filter_by_catalog_item_and_reach_profile(emulator):
    """catalogItemIdEqual/In and reachProfileIdEqual/In are EntryVendorTaskFilter fields (_eq_/_in_
    catalog_item_id, reach_profile_id) that list and getJobs both apply."""
    captions, translation = pending_task(emulator, 1), pending_task(emulator, 2)
    a, b = captions["catalogItemId"], translation["catalogItemId"]
    assert a != b
    c = vendor(emulator)
    by_a = set(_jobs(c, catalogItemIdEqual=a))
    assert captions["id"] in by_a and translation["id"] not in by_a
    assert {captions["id"], translation["id"]} <= set(_jobs(c, catalogItemIdIn=f"{a},{b}"))
    assert translation["id"] not in set(_jobs(c, catalogItemIdIn=f"{a}"))
    listed = c.reach.entryVendorTask.list(
        KalturaEntryVendorTaskFilter(catalogItemIdIn=str(b)), KalturaFilterPager(pageSize=500)
    ).objects
    assert listed and {t.catalogItemId for t in listed} == {b}
    profile = captions["reachProfileId"]
    by_profile = c.reach.entryVendorTask.list(
        KalturaEntryVendorTaskFilter(reachProfileIdIn=f"{profile}"), KalturaFilterPager(pageSize=500)
    ).objects
    assert captions["id"] in {t.id for t in by_profile} and {t.reachProfileId for t in by_profile} == {
        profile
    }


# ---- abort ---------------------------------------------------------------------------------------------
def test_abort_only_while_waiting_else_cannot_abort_not_moderated_task(emulator):
    c = customer_admin(emulator)
    task = pending_task(emulator)
    assert c.reach.entryVendorTask.abort(task["id"], "changed my mind").status.getValue() == ABORTED
    assert emulator.inspect.task(task["id"])["errDescription"] == "changed my mind"
    busy = new_task(emulator, feature=2)
    update_job(vendor(emulator), busy["id"], status=KalturaEntryVendorTaskStatus(PROCESSING))
    err = _refused(lambda: c.reach.entryVendorTask.abort(busy["id"]))
    assert err.code == "CANNOT_ABORT_NOT_MODERATED_TASK"


def test_abort_with_a_user_ks_only_by_the_user_who_ordered(emulator):
    task = pending_task(emulator)
    err = _refused(lambda: client(emulator, task["accessKey"]).reach.entryVendorTask.abort(task["id"]))
    assert err.code == "ENTRY_VENDOR_TASK_ACTION_NOT_ALLOWED"
    # the vendor's KS is filtered to its own partner: the task does not exist for it
    err = _refused(lambda: vendor(emulator).reach.entryVendorTask.abort(task["id"]))
    assert err.code == "ENTRY_VENDOR_TASK_NOT_FOUND"


# ---- extendAccessKey -----------------------------------------------------------------------------------
def test_extend_access_key_only_for_processing_or_scheduled(emulator):
    c = vendor(emulator)
    task = pending_task(emulator)
    err = _refused(lambda: c.reach.entryVendorTask.extendAccessKey(task["id"]))
    assert err.code == "CANNOT_EXTEND_ACCESS_KEY"
    update_job(c, task["id"], status=KalturaEntryVendorTaskStatus(PROCESSING))
    assert c.reach.entryVendorTask.extendAccessKey(task["id"]).accessKey


# ---- accessKey and expectedFinishTime --------------------------------------------------------------------
def _key_session(emu, task):
    partner = emu.store.get("partner", task["partnerId"])
    return parse_ks(task["accessKey"], [partner["secret"]])


def test_access_key_lifetime_is_twice_the_raw_turnaround_at_least_seven_days(emulator):
    for task in emulator.inspect.objects("task", status=PENDING):
        item = emulator.store.get("catalog_item", task["catalogItemId"])
        session = _key_session(emulator, task)
        expected = max(7 * 86400, 2 * int(item["turnAroundTime"]))  # business days 1..7 are tiny raw values
        assert abs((session.expiry - session.issued_at) - expected) < 5, item["turnAroundTime"]


def test_expected_finish_time_counts_business_days_skipping_weekends():
    ny = ZoneInfo("America/New_York")
    friday_noon = datetime(2026, 11, 27, 12, 0, tzinfo=ny).timestamp()
    # 1 business day from Friday noon: 24 h later is Saturday noon -> two days on: Monday noon
    assert reach.expected_finish_time(1, friday_noon) == datetime(2026, 11, 30, 12, 0, tzinfo=ny).timestamp()
    saturday = datetime(2026, 11, 28, 9, 0, tzinfo=ny).timestamp()
    assert reach.expected_finish_time(1, saturday) == datetime(2026, 11, 30, 18, 0, tzinfo=ny).timestamp()
    monday_early = datetime(2026, 11, 30, 5, 0, tzinfo=ny).timestamp()
    assert reach.expected_finish_time(2, monday_early) == datetime(2026, 12, 1, 18, 0, tzinfo=ny).timestamp()
    assert reach.expected_finish_time(-1, friday_noon) == friday_noon + 7 * 86400  # BEST_EFFORT
    assert reach.expected_finish_time(86400, friday_noon) == friday_noon + 86400  # seconds


def test_expected_finish_time_of_an_ordered_task_follows_its_catalog_item(emulator):
    task = new_task(emulator)
    item = emulator.store.get("catalog_item", task["catalogItemId"])
    assert task["expectedFinishTime"] == reach.expected_finish_time(item["turnAroundTime"], task["createdAt"])


def test_access_key_has_caption_moderation_unless_the_profile_shows_captions_at_once(emulator):
    task = pending_task(emulator)
    profile = emulator.store.get("reach_profile", task["reachProfileId"])
    assert "enablecaptionmoderation" not in _key_session(emulator, task).privileges  # seed: auto display on
    emulator.store.update(
        "reach_profile",
        profile["id"],
        {"autoDisplayHumanCaptionsOnPlayer": 0, "autoDisplayMachineCaptionsOnPlayer": 0},
    )
    moderated = new_task(emulator)
    assert "enablecaptionmoderation" in _key_session(emulator, moderated).privileges


# ---- who may call what -----------------------------------------------------------------------------------
def test_get_jobs_without_the_vendor_permission_is_service_forbidden(emulator):
    err = _refused(lambda: _jobs(customer_admin(emulator)))
    assert err.code == "SERVICE_FORBIDDEN"


def test_get_with_the_vendors_own_ks_finds_nothing(emulator):
    task = pending_task(emulator)
    err = _refused(lambda: vendor(emulator).reach.entryVendorTask.get(task["id"]))
    assert err.code == "ENTRY_VENDOR_TASK_NOT_FOUND"
    assert client(emulator, task["accessKey"]).reach.entryVendorTask.get(task["id"]).id == task["id"]


def test_task_job_data_is_answered_only_for_the_classes_kaltura_serialises(emulator):
    """KalturaVendorTaskData::getInstance answers translation, live (scheduled) and a few other task data
    classes; plain, localized and sign-language task data come back as no taskJobData at all, and no task data
    carries entryDuration except live's (EntryVendorTask::preSave's is commented out)."""
    from KalturaClient.Plugins.Core import KalturaFilterPager
    from KalturaClient.Plugins.Reach import KalturaEntryVendorTaskFilter

    listed = vendor(emulator).reach.entryVendorTask.list(
        KalturaEntryVendorTaskFilter(), KalturaFilterPager(pageSize=500)
    )
    by_feature: dict[int, list] = {}
    for t in listed.objects:
        by_feature.setdefault(t.serviceFeature.getValue(), []).append(t)
    for feature in (1, 4, 5, 7, 9, 19):  # captions, AD, chaptering, dubbing, extended AD, sign language
        assert by_feature[feature] and all(
            t.taskJobData in (None, NotImplemented) for t in by_feature[feature]
        )
    sourced = [t for t in by_feature[2] if t.taskJobData not in (None, NotImplemented)]
    assert sourced and all(
        type(t.taskJobData).__name__ == "KalturaTranslationVendorTaskData" for t in sourced
    )
    assert all(t.taskJobData.entryDuration in (None, NotImplemented) for t in sourced)
    live = by_feature[8]
    assert live and all(t.taskJobData.scheduledEventId and t.taskJobData.entryDuration for t in live)


def test_a_pending_tasks_expired_key_is_not_extended_but_the_vendor_list_gives_its_related_objects(emulator):
    """A PENDING task's key expires when the task waits longer than max(7 days, 2 x TAT) (faults.expire_all_ks
    stands for that wait); extendAccessKey refuses a PENDING task, and list with the vendor KS and the
    reach_vendor profile still gives the related catalog item and REACH profile (no partner filter on list)."""
    from KalturaClient.Plugins.Core import KalturaResponseProfileHolder

    task = pending_task(emulator)
    emulator.faults.expire_all_ks()
    with pytest.raises(KalturaException) as exc:
        client(emulator, task["accessKey"]).reach.entryVendorTask.get(task["id"])
    assert exc.value.code == "INVALID_KS"
    c = vendor(emulator)
    with pytest.raises(KalturaException) as exc:
        c.reach.entryVendorTask.extendAccessKey(task["id"])
    assert exc.value.code == "CANNOT_EXTEND_ACCESS_KEY"
    c.setResponseProfile(KalturaResponseProfileHolder(systemName="reach_vendor"))
    (got,) = c.reach.entryVendorTask.list(KalturaEntryVendorTaskFilter(idEqual=task["id"])).objects
    assert got.relatedObjects["reach_vendor_catalog_item"].objects[0].serviceFeature.getValue() == 1
    assert got.relatedObjects["reach_vendor_profile"].objects
