"""Sign-in to a vendor account (region preset or on-prem URL + app token), or "Try the demo".

The network sign-in runs in the background; the dialog stays responsive, can be cancelled, and turns
every failure into one sentence a linguist can act on: wrong credentials, server unreachable, or an
http URL that is not loopback. The token goes to `SecretStore`, never to the settings file.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from urllib.parse import urlsplit

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reach_studio.kaltura.connection import (
    SERVICE_URL_PRESETS,
    AccountConfig,
    ReachConnection,
    ReachError,
    resolve_service_url,
)
from reach_studio.secret_store import SecretStore, account_id
from reach_studio.ui.log_window import register_secret
from reach_studio.ui.style import plain, set_tone
from reach_studio.workers.background import Job, run_in_background

log = logging.getLogger(__name__)

PRESET_LABELS: dict[str, str] = {
    "global": "Kaltura SaaS — global (api.kaltura.com)",
    "eu": "Regional cloud — Ireland (api.eu.kaltura.com)",
    "de": "Regional cloud — Frankfurt (api.de.kaltura.com)",
    "ca": "Regional cloud — Canada (api.ca.kaltura.com)",
    "ap": "Regional cloud — Sydney (api.ap.kaltura.com)",
    "sg": "Regional cloud — Singapore (api.sg.kaltura.com)",
}
CUSTOM = "custom"


def sign_in(account: AccountConfig) -> ReachConnection:
    """Open a session for `account` (blocking; run it in the background). Raises ReachError."""
    connection = ReachConnection(account, request_timeout=20.0, retries=1)
    connection.vendor_ks()
    connection.retries = 5  # sign-in fails fast; later calls ride out short outages
    return connection


_HOST = re.compile(r"^(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$")


def url_problem(text: str) -> str | None:
    """Why `text` is not a Kaltura server address, or None (checked as it is typed and before signing in)."""
    value = text.strip()
    if not value:
        return "Enter the address of your Kaltura server, e.g. https://kaltura.example.org"
    if value.lower() in SERVICE_URL_PRESETS:
        return None
    if value.count("://") != 1:
        return f"{value!r} is not one web address (it should look like https://kaltura.example.org)"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https"):
        return "The address must start with https://"
    host = parts.hostname or ""
    if not host or not (_HOST.match(host) or _is_ip(host)) or " " in value:
        return f"{host or value!r} is not a valid server name"
    if parts.query or parts.fragment:
        return "The address must not have ?… or #… parts"
    try:
        resolve_service_url(value)
    except ReachError as exc:
        return exc.message
    return None


def _is_ip(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def explain_sign_in_error(exc: BaseException, service_url: str = "") -> str:
    """One sentence for the dialog; never contains the token."""
    if isinstance(exc, ReachError):
        if exc.code == "INVALID_SERVICE_URL":
            return exc.message
        if exc.code == "TRANSPORT_ERROR" or exc.code.startswith("CLIENT_ERROR"):
            return f"Cannot reach the Kaltura server at {service_url or 'that address'}. Check the URL and your network."
        if exc.auth_failure or "token" in exc.message.lower() or "partner" in exc.message.lower():
            return f"The server refused these credentials ({exc.code}). Check the partner id, app token id and token."
        return f"Sign-in failed: {exc.message}"
    return f"Sign-in failed: {type(exc).__name__}"


class SignInDialog(QDialog):
    """Collects one account; on success `connection` holds a signed-in ReachConnection."""

    signed_in = Signal(object)  # ReachConnection

    def __init__(
        self,
        secrets: SecretStore,
        parent: QWidget | None = None,
        *,
        demo: Callable[[], AccountConfig] | None = None,
        initial: dict | None = None,
        connect: Callable[[AccountConfig], ReachConnection] = sign_in,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign in to Kaltura REACH")
        self.setMinimumWidth(520)
        self.secrets = secrets
        self._demo = demo
        self._connect = connect
        self._job: Job | None = None
        self._attempt = 0
        self.connection: ReachConnection | None = None
        self.is_demo = False

        self.region = QComboBox()
        for key, label in PRESET_LABELS.items():
            self.region.addItem(label, key)
        self.region.addItem("On-premises / custom URL…", CUSTOM)
        self.url = QLineEdit(placeholderText="https://kaltura.example.org")
        self.partner = QLineEdit(placeholderText="e.g. 1234567")
        self.partner.setValidator(QIntValidator(1, 2_000_000_000, self))
        self.vendor_name = QLineEdit(placeholderText="Your vendor name as Kaltura knows it")
        self.token_id = QLineEdit(placeholderText="App token id")
        self.token = QLineEdit(placeholderText="App token")
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.label = QLineEdit(placeholderText="optional, e.g. EU customers")

        form = QFormLayout()
        form.addRow("Kaltura region", self.region)
        form.addRow("Server URL", self.url)
        self.url_note = plain(QLabel())  # says at once what is wrong with a typed URL
        self.url_note.setWordWrap(True)
        set_tone(self.url_note, "error")
        form.addRow("", self.url_note)
        self.url.textChanged.connect(self._check_url)
        form.addRow("Vendor partner id", self.partner)
        form.addRow("Vendor name", self.vendor_name)
        form.addRow("App token id", self.token_id)
        form.addRow("App token", self.token)
        form.addRow("Account label", self.label)

        self.keyring_note = plain(QLabel(secrets.describe()))
        self.keyring_note.setWordWrap(True)
        set_tone(self.keyring_note, "muted")
        self.error = plain(QLabel())  # a Kaltura error message, verbatim
        self.error.setWordWrap(True)
        set_tone(self.error, "error")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(6)
        self.busy.hide()

        self.buttons = QDialogButtonBox()
        self.sign_in_button = self.buttons.addButton("Sign in", QDialogButtonBox.ButtonRole.AcceptRole)
        self.demo_button = QPushButton("Try the demo")
        self.demo_button.setToolTip(
            "Start the built-in Kaltura REACH emulator with demo tasks and sign in to it"
        )
        self.demo_button.setEnabled(demo is not None)
        self.buttons.addButton(self.demo_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.sign_in_button.clicked.connect(self.submit)
        self.demo_button.clicked.connect(self.try_demo)
        self.cancel_button.clicked.connect(self.cancel)
        self.sign_in_button.setDefault(True)

        layout = QVBoxLayout(self)
        intro = QLabel("Sign in with your REACH vendor partner's app token. You can add more accounts later.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.keyring_note)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)

        self.region.currentIndexChanged.connect(self._region_changed)
        if initial:
            self._fill(initial)
        self._region_changed()

    # -- form --------------------------------------------------------------------------------------

    def _fill(self, initial: dict) -> None:
        url = initial.get("service_url", "")
        preset = next((k for k, v in SERVICE_URL_PRESETS.items() if v == url.rstrip("/")), None)
        self.region.setCurrentIndex(self.region.findData(preset or CUSTOM))
        if not preset:
            self.url.setText(url)
        self.partner.setText(str(initial.get("vendor_partner_id", "")))
        self.vendor_name.setText(initial.get("vendor_name", ""))
        self.token_id.setText(initial.get("app_token_id", "") or "")
        self.label.setText(initial.get("label", ""))
        if url and initial.get("vendor_partner_id"):
            saved = self.secrets.get(account_id(url, initial["vendor_partner_id"]))
            if saved:
                self.token.setText(saved)

    def _region_changed(self) -> None:
        custom = self.region.currentData() == CUSTOM
        self.url.setEnabled(custom)
        if not custom:
            self.url.setText(SERVICE_URL_PRESETS[self.region.currentData()])
            self.url_note.clear()
        elif self.url.text().strip().rstrip("/") in SERVICE_URL_PRESETS.values():
            # the region's URL is not the on-prem server: start empty, so typing does not append to it
            self.url.clear()
            self.url.setFocus()

    def _check_url(self) -> None:
        problem = url_problem(self.url.text()) if self.url.text().strip() else None
        self.url_note.setText(problem or "")

    def service_url(self) -> str:
        return self.url.text().strip()

    def account(self) -> AccountConfig:
        """The account the form describes; raises ReachError with a readable message when incomplete."""
        problem = url_problem(self.service_url())
        if problem:
            raise ReachError("INVALID_SERVICE_URL", problem)
        url = resolve_service_url(self.service_url())  # rejects http:// to non-loopback hosts
        if not self.partner.text().strip():
            raise ReachError("INCOMPLETE", "Enter your vendor partner id.")
        if not self.vendor_name.text().strip():
            raise ReachError("INCOMPLETE", "Enter your vendor name.")
        if not self.token_id.text().strip() or not self.token.text():
            raise ReachError("INCOMPLETE", "Enter the app token id and the app token.")
        return AccountConfig(
            service_url=url,
            vendor_partner_id=int(self.partner.text()),
            vendor_name=self.vendor_name.text().strip(),
            app_token_id=self.token_id.text().strip(),
            app_token=self.token.text(),
            label=self.label.text().strip(),
        )

    # -- actions -----------------------------------------------------------------------------------

    def submit(self) -> None:
        try:
            account = self.account()
        except ReachError as exc:
            self._fail(exc.message)
            return
        self._start(lambda: account, demo=False)

    def try_demo(self) -> None:
        if self._demo is None:
            return
        self._start(self._demo, demo=True)

    def _start(self, make_account: Callable[[], AccountConfig], *, demo: bool) -> None:
        self.error.clear()
        self._set_busy(True, "Starting the demo server…" if demo else "Signing in…")
        connect = self._connect
        self._attempt += 1
        attempt = self._attempt

        def work(token, progress):
            account = make_account()
            token.raise_if_cancelled()
            return connect(account)

        def done(connection: ReachConnection) -> None:
            if attempt != self._attempt:
                return  # cancelled meanwhile: drop the late result
            self._job = None
            self._set_busy(False)
            self.connection = connection
            self.is_demo = demo
            account = connection.account
            register_secret(account.app_token)
            register_secret(account.admin_secret)
            if not demo and account.app_token:
                try:
                    self.secrets.set(
                        account_id(account.service_url, account.vendor_partner_id), account.app_token
                    )
                except Exception as exc:  # noqa: BLE001 - keyring refused: the session keeps it; say so, sign in anyway
                    log.warning("%s", exc)
            log.info("Signed in to %s", account.display_name())
            self.signed_in.emit(connection)
            self.accept()

        def failed(exc: BaseException) -> None:
            if attempt != self._attempt:
                return
            self._job = None
            self._set_busy(False)
            self._fail(explain_sign_in_error(exc, self.service_url() if not demo else "the demo server"))

        def cancelled() -> None:
            if attempt != self._attempt:
                return
            self._job = None
            self._set_busy(False)

        self._job = run_in_background(work, done, failed, on_cancelled=cancelled)

    def cancel(self) -> None:
        if self._job is not None:
            # The blocking call cannot be interrupted; its result is dropped when it returns.
            self._job.cancel()
            self._job = None
            self._attempt += 1
            self._set_busy(False)
            self.error.setText("Sign-in cancelled.")
            return
        self.reject()

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        log.info("Sign-in problem: %s", message)

    def _set_busy(self, busy: bool, message: str = "") -> None:
        self.busy.setVisible(busy)
        for w in (
            self.sign_in_button,
            self.demo_button,
            self.region,
            self.url,
            self.partner,
            self.vendor_name,
            self.token_id,
            self.token,
            self.label,
        ):
            w.setEnabled(not busy)
        if not busy:
            self.url.setEnabled(self.region.currentData() == CUSTOM)
            self.demo_button.setEnabled(self._demo is not None)
        if message:
            set_tone(self.error, "muted")
            self.error.setText(message)
        else:
            set_tone(self.error, "error")
