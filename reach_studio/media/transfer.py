"""What the HTTP and HLS downloaders share: which URLs are allowed, which failures are worth a retry, back-off.

Kaltura's CDN and the emulator both fail transiently (5xx, dropped connections); a download must retry those
a few times with growing pauses, and give up at once on answers that will not change (403, 404).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urljoin, urlsplit

import requests

from reach_studio.bounded_http import Guard, LimitExceeded, Limits, guarded_session
from reach_studio.domain.progress import Cancelled, CancelToken
from reach_studio.key_scope import KeyScope
from reach_studio.media.errors import AccessRefused, MediaError, redact

CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 30.0
CHUNK = 256 * 1024
MAX_REDIRECTS = 5
# One media request (a playlist, a segment, one attempt of a progressive download): headers within the read
# timeout, the body at no less than 16 KiB/s over any 20 s, and no longer than its size at that rate.
MEDIA_LIMITS = Limits(
    deadline_s=None, header_timeout_s=READ_TIMEOUT_S, min_rate_bps=16 * 1024, rate_window_s=20.0
)
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


class TransientError(Exception):
    """A failure worth another attempt (network error, 5xx, truncated body)."""


class TooSlow(TransientError):
    """A request broke its deadline or minimum rate: worth one more attempt, not five (each costs a window)."""


class SlowBudget:
    """How many too-slow attempts one request may have before the download gives up."""

    def __init__(self, allowed: int = 1) -> None:
        self.allowed = allowed
        self.seen = 0

    def check(self, exc: BaseException, what: str) -> None:
        if isinstance(exc, TooSlow):
            self.seen += 1
            if self.seen > self.allowed:
                raise MediaError(f"{what} failed: {exc}") from None


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


def raise_for_status(response: requests.Response, what: str) -> None:
    """Turn an HTTP error answer into TransientError (retry) or MediaError (give up)."""
    status = response.status_code
    if status < 400:
        return
    if status in RETRYABLE_STATUS or status >= 500:
        raise TransientError(f"HTTP {status} for {what}")
    if status in (401, 403):
        raise AccessRefused(f"download of {what} refused: HTTP {status} {response.reason or ''}".rstrip())
    raise MediaError(f"download of {what} refused: HTTP {status} {response.reason or ''}".rstrip())


def describe(url: str) -> str:
    """A short, secret-free name of a URL for messages: host and last path part."""
    parts = urlsplit(url)
    tail = parts.path.rsplit("/", 1)[-1] or parts.path
    return redact(f"{parts.hostname}:{parts.port or ''} …/{tail}".replace(": ", " "))


def new_session() -> requests.Session:
    """A session for media requests: no silent retries (our loops retry), sockets watched by the request's
    Guard (deadline, minimum rate, Cancel), redirects followed by `cancellable_get` itself."""
    session = guarded_session(pool_maxsize=32)
    session.headers["User-Agent"] = "ReachStudio-media/1"
    return session


def _cancelled(token: CancelToken | None, stop: threading.Event | None) -> bool:
    return bool((token is not None and token.cancelled) or (stop is not None and stop.is_set()))


def _send(
    session: requests.Session,
    url: str,
    headers: dict[str, str],
    secret_headers: dict[str, str] | None,
    key_scope: KeyScope,
    **kwargs: object,
) -> requests.Response:
    """GET `url`, following redirects by hand: the key goes along only to hosts in `key_scope`."""
    for _hop in range(MAX_REDIRECTS + 1):
        check_http_url(url)
        hop_headers = {**headers, **key_scope.headers_for(url, secret_headers)}
        response = session.get(url, stream=True, allow_redirects=False, headers=hop_headers, **kwargs)  # type: ignore[arg-type]
        location = response.headers.get("Location") if response.is_redirect else None
        if not location:
            return response
        response.close()
        url = urljoin(url, location)
    raise MediaError(f"too many redirects for {describe(url)}")


class Body:
    """The answer of `cancellable_get`: the response, and its body in pieces within the request's limits."""

    def __init__(self, response: requests.Response, guard: Guard) -> None:
        self.response = response
        self._guard = guard

    def chunks(self, size: int = CHUNK) -> Iterator[bytes]:
        return self._guard.iter_body(self.response, size)


@contextmanager
def cancellable_get(
    session: requests.Session,
    url: str,
    *,
    token: CancelToken | None = None,
    stop: threading.Event | None = None,
    headers: dict[str, str] | None = None,
    secret_headers: dict[str, str] | None = None,
    key_scope: KeyScope | None = None,
    limits: Limits = MEDIA_LIMITS,
    timeout: tuple[float, float] = (CONNECT_TIMEOUT_S, READ_TIMEOUT_S),
) -> Iterator[Body]:
    """GET `url` (streamed) within `limits`, honouring Cancel within ~0.1 s even when the server stalls.

    The request's Guard shuts the socket down when Cancel is pressed or a limit is broken, so a blocked read
    ends at once: Cancel raises `Cancelled`, a broken size limit `MediaError`, a too slow or too long
    request `TransientError` (worth another attempt). `secret_headers` (the KS) go only to URLs in
    `key_scope` (default: the origin of `url` itself), redirects included.
    """
    scope = key_scope if key_scope is not None else KeyScope.of([url])
    with Guard(limits, describe(url), cancelled=lambda: _cancelled(token, stop)) as guard:
        try:
            response = _send(session, url, dict(headers or {}), secret_headers, scope, timeout=timeout)
        except Exception:
            _raise_limit(guard)
            raise
        try:
            yield Body(response, guard)
        except LimitExceeded as exc:
            raise _limit_error(exc) from None
        except Exception:
            _raise_limit(guard)
            raise
        finally:
            response.close()


def _limit_error(exc: LimitExceeded) -> Exception:
    if exc.kind == "cancelled":
        return Cancelled()
    if exc.kind in ("size", "overall"):
        return MediaError(str(exc))
    return TooSlow(str(exc))


def _raise_limit(guard: Guard) -> None:
    """Whatever broke, if the guard cut the connection, say why (Cancel, a deadline, ...)."""
    if guard.tripped is not None:
        raise _limit_error(guard.tripped) from None
