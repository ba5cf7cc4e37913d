"""REACH services: entryVendorTask, vendorCatalogItem and reachProfile, with Kaltura's vendor-side rules."""

from __future__ import annotations

from typing import Any

from reach_studio.emulator.registry import CallContext, Params, action

PENDING, READY, PROCESSING, ERROR, ABORTED, SCHEDULED = 1, 2, 3, 6, 7, 9


@action("reach_entryvendortask", "getJobs")
def get_jobs(ctx: CallContext, p: Params) -> dict[str, Any]:
    session = ctx.require_vendor()
    tasks = ctx.store.find("task", vendorPartnerId=session.partner_id, status=PENDING)
    return {"objectType": "KalturaEntryVendorTaskListResponse", "objects": tasks, "totalCount": len(tasks)}
