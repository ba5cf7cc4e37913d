"""Where app tokens are kept: the OS keyring, or — when there is none — only in memory for this session.

A vendor app token is a long-lived credential, so it never goes to a settings file or a log. Headless
Linux usually has no keyring backend (keyring's `fail` or `null` backend); then we keep the token for
the running session only and the sign-in dialog says so, rather than writing it to disk in a form
anyone with the file could read.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)

SERVICE = "Reach Studio"


class SecretStoreError(Exception):
    """The keyring refused to store or read a secret (the message never contains the secret)."""


class SecretStore:
    """Secrets by account id (e.g. "https://api.kaltura.com|12345"); keyring when usable, else session-only."""

    def __init__(self) -> None:
        self._session: dict[str, str] = {}
        self._lock = threading.Lock()
        self._keyring = None
        self._backend_name = "session only"
        self._probed = False

    def _probe(self) -> None:
        """Find the keyring backend on first use: importing keyring costs ~0.15 s of start-up."""
        if self._probed:
            return
        self._probed = True
        try:
            import keyring

            backend = keyring.get_keyring()
            name = type(backend).__module__ + "." + type(backend).__name__
            # "fail" raises on every call; "null" silently forgets: neither keeps a secret.
            if ".fail." not in name and ".null." not in name and getattr(backend, "priority", 1) > 0:
                self._keyring = keyring
                self._backend_name = name
        except Exception as exc:  # noqa: BLE001 - no keyring at all, or a broken backend: fall back
            log.info("no usable OS keyring (%s); secrets are kept for this session only", type(exc).__name__)

    @property
    def backend_name(self) -> str:
        self._probe()
        return self._backend_name

    @property
    def persistent(self) -> bool:
        """True when secrets survive a restart (an OS keyring backend is in use)."""
        self._probe()
        return self._keyring is not None

    def describe(self) -> str:
        """One sentence for the sign-in dialog about where the token goes."""
        if self.persistent:
            return f"Your app token is stored in the system keyring ({self.backend_name.rsplit('.', 1)[-1]})."
        return (
            "No system keyring is available: your app token is kept in memory for this session only "
            "and you will be asked for it again next time."
        )

    def set(self, account_id: str, secret: str) -> None:
        self._probe()
        with self._lock:
            self._session[account_id] = secret
        if self._keyring is not None:
            try:
                self._keyring.set_password(SERVICE, account_id, secret)
            except Exception as exc:  # noqa: BLE001 - any keyring backend error
                raise SecretStoreError(
                    f"the system keyring refused to store the token for {account_id} ({type(exc).__name__}); "
                    "it is kept for this session only"
                ) from None

    def get(self, account_id: str) -> str | None:
        self._probe()
        with self._lock:
            if account_id in self._session:
                return self._session[account_id]
        if self._keyring is None:
            return None
        try:
            secret = self._keyring.get_password(SERVICE, account_id)
        except Exception as exc:  # noqa: BLE001 - any keyring backend error
            log.warning("cannot read the token for %s from the keyring (%s)", account_id, type(exc).__name__)
            return None
        if secret is not None:
            with self._lock:
                self._session[account_id] = secret
        return secret

    def delete(self, account_id: str) -> None:
        self._probe()
        with self._lock:
            self._session.pop(account_id, None)
        if self._keyring is not None:
            try:
                self._keyring.delete_password(SERVICE, account_id)
            except Exception:  # noqa: BLE001, S110 - not there, or the backend cannot delete: nothing left to protect
                pass


def account_id(service_url: str, vendor_partner_id: int | str) -> str:
    """The name a secret is stored under: one per service URL and vendor partner."""
    return f"{service_url.rstrip('/')}|{vendor_partner_id}"


# Redaction lives in reach_studio.redaction (one scrubber for every layer); re-exported for the shell.
from reach_studio.redaction import redact, register_secret  # noqa: F401
