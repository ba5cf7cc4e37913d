"""Entries and task-like access keys made directly in an emulator, for the asset/playback tests.

A REACH task's accessKey is a USER KS of the customer partner limited to one entry (facts §4); these
helpers make exactly such keys, so the tests do not depend on which tasks the demo seed holds.
"""

from __future__ import annotations

from typing import Any

from reach_studio.domain.enums import EntryStatus
from reach_studio.emulator.services.media import add_generated_entry, entry_template
from reach_studio.emulator.services.session import sign

from .clients import new_client


def customer(emu, index: int = 0) -> dict[str, Any]:
    return emu.store.get("partner", emu.info["customers"][index]["partnerId"])


def bare_entry(emu, index: int = 0, name: str = "Lecture") -> dict[str, Any]:
    """A READY entry with no media (enough for captions, attachments and cue points)."""
    partner = customer(emu, index)
    entry = entry_template(
        partner["id"],
        emu.store.next_id("entry"),
        name,
        status=EntryStatus.READY,
        msDuration=20000,
        duration=20,
    )
    return emu.store.put("entry", entry)


def media_entry(
    emu, index: int = 0, *, video: bool = True, hls: bool = True, duration_s: float = 6.0, name: str = "Clip"
) -> dict[str, Any]:
    """A READY entry with generated flavors (source, 301, 302, 303; audio entries: 0 and 303)."""
    return add_generated_entry(
        emu,
        customer(emu, index)["id"],
        name,
        duration_s=duration_s,
        video=video,
        hls=hls,
        variant=f"test-{'av' if video else 'a'}",
    )


def access_key(emu, entry: dict[str, Any], expiry_s: int = 3600) -> str:
    """A KS shaped like a REACH task accessKey for `entry` (USER, entry-scoped privileges)."""
    partner = emu.store.get("partner", entry["partnerId"])
    eid = entry["id"]
    privileges = (
        f"edit:{eid},setrole:REACH_VENDOR_ROLE,disableentitlementforentry:{eid},sview:{eid},download:{eid}"
    )
    return sign(partner, 0, "", expiry_s, privileges)


def key_client(emu, entry: dict[str, Any]):
    return new_client(emu, access_key(emu, entry))
