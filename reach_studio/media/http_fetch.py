"""Resumable progressive download (the `http` playback source): `Range: bytes=N-` continues a `.part` file.

Used when an entry has no HLS source, and for any single large file. A dropped connection or a killed app
resumes from the bytes already on disk; `If-Range` makes sure those bytes belong to the same file.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import requests

from reach_studio import backoff
from reach_studio.domain.progress import CancelToken, ProgressCallback
from reach_studio.key_scope import KeyScope
from reach_studio.media.errors import MediaError
from reach_studio.media.transfer import (
    MEDIA_LIMITS,
    SlowBudget,
    TransientError,
    cancellable_get,
    check_http_url,
    describe,
    new_session,
    raise_for_status,
)

_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)
_UNSATISFIED = re.compile(r"^\s*bytes\s+\*/(\d+)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class HttpFetchResult:
    path: Path
    size: int
    bytes_downloaded: int  # in this call; less than size when a previous run's bytes were reused
    resumed_from: int  # bytes already on disk when this call started


def part_path(dest: Path) -> Path:
    return dest.with_name(dest.name + ".part")


def _meta_path(dest: Path) -> Path:
    return dest.with_name(dest.name + ".part.json")


def _load_validator(dest: Path) -> str | None:
    try:
        return json.loads(_meta_path(dest).read_text("utf-8")).get("validator")
    except (OSError, ValueError, AttributeError):
        return None


def _save_validator(dest: Path, response: requests.Response) -> str | None:
    etag = response.headers.get("ETag")
    validator = etag if etag and not etag.startswith("W/") else response.headers.get("Last-Modified")
    _meta_path(dest).write_text(json.dumps({"validator": validator}), "utf-8")
    return validator


def download(
    url: str,
    dest: Path,
    *,
    progress: ProgressCallback | None = None,
    token: CancelToken | None = None,
    retries: int = 5,
    session: requests.Session | None = None,
    headers: dict[str, str] | None = None,
    secret_headers: dict[str, str] | None = None,
    key_scope: KeyScope | None = None,
    max_bytes: int | None = None,
) -> HttpFetchResult:
    """Download `url` to `dest`, resuming `dest.part` if present; progress is (bytes_done, bytes_total).

    `dest` appears only when complete. Cancel leaves the `.part` for a later resume and raises `Cancelled`.
    Raises `MediaError` for refused requests (4xx), exhausted retries, a size limit or a server that
    answers a range request with the wrong range. Each attempt runs within transfer.MEDIA_LIMITS (a total
    deadline from the file's size and a minimum rate); `secret_headers` (the KS) go only to hosts in
    `key_scope` (default: the host of `url`), never across a redirect to another host.
    """
    check_http_url(url)
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = part_path(dest)
    own_session = session is None
    session = session or new_session()
    what = describe(url)
    resumed_from = part.stat().st_size if part.exists() else 0
    counter = [0]  # bytes received over all attempts, including ones cut short
    total: int | None = None
    delays = backoff.delays(retries)
    slow = SlowBudget()
    last_error = ""
    try:
        while True:
            if token is not None:
                token.raise_if_cancelled()
            try:
                total, finished = _attempt(
                    session,
                    url,
                    dest,
                    part,
                    headers or {},
                    progress,
                    token,
                    max_bytes,
                    what,
                    counter,
                    secret_headers,
                    key_scope,
                )
                if finished:
                    break
                raise TransientError(f"connection closed early while downloading {what}")
            except (TransientError, requests.ConnectionError, requests.Timeout) as exc:
                slow.check(exc, f"download of {what}")
                last_error = str(exc) if isinstance(exc, TransientError) else type(exc).__name__
                try:
                    delay = next(delays)
                except StopIteration:
                    raise MediaError(
                        f"download of {what} failed after {retries + 1} attempts: {last_error}"
                    ) from None
                backoff.sleep_unless_cancelled(delay, token)
            except requests.RequestException as exc:
                raise MediaError(f"download of {what} failed: {type(exc).__name__}") from exc
    finally:
        if own_session:
            session.close()
    size = part.stat().st_size
    if total is not None and size != total:
        raise MediaError(f"download of {what} has {size} bytes, the server announced {total}")
    os.replace(part, dest)
    _meta_path(dest).unlink(missing_ok=True)
    return HttpFetchResult(path=dest, size=size, bytes_downloaded=counter[0], resumed_from=resumed_from)


def _attempt(
    session: requests.Session,
    url: str,
    dest: Path,
    part: Path,
    headers: dict[str, str],
    progress: ProgressCallback | None,
    token: CancelToken | None,
    max_bytes: int | None,
    what: str,
    counter: list[int],
    secret_headers: dict[str, str] | None = None,
    key_scope: KeyScope | None = None,
) -> tuple[int | None, bool]:
    """One request; returns (total size or None, finished). Bytes received are added to counter[0]."""
    have = part.stat().st_size if part.exists() else 0
    request_headers = dict(headers)
    request_headers["Accept-Encoding"] = "identity"  # byte offsets must be offsets of the file itself
    if have:
        request_headers["Range"] = f"bytes={have}-"
        validator = _load_validator(dest)
        if validator:
            request_headers["If-Range"] = validator
    with cancellable_get(
        session,
        url,
        headers=request_headers,
        secret_headers=secret_headers,
        key_scope=key_scope,
        token=token,
        limits=MEDIA_LIMITS,
    ) as got:
        response = got.response
        if response.status_code == 416 and have:
            match = _UNSATISFIED.match(response.headers.get("Content-Range", ""))
            if match and int(match.group(1)) == have:
                return have, True  # the .part already holds the whole file
            part.unlink()  # the file changed or shrank: start again
            raise TransientError(f"range not satisfiable for {what}; restarting")
        raise_for_status(response, what)
        if response.status_code == 206:
            match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
            if not match or int(match.group(1)) != have:
                raise MediaError(
                    f"server answered a resume of {what} at byte {have} with the wrong range "
                    f"({response.headers.get('Content-Range', 'none')})"
                )
            total = None if match.group(3) == "*" else int(match.group(3))
            mode = "ab"
        else:
            # 200: the server ignored the range (or the file changed, If-Range): start from zero
            have = 0
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            mode = "wb"
            _save_validator(dest, response)
        if max_bytes is not None and total is not None and total > max_bytes:
            raise MediaError(f"{what} is {total} bytes, more than the allowed {max_bytes}")
        received = 0
        with open(part, mode) as fh:
            if progress is not None:
                progress(have, total or 0)
            try:
                for chunk in got.chunks():
                    if token is not None:
                        token.raise_if_cancelled()
                    if not chunk:
                        continue
                    fh.write(chunk)
                    received += len(chunk)
                    counter[0] += len(chunk)
                    done = have + received
                    if max_bytes is not None and done > max_bytes:
                        raise MediaError(f"{what} is larger than the allowed {max_bytes} bytes")
                    if progress is not None:
                        progress(done, total or 0)
            except (requests.exceptions.ChunkedEncodingError, requests.ConnectionError) as exc:
                fh.flush()
                raise TransientError(f"connection lost while downloading {what}") from exc
        finished = total is None or have + received >= total
        return total, finished
