"""Hostile-network faults of the emulator: a byte-dripping answer, an oversized answer, a cross-host redirect,
a lost answer.

Why apart from `server.Faults`' rates: these change the *shape* of an answer rather than failing it, and the
redirect needs a second listener. `Faults.configure(drip_rate=, drip_interval_s=, oversize_rate=,
oversize_bytes=, foreign_redirect_rate=)` switches them (also over POST /_emulator/faults).
- drip: the real answer, sent one byte every `drip_interval_s` seconds (headers at once), so only a total
  deadline or a minimum rate ends it;
- oversize: an API answer padded with `oversize_bytes` of XML whitespace before `</xml>` (still valid XML),
  streamed, so only a size cap before parsing keeps the client's memory flat; `sent_bytes` counts what went out;
- foreign redirect: media requests (playManifest, serveFlavor, HLS) answer 302 to the same path on another
  loopback origin (127.0.0.2 when it can be bound, else another port) — "a CDN we do not know". That
  listener records every request's path and headers (`emu.foreign.requests`) and serves the same answer
  through the emulator app, so a download can still complete when the URL itself carries the right.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request as WRequest
from werkzeug.wrappers import Response as WResponse

NETWORK_SWITCHES = (
    "drip_rate",
    "drip_interval_s",
    "oversize_rate",
    "oversize_bytes",
    "foreign_redirect_rate",
)
_RATES = ("drip_rate", "oversize_rate", "foreign_redirect_rate")
_MEDIA_PREFIXES = ("/p/", "/hls/")
_FOREIGN_ENVIRON = "reach_emulator.foreign"


class NetworkFaults:
    """The switches (part of `Faults`; reset with it)."""

    def __init__(self) -> None:
        self.sent_bytes = 0  # bytes of oversized answers that actually went out
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.drip_rate = 0.0
        self.drip_interval_s = 2.0
        self.oversize_rate = 0.0
        self.oversize_bytes = 0
        self.foreign_redirect_rate = 0.0

    def validate(self, values: dict[str, Any]) -> dict[str, float]:
        out = {}
        for name, value in values.items():
            if value is None:
                continue
            number = float(value)
            if name in _RATES and not 0.0 <= number <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {value}")
            if number < 0:
                raise ValueError(f"{name} must not be negative")
            out[name] = number
        return out

    def apply(self, values: dict[str, float]) -> None:
        for name, value in values.items():
            setattr(self, name, int(value) if name == "oversize_bytes" else value)

    def snapshot(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in NETWORK_SWITCHES}

    def count_sent(self, n: int) -> None:
        with self._lock:
            self.sent_bytes += n


class LostAnswers:
    """The lost-answer fault: the call is carried out, then the connection closes without its answer.

    Why: "request sent, answer lost" is the case no retry may guess about — the object exists, the client does
    not know its id. `Faults.lose_next_answers(count, service=, action=)` arms it for the next `count` API calls
    of that service/action (any when not given; service as in the URL, e.g. "cuepoint_cuepoint"); `lost` counts
    the answers dropped so far, so a test can check the fault really fired.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.remaining = 0
            self.service: str | None = None
            self.action: str | None = None
            self.lost = 0

    def arm(self, count: int, service: str | None = None, action: str | None = None) -> None:
        if count < 0:
            raise ValueError("count must not be negative")
        with self._lock:
            self.remaining = int(count)
            self.service = service.lower() if service else None
            self.action = action.lower() if action else None

    def take(self, service: str | None, action: str | None) -> bool:
        """True when this call's answer is to be lost (counts it)."""
        with self._lock:
            if self.remaining <= 0:
                return False
            if self.service and str(service or "").lower() != self.service:
                return False
            if self.action and str(action or "").lower() != self.action:
                return False
            self.remaining -= 1
            self.lost += 1
            return True


def drip(body: bytes, interval_s: float, sleep: Any) -> Iterator[bytes]:
    """The body one byte at a time, `interval_s` apart (sleep ends early when the emulator stops)."""
    for i in range(len(body)):
        if i and sleep(interval_s):
            return
        yield body[i : i + 1]


def pad_xml(body: bytes, extra: int, net: NetworkFaults) -> Iterator[bytes]:
    """`body` with `extra` bytes of whitespace before its closing `</xml>`, streamed in 1 MiB pieces."""
    cut = body.rfind(b"</xml>")
    head, tail = (body[:cut], body[cut:]) if cut >= 0 else (body, b"")
    piece = b" " * (1 << 20)
    net.count_sent(len(head))
    yield head
    left = extra
    while left > 0:
        n = min(left, len(piece))
        net.count_sent(n)
        yield piece[:n]
        left -= n
    net.count_sent(len(tail))
    yield tail


def shape_response(emu: Any, request: Any, response: Any) -> Any:
    """after_request hook: drip or pad the answer when the switches say so."""
    faults = emu.faults
    net = faults.network
    if request.path.startswith("/_emulator") or request.environ.get(_FOREIGN_ENVIRON):
        return response
    if response.direct_passthrough or response.is_streamed:
        return response
    is_api = request.path.startswith("/api_v3")
    if is_api and net.oversize_bytes > 0 and faults.roll(net.oversize_rate):
        body = response.get_data()
        response.set_data(b"")
        response.response = pad_xml(body, net.oversize_bytes, net)
        response.headers["Content-Length"] = str(len(body) + net.oversize_bytes)
        return response
    if faults.roll(net.drip_rate):
        body = response.get_data()
        response.response = drip(body, net.drip_interval_s, faults._stop.wait)
        response.headers["Content-Length"] = str(len(body))
    return response


def maybe_redirect(emu: Any, request: Any) -> Any:
    """before_request hook: a media request goes to the foreign origin when the switch says so."""
    if request.environ.get(_FOREIGN_ENVIRON) or not request.path.startswith(_MEDIA_PREFIXES):
        return None
    if not emu.faults.roll(emu.faults.network.foreign_redirect_rate):
        return None
    foreign = emu.foreign.start()
    target = foreign.url + request.full_path.rstrip("?")
    return WResponse(b"", status=302, headers={"Location": target})


class ForeignHost:
    """A second loopback listener that records what it was sent and serves the emulator's answer."""

    def __init__(self, emu: Any) -> None:
        self._emu = emu
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []  # {"path", "headers"}
        self.url = ""

    def start(self) -> ForeignHost:
        with self._lock:
            if self._server is not None:
                return self
            host = "127.0.0.2" if _can_bind("127.0.0.2") else "127.0.0.1"
            self._server = make_server(host, 0, self._app, threaded=True)
            self._server.daemon_threads = True
            self.url = f"http://{host}:{self._server.server_address[1]}"
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            self._thread.start()
            return self

    def stop(self) -> None:
        with self._lock:
            if self._server is None:
                return
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def headers_seen(self, name: str) -> list[str]:
        """Every value of header `name` the foreign host received."""
        with self._lock:
            return [r["headers"][name] for r in self.requests if name in r["headers"]]

    def _app(self, environ: dict, start_response: Any) -> Any:
        request = WRequest(environ)
        with self._lock:
            self.requests.append({"path": request.full_path, "headers": dict(request.headers)})
        environ[_FOREIGN_ENVIRON] = True
        app = self._emu._server.app if self._emu._server is not None else None
        if app is None:
            return WResponse(b"gone", status=503)(environ, start_response)
        return app(environ, start_response)


def _can_bind(host: str) -> bool:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((host, 0))
        return True
    except OSError:
        return False
