"""Contract: vendorCatalogItem and reachProfile get/list as VendorCatalogItemService, ReachProfileService and
KalturaVendorCatalogItemFilter rule them (docs/kaltura-contract.md, "Catalog items and REACH profiles")."""

from __future__ import annotations

import pytest
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import KalturaFilterPager
from KalturaClient.Plugins.Reach import KalturaVendorCatalogItemFilter

from .kaltura import client, customer_admin, pending_task, vendor


def _refused(fn) -> KalturaException:
    with pytest.raises(KalturaException) as exc:
        fn()
    return exc.value


def test_catalog_item_get_finds_any_item_by_id_and_an_unknown_one_is_catalog_item_not_found(emulator):
    task = pending_task(emulator)
    c = vendor(emulator)
    assert c.reach.vendorCatalogItem.get(task["catalogItemId"]).id == task["catalogItemId"]
    assert _refused(lambda: c.reach.vendorCatalogItem.get(424242)).code == "CATALOG_ITEM_NOT_FOUND"


def test_catalog_item_list_by_id_equal_is_not_filtered_by_partner(emulator):
    task = pending_task(emulator)
    listed = vendor(emulator).reach.vendorCatalogItem.list(
        KalturaVendorCatalogItemFilter(idEqual=task["catalogItemId"])
    )
    assert [i.id for i in listed.objects] == [task["catalogItemId"]]


def test_catalog_item_list_with_the_vendor_ks_lists_only_items_the_vendor_partner_enabled(emulator):
    assert vendor(emulator).reach.vendorCatalogItem.list().totalCount == 0


def test_catalog_item_list_of_a_customer_is_the_items_it_enabled_and_partner_id_equal_of_another_is_none(
    emulator,
):
    customer = emulator.info["customers"][0]["partnerId"]
    ordered = {t["catalogItemId"] for t in emulator.inspect.objects("task", partnerId=customer)}
    admin = customer_admin(emulator)
    listed = admin.reach.vendorCatalogItem.list(pager=KalturaFilterPager(pageSize=500))
    assert {i.id for i in listed.objects} == ordered
    other = emulator.info["vendorPartnerId"]
    assert (
        admin.reach.vendorCatalogItem.list(KalturaVendorCatalogItemFilter(partnerIdEqual=other)).totalCount
        == 0
    )


def test_reach_profile_get_with_the_task_key_finds_the_tasks_profile(emulator):
    task = pending_task(emulator)
    keyed = client(emulator, task["accessKey"])
    assert keyed.reach.reachProfile.get(task["reachProfileId"]).id == task["reachProfileId"]
    assert _refused(lambda: keyed.reach.reachProfile.get(424242)).code == "REACH_PROFILE_NOT_FOUND"


def test_reach_profile_list_of_a_customer_is_its_own_profiles(emulator):
    partner_id = emulator.info["customers"][0]["partnerId"]
    listed = customer_admin(emulator).reach.reachProfile.list()
    assert listed.totalCount >= 1 and {p.partnerId for p in listed.objects} == {partner_id}


def test_reach_profile_get_with_the_vendor_ks_is_reach_profile_not_found(emulator):
    task = pending_task(emulator)
    err = _refused(lambda: vendor(emulator).reach.reachProfile.get(task["reachProfileId"]))
    assert err.code == "REACH_PROFILE_NOT_FOUND"


def test_reach_profile_list_with_the_vendor_ks_is_empty(emulator):
    assert vendor(emulator).reach.reachProfile.list().totalCount == 0
