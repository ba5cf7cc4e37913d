"""What the HTTP and HLS downloaders share: which URLs are allowed, which failures are worth a retry, back-off.

Kaltura's CDN and the emulator both fail transiently (5xx, dropped connections); a download must retry those
a few times with growing pauses, and give up at once on answers that will not change (403, 404).
"""

from __future__ import annotations

import random
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
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


def _cancelled(token: CancelToken | None, stop: threading.Event | None) -> bool:
    return bool((token is not None and token.cancelled) or (stop is not None and stop.is_set()))


def _shutdown_socket(response: requests.Response) -> None:
    conn = getattr(response.raw, "_connection", None)
    sock = getattr(conn, "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    response.close()


@contextmanager
def cancellable_get(
    session: requests.Session,
    url: str,
    *,
    token: CancelToken | None = None,
    stop: threading.Event | None = None,
    **kwargs: object,
) -> Iterator[requests.Response]:
    """`session.get(url, stream=True, ...)` that honours Cancel within ~0.1 s even when the server stalls.

    Waiting for the headers happens in a helper thread (abandoned on cancel, its late response closed);
    while the body streams, a watcher shuts the socket down on cancel so a blocked read ends at once and
    the reading loop sees `Cancelled`.
    """
    kwargs.setdefault("timeout", (CONNECT_TIMEOUT_S, READ_TIMEOUT_S))
    if token is None and stop is None:
        with session.get(url, stream=True, **kwargs) as response:  # type: ignore[arg-type]
            yield response
        return
    box: dict[str, object] = {}
    arrived = threading.Event()

    def request() -> None:
        try:
            box["response"] = session.get(url, stream=True, **kwargs)  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001 - re-raised in the caller's thread below
            box["error"] = exc
        finally:
            arrived.set()

    threading.Thread(target=request, name="http-get", daemon=True).start()
    while not arrived.wait(0.1):
        if _cancelled(token, stop):

            def close_late() -> None:
                arrived.wait()
                late = box.get("response")
                if isinstance(late, requests.Response):
                    late.close()

            threading.Thread(target=close_late, daemon=True).start()
            raise Cancelled()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    response: requests.Response = box["response"]  # type: ignore[assignment]
    finished = threading.Event()

    def watch() -> None:
        while not finished.wait(0.1):
            if _cancelled(token, stop):
                _shutdown_socket(response)
                return

    watcher = threading.Thread(target=watch, name="http-cancel-watch", daemon=True)
    watcher.start()
    try:
        yield response
    except Exception:
        if _cancelled(token, stop):  # the watcher cut the connection: whatever broke, it was Cancel
            raise Cancelled() from None
        raise
    finally:
        finished.set()
        response.close()
