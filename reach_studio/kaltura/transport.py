"""The HTTP transport under the official Kaltura client: every API call within a total deadline, a minimum
rate and a size cap on the answer, checked before anything is parsed.

Why it exists: `KalturaClient.openRequestUrl` posts with `requests` and `readHttpResponse` reads the
whole body (`r.content`), with only a per-read timeout. A server dripping one byte every few seconds held
a call for minutes and a 400 MB answer was read whole into memory (then parsed). `send` does the same
request through a guarded session (bounded_http.Guard) and reads the body piecewise up to the cap; the
client then finds the body already read on the response. Errors come back as `LimitExceeded`, naming the
API call (service.action) and the limit it broke; `ReachConnection` turns them into ReachErrors.
"""

from __future__ import annotations

import mimetypes
import os
import re
from dataclasses import replace
from typing import Any

import requests
from KalturaClient.exceptions import KalturaClientException
from requests_toolbelt.multipart.encoder import MultipartEncoder

from reach_studio.bounded_http import Guard, LimitExceeded, Limits, guarded_session

MAX_ANSWER_BYTES = 32 * 1024 * 1024  # a getJobs page of 500 tasks with its profiles is well under 5 MB
MIN_UPLOAD_RATE_BPS = 16 * 1024  # an upload chunk (sized for ~2 s) must go out at least this fast

_CALL_NAME = re.compile(r"/service/([^/?]+)(?:/action/([^/?]+))?")

__all__ = ["MAX_ANSWER_BYTES", "LimitExceeded", "Limits", "api_call_name", "api_limits", "get_small", "send"]


def api_call_name(url: str) -> str:
    """ "reach_entryvendortask.getJobs" for an api_v3 URL (what a message about this call should name)."""
    match = _CALL_NAME.search(url)
    if not match:
        return "the API call"
    return ".".join(p for p in match.groups() if p)


def api_limits(request_timeout: float, max_bytes: int = MAX_ANSWER_BYTES) -> Limits:
    """Limits for one API call: headers within the request timeout, the whole answer within 4× that."""
    return Limits(
        deadline_s=max(60.0, 4 * request_timeout),
        header_timeout_s=request_timeout,
        min_rate_bps=2048.0,
        rate_window_s=min(10.0, max(2.0, request_timeout)),
        max_bytes=max_bytes,
    )


class _CountingBody:
    """A multipart body that tells the guard how much has gone out (uploads are bounded by rate too)."""

    def __init__(self, encoder: MultipartEncoder, guard: Guard) -> None:
        self._encoder = encoder
        self._guard = guard
        self.len = encoder.len

    def __len__(self) -> int:
        return self.len

    def read(self, size: int = -1) -> bytes:
        data = self._encoder.read(size)
        if data:
            self._guard.sent(len(data))
        else:
            self._guard.sent_all()
        return data


def _file_fields(files: dict[str, Any]) -> list[tuple[str, tuple[str | None, Any, str | None]]]:
    out = []
    for key, value in files.items():
        if hasattr(value, "read"):
            name = getattr(value, "name", None)
            out.append((key, (name, value, mimetypes.guess_type(name)[0] if name else None)))
    return out


def send(
    url: str,
    params: Any,
    files: dict[str, Any] | None,
    headers: dict[str, str],
    read_timeout: float,
    limits: Limits,
) -> requests.Response:
    """POST one API request like the official client does, within `limits`; the body is read already.

    Raises KalturaClientException for connection/read failures (as the client would) and LimitExceeded
    when a limit was broken.
    """
    what = api_call_name(url)
    headers = dict(headers)
    headers["Accept"] = "text/xml"
    headers["Accept-encoding"] = "gzip"
    body: dict[str, Any] = {}
    session = guarded_session(pool_maxsize=1)
    try:
        with Guard(_upload_limits(limits, files, params), what) as guard:
            try:
                if files:
                    headers.pop("Content-Type", None)
                    encoder = MultipartEncoder(fields=[("json", params.toJson()), *_file_fields(files)])
                    headers["Content-Type"] = encoder.content_type
                    guard.sending()
                    body["data"] = _CountingBody(encoder, guard)
                else:
                    headers["Content-Type"] = "application/json"
                    if params.get():
                        body["json"] = params.get()
                timeout = (min(10.0, read_timeout), read_timeout)
                response = session.post(
                    url, headers=headers, timeout=timeout, stream=True, allow_redirects=False, **body
                )
            except LimitExceeded:
                raise
            except Exception as exc:  # noqa: BLE001 - reported the way the official client reports it
                guard.raise_if_tripped()
                raise KalturaClientException(exc, KalturaClientException.ERROR_CONNECTION_FAILED) from None
            try:
                content = guard.read_body(response)
            except LimitExceeded:
                response.close()
                raise
            except Exception as exc:  # noqa: BLE001
                response.close()
                guard.raise_if_tripped()
                raise KalturaClientException(exc, KalturaClientException.ERROR_READ_FAILED) from None
            response._content = content  # what KalturaClient.readHttpResponse returns (r.content)
            response._content_consumed = True
            return response
    finally:
        session.close()


def get_small(
    url: str, read_timeout: float, max_bytes: int, deadline_at: float | None = None
) -> tuple[int, bytes]:
    """GET a small file a Kaltura call named (a caption's getUrl): (HTTP status, body) within API limits.

    The URL carries its own key; nothing is added to it. Raises LimitExceeded, or requests' errors."""
    limits = api_limits(read_timeout, max_bytes).until(deadline_at)
    session = guarded_session(pool_maxsize=1)
    try:
        with Guard(limits, "the caption download") as guard:
            try:
                response = session.get(url, timeout=(min(10.0, read_timeout), read_timeout), stream=True)
            except Exception:
                guard.raise_if_tripped()
                raise
            with response:
                if response.status_code >= 400:
                    return response.status_code, b""
                return response.status_code, guard.read_body(response)
    finally:
        session.close()


def _upload_limits(limits: Limits, files: dict[str, Any] | None, params: Any) -> Limits:
    """A request carrying a file may take as long as its size at the minimum upload rate."""
    if not files or limits.deadline_s is None:
        return limits
    size = 0
    for value in files.values():
        try:
            size += (
                len(value.getbuffer()) if hasattr(value, "getbuffer") else os.fstat(value.fileno()).st_size
            )
        except (AttributeError, OSError, TypeError, ValueError):
            pass
    return replace(limits, deadline_s=limits.deadline_s + size / MIN_UPLOAD_RATE_BPS)
