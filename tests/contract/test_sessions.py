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


def _refused(fn):
    import pytest
    from KalturaClient.exceptions import KalturaException

    with pytest.raises(KalturaException) as exc:
        fn()
    return exc.value


def test_session_start_needs_the_partners_secret_and_session_get_reads_the_ks(emulator):
    from .kaltura import client

    customer = emulator.info["customers"][0]
    c = client(emulator)
    err = _refused(lambda: c.session.start("not-the-secret", "", 2, customer["partnerId"], 3600, ""))
    assert err.code == "START_SESSION_ERROR"
    c.setKs(c.session.start(customer["adminSecret"], "alice", 2, customer["partnerId"], 3600, "myflag:on"))
    info = c.session.get()
    assert (info.partnerId, info.userId, info.sessionType.getValue()) == (customer["partnerId"], "alice", 2)
    assert "myflag:on" in info.privileges


def test_app_token_start_session_checks_the_hash_before_the_expiry(emulator):
    import hashlib
    import time

    from .kaltura import client

    info = emulator.info
    emulator.store.update("app_token", info["appTokenId"], {"expiry": int(time.time()) - 10})
    c = client(emulator)
    widget = c.session.startWidgetSession(f"_{info['vendorPartnerId']}")
    c.setKs(widget.ks)
    err = _refused(lambda: c.appToken.startSession(info["appTokenId"], "0" * 40, type=2))
    assert err.code == "INVALID_APP_TOKEN_HASH"
    good = hashlib.sha256((widget.ks + info["appToken"]).encode()).hexdigest()
    err = _refused(lambda: c.appToken.startSession(info["appTokenId"], good.upper(), type=2))
    assert err.code == "INVALID_APP_TOKEN_HASH"  # compared exactly: Kaltura's calcHash is lowercase hex
    err = _refused(lambda: c.appToken.startSession(info["appTokenId"], good, type=2))
    assert err.code == "APP_TOKEN_EXPIRED"


def test_widget_session_is_a_view_only_ks_of_the_widgets_partner(emulator):
    from .kaltura import client

    c = client(emulator)
    partner_id = emulator.info["vendorPartnerId"]
    widget = c.session.startWidgetSession(f"_{partner_id}")
    c.setKs(widget.ks)
    info = c.session.get()
    assert (widget.partnerId, info.partnerId, info.privileges) == (partner_id, partner_id, "view:*,widget:1")
    assert (
        _refused(lambda: client(emulator).session.startWidgetSession("_nosuch")).code == "INVALID_WIDGET_ID"
    )


def test_app_token_get_of_an_unknown_id_is_app_token_id_not_found(emulator):
    from .kaltura import customer_admin

    c = customer_admin(emulator)
    assert _refused(lambda: c.appToken.get("0_nosuchtoken")).code == "APP_TOKEN_ID_NOT_FOUND"
