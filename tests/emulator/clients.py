"""Official KalturaClient instances signed in to an emulator the ways a vendor does (shared by emulator tests)."""

from __future__ import annotations

import hashlib

from KalturaClient import KalturaClient, KalturaConfiguration


def new_client(emu, ks: str | None = None, timeout: float = 30) -> KalturaClient:
    config = KalturaConfiguration()
    config.serviceUrl = emu.url
    config.requestTimeout = timeout
    client = KalturaClient(config)
    if ks:
        client.setKs(ks)
    return client


def app_token_session(emu, client: KalturaClient | None = None):
    """Widget session, then appToken.startSession with SHA256(ks + token): the vendor's KalturaSessionInfo."""
    info = emu.info
    client = client or new_client(emu)
    widget = client.session.startWidgetSession(f"_{info['vendorPartnerId']}")
    client.setKs(widget.ks)
    token_hash = hashlib.sha256((widget.ks + info["appToken"]).encode()).hexdigest()
    return client.appToken.startSession(info["appTokenId"], token_hash, type=2, expiry=3600)


def vendor_client(emu) -> KalturaClient:
    """A client with the vendor partner's KS from the app token (what the app does)."""
    client = new_client(emu)
    session = app_token_session(emu, client)
    client.setKs(session.ks)
    return client


def customer_admin_client(emu, index: int = 0) -> KalturaClient:
    customer = emu.info["customers"][index]
    client = new_client(emu)
    ks = client.session.start(customer["adminSecret"], "", 2, customer["partnerId"], 3600, "")
    client.setKs(ks)
    return client
