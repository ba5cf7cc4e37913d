"""Official-client helpers for the contract tests (each test drives KalturaClient against the emulator)."""

from __future__ import annotations

import hashlib

from KalturaClient import KalturaClient, KalturaConfiguration
from KalturaClient.Plugins.Reach import KalturaEntryVendorTask

PENDING, READY, PROCESSING, PENDING_MODERATION, REJECTED, ERROR, ABORTED, PENDING_ENTRY_READY, SCHEDULED = (
    range(1, 10)
)


def client(emu, ks: str | None = None) -> KalturaClient:
    config = KalturaConfiguration()
    config.serviceUrl = emu.url
    config.requestTimeout = 30
    c = KalturaClient(config)
    if ks:
        c.setKs(ks)
    return c


def vendor(emu, session_privileges: str | None = None) -> KalturaClient:
    """The vendor's KS from the app token (widget session, then appToken.startSession)."""
    info = emu.info
    c = client(emu)
    widget = c.session.startWidgetSession(f"_{info['vendorPartnerId']}")
    c.setKs(widget.ks)
    token_hash = hashlib.sha256((widget.ks + info["appToken"]).encode()).hexdigest()
    session = c.appToken.startSession(
        info["appTokenId"], token_hash, type=2, expiry=3600, sessionPrivileges=session_privileges
    )
    c.setKs(session.ks)
    return c


def customer_admin(emu, index: int = 0) -> KalturaClient:
    customer = emu.info["customers"][index]
    c = client(emu)
    c.setKs(c.session.start(customer["adminSecret"], "", 2, customer["partnerId"], 3600, ""))
    return c


def update_job(c: KalturaClient, task_id: int, **fields):
    change = KalturaEntryVendorTask()
    for name, value in fields.items():
        setattr(change, name, value)
    return c.reach.entryVendorTask.updateJob(task_id, change)


def pending_task(emu, feature: int = 1) -> dict:
    for task in emu.inspect.objects("task", status=PENDING, serviceFeature=feature):
        return task
    raise AssertionError(f"the demo seed has no pending task of feature {feature}")


def new_task(emu, feature: int = 1, **fields) -> dict:
    """A fresh PENDING task (ordered like a customer does) on a seeded entry, with a catalog item of `feature`."""
    template = pending_task(emu, feature)
    task_id = emu.control.add_task(
        partnerId=template["partnerId"],
        entryId=template["entryId"],
        catalogItemId=template["catalogItemId"],
        reachProfileId=template["reachProfileId"],
        **fields,
    )
    return emu.inspect.task(task_id)


def app_connection(emu):
    """The app's own connection (kaltura/connection.py) signed in with the vendor's app token."""
    from reach_studio.kaltura.connection import AccountConfig, ReachConnection

    info = emu.info
    account = AccountConfig.from_emulator_info(info)
    return ReachConnection(account, request_timeout=20)
