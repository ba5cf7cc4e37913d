"""A tiny scripted Kaltura API stand-in for connection unit tests (the emulator covers the real flows)."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from xml.sax.saxutils import escape


def _xml(result: str) -> bytes:
    return f'<?xml version="1.0" encoding="utf-8"?><xml><result>{result}</result></xml>'.encode()


def _error(code: str, message: str) -> bytes:
    return _xml(
        f"<error><code>{code}</code><message>{escape(message)}</message>"
        f"<objectType>KalturaAPIException</objectType></error>"
    )


class KalturaStub:
    """Answers session/startWidgetSession, apptoken/startSession, session/start and reach getJobs."""

    def __init__(self, app_token: str = "tok-secret-123", session_ttl: int = 3600) -> None:
        self.app_token = app_token
        self.session_ttl = session_ttl
        self.requests: list[dict] = []
        self.fail_next_5xx = 0
        self.invalid_ks_once: set[str] = set()  # KS values refused once with INVALID_KS
        self.refuse_ks_message = ""
        self.sessions_started = 0
        self.jobs: list[str] = []  # inner XML of each task getJobs returns
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                params = json.loads(body or b"{}")
                parts = self.path.strip("/").split("/")
                service, action = parts[2], parts[4]
                status, payload = stub.handle(service, action, params)
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, service: str, action: str, params: dict) -> tuple[int, bytes]:
        with self._lock:
            self.requests.append({"service": service, "action": action, **params})
            if self.fail_next_5xx > 0:
                self.fail_next_5xx -= 1
                return 500, b"<html>Internal Server Error</html>"
            ks = params.get("ks", "")
            if ks in self.invalid_ks_once:
                self.invalid_ks_once.discard(ks)
                return 200, _error("INVALID_KS", f'Invalid KS "{ks}". Error "-1,INVALID_STR"')
        if (service, action) == ("session", "startWidgetSession"):
            return 200, _xml(
                "<objectType>KalturaStartWidgetSessionResponse</objectType>"
                "<partnerId>700</partnerId><ks>widget-ks-abc</ks><userId>0</userId>"
            )
        if (service, action) == ("apptoken", "startSession"):
            want = hashlib.sha256((ks + self.app_token).encode()).hexdigest()
            if params.get("tokenHash") != want:
                return 200, _error("INVALID_APP_TOKEN_HASH", "Invalid application token hash")
            return 200, self._session()
        if (service, action) == ("session", "start"):
            with self._lock:
                self.sessions_started += 1
                n = self.sessions_started
            return 200, _xml(f"vendor-ks-admin-{n}")
        if (service, action) == ("reach_entryvendortask", "getJobs"):
            items = "".join(
                f"<item><objectType>KalturaEntryVendorTask</objectType>{x}</item>" for x in self.jobs
            )
            return 200, _xml(
                f"<objectType>KalturaEntryVendorTaskListResponse</objectType><objects>{items}</objects>"
                f"<totalCount>{len(self.jobs)}</totalCount>"
            )
        if (service, action) == ("reach_entryvendortask", "get"):
            return 200, _xml(
                f"<objectType>KalturaEntryVendorTask</objectType><id>{params['id']}</id>"
                f"<status>3</status><entryId>0_e</entryId><partnerId>101</partnerId>"
                "<futureField>42</futureField><futureObject><a>1</a><b>two</b></futureObject>"
                "<relatedObjects><item><itemKey>reach_vendor_catalog_item</itemKey>"
                "<objectType>KalturaVendorCatalogItemListResponse</objectType><objects><item>"
                "<objectType>KalturaVendorCaptionsCatalogItem</objectType><id>9</id>"
                "<serviceFeature>1</serviceFeature><futureCatalogField>x</futureCatalogField></item></objects>"
                "<totalCount>1</totalCount></item></relatedObjects>"
            )
        if (service, action) == ("reach_entryvendortask", "extendAccessKey"):
            return 200, _xml(
                f"<objectType>KalturaEntryVendorTask</objectType><id>{params['id']}</id>"
                f"<status>3</status><accessKey>extended-key-{params['id']}</accessKey>"
            )
        return 200, _error("SERVICE_DOES_NOT_EXISTS", f"Service {service} does not exist")

    def _session(self) -> bytes:
        with self._lock:
            self.sessions_started += 1
            n = self.sessions_started
        expiry = int(time.time()) + self.session_ttl
        return _xml(
            f"<objectType>KalturaSessionInfo</objectType><ks>vendor-ks-{n}</ks><partnerId>700</partnerId>"
            f"<expiry>{expiry}</expiry><sessionType>2</sessionType><privileges>disableentitlement</privileges>"
        )
