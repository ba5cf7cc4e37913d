"""Reading what can be read from a Kaltura Session string without its secret.

The key keeper needs each task key's expiry. A v1 KS carries it in clear text (base64 of
"signature|pid;pid;validUntil;type;..."); a v2 KS is encrypted with the partner secret, so for
those the caller falls back to an estimate. Nothing here ever logs or returns the KS itself.
"""

from __future__ import annotations

import base64
import binascii


def _b64decode(ks: str) -> bytes | None:
    text = ks.strip().replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError):
        return None


def ks_version(ks: str) -> int | None:
    """1 or 2 for a recognisable KS, None otherwise."""
    raw = _b64decode(ks)
    if not raw:
        return None
    if raw.startswith(b"v2|"):
        return 2
    head, sep, info = raw.partition(b"|")
    if sep and len(head) == 40 and info.count(b";") >= 3:
        return 1
    return None


def ks_partner_id(ks: str) -> int | None:
    """The partner id a KS was issued for (readable in both versions), or None."""
    raw = _b64decode(ks)
    if not raw:
        return None
    try:
        if raw.startswith(b"v2|"):
            return int(raw.split(b"|", 2)[1])
        _head, sep, info = raw.partition(b"|")
        if sep:
            return int(info.split(b";")[0])
    except (ValueError, IndexError):
        return None
    return None


def ks_expiry(ks: str) -> int | None:
    """Absolute expiry (epoch seconds) of a v1 KS; None when it cannot be read (v2 is encrypted)."""
    raw = _b64decode(ks)
    if not raw or raw.startswith(b"v2|"):
        return None
    _head, sep, info = raw.partition(b"|")
    if not sep:
        return None
    fields = info.split(b";")
    if len(fields) < 4:
        return None
    try:
        return int(fields[2])
    except ValueError:
        return None


DEFAULT_KEY_DAYS = 7


def key_lifetime_s(turn_around_time: int | None) -> int:
    """How long Kaltura makes a task's accessKey live: max(2 x the *raw* turnAroundTime value, 7 days)
    (VendorCatalogItem::getKsExpiry). Business days (1..7) and best effort are tiny raw values, so their
    keys live 7 days (docs/kaltura-contract.md, "entryVendorTask")."""
    raw = int(turn_around_time) if turn_around_time is not None else 0
    return max(DEFAULT_KEY_DAYS * 86400, 2 * raw)


def access_key_expiry(key: str, issued_at: float, turn_around_time: int | None) -> int:
    """When a task accessKey stops working: its own `_e`/validUntil if readable, else Kaltura's rule
    issue time + key_lifetime_s(turnAroundTime)."""
    known = ks_expiry(key) if key else None
    if known:
        return known
    return int(issued_at + key_lifetime_s(turn_around_time))
