"""Source-caption download: retries 5xx, refuses 4xx and absurd sizes with clear errors."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from reach_studio.kaltura.connection import ReachError
from reach_studio.kaltura.reach_api import _download_small

SRT = b"1\n00:00:01,000 --> 00:00:02,000\nHello\n"


@pytest.fixture
def server():
    state = {"fail": 0, "status": 200, "body": SRT}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            if state["fail"] > 0:
                state["fail"] -= 1
                self.send_response(503)
                self.end_headers()
                return
            self.send_response(state["status"])
            self.send_header("Content-Length", str(len(state["body"])))
            self.end_headers()
            self.wfile.write(state["body"])

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/cap.srt", state
    srv.shutdown()
    srv.server_close()


def test_retries_5xx(server):
    url, state = server
    state["fail"] = 2
    assert _download_small(None, url, timeout=5) == SRT


def test_refused_and_too_large_and_unreachable(server):
    url, state = server
    state["status"] = 403
    with pytest.raises(ReachError, match="HTTP 403"):
        _download_small(None, url, timeout=5)
    state["status"], state["body"] = 200, b"x" * 5000
    with pytest.raises(ReachError, match="larger than"):
        _download_small(None, url, timeout=5, max_bytes=1000)
    with pytest.raises(ReachError) as info:
        _download_small(None, "http://127.0.0.1:9/x", timeout=1, attempts=2)
    assert info.value.transient
