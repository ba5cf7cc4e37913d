"""The vendor's caption websocket (`captionUrl`) that Kaltura connects to during a live event.

Why it exists: for live captions Kaltura is the client — at the event's start its caption puller
opens the websocket the vendor named in the live feature, authenticates with the event's
`captionToken` and reads caption messages until the stream ends (vendor guide "Live captions").
This server (the `websockets` asyncio API on its own thread and event loop, so neither the GUI nor
`sync` ever blocks on it) keeps one channel per task at `/captions/<taskId>`: it checks the token
(caption_token), then streams that task's queued messages in order. Messages queued before Kaltura
connects, or while it reconnects, wait in the queue; after the end-of-stream message the connection
is closed normally. Tokens are never logged; refusals say only "missing" or "refused".

The guide's two authentication layers: (1) vendor-wide — with a `vendor_token` (the secret agreed with
Kaltura beforehand, kept in the OS keyring) the server answers `GET /auth` (its `auth_url`, given to
Kaltura) to a request carrying `Authorization: Bearer <vendor token>` with a short-lived
`{"access_token", "token_type": "Bearer", "expires_in"}`, and every caption websocket must then carry
`Authorization: Bearer <access token>`; (2) per event — the feature's `captionToken` (caption_token),
which then comes as `?token=` or as the first message.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import json
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from reach_studio.live.caption_messages import encode
from reach_studio.live.caption_token import token_from_first_message, token_from_request, token_matches

log = logging.getLogger(__name__)
# websockets logs handshakes (request lines carry ?token=) at DEBUG: keep its logger above that.
_ws_log = logging.getLogger("reach_studio.live.websocket")
_ws_log.setLevel(logging.WARNING)

PATH = re.compile(r"^/captions/(\d{1,12})/?(?:\?.*)?$")
AUTH_PATH = "/auth"
ACCESS_TOKEN_TTL_S = 300
CLOSE_NOT_FOUND, CLOSE_NO_TOKEN, CLOSE_REFUSED, CLOSE_REPLACED = 4404, 4401, 4403, 4409


def _bearer(headers) -> str:
    scheme, _, value = (headers.get("Authorization") or "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


class CaptionServerError(Exception):
    """The caption websocket server cannot start or was used wrongly (text is safe to show)."""


class CaptionChannel:
    """One task's caption stream: `send()` from any thread; Kaltura receives the messages in order."""

    def __init__(
        self,
        server: CaptionServer,
        task_id: int,
        token: str,
        on_connect: Callable[[], None] | None = None,
        on_disconnect: Callable[[str], None] | None = None,
        on_refused: Callable[[str], None] | None = None,
    ) -> None:
        self.task_id = int(task_id)
        self._server = server
        self._token = token
        self.on_connect = on_connect
        self.on_disconnect = on_disconnect
        self.on_refused = on_refused
        self._pending: collections.deque[tuple[str, bool]] = collections.deque()
        self._wake: asyncio.Event | None = None
        self._connection: ServerConnection | None = None
        self.sent = 0
        self.connections = 0
        self.refusals = 0
        self.connected = threading.Event()
        self.ended = threading.Event()  # the end-of-stream message went out

    def __repr__(self) -> str:  # no token
        return f"CaptionChannel(task={self.task_id}, sent={self.sent}, connections={self.connections})"

    @property
    def url(self) -> str:
        return self._server.caption_url(self.task_id)

    @property
    def connected_now(self) -> bool:
        """Is Kaltura connected at this moment (`connected` stays set after the first connection)?"""
        return self._connection is not None

    @property
    def pending(self) -> int:
        return len(self._pending)

    def send(self, message: dict[str, Any]) -> None:
        """Queue one §8 message (built by caption_messages) for Kaltura."""
        if self.ended.is_set():
            raise CaptionServerError(f"the caption stream of task {self.task_id} has ended")
        end = bool(message.get("response", {}).get("is_end_of_stream"))
        self._pending.append((encode(message), end))
        self._server._wake(self)

    def wait_connected(self, timeout: float) -> bool:
        return self.connected.wait(timeout)

    def wait_ended(self, timeout: float) -> bool:
        return self.ended.wait(timeout)

    def wait_drained(self, timeout: float) -> bool:
        """Until every queued message was sent (or `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        while self._pending and time.monotonic() < deadline:
            time.sleep(0.02)
        return not self._pending


class CaptionServer:
    """`with CaptionServer("127.0.0.1", 0) as server: ch = server.open_channel(task_id, token)`."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        public_url: str | None = None,
        auth_timeout: float = 5.0,
        vendor_token: str | None = None,
    ) -> None:
        self._vendor_token = vendor_token or None
        self._access: dict[bytes, float] = {}  # sha256(access token) -> expiry (monotonic)
        self.host = host
        self.port = int(port)
        self.public_url = public_url.rstrip("/") if public_url else None
        self.auth_timeout = auth_timeout
        self._channels: dict[int, CaptionChannel] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Future[None] | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self.bound_port = 0

    # ---- lifecycle ---------------------------------------------------------------------------------
    def start(self, timeout: float = 10.0) -> CaptionServer:
        if self._thread is not None:
            return self
        self._thread = threading.Thread(target=self._run, name="caption-websocket", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise CaptionServerError("the caption websocket server did not start in time")
        if self._error is not None:
            self._thread.join(timeout)
            self._thread = None
            raise CaptionServerError(f"cannot listen on {self.host}:{self.port}: {self._error}")
        log.info("Caption websocket listening on %s", self.url)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        thread, loop, stop = self._thread, self._loop, self._stop
        if thread is None:
            return
        if loop is not None and stop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(lambda: stop.done() or stop.set_result(None))
            except RuntimeError:  # the loop already ended
                pass
        thread.join(timeout)
        self._thread = None
        self._ready.clear()

    def __enter__(self) -> CaptionServer:  # noqa: PYI034
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base websocket URL this server is reachable at (the public URL when one is configured)."""
        if self.public_url:
            return self.public_url
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"ws://{host}:{self.bound_port}"

    @property
    def vendor_auth(self) -> bool:
        return self._vendor_token is not None

    @property
    def auth_url(self) -> str:
        """Where Kaltura trades the pre-agreed vendor token for an access token (layer 1)."""
        base = self.url
        return ("https" + base[3:] if base.startswith("wss") else "http" + base[2:]) + AUTH_PATH

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        """Answer GET /auth; refuse a websocket without a valid access token when layer 1 is on."""
        path = request.path.split("?", 1)[0]
        if path == AUTH_PATH:
            if self._vendor_token is None:
                return connection.respond(404, "no vendor authentication on this server\n")
            given = _bearer(request.headers)
            if not given or not token_matches(self._vendor_token, given):
                log.warning("Caption server: vendor authentication refused")
                return connection.respond(401, "vendor token refused\n")
            access = secrets.token_urlsafe(32)
            now = time.monotonic()
            self._access = {k: v for k, v in self._access.items() if v > now}
            self._access[_digest(access)] = now + ACCESS_TOKEN_TTL_S
            body = json.dumps(
                {"access_token": access, "token_type": "Bearer", "expires_in": ACCESS_TOKEN_TTL_S}
            ).encode("utf-8")
            headers = Headers([("Content-Type", "application/json"), ("Cache-Control", "no-store")])
            headers["Content-Length"] = str(len(body))
            return Response(200, "OK", headers, body)
        if self._vendor_token is not None:
            expiry = self._access.get(_digest(_bearer(request.headers) or "-"))
            if expiry is None or expiry < time.monotonic():
                log.warning("Caption server: a connection without a valid vendor access token was refused")
                return connection.respond(401, "vendor access token missing or expired\n")
        return None

    def caption_url(self, task_id: int) -> str:
        """The `captionUrl` to give Kaltura for one task."""
        return f"{self.url}/captions/{int(task_id)}"

    # ---- channels ----------------------------------------------------------------------------------
    def open_channel(
        self,
        task_id: int,
        token: str,
        *,
        on_connect: Callable[[], None] | None = None,
        on_disconnect: Callable[[str], None] | None = None,
        on_refused: Callable[[str], None] | None = None,
    ) -> CaptionChannel:
        """A channel for one task; opening it again (a new token) replaces the old one."""
        if not token:
            raise CaptionServerError("a caption channel needs a token")
        channel = CaptionChannel(self, task_id, token, on_connect, on_disconnect, on_refused)
        old = self._channels.get(channel.task_id)
        self._channels[channel.task_id] = channel
        if old is not None:
            self._close_connection(old, CLOSE_REPLACED, "session replaced")
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._ensure_wake, channel)
        return channel

    def channel(self, task_id: int) -> CaptionChannel | None:
        return self._channels.get(int(task_id))

    def close_channel(self, task_id: int) -> None:
        channel = self._channels.pop(int(task_id), None)
        if channel is not None:
            self._close_connection(channel, 1001, "caption session closed")

    # ---- the event loop thread ---------------------------------------------------------------------
    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # noqa: BLE001 - reported to start(); never a silent dead thread
            if not self._ready.is_set():
                self._error = exc
                self._ready.set()
            else:
                log.error("caption websocket server stopped: %s", exc)

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = self._loop.create_future()
        for channel in self._channels.values():
            self._ensure_wake(channel)
        try:
            server = await serve(
                self._handle,
                self.host,
                self.port,
                logger=_ws_log,
                process_request=self._process_request,
                max_size=64 * 1024,
                ping_interval=20,
                ping_timeout=20,
            )
        except OSError as exc:
            self._error = OSError(exc.strerror or str(exc))
            self._ready.set()
            return
        self.bound_port = server.sockets[0].getsockname()[1] if server.sockets else self.port
        self._ready.set()
        try:
            await self._stop
        finally:
            server.close()
            await server.wait_closed()

    @staticmethod
    def _ensure_wake(channel: CaptionChannel) -> None:
        if channel._wake is None:
            channel._wake = asyncio.Event()
        if channel._pending:
            channel._wake.set()

    def _wake(self, channel: CaptionChannel) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._set_wake, channel)
        except RuntimeError:
            pass

    def _set_wake(self, channel: CaptionChannel) -> None:
        self._ensure_wake(channel)
        assert channel._wake is not None
        channel._wake.set()

    def _close_connection(self, channel: CaptionChannel, code: int, reason: str) -> None:
        conn, loop = channel._connection, self._loop
        if conn is None or loop is None or loop.is_closed():
            return
        try:
            asyncio.run_coroutine_threadsafe(conn.close(code, reason), loop)
        except RuntimeError:
            pass

    def _callback(self, fn: Callable[..., None] | None, *args: Any) -> None:
        """Run a channel callback off the event loop (it may call Kaltura), logging its failure."""
        if fn is None or self._loop is None:
            return

        def call() -> None:
            try:
                fn(*args)
            except Exception as exc:  # noqa: BLE001 - a callback's failure must not kill the stream
                log.error("live caption callback failed: %s", exc)

        self._loop.run_in_executor(None, call)

    async def _handle(self, ws: ServerConnection) -> None:
        path = ws.request.path if ws.request is not None else ""
        match = PATH.match(path)
        channel = self._channels.get(int(match.group(1))) if match else None
        if channel is None:
            await ws.close(CLOSE_NOT_FOUND, "no live caption session at this URL")
            return
        # with layer 1 on, the Bearer header is the vendor access token: the caption token comes otherwise
        headers = ws.request.headers if ws.request is not None and self._vendor_token is None else None
        given = token_from_request(path, headers)
        if given is None:
            try:
                first = await asyncio.wait_for(ws.recv(), self.auth_timeout)
            except (TimeoutError, ConnectionClosed):
                first = ""
            given = token_from_first_message(first)
        if not token_matches(channel._token, given):
            reason = "caption token missing" if not given else "caption token refused"
            channel.refusals += 1
            log.warning("Live captions of task %s: connection refused (%s)", channel.task_id, reason)
            self._callback(channel.on_refused, reason)
            await ws.close(CLOSE_NO_TOKEN if not given else CLOSE_REFUSED, reason)
            return
        await self._stream(channel, ws)

    async def _stream(self, channel: CaptionChannel, ws: ServerConnection) -> None:
        if channel._connection is not None:  # Kaltura reconnected: the newest connection gets the stream
            await channel._connection.close(CLOSE_REPLACED, "another connection took over")
        channel._connection = ws
        channel.connections += 1
        first = not channel.connected.is_set()
        channel.connected.set()
        log.info("Live captions of task %s: Kaltura connected", channel.task_id)
        if first:
            self._callback(channel.on_connect)
        self._ensure_wake(channel)
        assert channel._wake is not None
        closed = asyncio.ensure_future(ws.wait_closed())
        reason = "connection closed"
        try:
            while True:
                while channel._pending and channel._connection is ws:
                    text, end = channel._pending[0]
                    await ws.send(text)
                    channel._pending.popleft()
                    channel.sent += 1
                    if end:
                        channel.ended.set()
                        reason = "end of stream"
                        await ws.close(1000, "end of stream")
                        return
                if channel._connection is not ws or closed.done():
                    return
                wake = asyncio.ensure_future(channel._wake.wait())
                done, _ = await asyncio.wait({wake, closed}, return_when=asyncio.FIRST_COMPLETED)
                if wake not in done:
                    wake.cancel()
                    return
                channel._wake.clear()
        except ConnectionClosed:
            pass
        finally:
            closed.cancel()
            if channel._connection is ws:
                channel._connection = None
            if ws.close_code not in (None, 1000) and reason != "end of stream":
                reason = f"closed by Kaltura ({ws.close_code})"
            log.info("Live captions of task %s: %s", channel.task_id, reason)
            self._callback(channel.on_disconnect, reason)
