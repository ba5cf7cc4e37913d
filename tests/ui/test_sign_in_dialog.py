"""The sign-in dialog explains each failure in words and keeps the token out of files."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog

from reach_studio import paths
from reach_studio.kaltura.connection import AccountConfig, ReachError
from reach_studio.secret_store import SecretStore, account_id
from reach_studio.ui.sign_in_dialog import CUSTOM, SignInDialog


class _FakeConnection:
    def __init__(self, account):
        self.account = account


def _fill(dialog, url="https://api.kaltura.com", token="tok-abcdef-123"):
    if url != "https://api.kaltura.com":
        dialog.region.setCurrentIndex(dialog.region.findData(CUSTOM))
        dialog.url.setText(url)
    dialog.partner.setText("1234")
    dialog.vendor_name.setText("Acme Captions")
    dialog.token_id.setText("0_tokid")
    dialog.token.setText(token)


@pytest.fixture
def secrets():
    return SecretStore()


def test_plain_http_to_a_remote_host_is_refused_before_any_network(qtbot, secrets):
    calls = []
    dialog = SignInDialog(secrets, connect=lambda a: calls.append(a))
    qtbot.addWidget(dialog)
    _fill(dialog, url="http://kaltura.example.org")
    dialog.sign_in_button.click()
    assert "HTTPS" in dialog.error.text()
    assert calls == []
    dialog.token_id.clear()
    _fill(dialog, url="https://kaltura.example.org")
    dialog.token.clear()
    dialog.sign_in_button.click()
    assert "app token" in dialog.error.text()


@pytest.mark.parametrize(
    "error, expected",
    [
        (
            ReachError("TRANSPORT_ERROR", "Connection refused", transient=True),
            "Cannot reach the Kaltura server",
        ),
        (ReachError("INVALID_APP_TOKEN_HASH", "Invalid app token hash"), "refused these credentials"),
    ],
)
def test_server_failures_are_explained_and_the_token_is_not_shown(qtbot, secrets, error, expected):
    def connect(account):
        raise error

    dialog = SignInDialog(secrets, connect=connect)
    qtbot.addWidget(dialog)
    _fill(dialog, url="https://kaltura.example.org", token="tok-SECRET-9")
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: expected in dialog.error.text(), timeout=5000)
    assert "tok-SECRET-9" not in dialog.error.text()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.sign_in_button.isEnabled()


def test_success_keeps_the_token_in_the_secret_store_only(qtbot, secrets):
    dialog = SignInDialog(secrets, connect=_FakeConnection)
    qtbot.addWidget(dialog)
    _fill(dialog, token="tok-SECRET-42")
    with qtbot.waitSignal(dialog.signed_in, timeout=5000) as blocker:
        dialog.sign_in_button.click()
    account: AccountConfig = blocker.args[0].account
    assert account.service_url == "https://api.kaltura.com" and account.vendor_partner_id == 1234
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert secrets.get(account_id("https://api.kaltura.com", 1234)) == "tok-SECRET-42"
    for f in paths.config_dir().parent.rglob("*"):
        if f.is_file():
            assert b"tok-SECRET-42" not in f.read_bytes()
    # the next dialog in this session is pre-filled, token included
    again = SignInDialog(
        secrets,
        initial={
            "service_url": "https://api.kaltura.com",
            "vendor_partner_id": 1234,
            "vendor_name": "Acme Captions",
            "app_token_id": "0_tokid",
        },
    )
    qtbot.addWidget(again)
    assert again.token.text() == "tok-SECRET-42"
    assert not again.url.isEnabled()


def test_demo_button_uses_the_demo_account(qtbot, secrets):
    demo_account = AccountConfig(
        "http://127.0.0.1:5999", 777, "Demo", app_token_id="t", app_token="demo-token"
    )
    dialog = SignInDialog(secrets, demo=lambda: demo_account, connect=_FakeConnection)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.signed_in, timeout=5000):
        dialog.demo_button.click()
    assert dialog.is_demo
    assert dialog.connection.account is demo_account
