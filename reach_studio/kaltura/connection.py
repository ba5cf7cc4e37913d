"""One vendor account's connection to Kaltura over the official KalturaApiClient.

Why it exists: every REACH call needs the right KS (the vendor's own session for getJobs/updateJob,
the task's accessKey for everything on the customer's entry), the client tag the vendor guide asks
for, an explicit serviceUrl, and retries the client library does not do itself (its retry decorator
never sees transport errors, platform-notes §2). Each call gets a fresh client, so threads working on
different tasks never race on a shared client's KS or tag. Secrets never reach a log or an error text.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from KalturaClient import KalturaClient, KalturaConfiguration
from KalturaClient.exceptions import KalturaClientException, KalturaException
from KalturaClient.Plugins.Core import KalturaResponseProfileHolder, KalturaSessionType

from reach_studio import backoff
from reach_studio.domain.enums import ProcessingRegion, TaskStatus
from reach_studio.kaltura import transport
from reach_studio.kaltura.transport import LimitExceeded, Limits
from reach_studio.redaction import redact

if TYPE_CHECKING:
    from reach_studio.domain.task import Task

log = logging.getLogger(__name__)

T = TypeVar("T")

# Kaltura SaaS and regional clouds (docs/kaltura-contract.md#clouds). On-prem instances use a custom URL.
SERVICE_URL_PRESETS: dict[str, str] = {
    "global": "https://api.kaltura.com",
    "ap": "https://api.ap.kaltura.com",  # Sydney
    "ca": "https://api.ca.kaltura.com",
    "de": "https://api.de.kaltura.com",  # Frankfurt
    "eu": "https://api.eu.kaltura.com",  # Ireland
    "sg": "https://api.sg.kaltura.com",  # Singapore
}

# Server error codes meaning "this KS is no good any more": renew once and retry.
KS_ERROR_CODES = frozenset({"INVALID_KS", "EXPIRED_KS", "KS_EXPIRED", "MISSING_KS"})
# Client error codes that mean the request or its answer got lost on the way: safe to retry.
_TRANSIENT_CLIENT_CODES = frozenset(
    {
        KalturaClientException.ERROR_CONNECTION_FAILED,
        KalturaClientException.ERROR_READ_FAILED,
        KalturaClientException.ERROR_READ_TIMEOUT,
        KalturaClientException.ERROR_INVALID_XML,
        KalturaClientException.ERROR_RESULT_NOT_FOUND,
        KalturaClientException.ERROR_READ_GZIP_FAILED,
    }
)
_HASH_TYPES = ("SHA256", "SHA1", "MD5", "SHA512")
VENDOR_PRIVILEGES = "disableentitlement"
SESSION_SECONDS = 24 * 3600


# The codes that mean "these credentials or this session are refused", so the linguist must sign in again
# (the sign-in dialog, `sync`'s exit code 3, `sync --live`). Kaltura's own codes from
# api_v3/lib/KalturaErrors.php, alpha/apps/kaltura/lib/webservices/APIErrors.class.php and
# plugins/reach/errors/KalturaReachErrors.php (an expired KS is INVALID_KS there: Kaltura has no EXPIRED_KS);
# NO_CREDENTIALS is ours (nothing to sign in with).
AUTH_FAILURE_CODES = frozenset(
    {
        "INVALID_APP_TOKEN_HASH",
        "APP_TOKEN_ID_NOT_FOUND",
        "APP_TOKEN_NOT_ACTIVE",
        "APP_TOKEN_EXPIRED",
        "START_SESSION_ERROR",
        "INVALID_KS",
        "MISSING_KS",
        "SERVICE_FORBIDDEN",
        "INVALID_PARTNER_ID",
        "PARTNER_NOT_FOUND",
        "INVALID_USER_ID",
        "VENDOR_TASK_SERVICE__GET_JOB_NOT_ALLOWED",
        "NO_CREDENTIALS",
    }
)


class ReachError(Exception):
    """A REACH call failed: `code` is Kaltura's error code (or one of ours), `message` is safe to show."""

    def __init__(self, code: str, message: str, *, transient: bool = False) -> None:
        super().__init__(f"{message} ({code})")
        self.code = code
        self.message = message
        self.transient = transient

    @property
    def auth_failure(self) -> bool:
        """True when signing in again (other credentials) is the only way on."""
        return self.code in AUTH_FAILURE_CODES


class _HttpStatusError(Exception):
    """A 5xx/429 answer: the client library would try to parse it as XML; we retry instead."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


class _Client(KalturaClient):
    """The official client, except that requests go through our transport (deadline, minimum rate, size cap:
    kaltura/transport.py), an HTTP 5xx/429 answer raises instead of being parsed, and the last result's XML
    is kept (`last_result`) so fields the client does not know are not lost."""

    last_result = None
    limits: Limits = transport.api_limits(30.0)

    def doQueue(self):
        node = KalturaClient.doQueue(self)
        self.last_result = node
        return node

    def openRequestUrl(self, url, params, files, requestHeaders, requestTimeout):
        response = transport.send(url, params, files, requestHeaders, requestTimeout, self.limits)
        status = getattr(response, "status_code", 200)
        if status >= 500 or status == 429:
            raise _HttpStatusError(status)
        return response


def resolve_service_url(value: str) -> str:
    """A preset name ("global", "eu", ...) or a URL → a validated base URL without trailing slash.

    HTTPS is required, except for loopback hosts (the local emulator).
    """
    value = (value or "").strip()
    if not value:
        raise ReachError("INVALID_SERVICE_URL", "No Kaltura service URL given")
    if value.lower() in SERVICE_URL_PRESETS:
        return SERVICE_URL_PRESETS[value.lower()]
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ReachError(
            "INVALID_SERVICE_URL",
            f"Service URL must be https://host or one of {', '.join(SERVICE_URL_PRESETS)}: {value!r}",
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ReachError(
            "INVALID_SERVICE_URL", f"Service URL must use HTTPS (only loopback may use http): {value}"
        )
    return value.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class AccountConfig:
    """One vendor account on one Kaltura deployment. Secrets are excluded from repr."""

    service_url: str
    vendor_partner_id: int
    vendor_name: str
    app_token_id: str | None = None
    app_token: str | None = field(default=None, repr=False)  # secret: never logged
    admin_secret: str | None = field(default=None, repr=False)  # development only
    regions: frozenset[ProcessingRegion] | None = None  # None = all
    label: str = ""
    app_token_hash_type: str | None = None  # None = try SHA256, SHA1, MD5, SHA512 and remember

    @classmethod
    def from_emulator_info(cls, info: dict[str, Any], **fields: Any) -> AccountConfig:
        """The emulator's vendor account (`Emulator.info`, or `/_emulator/info`) signed in by app token."""
        return cls(
            service_url=info["serviceUrl"],
            vendor_partner_id=int(info["vendorPartnerId"]),
            vendor_name=info["vendorName"],
            app_token_id=info["appTokenId"],
            app_token=info["appToken"],
            **fields,
        )

    @property
    def key(self) -> str:
        """Stable id of this account (service URL + vendor partner) for tagging its tasks."""
        return f"{self.service_url.rstrip('/')}#{self.vendor_partner_id}"

    def display_name(self) -> str:
        return self.label or f"{self.vendor_name} @ {urlsplit(self.service_url).hostname}"


def with_reach_vendor_profile(client: KalturaClient) -> KalturaClient:
    """Ask for catalog item + REACH profile with the task; Kaltura forgets it after each call."""
    client.setResponseProfile(KalturaResponseProfileHolder(systemName="reach_vendor"))
    return client


class ReachConnection:
    """Sessions, client tags and resilient calls for one vendor account. Thread-safe."""

    def __init__(
        self,
        account: AccountConfig,
        request_timeout: float = 30.0,
        *,
        max_answer_bytes: int = transport.MAX_ANSWER_BYTES,
        retries: int = 5,
        backoff: float = 0.25,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not account.app_token and not account.admin_secret:
            raise ReachError(
                "NO_CREDENTIALS", "The account needs an app token (id + token) or an admin secret"
            )
        if account.app_token and not account.app_token_id:
            raise ReachError("NO_CREDENTIALS", "The app token id is missing")
        self.account = account
        self.service_url = resolve_service_url(account.service_url)
        self.request_timeout = request_timeout
        self.limits = transport.api_limits(request_timeout, max_answer_bytes)
        self.deadline_at: float | None = None  # time.monotonic() after which no call starts or continues
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
        self._lock = threading.Lock()
        self._ks: str | None = None
        self._ks_expiry: float = 0.0
        self._ks_issued: float = 0.0
        self._hash_type = account.app_token_hash_type
        self.default_client_tag = _Client(KalturaConfiguration(self.service_url)).getClientTag()
        self.sign_ins = 0  # how many sessions this connection started (tests and diagnostics)
        self.transient_failures = 0  # transport errors / 5xx answers retried so far

    # ---- tags and clients -------------------------------------------------------------------
    @property
    def client_tag(self) -> str:
        return f"{self.default_client_tag}_{self.account.vendor_name}-{self.account.vendor_partner_id}"

    def task_client_tag(self, task_id: int) -> str:
        return f"{self.client_tag}-{task_id}"

    def _new_client(self, tag: str, ks: str | None) -> KalturaClient:
        config = KalturaConfiguration(self.service_url)
        config.requestTimeout = self.request_timeout
        client = _Client(config)
        client.limits = self.limits.until(self.deadline_at)
        client.setClientTag(tag)
        if ks:
            client.setKs(ks)
        return client

    def vendor_client(self, about: Task | None = None) -> KalturaClient:
        """A fresh client with the vendor KS (renewed before it expires) and the vendor tag.

        `about`: the task a vendor-KS call concerns (updateJob, extendAccessKey): its id joins the tag.
        """
        tag = self.task_client_tag(about.id) if about is not None else self.client_tag
        return self._new_client(tag, self.vendor_ks())

    def task_client(self, task: Task) -> KalturaClient:
        """A fresh client with the task's accessKey as KS and the task tag."""
        if not task.access_key:
            raise ReachError(
                "NO_ACCESS_KEY", f"Task {task.id} has no access key; fetch it again with getJobs"
            )
        return self._new_client(self.task_client_tag(task.id), task.access_key)

    def set_deadline(self, seconds: float | None) -> None:
        """Every call of this connection (retries and pauses included) ends within `seconds` from now."""
        self.deadline_at = None if seconds is None else time.monotonic() + seconds

    # ---- vendor session ------------------------------------------------------------------------
    def vendor_ks(self) -> str:
        with self._lock:
            now = time.time()
            lifetime = max(1.0, self._ks_expiry - self._ks_issued)
            margin = min(600.0, max(2.0, lifetime * 0.1))
            if self._ks is None or now >= self._ks_expiry - margin:
                self._sign_in()
            assert self._ks is not None
            return self._ks

    def invalidate_session(self) -> None:
        """Forget the vendor KS, so the next call signs in again."""
        with self._lock:
            self._ks = None

    @property
    def session_expiry(self) -> float | None:
        return self._ks_expiry if self._ks else None

    def _sign_in(self) -> None:
        acct = self.account
        issued = time.time()
        if acct.app_token:
            ks, expiry = self._with_retries(self._app_token_session, "sign in with the app token")
        else:
            ks, expiry = self._with_retries(self._admin_session, "sign in with the admin secret")
        self._ks, self._ks_issued = ks, issued
        self._ks_expiry = float(expiry) if expiry else issued + SESSION_SECONDS
        self.sign_ins += 1
        log.info(
            "Signed in to %s as vendor partner %s; session valid for %d s",
            self.service_url,
            acct.vendor_partner_id,
            int(self._ks_expiry - issued),
        )

    def _admin_session(self) -> tuple[str, float]:
        client = self._new_client(self.client_tag, None)
        ks = client.session.start(
            self.account.admin_secret,
            "",
            KalturaSessionType.ADMIN,
            self.account.vendor_partner_id,
            SESSION_SECONDS,
            VENDOR_PRIVILEGES,
        )
        return str(ks), time.time() + SESSION_SECONDS

    def _app_token_session(self) -> tuple[str, float]:
        client = self._new_client(self.client_tag, None)
        widget = client.session.startWidgetSession(f"_{self.account.vendor_partner_id}")
        widget_ks = widget.ks
        client.setKs(widget_ks)
        order = [self._hash_type] if self._hash_type else list(_HASH_TYPES)
        last: KalturaException | None = None
        for hash_type in order:
            digest = hashlib.new(
                hash_type.lower(), (widget_ks + (self.account.app_token or "")).encode()
            ).hexdigest()
            try:
                info = client.appToken.startSession(
                    self.account.app_token_id,
                    digest,
                    NotImplemented,
                    NotImplemented,
                    SESSION_SECONDS,
                    VENDOR_PRIVILEGES,
                )
            except KalturaException as exc:
                if str(exc.code) == "INVALID_APP_TOKEN_HASH":
                    last = exc
                    continue
                raise
            self._hash_type = hash_type
            expiry = info.expiry if isinstance(info.expiry, int) and info.expiry > 0 else None
            return str(info.ks), expiry or time.time() + SESSION_SECONDS
        assert last is not None
        raise last

    # ---- calls ---------------------------------------------------------------------------------
    def call(
        self,
        fn: Callable[[KalturaClient], T],
        task: Task | None = None,
        *,
        about: Task | None = None,
        retries: int | None = None,
    ) -> T:
        """Run `fn` with a fresh client: the task's (its accessKey) when `task` is given, else the vendor's
        (tagged with `about`'s id when the vendor call concerns one task).

        An expired/invalid KS is renewed once (vendor: new session; task: extendAccessKey, which Kaltura
        allows for PROCESSING/SCHEDULED tasks) and the call retried; transport errors and 5xx are retried
        with back-off; anything else raises ReachError.
        """
        renewed = False
        while True:
            try:
                return self._with_retries(
                    lambda: fn(self.task_client(task) if task is not None else self.vendor_client(about)),
                    "call Kaltura",
                    retries=retries,
                    secrets=(task.access_key,) if task is not None else (),
                )
            except ReachError as exc:
                if exc.code not in KS_ERROR_CODES or renewed:
                    raise
                renewed = True
                if task is None:
                    log.info("Vendor session was refused (%s); signing in again", exc.code)
                    self.invalidate_session()
                else:
                    log.info("Access key of task %s was refused (%s); extending it", task.id, exc.code)
                    self.renew_task_key(task)

    def renew_task_key(self, task: Task) -> None:
        """Get a fresh accessKey for a PROCESSING/SCHEDULED task (vendor KS + extendAccessKey)."""
        if task.status not in (TaskStatus.PROCESSING, TaskStatus.SCHEDULED):
            raise ReachError(
                "INVALID_KS",
                f"The access key of task {task.id} expired and cannot be extended while it is {task.status.name}",
            )
        result = self.call(lambda c: c.reach.entryVendorTask.extendAccessKey(task.id), about=task)
        if getattr(result, "accessKey", None):
            task.access_key = result.accessKey

    def _with_retries(
        self, fn: Callable[[], T], what: str, *, retries: int | None = None, secrets: tuple[str, ...] = ()
    ) -> T:
        attempts = (self.retries if retries is None else retries) + 1
        too_slow = 0  # a too-slow answer costs a whole rate window: one more try, not five
        for attempt in range(attempts):
            if self.deadline_at is not None and time.monotonic() >= self.deadline_at:
                raise self._out_of_time(what)
            try:
                return fn()
            except KalturaException as exc:
                code = str(exc.code)
                raise ReachError(code, self.redact(str(exc.message), secrets)) from None
            except KalturaClientException as exc:
                if exc.code not in _TRANSIENT_CLIENT_CODES:
                    raise ReachError(
                        f"CLIENT_ERROR_{exc.code}", self.redact(str(exc.message), secrets)
                    ) from None
                reason = self.redact(str(exc.message), secrets)
            except _HttpStatusError as exc:
                reason = str(exc)
            except LimitExceeded as exc:
                if exc.kind == "size":
                    # not retried here (it would be read again), but transient: a hostile proxy or a glitch,
                    # not a reason to give up the task (the delivery stays PROCESSING and resumable)
                    raise ReachError(
                        "ANSWER_TOO_LARGE",
                        f"the answer to {exc.what} was refused: {exc.reason}",
                        transient=True,
                    ) from None
                if exc.kind == "overall":
                    raise self._out_of_time(exc.what) from None
                reason = f"{exc.what}: {exc.reason}"
                too_slow += 1
                if too_slow > 1:
                    self.transient_failures += 1
                    raise ReachError(
                        "TOO_SLOW",
                        f"Kaltura at {self.service_url} is too slow to answer {reason}",
                        transient=True,
                    ) from None
            self.transient_failures += 1
            if attempt + 1 < attempts:
                delay = backoff.delay(attempt, self.backoff)
                if self.deadline_at is not None and time.monotonic() + delay >= self.deadline_at:
                    raise self._out_of_time(what, reason)
                log.debug("Could not %s (%s); retrying in %.2f s", what, reason, delay)
                self._sleep(delay)
        raise ReachError(
            "TRANSPORT_ERROR",
            f"Could not {what} at {self.service_url} after {attempts} attempts: {reason}",
            transient=True,
        )

    def _out_of_time(self, what: str, last: str = "") -> ReachError:
        after = f" (last failure: {last})" if last else ""
        return ReachError(
            "DEADLINE_EXCEEDED",
            f"The overall deadline ran out during {what} at {self.service_url}{after}",
            transient=True,
        )

    def redact(self, text: Any, extra: tuple[str, ...] = ()) -> str:
        """The text with every secret this connection knows (and anything KS-shaped) replaced by ***."""
        return redact(text, (self._ks, self.account.app_token, self.account.admin_secret, *extra))
