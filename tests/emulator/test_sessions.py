"""Sessions against the emulator through the official client: admin secret, widget + app token, KS refusals."""

from __future__ import annotations

import hashlib
import time

import pytest
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import KalturaFilterPager
from KalturaClient.Plugins.Reach import KalturaEntryVendorTaskFilter

from reach_studio.emulator.ks import make_ks

from .clients import app_token_session, new_client


def _get_jobs(client):
    return client.reach.entryVendorTask.getJobs(KalturaEntryVendorTaskFilter(), KalturaFilterPager())


def test_app_token_session_gives_a_vendor_admin_ks(emulator):
    info = emulator.info
    session = app_token_session(emulator)
    assert session.ks.startswith("djJ8")  # "v2|" base64: looks like a real Kaltura KS
    assert session.partnerId == info["vendorPartnerId"]
    assert session.sessionType.getValue() == 2
    assert f"apptoken:{info['appTokenId']}" in session.privileges
    assert "disableentitlement" in session.privileges
    assert time.time() + 3000 < session.expiry <= time.time() + 3601
    client = new_client(emulator, session.ks)
    assert _get_jobs(client).totalCount >= 0  # the KS works for a vendor call


def test_wrong_app_token_hash_is_refused(emulator):
    info = emulator.info
    client = new_client(emulator)
    widget = client.session.startWidgetSession(f"_{info['vendorPartnerId']}")
    client.setKs(widget.ks)
    wrong = hashlib.sha256((widget.ks + "not-the-token").encode()).hexdigest()
    with pytest.raises(KalturaException) as exc:
        client.appToken.startSession(info["appTokenId"], wrong)
    assert exc.value.code == "INVALID_APP_TOKEN_HASH"
    # the token's secret never appears in what the client sees
    assert info["appToken"] not in str(exc.value)


def test_unknown_app_token_and_other_hash_types(emulator):
    info = emulator.info
    client = new_client(emulator)
    widget = client.session.startWidgetSession(f"_{info['vendorPartnerId']}")
    client.setKs(widget.ks)
    with pytest.raises(KalturaException) as exc:
        client.appToken.startSession("0_nosuchtok", "abc")
    assert exc.value.code == "APP_TOKEN_ID_NOT_FOUND"
    # a SHA1 hash is wrong for a SHA256 token
    sha1 = hashlib.sha1((widget.ks + info["appToken"]).encode()).hexdigest()
    with pytest.raises(KalturaException) as exc:
        client.appToken.startSession(info["appTokenId"], sha1)
    assert exc.value.code == "INVALID_APP_TOKEN_HASH"


def test_widget_ks_cannot_call_vendor_services(emulator):
    client = new_client(emulator)
    widget = client.session.startWidgetSession(f"_{emulator.info['vendorPartnerId']}")
    client.setKs(widget.ks)
    with pytest.raises(KalturaException) as exc:
        _get_jobs(client)
    assert exc.value.code == "SERVICE_FORBIDDEN"


def test_session_start_with_admin_secret_and_wrong_secret(emulator):
    info = emulator.info
    client = new_client(emulator)
    ks = client.session.start(info["adminSecret"], "", 2, info["vendorPartnerId"], 600, "disableentitlement")
    assert ks.startswith("djJ8")
    client.setKs(ks)
    _get_jobs(client)
    with pytest.raises(KalturaException) as exc:
        client.session.start("wrong-secret", "", 2, info["vendorPartnerId"])
    assert exc.value.code == "START_SESSION_ERROR"


def test_client_library_generated_ks_is_accepted(emulator):
    """KS v2 is Kaltura's format: the client's own generateSessionV2 makes a KS the emulator takes."""
    from KalturaClient import KalturaClient

    info = emulator.info
    ks = KalturaClient.generateSessionV2(info["adminSecret"], "", 2, info["vendorPartnerId"], 600, "")
    client = new_client(emulator, ks.decode() if isinstance(ks, bytes) else ks)
    assert _get_jobs(client).totalCount >= 0


def test_missing_ks_is_refused(emulator):
    with pytest.raises(KalturaException) as exc:
        _get_jobs(new_client(emulator))
    assert exc.value.code == "MISSING_KS"


def test_expired_ks_is_refused_with_kaltura_codes(emulator):
    info = emulator.info
    vendor = emulator.store.get("partner", info["vendorPartnerId"])
    old = make_ks(vendor["adminSecret"], vendor["id"], session_type=2, expiry_s=60, now=time.time() - 120)
    with pytest.raises(KalturaException) as exc:
        _get_jobs(new_client(emulator, old))
    assert exc.value.code == "INVALID_KS"
    assert "-5,EXPIRED" in exc.value.message
    assert old not in exc.value.message  # the KS itself never goes into error text


def test_forged_ks_is_refused(emulator):
    info = emulator.info
    forged = make_ks("guessed-secret", info["vendorPartnerId"], session_type=2)
    with pytest.raises(KalturaException) as exc:
        _get_jobs(new_client(emulator, forged))
    assert exc.value.code == "INVALID_KS"
    assert "-1,INVALID_STR" in exc.value.message
    with pytest.raises(KalturaException) as exc:
        _get_jobs(new_client(emulator, "garbage!!"))
    assert exc.value.code == "INVALID_KS"


def test_customer_user_secret_cannot_make_an_admin_session(emulator):
    customer = emulator.store.get("partner", emulator.info["customers"][0]["partnerId"])
    client = new_client(emulator)
    user_ks = client.session.start(customer["secret"], "someone", 0, customer["id"])
    assert user_ks.startswith("djJ8")
    with pytest.raises(KalturaException) as exc:
        client.session.start(customer["secret"], "", 2, customer["id"])
    assert exc.value.code == "START_SESSION_ERROR"


def test_session_get_describes_the_callers_ks(emulator):
    session = app_token_session(emulator)
    client = new_client(emulator, session.ks)
    info = client.session.get()
    assert info.partnerId == emulator.info["vendorPartnerId"]
    assert info.sessionType.getValue() == 2 and info.expiry == session.expiry
    assert "apptoken:" in info.privileges
