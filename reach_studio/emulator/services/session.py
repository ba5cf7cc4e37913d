"""session service: start (admin/user secret), startWidgetSession and get, as Kaltura's SessionService does."""

from __future__ import annotations

from typing import Any

from reach_studio.emulator.errors import ApiError
from reach_studio.emulator.ks import SESSION_ADMIN, SESSION_USER, make_ks, parse_ks
from reach_studio.emulator.registry import CallContext, Params, action

WIDGET_PRIVILEGES = "view:*,widget:1"


def sign(partner: dict[str, Any], session_type: int, user_id: str, expiry_s: int, privileges: str) -> str:
    """A KS for `partner`, signed with its admin secret (ADMIN) or user secret (USER)."""
    secret = partner["adminSecret"] if session_type == SESSION_ADMIN else partner["secret"]
    return make_ks(
        secret,
        partner["id"],
        session_type=session_type,
        user_id=user_id,
        expiry_s=expiry_s,
        privileges=privileges,
    )


@action("session", "start")
def start(ctx: CallContext, p: Params) -> str:
    secret = p.str("secret", required=True)
    user_id = p.str("userId", default="") or ""
    session_type = p.enum("type", "KalturaSessionType", default=SESSION_USER)
    partner_id = p.int("partnerId", required=True)
    expiry = p.int("expiry", default=86400) or 86400
    privileges = p.str("privileges", default="") or ""
    partner = ctx.partner(partner_id)
    if partner is None:
        raise ApiError("START_SESSION_ERROR", PID=partner_id)
    if secret == partner["adminSecret"] or secret == partner["secret"] and session_type == SESSION_USER:
        pass
    else:
        # Kaltura does not say whether the partner or the secret was wrong.
        raise ApiError("START_SESSION_ERROR", PID=partner_id)
    return sign(partner, session_type, user_id, expiry, privileges)


@action("session", "startWidgetSession")
def start_widget_session(ctx: CallContext, p: Params) -> dict[str, Any]:
    widget_id = p.str("widgetId", required=True)
    expiry = p.int("expiry", default=86400) or 86400
    partner = None
    if widget_id.startswith("_") and widget_id[1:].isdigit():
        partner = ctx.partner(int(widget_id[1:]))
    if partner is None:
        raise ApiError("INVALID_WIDGET_ID", WIDGET_ID=widget_id)
    ks = sign(partner, SESSION_USER, "", expiry, WIDGET_PRIVILEGES)
    return {
        "objectType": "KalturaStartWidgetSessionResponse",
        "partnerId": partner["id"],
        "ks": ks,
        "userId": "",
    }


@action("session", "get")
def get(ctx: CallContext, p: Params) -> dict[str, Any]:
    caller = ctx.require_session(allow_widget=True)
    ks = p.str("session") or caller.ks
    partner = ctx.partner(caller.partner_id) or {}
    info = (
        parse_ks(
            ks,
            [partner.get("adminSecret", ""), partner.get("secret", "")],
            not_before=ctx.emu.faults.ks_not_before,
        )
        if ks != caller.ks
        else caller
    )
    return session_info(
        info.ks, info.partner_id, info.user_id, info.expiry, info.type, info.privileges_string()
    )


def session_info(
    ks: str, partner_id: int, user_id: str, expiry: int, session_type: int, privileges: str
) -> dict:
    return {
        "objectType": "KalturaSessionInfo",
        "ks": ks,
        "sessionType": session_type,
        "partnerId": partner_id,
        "userId": user_id,
        "expiry": expiry,
        "privileges": privileges,
    }
