"""Contract: multirequest as api_v3/lib/KalturaFrontController.php handleMultiRequest runs it
(docs/kaltura-contract.md, "Multirequest and serving")."""

from __future__ import annotations

from KalturaClient.exceptions import KalturaException

from .kaltura import client, pending_task


def test_multirequest_runs_every_call_and_fails_only_the_failing_one(emulator):
    task = pending_task(emulator)
    c = client(emulator, task["accessKey"])
    c.startMultiRequest()
    c.baseEntry.get(task["entryId"])
    c.baseEntry.get("0_nosuchentry")
    c.baseEntry.get("{1:result:id}")
    results = c.doMultiRequest()
    assert results[0].id == task["entryId"]
    assert isinstance(results[1], KalturaException) and results[1].code == "ENTRY_ID_NOT_FOUND"
    assert results[2].id == task["entryId"]  # {1:result:id} is the first call's result
