"""Every HTTP request gets a total deadline, a minimum rate and a size cap — not only a per-read timeout.

Why it exists: `requests`' timeout bounds each socket read, so a server sending one byte every few
seconds kept a call (and `sync --once`) alive for minutes, and a 400 MB API answer was read whole into
memory. A `Guard` watches one request: a shared watchdog thread shuts the request's socket down the
moment its deadline passes, its body arrives slower than the minimum rate, or its headers take too long,
so even a read blocked in C returns; the caller then raises `LimitExceeded` naming the call and the limit.
Sessions made by `guarded_session()` register their sockets with the guard of the calling thread.
Qt-free; used by the Kaltura transport (kaltura/transport.py) and the media fetchers (media/transfer.py).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, Self

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

READ_CHUNK = 64 * 1024
_TICK_S = 0.1


@dataclass(frozen=True)
class Limits:
    """What one request may take. `deadline_s` None: derived from the size (header time + size / min rate)."""

    deadline_s: float | None = 120.0  # headers + body, whatever happens
    header_timeout_s: float = 30.0  # from the request being sent until the status line and headers are in
    min_rate_bps: float = 2048.0  # body bytes per second, averaged over each window...
    rate_window_s: float = 10.0  # ...of this many seconds
    max_bytes: int | None = None  # of the (decoded) body
    deadline_at: float | None = None  # absolute time.monotonic() of an overall deadline (e.g. `sync --once`)

    def until(self, deadline_at: float | None) -> Limits:
        """These limits, ending no later than `deadline_at` (monotonic) as well."""
        if deadline_at is None:
            return self
        if self.deadline_at is not None:
            deadline_at = min(deadline_at, self.deadline_at)
        return replace(self, deadline_at=deadline_at)


class LimitExceeded(Exception):
    """A request broke one of its limits. `kind`: "deadline", "slow", "headers", "size", "overall"
    (or "cancelled" when the guard's cancel check fired)."""

    def __init__(self, what: str, kind: str, reason: str) -> None:
        super().__init__(f"{what}: {reason}")
        self.what = what
        self.kind = kind
        self.reason = reason


class Guard:
    """The limits of one request, enforced by the watchdog. Use as a context manager around the request."""

    def __init__(self, limits: Limits, what: str, cancelled: Callable[[], bool] | None = None) -> None:
        self.limits = limits
        self.what = what
        self._cancelled = cancelled  # checked every tick: Cancel also cuts a blocked read at once
        self.started = time.monotonic()
        self._deadline = self.started + limits.deadline_s if limits.deadline_s is not None else None
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._phase = "headers"  # "sending" | "headers" | "body" | "done"
        self._phase_since = self.started
        self._bytes = 0
        self._window_start = self.started
        self._window_bytes = 0
        self.received = 0
        self.tripped: LimitExceeded | None = None

    # ---- used by the request code -------------------------------------------------------------
    def __enter__(self) -> Self:
        _local.guard = self
        _watchdog.add(self)
        return self

    def __exit__(self, *exc: object) -> None:
        self._phase = "done"
        _watchdog.remove(self)
        if getattr(_local, "guard", None) is self:
            _local.guard = None

    def attach(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            if sock not in self._sockets:
                self._sockets.append(sock)
            tripped = self.tripped is not None
        if tripped:
            _shutdown(sock)

    def sending(self) -> None:
        """The request has a body being sent: progress counts sent bytes until `sent_all`."""
        self._set_phase("sending")

    def sent(self, n: int) -> None:
        self._progress(n)

    def sent_all(self) -> None:
        self._set_phase("headers")

    def headers_in(self, content_length: int | None = None) -> None:
        """The headers arrived. A known length caps the size and, without a fixed deadline, sets one."""
        limits = self.limits
        if content_length is not None and limits.max_bytes is not None and content_length > limits.max_bytes:
            self._trip(
                "size", f"the answer is {content_length} bytes, larger than the allowed {limits.max_bytes}"
            )
            self.raise_if_tripped()
        if self._deadline is None:
            size = content_length if content_length is not None else limits.max_bytes
            if size is not None:
                now = time.monotonic()
                self._deadline = now + limits.rate_window_s + size / max(1.0, limits.min_rate_bps)
        self._set_phase("body")

    def received_bytes(self, n: int) -> None:
        self.received += n
        limits = self.limits
        if limits.max_bytes is not None and self.received > limits.max_bytes:
            self._trip("size", f"the answer is larger than the allowed {limits.max_bytes} bytes")
        self._progress(n)
        self.raise_if_tripped()

    def raise_if_tripped(self) -> None:
        if self.tripped is not None:
            raise self.tripped

    def read_body(self, response: requests.Response) -> bytes:
        """The whole (decoded) body within the limits; the socket is read as data comes (`read1`)."""
        self.headers_in(_content_length(response))
        body = bytearray()
        for chunk in self.iter_body(response):
            body += chunk
        return bytes(body)

    def iter_body(self, response: requests.Response, chunk: int = READ_CHUNK) -> Iterator[bytes]:
        """The body in pieces as they arrive (not waiting for a full chunk), counted against the limits."""
        if self._phase != "body":
            self.headers_in(_content_length(response))
        raw = response.raw
        while True:
            try:
                data = raw.read1(chunk, decode_content=True)
            except Exception as exc:
                self.raise_if_tripped()  # the watchdog cut the socket: say which limit, not "connection reset"
                raise _as_requests_error(exc) from exc
            if not data:  # EOF (or the watchdog's shutdown, checked below)
                self.raise_if_tripped()
                return
            self.received_bytes(len(data))
            yield data

    # ---- used by the watchdog ----------------------------------------------------------------
    def _set_phase(self, phase: str) -> None:
        with self._lock:
            now = time.monotonic()
            self._phase, self._phase_since = phase, now
            self._window_start, self._window_bytes = now, self._bytes

    def _progress(self, n: int) -> None:
        with self._lock:
            self._bytes += n

    def _trip(self, kind: str, reason: str) -> None:
        with self._lock:
            if self.tripped is None:
                self.tripped = LimitExceeded(self.what, kind, reason)
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)

    def check(self, now: float) -> None:
        """Trip when a limit is broken (called by the watchdog every tick)."""
        if self.tripped is not None or self._phase == "done":
            return
        limits = self.limits
        if self._cancelled is not None and self._cancelled():
            self._trip("cancelled", "cancelled")
            return
        if limits.deadline_at is not None and now >= limits.deadline_at:
            self._trip("overall", "the overall deadline ran out while it was running")
            return
        if self._deadline is not None and now >= self._deadline:
            self._trip("deadline", f"no complete answer within {now - self.started:.0f} s")
            return
        with self._lock:
            phase, since = self._phase, self._phase_since
            window_start, window_bytes, total = self._window_start, self._window_bytes, self._bytes
        if phase == "headers":
            if now - since >= limits.header_timeout_s:
                self._trip("headers", f"no answer headers within {limits.header_timeout_s:.0f} s")
            return
        if now - window_start >= limits.rate_window_s:
            rate = (total - window_bytes) / (now - window_start)
            if rate < limits.min_rate_bps:
                self._trip(
                    "slow",
                    f"{'sending' if phase == 'sending' else 'the answer'} ran at {rate:.0f} bytes/s for "
                    f"{now - window_start:.0f} s, below the minimum of {limits.min_rate_bps:.0f} bytes/s",
                )
                return
            with self._lock:
                self._window_start, self._window_bytes = now, total


def _as_requests_error(exc: Exception) -> Exception:
    """urllib3's errors as `requests` raises them from iter_content, so callers catch one family."""
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
        return requests.exceptions.ConnectionError(exc)
    if isinstance(exc, (urllib3.exceptions.ProtocolError, urllib3.exceptions.SSLError)):
        return requests.exceptions.ChunkedEncodingError(exc)
    if isinstance(exc, urllib3.exceptions.DecodeError):
        return requests.exceptions.ContentDecodingError(exc)
    if isinstance(exc, OSError):
        return requests.exceptions.ConnectionError(exc)
    return exc


def _content_length(response: requests.Response) -> int | None:
    value = response.headers.get("Content-Length")
    if value and value.strip().isdigit() and "gzip" not in (response.headers.get("Content-Encoding") or ""):
        return int(value)
    return None


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class _Watchdog:
    """One daemon thread checking every live guard each tick (no thread per request)."""

    def __init__(self) -> None:
        self._guards: set[Guard] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, guard: Guard) -> None:
        with self._lock:
            self._guards.add(guard)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="http-deadlines", daemon=True)
                self._thread.start()

    def remove(self, guard: Guard) -> None:
        with self._lock:
            self._guards.discard(guard)

    def _run(self) -> None:
        while True:
            time.sleep(_TICK_S)
            with self._lock:
                guards = list(self._guards)
            now = time.monotonic()
            for guard in guards:
                try:
                    guard.check(now)
                except Exception:  # noqa: BLE001, S110 - the watchdog must never die
                    pass


_watchdog = _Watchdog()
_local = threading.local()


def current_guard() -> Guard | None:
    return getattr(_local, "guard", None)


# ---- sessions whose sockets join the calling thread's guard ----------------------------------------
class _GuardedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        guard = current_guard()
        if guard is not None:
            guard.attach(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:  # a reused keep-alive connection
        guard = current_guard()
        if guard is not None and self.sock is not None:
            guard.attach(self.sock)
        super().request(*args, **kwargs)


class _GuardedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        guard = current_guard()
        if guard is not None:
            guard.attach(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        guard = current_guard()
        if guard is not None and self.sock is not None:
            guard.attach(self.sock)
        super().request(*args, **kwargs)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """An HTTPAdapter whose connections attach their sockets to the calling thread's `Guard`."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


def guarded_session(pool_maxsize: int = 10) -> requests.Session:
    """A requests Session for guarded requests; it neither retries nor follows redirects by itself."""
    session = requests.Session()
    adapter = GuardedAdapter(pool_connections=4, pool_maxsize=pool_maxsize, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
