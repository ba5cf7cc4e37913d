"""Service/action registry and the dispatcher every API call goes through.

A service module registers handlers with `@action("reach_entryvendortask", "getJobs")`; each handler
gets a `CallContext` (store, parsed KS, emulator) and typed `Params`. The dispatcher resolves the
service and action (SERVICE_DOES_NOT_EXISTS / ACTION_DOES_NOT_EXISTS), verifies the KS when one is sent
(INVALID_KS with Kaltura's codes), and runs multirequests with `{N:result:path}` placeholders once
for all services.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reach_studio.emulator import schema
from reach_studio.emulator.errors import ApiError
from reach_studio.emulator.ks import (
    KS_LOGOUT,
    SESSION_ADMIN,
    KsError,
    Session,
    fingerprint,
    is_killed,
    ks_partner_id,
    parse_ks,
)
from reach_studio.emulator.wire import UploadedFile

if TYPE_CHECKING:
    from reach_studio.emulator.server import Emulator
    from reach_studio.emulator.store import Store

Handler = Callable[["CallContext", "Params"], Any]

# (service, action) in lower case -> handler
HANDLERS: dict[tuple[str, str], Handler] = {}
# the service names as written when registered, for error messages
_SERVICE_NAMES: dict[str, str] = {}


def action(service: str, name: str) -> Callable[[Handler], Handler]:
    """Register `handler(ctx, p)` for service/action (names are case-insensitive, as in Kaltura)."""

    def register(handler: Handler) -> Handler:
        HANDLERS[(service.lower(), name.lower())] = handler
        _SERVICE_NAMES.setdefault(service.lower(), service)
        return handler

    return register


# ---- parameters ------------------------------------------------------------------------------------
_MISSING = object()


class Params:
    """Typed access to one call's parameters (all scalars arrive as strings)."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def _get(self, name: str, required: bool) -> Any:
        if f"{name}__null" in self.raw:
            value = None
        else:
            value = self.raw.get(name, _MISSING)
        if value is _MISSING or value is None:
            if required:
                raise ApiError("MISSING_MANDATORY_PARAMETER", PARAM_NAME=name)
            return None
        return value

    def has(self, name: str) -> bool:
        return name in self.raw and f"{name}__null" not in self.raw

    def str(self, name: str, required: bool = False, default: str | None = None) -> str | None:
        value = self._get(name, required)
        if value is None:
            return default
        if isinstance(value, (dict, list, UploadedFile)):
            raise ApiError("PROPERTY_VALIDATION_WRONG_FORMAT", PROP_NAME=name, TYPE="string")
        if required and value == "":
            raise ApiError("MISSING_MANDATORY_PARAMETER", PARAM_NAME=name)
        return value if isinstance(value, str) else f"{value}"

    def int(self, name: str, required: bool = False, default: int | None = None) -> int | None:
        value = self._get(name, required)
        if value is None or value == "":
            if required:
                raise ApiError("MISSING_MANDATORY_PARAMETER", PARAM_NAME=name)
            return default
        return schema.convert(value, schema.Field("int"), name)

    def float(self, name: str, required: bool = False, default: float | None = None) -> float | None:
        value = self._get(name, required)
        if value is None or value == "":
            return default
        return schema.convert(value, schema.Field("float"), name)

    def bool(self, name: str, required: bool = False, default: bool | None = None) -> bool | None:
        value = self._get(name, required)
        if value is None:
            return default
        return schema.convert(value, schema.Field("bool"), name)

    def enum(self, name: str, enum_name: str, required: bool = False, default: Any = None) -> Any:
        value = self._get(name, required)
        if value is None or value == "":
            return default
        return schema.convert_enum(value, enum_name, name)

    def obj(self, name: str, base_type: str, required: bool = False) -> dict[str, Any] | None:
        """A nested object, converted to its declared (sub)type; objectType is checked against base_type."""
        value = self._get(name, required)
        if value is None or value == "":
            if required:
                raise ApiError("MISSING_MANDATORY_PARAMETER", PARAM_NAME=name)
            return None
        if not isinstance(value, dict):
            raise ApiError("PROPERTY_VALIDATION_WRONG_FORMAT", PROP_NAME=name, TYPE=base_type)
        return schema.coerce(value, base_type, name)

    def file(self, name: str, required: bool = True) -> UploadedFile | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, UploadedFile):
            raise ApiError("MISSING_MANDATORY_PARAMETER", PARAM_NAME=name)
        return value

    def response_profile_name(self) -> str | None:
        """systemName of the request's responseProfile (e.g. "reach_vendor"), if one was sent."""
        holder = self.raw.get("responseProfile")
        if isinstance(holder, dict):
            name = holder.get("systemName")
            return name if isinstance(name, str) and name else None
        return None


# ---- call context ----------------------------------------------------------------------------------
@dataclass
class CallContext:
    emu: Emulator
    store: Store
    session: Session | None
    service: str
    action: str
    client_tag: str = ""

    def require_session(self, *, allow_widget: bool = False) -> Session:
        """The caller's KS, or MISSING_KS / SERVICE_FORBIDDEN (widget KS) as Kaltura answers."""
        if self.session is None:
            raise ApiError("MISSING_KS")
        if self.session.is_widget and not allow_widget:
            raise ApiError("SERVICE_FORBIDDEN", SERVICE=f"{self.service}->{self.action}")
        return self.session

    def partner(self, partner_id: int) -> dict[str, Any] | None:
        return self.store.get("partner", partner_id)

    def is_vendor_session(self) -> bool:
        session = self.session
        if session is None or session.is_widget:
            return False
        partner = self.partner(session.partner_id) or {}
        return bool(partner.get("isVendor"))

    def require_vendor(self) -> Session:
        """A KS of a REACH vendor partner (getJobs/updateJob/extendAccessKey)."""
        session = self.require_session()
        if not self.is_vendor_session():
            raise ApiError("VENDOR_TASK_SERVICE__GET_JOB_NOT_ALLOWED", ID=session.partner_id)
        return session

    def can_reach_entry(self, entry: dict[str, Any], write: bool = False) -> bool:
        session = self.session
        if session is None or session.is_widget:
            return False
        if int(entry.get("partnerId", -1)) != session.partner_id:
            return False
        if session.type == SESSION_ADMIN:
            return True
        entry_id = str(entry["id"])
        allowed = set(session.privilege_values("edit"))
        if not write:
            allowed |= session.privilege_values("sview") | session.privilege_values("download")
        # A USER KS reaches only the entries its privileges name; "*" means all of the partner's.
        return "*" in allowed or entry_id in allowed

    def require_entry_access(self, entry_id: str, write: bool = False) -> dict[str, Any]:
        """The entry if the caller's KS reaches it (admin KS of its partner, or an entry-scoped key)."""
        self.require_session()
        entry = self.store.get("entry", entry_id) if entry_id else None
        if entry is None or not self.can_reach_entry(entry, write):
            raise ApiError("ENTRY_ID_NOT_FOUND", ENTRY_ID=entry_id)
        return entry


# ---- dispatching -----------------------------------------------------------------------------------
def load_session(emu: Emulator, ks: str | None) -> Session | None:
    """Parse and verify a KS; INVALID_KS (with Kaltura's ERR_CODE/ERR_DESC) when it cannot be used."""
    if ks is None or ks == "":
        return None
    if not isinstance(ks, str):
        raise ApiError("INVALID_KS", KSID="", ERR_CODE=-1, ERR_DESC="INVALID_STR")
    try:
        partner_id = ks_partner_id(ks)
        partner = emu.store.get("partner", partner_id)
        if partner is None:
            raise KsError((-2, "INVALID_PARTNER"))
        secrets = [s for s in (partner.get("adminSecret"), partner.get("secret")) if s]
        session = parse_ks(ks, secrets, not_before=emu.faults.ks_not_before)
        if is_killed(emu.store, ks):
            raise KsError(KS_LOGOUT)
        return session
    except KsError as exc:
        # Kaltura puts the KS itself in KSID; we put a fingerprint so a KS never lands in a log or message.
        raise ApiError(
            "INVALID_KS", KSID=fingerprint(ks), ERR_CODE=exc.reason[0], ERR_DESC=exc.reason[1]
        ) from None


def call(emu: Emulator, service: str, action_name: str, params: dict[str, Any]) -> Any:
    """Run one service action; raises ApiError."""
    service_key = (service or "").lower()
    action_key = (action_name or "").lower()
    if not any(s == service_key for s, _ in HANDLERS):
        raise ApiError("SERVICE_DOES_NOT_EXISTS", SRV_NAME=service)
    handler = HANDLERS.get((service_key, action_key))
    if handler is None:
        raise ApiError("ACTION_DOES_NOT_EXISTS", ACTION_NAME=action_name, SERVICE_NAME=service)
    session = load_session(emu, params.get("ks"))
    ctx = CallContext(emu, emu.store, session, service_key, action_key, str(params.get("clientTag", "")))
    return handler(ctx, Params(params))


_PLACEHOLDER = re.compile(r"\{(\d+):result((?::[^{}:]+)*)\}")


def _walk(value: Any, path: list[str]) -> Any:
    for part in path:
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list):
            try:
                value = value[int(part)]
            except (ValueError, IndexError):
                return None
        else:
            return None
    return value


def _placeholder_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _substitute(value: Any, results: list[Any]) -> Any:
    if isinstance(value, str) and "{" in value:

        def replace(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            if not 0 <= index < len(results) or isinstance(results[index], ApiError):
                return match.group(0)
            path = [p for p in match.group(2).split(":") if p]
            return _placeholder_text(_walk(schema.public_view(results[index]), path))

        return _PLACEHOLDER.sub(replace, value)
    if isinstance(value, dict):
        return {k: _substitute(v, results) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, results) for v in value]
    return value


_REQUEST_CONFIG = ("ks", "partnerId", "responseProfile", "language", "clientTag", "apiVersion")


def multirequest(emu: Emulator, params: dict[str, Any]) -> list[Any]:
    """Run the numbered sub-requests in order; each result (or ApiError) is one item of the answer."""
    keys = sorted((k for k in params if k.isdigit()), key=int)
    results: list[Any] = []
    for key in keys:
        sub = params[key]
        if not isinstance(sub, dict):
            results.append(ApiError("MISSING_MANDATORY_PARAMETER", PARAM_NAME=f"{key}:service"))
            continue
        merged = {name: params[name] for name in _REQUEST_CONFIG if name in params}
        merged.update(_substitute(sub, results))
        try:
            service = merged.get("service")
            action_name = merged.get("action")
            if not service:
                raise ApiError("MISSING_MANDATORY_PARAMETER", PARAM_NAME=f"{key}:service")
            if not action_name:
                raise ApiError("MISSING_MANDATORY_PARAMETER", PARAM_NAME=f"{key}:action")
            results.append(call(emu, str(service), str(action_name), merged))
        except ApiError as err:
            results.append(err)
    return results
