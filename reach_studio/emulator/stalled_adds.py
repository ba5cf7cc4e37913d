"""The stalled-add fault: an `add` that outlives the client's timeout and lands later.

Why: Kaltura has no idempotency key, so a vendor whose add timed out cannot know whether the object exists;
a PHP request keeps running after the client hung up and creates the object seconds later. The emulator
does the same: `emu.faults.stall_next_adds(count, seconds, service=...)` makes the next `count` add calls
(of `service`, e.g. "caption_captionasset", or of any service) wait `seconds` before they are carried out,
long after a client with a shorter timeout gave up; the object then lands as a normal add would make it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class StalledAdds:
    """Counts the add calls still to stall (part of `Faults`; reset with it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.remaining = 0
            self.seconds = 0.0
            self.service: str | None = None
            self.stalled = 0  # add calls stalled so far (tests check the fault really fired)

    def arm(self, count: int, seconds: float, service: str | None = None) -> None:
        if count < 0 or seconds < 0:
            raise ValueError("count and seconds must not be negative")
        with self._lock:
            self.remaining, self.seconds = int(count), float(seconds)
            self.service = service.lower() if service else None

    def hold(self, service: str | None, action: str | None, sleep: Callable[[float], None]) -> None:
        """Called before an API action runs: stalls it when it is one of the armed adds."""
        if str(action or "").lower() != "add":
            return
        with self._lock:
            if self.remaining <= 0 or (self.service and str(service or "").lower() != self.service):
                return
            self.remaining -= 1
            self.stalled += 1
            seconds = self.seconds
        sleep(seconds)
