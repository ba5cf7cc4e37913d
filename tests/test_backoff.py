"""One retry rhythm for API calls, uploads and downloads: exponential, capped, jittered, cancellable."""

import threading
import time

import pytest

from reach_studio import backoff
from reach_studio.domain.progress import Cancelled, CancelToken


def test_pauses_double_within_jitter_and_stop_at_the_cap():
    for attempt, nominal in [(0, 0.25), (1, 0.5), (2, 1.0), (3, 2.0), (6, 8.0), (40, 8.0)]:
        pauses = [backoff.delay(attempt) for _ in range(200)]
        assert nominal * 0.75 <= min(pauses) and max(pauses) <= nominal * 1.25
        assert len(set(pauses)) > 100  # jittered: parallel workers do not retry in step


def test_delays_gives_one_pause_per_retry():
    assert len(list(backoff.delays(5))) == 5
    assert list(backoff.delays(0)) == []


def test_cancel_ends_the_pause_at_once():
    token = CancelToken()
    threading.Timer(0.1, token.cancel).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        backoff.sleep_unless_cancelled(30, token)
    assert time.monotonic() - started < 5
