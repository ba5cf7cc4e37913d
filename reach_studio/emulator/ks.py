"""Kaltura sessions (KS v2) made and checked the way the Kaltura server does it.

The format follows kSessionBase (docs/kaltura-contract.md#ks): base64url("v2|{pid}|" +
AES-128-CBC(SHA1(secret)[:16], zero IV,
SHA1(rand16+fields) + rand16 + urlencoded fields)). So a KS from the emulator looks like a real one
(it starts with "djJ8"), the client library's own `generateSessionV2` makes KSs the emulator accepts,
and nobody can forge one without the partner's secret. One extra field, `_i` (issue time), lets the
emulator expire every KS issued before a moment (fault injection), which a real server does on logout.
"""

from __future__ import annotations

import base64
import hashlib
import os
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from Crypto.Cipher import AES

SESSION_USER = 0
SESSION_ADMIN = 2

# kSessionBase error codes, as INVALID_KS reports them in ERR_CODE/ERR_DESC.
KS_INVALID_STR = (-1, "INVALID_STR")
KS_INVALID_PARTNER = (-2, "INVALID_PARTNER")
KS_INVALID_TYPE = (-4, "INVALID_TYPE")
KS_EXPIRED = (-5, "EXPIRED")
KS_LOGOUT = (-6, "LOGOUT")  # a killed KS (ks::kill, e.g. a task's access key once the task is READY)

_RESERVED = {"_e", "_t", "_u", "_m", "_d", "_i"}


class KsError(Exception):
    """The KS could not be accepted; `reason` is one of the kSessionBase (code, description) pairs."""

    def __init__(self, reason: tuple[int, str]) -> None:
        self.reason = reason
        super().__init__(reason[1])


@dataclass(frozen=True)
class Session:
    """A parsed, verified KS."""

    partner_id: int
    type: int
    user_id: str
    expiry: int
    privileges: dict[str, str]
    issued_at: float
    ks: str = field(repr=False)

    @property
    def is_admin(self) -> bool:
        return self.type == SESSION_ADMIN

    @property
    def is_widget(self) -> bool:
        return "widget" in self.privileges

    def privilege_values(self, name: str) -> set[str]:
        """Values of one privilege ("edit:0_a/0_b" -> {"0_a", "0_b"}); "*" for all."""
        if "all" in self.privileges:
            return {"*"}
        value = self.privileges.get(name)
        if value is None:
            return set()
        return {v for v in value.split("/") if v} or {"*"}

    def privileges_string(self) -> str:
        return ",".join(f"{k}:{v}" if v != "" else k for k, v in self.privileges.items())

    @property
    def fingerprint(self) -> str:
        """A short, non-secret label for the KS (used in error text instead of the KS itself)."""
        return "ks#" + hashlib.sha1(self.ks.encode()).hexdigest()[:10]


def fingerprint(ks: str) -> str:
    return "ks#" + hashlib.sha1(ks.encode()).hexdigest()[:10]


def _privilege_fields(privileges: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for item in privileges.split(","):
        item = item.strip()
        if not item:
            continue
        if item == "*":
            item = "all:*"
        name, _, value = item.partition(":")
        fields[name] = value
    return fields


def make_ks(
    secret: str,
    partner_id: int,
    *,
    session_type: int = SESSION_USER,
    user_id: str = "",
    expiry_s: int = 86400,
    privileges: str = "",
    now: float | None = None,
) -> str:
    """Sign a KS v2 for `partner_id` with `secret` (admin secret for ADMIN, user secret for USER)."""
    now = time.time() if now is None else now
    fields = _privilege_fields(privileges)
    fields["_e"] = str(int(now) + int(expiry_s))
    fields["_t"] = str(int(session_type))
    fields["_u"] = str(user_id or "")
    fields["_i"] = repr(now)
    body = urlencode(fields).encode()
    rand = os.urandom(16)
    plain = hashlib.sha1(rand + body).digest() + rand + body
    if len(plain) % 16:
        plain += b"\0" * (16 - len(plain) % 16)
    key = hashlib.sha1(secret.encode()).digest()[:16]
    encrypted = AES.new(key, AES.MODE_CBC, b"\0" * 16).encrypt(plain)
    return base64.urlsafe_b64encode(f"v2|{int(partner_id)}|".encode() + encrypted).decode()


def ks_partner_id(ks: str) -> int:
    """The partner id a KS claims (not verified). Raises KsError for a malformed KS."""
    raw = _decode(ks)
    parts = raw.split(b"|", 2)
    if len(parts) != 3 or parts[0] != b"v2":
        raise KsError(KS_INVALID_STR)
    try:
        return int(parts[1])
    except ValueError:
        raise KsError(KS_INVALID_STR) from None


def _decode(ks: str) -> bytes:
    text = ks.strip().replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except (ValueError, TypeError):
        raise KsError(KS_INVALID_STR) from None


def parse_ks(ks: str, secrets: list[str], *, now: float | None = None, not_before: float = 0.0) -> Session:
    """Verify `ks` against the partner's secrets; raise KsError if it is forged, malformed or expired."""
    raw = _decode(ks)
    parts = raw.split(b"|", 2)
    if len(parts) != 3 or parts[0] != b"v2":
        raise KsError(KS_INVALID_STR)
    try:
        partner_id = int(parts[1])
    except ValueError:
        raise KsError(KS_INVALID_STR) from None
    encrypted = parts[2]
    if not encrypted or len(encrypted) % 16:
        raise KsError(KS_INVALID_STR)
    for secret in secrets:
        key = hashlib.sha1(secret.encode()).digest()[:16]
        plain = AES.new(key, AES.MODE_CBC, b"\0" * 16).decrypt(encrypted).rstrip(b"\0")
        digest, rand, body = plain[:20], plain[20:36], plain[36:]
        if hashlib.sha1(rand + body).digest() == digest:
            break
    else:
        raise KsError(KS_INVALID_STR)
    try:
        fields = dict(parse_qsl(body.decode(), keep_blank_values=True))
        expiry = int(fields.get("_e", "0"))
        session_type = int(fields.get("_t", "0"))
        issued_at = float(fields.get("_i", "0"))
    except ValueError:
        raise KsError(KS_INVALID_STR) from None
    if session_type not in (SESSION_USER, SESSION_ADMIN):
        raise KsError(KS_INVALID_TYPE)
    now = time.time() if now is None else now
    if expiry <= now or issued_at < not_before:
        raise KsError(KS_EXPIRED)
    privileges = {k: v for k, v in fields.items() if k not in _RESERVED}
    return Session(
        partner_id=partner_id,
        type=session_type,
        user_id=fields.get("_u", ""),
        expiry=expiry,
        privileges=privileges,
        issued_at=issued_at,
        ks=ks,
    )


def _killed_key(ks: str) -> str:
    return "killed_ks:" + hashlib.sha1(ks.encode()).hexdigest()


def kill(store: Any, ks: str) -> None:
    """Revoke one KS for good, as kSessionUtils' ks::kill does (the emulator's store keeps the list)."""
    if ks:
        store.set_meta(_killed_key(ks), "1")


def is_killed(store: Any, ks: str) -> bool:
    return bool(ks) and store.get_meta(_killed_key(ks)) is not None
