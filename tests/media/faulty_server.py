"""A tiny HTTP file server for the download tests, with failures on demand: 500s, dropped connections, latency.

It honours `Range` and `If-Range` like a CDN, and records every request so tests can assert what was fetched.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self
from urllib.parse import unquote, urlsplit


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # a client hanging up early is expected here
        pass


class FaultyServer:
    def __init__(self, root: Path, latency_s: float = 0.0) -> None:
        self.root = Path(root)
        self.latency_s = latency_s
        self.fail_next: dict[str, int] = {}  # path -> how many next requests get HTTP 500
        self.drop_after: dict[str, int] = {}  # path -> bytes of body sent before the connection drops (once)
        self.stall: dict[str, float] = {}  # path -> seconds to sleep before answering
        self.trickle: dict[str, float] = {}  # path -> seconds to sleep between 64 kB pieces of the body
        self.routes: dict[str, tuple[int, bytes, dict[str, str]]] = {}  # path -> canned answer
        self.log: list[tuple[str, str | None]] = []  # (path, Range header)
        self._lock = threading.Lock()
        self._httpd = _QuietServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def requests_for(self, suffix: str) -> list[str | None]:
        with self._lock:
            return [rng for path, rng in self.log if path.endswith(suffix)]

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                path = unquote(urlsplit(self.path).path)
                with server._lock:
                    server.log.append((path, self.headers.get("Range")))
                    fail = server.fail_next.get(path, 0)
                    if fail:
                        server.fail_next[path] = fail - 1
                    drop = server.drop_after.pop(path, None)
                if server.latency_s:
                    time.sleep(server.latency_s)
                if path in server.stall:
                    time.sleep(server.stall[path])
                if fail:
                    return self._send(500, b"internal error", {})
                if path in server.routes:
                    status, body, headers = server.routes[path]
                    return self._send(status, body, headers)
                file = (server.root / path.lstrip("/")).resolve()
                if server.root.resolve() not in file.parents or not file.is_file():
                    return self._send(404, b"not found", {})
                data = file.read_bytes()
                st = file.stat()
                etag = f'"{st.st_size:x}-{int(st.st_mtime_ns):x}"'
                start, end, status = 0, len(data) - 1, 200
                rng = self.headers.get("Range")
                if_range = self.headers.get("If-Range")
                if rng and (if_range is None or if_range == etag):
                    first, _, last = rng.removeprefix("bytes=").partition("-")
                    start = int(first)
                    end = min(int(last), len(data) - 1) if last else len(data) - 1
                    if start >= len(data):
                        return self._send(416, b"", {"Content-Range": f"bytes */{len(data)}"})
                    status = 206
                body = data[start : end + 1]
                headers = {"ETag": etag, "Accept-Ranges": "bytes"}
                if status == 206:
                    headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
                if drop is not None:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[:drop])
                    self.wfile.flush()
                    self.close_connection = True
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    return None
                return self._send(status, body, headers, server.trickle.get(path))

            def _send(
                self, status: int, body: bytes, headers: dict[str, str], trickle: float | None = None
            ) -> None:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    if trickle:
                        for i in range(0, len(body), 65536):
                            self.wfile.write(body[i : i + 65536])
                            self.wfile.flush()
                            time.sleep(trickle)
                    else:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler


def touch_unchanged(path: Path) -> None:
    """Helper for tests that rewrite a file but want its ETag to change deterministically."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
