"""Contract: sessions as api_v3/services/AppTokenService.php and kSessionUtils make them
(docs/kaltura-contract.md, "Sessions")."""

from __future__ import annotations

from .kaltura import vendor


def _privileges(c) -> dict[str, str]:
    session = c.session.get()
    return dict(item.partition(":")[::2] for item in session.privileges.split(","))


def test_app_token_session_privileges_keep_the_tokens_and_add_only_ones_the_server_ignores(emulator):
    token = emulator.store.get("app_token", emulator.info["appTokenId"])
    c = vendor(emulator, session_privileges="setrole:PARTNER_ADMIN,edit:*,disableentitlement:x,myflag:on")
    got = _privileges(c)
    assert got["apptoken"] == got["sessionid"] == emulator.info["appTokenId"]
    assert "setrole" not in got and "edit" not in got  # server privileges cannot be asked for
    assert got["myflag"] == "on"  # a privilege the server gives no meaning to is passed on
    for item in (token.get("sessionPrivileges") or "").split(","):
        name = item.partition(":")[0]
        if name:
            assert name in got  # the token's own privileges stay
