"""Demo seed: the partners, vendor app token, catalog, REACH profiles, entries and tasks the emulator starts with."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reach_studio.emulator.server import Emulator

VENDOR_PARTNER_ID = 4200
VENDOR_NAME = "Acme Captioning"
CUSTOMERS = [(101, "Northwind University"), (102, "Contoso Media"), (103, "Globex Health")]


def add_partner(emu: "Emulator", partner_id: int, name: str, *, is_vendor: bool = False) -> dict[str, Any]:
    partner = {
        "id": partner_id,
        "name": name,
        "isVendor": is_vendor,
        "adminSecret": secrets.token_hex(16),
        "secret": secrets.token_hex(16),
    }
    return emu.store.put("partner", partner)


def add_app_token(emu: "Emulator", partner_id: int, *, hash_type: str = "SHA256", session_type: int = 2,
                  privileges: str = "disableentitlement", duration: int = 86400) -> dict[str, Any]:
    token = {
        "objectType": "KalturaAppToken",
        "id": emu.store.next_id("app_token"),
        "token": secrets.token_hex(16),
        "partnerId": partner_id,
        "createdAt": 0,
        "updatedAt": 0,
        "status": 2,
        "expiry": None,
        "sessionType": session_type,
        "sessionUserId": "",
        "sessionDuration": duration,
        "sessionPrivileges": privileges,
        "hashType": hash_type,
        "description": "REACH vendor integration",
    }
    return emu.store.put("app_token", token)


def apply(emu: "Emulator", name: str) -> None:
    """Fill an empty store with the named seed ("demo", or "empty" for partners and the app token only)."""
    if name not in ("demo", "empty", "minimal"):
        from reach_studio.emulator.server import EmulatorError

        raise EmulatorError(f"unknown seed {name!r} (known: demo, minimal)")
    add_partner(emu, VENDOR_PARTNER_ID, VENDOR_NAME, is_vendor=True)
    add_app_token(emu, VENDOR_PARTNER_ID)
    for partner_id, partner_name in CUSTOMERS:
        add_partner(emu, partner_id, partner_name)
