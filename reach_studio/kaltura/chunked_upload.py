"""Resumable chunked upload through Kaltura's uploadToken service (add, then upload with resume/resumeAt).

Why: the official client sends any call carrying a file with a hard 10 s timeout (platform-notes §2) and
never retries a dropped connection, so one big POST of a dubbed track or a sign-language video fails on
any slow or flaky link. We upload in chunks sized to take about two seconds each, and after any failure
ask the server how much it holds (``uploadedFileSize``) and continue from there, never from zero. The
token id is handed to the caller (the delivery journal) as soon as it exists so that a restarted process
continues the same token.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from KalturaClient.exceptions import KalturaClientException, KalturaException
from KalturaClient.Plugins.Core import KalturaUploadToken

from reach_studio import backoff
from reach_studio.domain.delivery_plan import DeliveryError, FileSource
from reach_studio.domain.enums import UploadTokenStatus
from reach_studio.domain.progress import CancelToken, ProgressCallback

log = logging.getLogger(__name__)

T = TypeVar("T")
CallFn = Callable[[Callable[[Any], Any]], Any]
"""Runs fn(client) with the task's KS (e.g. ``lambda fn: connection.call(fn, task, retries=0)``)."""

MiB = 1024 * 1024
MIN_CHUNK = 256 * 1024
MAX_CHUNK = 64 * MiB
DEFAULT_FIRST_CHUNK = 8 * MiB
TARGET_CHUNK_SECONDS = 2.0  # well inside the client's fixed 10 s timeout for calls with files

# Server answers that mean the token cannot take more data: start a new token.
_DEAD_TOKEN_CODES = frozenset({"UPLOAD_TOKEN_NOT_FOUND", "UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD"})


def is_transient(exc: BaseException) -> bool:
    """True for failures where the same request may well succeed later (network, 5xx, timeouts)."""
    if isinstance(exc, DeliveryError):
        return exc.retryable
    for attr in ("transient", "retryable"):
        if isinstance(getattr(exc, attr, None), bool):
            return bool(getattr(exc, attr))
    if isinstance(exc, KalturaClientException):
        return exc.code in (
            KalturaClientException.ERROR_CONNECTION_FAILED,
            KalturaClientException.ERROR_READ_FAILED,
            KalturaClientException.ERROR_READ_TIMEOUT,
            KalturaClientException.ERROR_INVALID_XML,
            KalturaClientException.ERROR_RESULT_NOT_FOUND,
        )
    if isinstance(exc, KalturaException):
        return str(exc.code) in ("INTERNAL_SERVERL_ERROR", "INTERNAL_SERVER_ERROR")
    return isinstance(exc, (OSError, TimeoutError, ConnectionError))


def error_code(exc: BaseException) -> str:
    return str(getattr(exc, "code", "") or "")


def short_reason(exc: BaseException) -> str:
    """A one-line reason without secrets (ReachError messages are already redacted by the connection)."""
    text = getattr(exc, "message", None) or str(exc)
    text = str(text).splitlines()[0] if str(text) else type(exc).__name__
    return text[:200]


@dataclass(frozen=True)
class UploadResult:
    token_id: str
    size: int
    resumed_from: int  # bytes the server already held when this run started (0 for a fresh token)
    chunks: int  # upload calls made by this run
    status: UploadTokenStatus  # FULL_UPLOAD, or CLOSED when it was already attached


class _ChunkFile(io.BytesIO):
    """A chunk in memory with a file name, so the client sends filename= like for a real file."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name


class ChunkedUploader:
    """Uploads one file to an upload token in adaptive chunks, resuming from the server's state."""

    def __init__(
        self,
        call: CallFn,
        *,
        chunk_size: int | None = None,
        max_failures: int = 8,
        backoff: float = 0.3,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._call = call
        self.fixed_chunk = chunk_size
        self.max_failures = max_failures
        self.backoff = backoff
        self._sleep = sleep

    def upload(
        self,
        source: FileSource,
        *,
        token_id: str | None = None,
        on_token: Callable[[str], None] | None = None,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> UploadResult:
        """Upload `source` (bytes or a file), continuing `token_id` if given; returns the token id."""
        if source.is_url:
            raise DeliveryError("A URL resource is pulled by Kaltura, not uploaded", step=None)
        size = source.size
        reader = _Reader(source)
        try:
            token = self._usable_token(token_id, source) if token_id else None
            if token is None:
                token = self._retrying(
                    lambda c: c.uploadToken.add(
                        KalturaUploadToken(fileName=source.name, fileSize=float(size))
                    ),
                    "create an upload token for it",
                )
                token_id = str(token.id)
                if on_token:
                    on_token(token_id)
            assert token_id is not None
            status = _status(token)
            if status in (UploadTokenStatus.FULL_UPLOAD, UploadTokenStatus.CLOSED):
                return UploadResult(token_id, size, size, 0, status)
            offset = _uploaded(token)
            resumed_from = offset
            if offset:
                log.info("Resuming upload of %s at %d of %d bytes", source.name, offset, size)
            chunk = self.fixed_chunk or DEFAULT_FIRST_CHUNK
            chunks = failures = unfinished = 0
            while True:
                if cancel is not None:
                    cancel.raise_if_cancelled()
                n = min(chunk, size - offset)
                data = reader.read(offset, n)
                final = offset + n >= size
                started = time.monotonic()
                try:
                    result = self._call(_upload_call(token_id, data, source.name, offset, final))
                except Exception as exc:  # noqa: BLE001 - classified below
                    if not is_transient(exc) and error_code(exc) not in (
                        "UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE",
                    ):
                        if error_code(exc) in _DEAD_TOKEN_CODES:
                            raise DeliveryError(
                                f"The upload token was refused: {short_reason(exc)}", retryable=True
                            ) from None
                        raise DeliveryError(f"Upload of {source.name} failed: {short_reason(exc)}") from None
                    failures += 1
                    if failures > self.max_failures:
                        raise DeliveryError(
                            f"Upload of {source.name} kept failing: {short_reason(exc)}", retryable=True
                        ) from None
                    self._sleep(backoff.delay(failures - 1, self.backoff))
                    # Ask the server what it has: never assume the chunk was lost (or kept).
                    token = self._retrying(
                        lambda c: c.uploadToken.get(token_id), "read the upload token's state"
                    )
                    status = _status(token)
                    if status in (UploadTokenStatus.FULL_UPLOAD, UploadTokenStatus.CLOSED):
                        break
                    offset = min(_uploaded(token), size)
                    chunk = max(MIN_CHUNK, chunk // 2) if not self.fixed_chunk else chunk
                    continue
                chunks += 1
                failures = 0
                elapsed = max(time.monotonic() - started, 1e-3)
                server_offset = _uploaded(result)
                offset = (
                    server_offset if server_offset is not None and server_offset >= offset else offset + n
                )
                if progress is not None:
                    progress(min(offset, size), size)
                if _status(result) in (UploadTokenStatus.FULL_UPLOAD, UploadTokenStatus.CLOSED):
                    break
                if final:
                    # The last chunk was answered without FULL_UPLOAD (e.g. kept aside past a gap). Kaltura
                    # attaches an unfinished token without a word and the asset then waits forever: never
                    # report it done, continue from what the server really has.
                    unfinished += 1
                    if unfinished > self.max_failures:
                        raise DeliveryError(
                            f"Upload of {source.name} did not finish on the server", retryable=True
                        )
                    token = self._retrying(
                        lambda c: c.uploadToken.get(token_id), "read the upload token's state"
                    )
                    if _status(token) in (UploadTokenStatus.FULL_UPLOAD, UploadTokenStatus.CLOSED):
                        break
                    offset = min(_uploaded(token), size)
                    continue
                if not self.fixed_chunk:
                    chunk = _next_chunk(chunk, n, elapsed)
            return UploadResult(token_id, size, resumed_from, chunks, UploadTokenStatus.FULL_UPLOAD)
        finally:
            reader.close()

    def _usable_token(self, token_id: str, source: FileSource) -> Any:
        try:
            token = self._retrying(lambda c: c.uploadToken.get(token_id), "read the upload token's state")
        except DeliveryError as exc:
            if exc.retryable:
                raise
            return None  # gone (deleted, expired): start a new one
        if _status(token) in (UploadTokenStatus.TIMED_OUT, UploadTokenStatus.DELETED):
            return None
        file_size = getattr(token, "fileSize", None)
        if isinstance(file_size, (int, float)) and file_size and int(file_size) != source.size:
            return None
        return token

    def _retrying(self, fn: Callable[[Any], T], what: str) -> T:
        failures = 0
        while True:
            try:
                return self._call(fn)
            except Exception as exc:  # noqa: BLE001
                if not is_transient(exc):
                    raise DeliveryError(f"Could not {what}: {short_reason(exc)}") from None
                failures += 1
                if failures > self.max_failures:
                    raise DeliveryError(f"Could not {what}: {short_reason(exc)}", retryable=True) from None
                self._sleep(backoff.delay(failures - 1, self.backoff))


def _upload_call(token_id: str, data: bytes, name: str, offset: int, final: bool) -> Callable[[Any], Any]:
    def fn(client: Any) -> Any:
        # A fresh file object per attempt: a retried request must not send a half-read stream.
        return client.uploadToken.upload(
            token_id, _ChunkFile(data, name), offset > 0, final, float(offset) if offset > 0 else -1
        )

    return fn


def _next_chunk(current: int, sent: int, elapsed: float) -> int:
    if sent < current:  # the last, short chunk says nothing about speed
        return current
    ideal = int(sent * TARGET_CHUNK_SECONDS / elapsed)
    ideal = max(current // 2, min(current * 4, ideal))  # change gradually
    return max(MIN_CHUNK, min(MAX_CHUNK, ideal - ideal % MIN_CHUNK or MIN_CHUNK))


def _status(token: Any) -> UploadTokenStatus | None:
    value = getattr(token, "status", None)
    if value is None:
        return None
    value = value.getValue() if hasattr(value, "getValue") else value
    try:
        return UploadTokenStatus(int(value))
    except (TypeError, ValueError):
        return None


def _uploaded(token: Any) -> int:
    value = getattr(token, "uploadedFileSize", None)
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


class _Reader:
    def __init__(self, source: FileSource) -> None:
        self._data = source.data
        self._fh = None
        if source.data is None:
            if not source.path:
                raise DeliveryError(f"Nothing to upload for {source.name}")
            try:
                self._fh = Path(source.path).open("rb")  # noqa: SIM115 - closed in close()
            except OSError as exc:
                raise DeliveryError(f"Cannot read {source.name}: {exc.strerror}") from None

    def read(self, offset: int, n: int) -> bytes:
        if self._data is not None:
            return bytes(self._data[offset : offset + n])
        assert self._fh is not None
        self._fh.seek(offset)
        return self._fh.read(n)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
