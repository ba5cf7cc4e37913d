"""Turns a captioner's lines into interim and final caption messages timed from the stream's start.

Why it exists: whatever the source — a captioner typing in the live console, a text file, stdin fed
by a stenography tool — Kaltura wants the same thing: interim results while an utterance is being
written (each one replacing the last) and one final result per utterance, timed in seconds since
the stream started, then one end-of-stream message. The relay keeps the clock and the utterance in
progress; the messages themselves come from caption_messages. A line starting with "[Name] " names
the speaker.

Stream time: with a `stream_clock` (the media position the captioner hears, from the ingest) captions
carry the media's own times, so they line up with what Kaltura plays; without one (no ingest) they are
timed from the moment the stream started (Kaltura connected).
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from reach_studio.domain.progress import CancelToken
from reach_studio.live.caption_messages import build_message

Message = dict[str, Any]
SECONDS_PER_WORD = 0.35  # a final typed without interims is assumed to have been spoken at ~170 wpm
_SPEAKER = re.compile(r"^\s*\[([^\]\n]{1,60})\]\s*")


class RelayError(Exception):
    """The relay was used out of order (e.g. captions after the end of stream)."""


def split_speaker(line: str) -> tuple[str | None, str]:
    """("Name", "text") for "[Name] text"; (None, line) otherwise."""
    match = _SPEAKER.match(line)
    if match:
        return match.group(1).strip(), line[match.end() :].strip()
    return None, line.strip()


class CaptionRelay:
    """Interim/final messages for one stream; `send` gets each message (e.g. CaptionChannel.send)."""

    def __init__(
        self,
        send: Callable[[Message], None],
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        message_type: str = "captions",
        stream_clock: Callable[[], float | None] | None = None,
    ) -> None:
        self._send = send
        self._stream_clock = stream_clock
        self._clock = clock
        self._wall = wall_clock
        self._type = message_type
        self._lock = threading.Lock()
        self._t0: float | None = None
        self._epoch = 0.0
        self._last_end = 0.0
        self._utterance: str | None = None  # id shared by the interims and the final of one utterance
        self._utterance_start = 0.0
        self._last_interim = ""
        self.ended = False
        self.finals = 0
        self.interims = 0
        self.held = False  # hold: nothing goes out; finals wait here with their stream times
        self._held: list[Message] = []
        self._last_final: Message | None = None

    def hold(self, on: bool) -> list[Message]:
        """Hold (True) or release (False) the captions; releasing sends the held finals in order."""
        with self._lock:
            self.held = bool(on)
            released, self._held = (self._held, []) if not on else ([], self._held)
        for msg in released:
            self._send(msg)
        return released

    def correct_last(self, text: str) -> Message | None:
        """Send the last final again with new text: same id, same times (it replaces the one sent)."""
        with self._lock:
            self._check_open()
            last = self._last_final
            label, clean = self._speaker(text, None)
            if last is None or not clean:
                return None
            r = last["response"]
            old_label = next((sp.get("label") for sp in r.get("speakers") or []), None)
            msg = build_message(
                clean,
                r["start"],
                r["end"],
                is_final=True,
                stream_epoch=r["start_epoch"] - r["start"],
                message_id=r["id"],
                message_type=self._type,
                speaker_label=label or old_label,
            )
            self._last_final = msg
            if self.held:
                self._held = [m for m in self._held if m["response"]["id"] != r["id"]] + [msg]
                return msg
        self._send(msg)
        return msg

    @property
    def last_final(self) -> Message | None:
        return self._last_final

    @property
    def started(self) -> bool:
        return self._t0 is not None

    def start(self) -> None:
        """The stream starts now (Kaltura connected): every time is measured from here."""
        with self._lock:
            if self._t0 is None:
                self._t0 = self._clock()
                self._epoch = self._wall()

    def elapsed(self) -> float:
        media = self._stream_clock() if self._stream_clock is not None else None
        if media is not None:
            return max(0.0, media)
        return 0.0 if self._t0 is None else max(0.0, self._clock() - self._t0)

    def interim(self, text: str, speaker: str | None = None) -> Message | None:
        """The utterance as typed so far; None when there is nothing new to say."""
        with self._lock:
            self._check_open()
            label, text = self._speaker(text, speaker)
            if not text or text == self._last_interim:
                return None
            now = self.elapsed_locked()
            if self._utterance is None:
                self._utterance = str(uuid.uuid4())
                self._utterance_start = max(self._last_end, now)
            self._last_interim = text
            if self.held:  # the captioner holds: no interim goes out (the final will, on release)
                return None
            msg = build_message(
                text,
                self._utterance_start,
                max(now, self._utterance_start),
                is_final=False,
                stream_epoch=self._epoch,
                message_id=self._utterance,
                message_type=self._type,
                speaker_label=label,
            )
            self.interims += 1
        self._send(msg)
        return msg

    def final(self, text: str, speaker: str | None = None) -> Message | None:
        """The finished utterance; it replaces the interims sent for it. None for an empty line."""
        with self._lock:
            self._check_open()
            label, text = self._speaker(text, speaker)
            if not text:
                return None
            now = self.elapsed_locked()
            if self._utterance is None:
                start = max(self._last_end, now - SECONDS_PER_WORD * max(1, len(text.split())))
                message_id = str(uuid.uuid4())
            else:
                start, message_id = self._utterance_start, self._utterance
            end = max(now, start)
            msg = build_message(
                text,
                start,
                end,
                is_final=True,
                stream_epoch=self._epoch,
                message_id=message_id,
                message_type=self._type,
                speaker_label=label,
            )
            self._last_end = end
            self._utterance = None
            self._last_interim = ""
            self.finals += 1
            self._last_final = msg
            if self.held:
                self._held.append(msg)
                return msg
        self._send(msg)
        return msg

    def end(self) -> Message:
        """The last message of the stream (an unfinished utterance is sent as final first)."""
        self.hold(False)  # what was held goes out before the end
        pending = None
        with self._lock:
            self._check_open()
            if self._utterance is not None and self._last_interim:
                pending = self._last_interim
        if pending:
            self.final(pending)
        with self._lock:
            now = max(self.elapsed_locked(), self._last_end)
            msg = build_message(
                "",
                now,
                now,
                is_final=True,
                is_end_of_stream=True,
                stream_epoch=self._epoch,
                message_type=self._type,
            )
            self.ended = True
        self._send(msg)
        return msg

    # ---- helpers -----------------------------------------------------------------------------------
    def elapsed_locked(self) -> float:
        media = self._stream_clock() if self._stream_clock is not None else None
        if media is not None:  # the media position: epoch = the wall clock when the stream was at 0
            self._epoch = self._wall() - media
            if self._t0 is None:
                self._t0 = self._clock() - media
            return round(max(0.0, media), 3)
        if self._t0 is None:  # a caption before the stream started starts it
            self._t0 = self._clock()
            self._epoch = self._wall()
        return round(max(0.0, self._clock() - self._t0), 3)

    def _check_open(self) -> None:
        if self.ended:
            raise RelayError("the caption stream has ended")

    @staticmethod
    def _speaker(text: str, speaker: str | None) -> tuple[str | None, str]:
        label, clean = split_speaker(text or "")
        return (speaker or label), clean


def relay_lines(
    lines: Iterable[str],
    relay: CaptionRelay,
    *,
    pace: float = 0.0,
    interims: bool = True,
    cancel: CancelToken | None = None,
    sleep: Callable[[float], None] = time.sleep,
    end: bool = True,
) -> int:
    """Relay lines (a file, stdin) as captions; returns how many finals were sent.

    Each line becomes interims growing word by word (when `interims`) and then one final. `pace` is how
    long one line takes to "speak" (0 = as fast as the lines come, e.g. stdin from a captioning tool).
    At the end of the lines the end-of-stream message is sent (when `end`).
    """
    sent = 0
    for raw in lines:
        if cancel is not None and cancel.cancelled:
            break
        label, text = split_speaker(raw.rstrip("\r\n"))
        if not text:
            continue
        words = text.split()
        if interims and len(words) > 1:
            step = pace / len(words) if pace > 0 else 0.0
            for n in range(1, len(words)):
                relay.interim(" ".join(words[:n]), speaker=label)
                if step:
                    sleep(step)
            if step:
                sleep(step)
        elif pace > 0:
            sleep(pace)
        if relay.final(text, speaker=label) is not None:
            sent += 1
    if end and not relay.ended and not (cancel is not None and cancel.cancelled):
        relay.end()
    return sent
