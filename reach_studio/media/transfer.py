"""What the HTTP and HLS downloaders share: which URLs are allowed, which failures are worth a retry, back-off.

Kaltura's CDN and the emulator both fail transiently (5xx, dropped connections); a download must retry those
a few times with growing pauses, and give up at once on answers that will not change (403, 404).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import requests

from reach_studio.domain.progress import Cancelled, CancelToken
from reach_studio.media.errors import MediaError, redact

CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 30.0
CHUNK = 256 * 1024
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


class TransientError(Exception):
    """A failure worth another attempt (network error, 5xx, truncated body)."""


def check_http_url(url: str) -> str:
    """Accept only http(s) URLs with a host: a playlist must not make us read local files (file://) or worse."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise MediaError(f"not a valid URL: {redact(url)[:200]}") from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise MediaError(
            f"refusing to download from {redact(url)[:200]}: only http and https URLs are allowed"
        )
    return url


def backoff_delays(retries: int, base_s: float = 0.25, cap_s: float = 8.0) -> Iterator[float]:
    """Pauses before attempts 2..retries+1: exponential with jitter, so parallel workers do not retry in step."""
    for attempt in range(retries):
        delay = min(cap_s, base_s * (2**attempt))
        yield delay * (0.75 + random.random() * 0.5)


def sleep_unless_cancelled(
    seconds: float, token: CancelToken | None, stop: threading.Event | None = None
) -> None:
    """Sleep in small steps so that Cancel is honoured within a tenth of a second."""
    end = time.monotonic() + seconds
    while True:
        if token is not None:
            token.raise_if_cancelled()
        if stop is not None and stop.is_set():
            raise Cancelled()
        left = end - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(0.1, left))


def raise_for_status(response: requests.Response, what: str) -> None:
    """Turn an HTTP error answer into TransientError (retry) or MediaError (give up)."""
    status = response.status_code
    if status < 400:
        return
    if status in RETRYABLE_STATUS or status >= 500:
        raise TransientError(f"HTTP {status} for {what}")
    raise MediaError(f"download of {what} refused: HTTP {status} {response.reason or ''}".rstrip())


def describe(url: str) -> str:
    """A short, secret-free name of a URL for messages: host and last path part."""
    parts = urlsplit(url)
    tail = parts.path.rsplit("/", 1)[-1] or parts.path
    return redact(f"{parts.hostname}:{parts.port or ''} …/{tail}".replace(": ", " "))


def new_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = "ReachStudio-media/1"
    # our own retry loop handles failures; requests/urllib3 must not retry silently behind it
    adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=32, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
