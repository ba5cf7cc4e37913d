"""The emulator counts the API calls it receives, so a test can tell how many pollers Kaltura sees."""

from __future__ import annotations

import requests
from KalturaClient.Plugins.Core import KalturaFilterPager
from KalturaClient.Plugins.Reach import KalturaEntryVendorTaskFilter

from tests.emulator.clients import vendor_client


def test_get_jobs_calls_are_counted_and_visible_over_http(emulator):
    client = vendor_client(emulator)
    before = emulator.inspect.calls().get("reach_entryvendortask.getJobs", 0)
    flt = KalturaEntryVendorTaskFilter(vendorPartnerIdEqual=emulator.info["vendorPartnerId"], statusEqual=1)
    for _ in range(3):
        client.reach.entryVendorTask.getJobs(flt, KalturaFilterPager(pageSize=10))
    counts = emulator.inspect.calls()
    assert counts["reach_entryvendortask.getJobs"] == before + 3
    assert counts["apptoken.startSession"] >= 1
    over_http = requests.get(f"{emulator.url}/_emulator/inspect/calls", timeout=10).json()
    assert over_http["reach_entryvendortask.getJobs"] == before + 3
