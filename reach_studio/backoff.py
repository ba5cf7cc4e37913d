"""The one retry pause of the app: exponential, capped, with jitter, and a sleep that Cancel interrupts.

API calls (kaltura/connection.py), chunked uploads (kaltura/chunked_upload.py) and media downloads
(media/hls_fetch.py, media/http_fetch.py) all pause with these, so a flaky server sees one rhythm from us
and parallel workers never retry in step.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator

from reach_studio.domain.progress import Cancelled, CancelToken

BASE_S = 0.25
CAP_S = 8.0


def delay(attempt: int, base_s: float = BASE_S, cap_s: float = CAP_S) -> float:
    """The pause after failed attempt number `attempt` (0 for the first): base × 2^attempt, at most `cap_s`,
    ±25 % jitter."""
    return min(cap_s, base_s * (2 ** min(attempt, 30))) * (0.75 + random.random() * 0.5)


def delays(retries: int, base_s: float = BASE_S, cap_s: float = CAP_S) -> Iterator[float]:
    """The pauses before attempts 2..retries+1."""
    for attempt in range(retries):
        yield delay(attempt, base_s, cap_s)


def sleep_unless_cancelled(
    seconds: float, token: CancelToken | None, stop: threading.Event | None = None
) -> None:
    """Sleep in small steps so that Cancel (or `stop`) is honoured within a tenth of a second."""
    end = time.monotonic() + seconds
    while True:
        if token is not None:
            token.raise_if_cancelled()
        if stop is not None and stop.is_set():
            raise Cancelled()
        left = end - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(0.1, left))
