"""appToken service: startSession as api_v3/services/AppTokenService.php does it (tokenHash, expiry, the
privileges a session may get), plus get/list for the owner (docs/kaltura-contract.md, "Sessions")."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from reach_studio.domain.enums import AppTokenStatus
from reach_studio.emulator.errors import ApiError
from reach_studio.emulator.ks import SESSION_ADMIN, SESSION_USER
from reach_studio.emulator.registry import CallContext, Params, action
from reach_studio.emulator.services.session import session_info, sign

_HASHES = {"MD5": hashlib.md5, "SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}


def token_hash(ks: str, token: str, hash_type: str | None) -> str:
    """lowercase hex HASH(ks + token), SHA1 when the token has no hash type (AppToken::calcHash)."""
    return _HASHES.get((hash_type or "SHA1").upper(), hashlib.sha1)((ks + token).encode()).hexdigest()


# kSessionBase's PRIVILEGE_* values: privileges the server itself gives meaning to
# (alpha/apps/kaltura/lib/request/kSessionBase.class.php, getServerPrivileges).
SERVER_PRIVILEGES = frozenset(
    {
        "edit",
        "sview",
        "list",
        "download",
        "downloadasset",
        "editplaylist",
        "sviewplaylist",
        "actionslimit",
        "setrole",
        "restrictingrole",
        "limitentry",
        "iprestrict",
        "urirestrict",
        "enableentitlement",
        "disableentitlement",
        "disableentitlementforentry",
        "disableentitlementforplaylist",
        "privacycontext",
        "enablecategorymoderation",
        "reftime",
        "sessionkey",
        "preview",
        "sessionid",
        "jobtype",
        "apptoken",
        "enablechangeaccount",
        "edituser",
        "enablecaptionmoderation",
        "editadmintags",
        "restrictexplicitliveview",
        "virtualeventid",
        "searchcontext",
        "disablesessiontypecheck",
    }
)


def _parse_privileges(text: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in (text or "").split(","):
        item = item.strip()
        if not item:
            continue
        name, _, value = item.partition(":")
        out[name.strip()] = value.strip() if value else "*"
    return out


def app_session_privileges(token_id: str, token_privileges: str | None, asked: str | None) -> str:
    """AppTokenService::startSessionAction: sessionid and apptoken, the token's own privileges, then of the
    privileges asked for only those the server gives no meaning to and the token does not set — unless the
    token sets that one to "*" (kSessionUtils::retrieveAllowedAppSessionPrivileges)."""
    privileges = {"sessionid": token_id, "apptoken": token_id}
    for name, value in _parse_privileges(token_privileges).items():
        privileges[name] = f"{privileges[name]}/{value}" if name in privileges else value
    if asked:
        forbidden = SERVER_PRIVILEGES | set(privileges)
        for name, value in _parse_privileges(asked).items():
            wildcard = "*" in privileges.get(name, "").split("/")
            if name not in forbidden or wildcard:
                privileges[name] = value
    return ",".join(f"{name}:{value}" for name, value in privileges.items())


@action("apptoken", "startSession")
def start_session(ctx: CallContext, p: Params) -> dict[str, Any]:
    caller = ctx.require_session(allow_widget=True)
    token_id = p.str("id", required=True)
    given_hash = p.str("tokenHash", required=True)
    user_id = p.str("userId")
    session_type = p.enum("type", "KalturaSessionType")
    expiry = p.int("expiry")
    extra_privileges = p.str("sessionPrivileges")
    token = ctx.store.get("app_token", token_id)
    if token is None or token.get("partnerId") != caller.partner_id:
        raise ApiError("APP_TOKEN_ID_NOT_FOUND", ID=token_id)
    if token.get("status") != AppTokenStatus.ACTIVE:
        raise ApiError("APP_TOKEN_NOT_ACTIVE", ID=token_id)
    # AppTokenService::startSessionAction compares the hash exactly (`!==`) before it looks at the expiry
    if given_hash != token_hash(caller.ks, token["token"], token.get("hashType")):
        raise ApiError("INVALID_APP_TOKEN_HASH")
    now = int(time.time())
    if token.get("expiry") and token["expiry"] < now:  # Kaltura: expired once expiry - time() < 0
        raise ApiError("APP_TOKEN_EXPIRED", ID=token_id)
    partner = ctx.partner(caller.partner_id)
    if partner is None:
        raise ApiError("APP_TOKEN_ID_NOT_FOUND", ID=token_id)
    # The token's own session settings win over the ones asked for (AppTokenService::startSessionAction).
    if token.get("sessionType") is not None:
        session_type = token["sessionType"]
    session_type = SESSION_ADMIN if session_type == SESSION_ADMIN else SESSION_USER
    if token.get("sessionUserId"):
        user_id = token["sessionUserId"]
    duration = int(token.get("sessionDuration") or 86400)
    expiry_s = min(expiry, duration) if expiry and expiry > 0 else duration
    if token.get("expiry"):
        expiry_s = min(expiry_s, token["expiry"] - now)
    privilege_text = app_session_privileges(token_id, token.get("sessionPrivileges"), extra_privileges)
    ks = sign(partner, session_type, user_id or "", expiry_s, privilege_text)
    return session_info(ks, partner["id"], user_id or "", now + expiry_s, session_type, privilege_text)


def _public(token: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in token.items() if not k.startswith("_")}


@action("apptoken", "get")
def get(ctx: CallContext, p: Params) -> dict[str, Any]:
    session = ctx.require_session()
    token_id = p.str("id", required=True)
    token = ctx.store.get("app_token", token_id)
    if token is None or token.get("partnerId") != session.partner_id or not session.is_admin:
        raise ApiError("APP_TOKEN_ID_NOT_FOUND", ID=token_id)
    return _public(token)
