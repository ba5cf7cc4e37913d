"""The one scrubber that keeps secrets (app tokens, KSs, access keys, admin secrets) out of every log
line, error message and screen.

Anything that may carry a secret passes through `redact`: known secrets registered at sign-in, KSs
riding in Kaltura URLs (`/ks/<key>/`, `?ks=`), `X-Kaltura-Ks` headers, `token=`-style pairs, and any
long base64-looking run (a KS is 100+ characters; a v2 KS starts with "djJ8"). The same knowledge keeps
secrets away from child processes (`argv_holds_secret`, `child_environment`, used where ffmpeg and
ffprobe start). Qt-free and with no heavy imports, so every layer can use it.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterable, Mapping

from reach_studio.printable import printable

MASK = "***"

_KS_IN_PATH = re.compile(r"(/ks/)[^/?#\s\"']+", re.IGNORECASE)
_SECRET_QUERY = re.compile(
    r"([?&](?:ks|token|captionToken|hdnts|signature|policy|key-pair-id)=)[^&#\s\"']+", re.IGNORECASE
)
_KS_HEADER = re.compile(r"(X-Kaltura-Ks:\s*)\S+", re.IGNORECASE)
_SECRET_PAIRS = re.compile(
    r"(?i)\b(ks|token|secret|accessKey|app_token|appToken|adminSecret|captionToken)(\s*[=:]\s*)([^\s,&;'\"]+)"
)
# A v2 KS is URL-safe base64 starting "djJ8"; other long runs count as KS-shaped only without "/",
# so file paths and URLs stay readable.
_KS_SHAPED = re.compile(r"djJ8[A-Za-z0-9+/_=-]{20,}|[A-Za-z0-9+_=-]{60,}")

_known: set[str] = set()
_known_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Hide this exact string wherever it appears from now on (a token, KS or access key)."""
    if value and len(value) >= 4:
        with _known_lock:
            _known.add(value)


def redact(text: object, extra: Iterable[str | None] = ()) -> str:
    """`text` with registered secrets, `extra` secrets, KSs in URLs/headers/pairs and KS-shaped runs masked."""
    text = str(text)
    with _known_lock:
        secrets = set(_known)
    secrets.update(s for s in extra if s and len(s) >= 4)
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _KS_IN_PATH.sub(rf"\1{MASK}", text)
    text = _SECRET_QUERY.sub(rf"\1{MASK}", text)
    text = _KS_HEADER.sub(rf"\1{MASK}", text)
    text = _SECRET_PAIRS.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    return _KS_SHAPED.sub(MASK, text)


# --- what a child process (ffmpeg, ffprobe) may be given ---------------------------------------------
# Its command line is readable by every user of the machine (ps, /proc/<pid>/cmdline); its environment by
# this user only. So no secret goes on a command line at all, and children get no secret in their
# environment either (they need none: they read local files and pipes).

_AUTH_HEADER = re.compile(r"(?i)\b(proxy-)?authorization\s*:")
_KS_V2 = re.compile(r"djJ8[A-Za-z0-9+/_=-]{20,}")
_PAIR_WORDS = ("ks", "token", "secret", "accesskey", "signature", "policy", "hdnts", "key-pair-id")
_SECRET_ENV_WORDS = ("password", "passwd", "secret", "token", "pgpass", "credential", "apikey", "api_key")


def argv_holds_secret(args: Iterable[object]) -> bool:
    """Would this command line show a secret to other users: a registered secret, a KS in a URL, header or
    `key=value` pair, a v2 KS? (Narrower than `redact`: a long hash in a file name is not a secret here.)"""
    with _known_lock:
        known = list(_known)
    for arg in map(str, args):
        if any(secret in arg for secret in known) or _KS_V2.search(arg):
            return True
        low = arg.lower()  # the case-blind patterns are slow on long arguments (64 segment paths: 1 ms)
        if "ks" in low and (_KS_IN_PATH.search(arg) or _SECRET_QUERY.search(arg) or _KS_HEADER.search(arg)):
            return True
        if any(word in low for word in _PAIR_WORDS) and (
            _SECRET_QUERY.search(arg) or _SECRET_PAIRS.search(arg)
        ):
            return True
        if "authorization" in low and _AUTH_HEADER.search(arg):
            return True
    return False


_URL_PASSWORD = re.compile(r"://[^/@\s:]*:[^/@\s]+@")  # user:password@ in a URL (REACH_TEAM_DB, proxies)


def _secret_env_name(low: str) -> bool:
    return low == "ks" or low.endswith("_ks") or any(word in low for word in _SECRET_ENV_WORDS)


def child_environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """`env` (this process's by default) without the variables that hold or name a secret (PGPASSWORD, the
    variable `sync --app-token-env` read, a URL with a password, ...): for children that need none of them."""
    env = os.environ if env is None else env
    with _known_lock:
        known = list(_known)
    return {
        name: value
        for name, value in env.items()
        if not _secret_env_name(name.lower())
        and not any(secret in value for secret in known)
        and not ("@" in value and _URL_PASSWORD.search(value))
    }


class RedactingFilter(logging.Filter):
    """Last line of defence on a handler or logger: every record's final message goes through `redact`,
    and control characters from server strings are shown escaped (printable.py)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string: keep the record, show its raw template redacted
            message = str(record.msg)
        clean = printable(redact(message))  # one record, one line: no forged lines or terminal codes
        if clean != message:
            record.msg, record.args = clean, None
        return True


def install_log_redaction(logger: logging.Logger | None = None) -> RedactingFilter:
    """Add one RedactingFilter to every handler of `logger` (root by default); idempotent."""
    logger = logger or logging.getLogger()
    flt = (
        next((f for h in logger.handlers for f in h.filters if isinstance(f, RedactingFilter)), None)
        or RedactingFilter()
    )
    for handler in logger.handlers:
        if flt not in handler.filters:
            handler.addFilter(flt)
    return flt
