"""Kaltura's live caption puller: connects to the vendor's `captionUrl` and records what it receives.

Why it exists: in a live REACH event Kaltura is the websocket *client* — when the stream starts it
opens the caption URL the vendor set on the event's KalturaLiveCaptionFeature, authenticates with the
feature's `captionToken`, reads caption messages and turns them into WebVTT for the player. The
emulator plays that part so the vendor side can be tested end to end: at the task's start date (a
watcher thread checks once a second) or on `emu.control.start_live(event_id)`, one pull per feature
with a caption URL. Every message is checked against the §8 schema (live/caption_messages, the one
definition of the wire format) and recorded as a `live_caption` object:

    emu.inspect.objects("live_caption", scheduleEventId=7001, recordType="message")
    # recordType: connected | message | end_of_stream | refused | closed | error

The token goes as a `?token=` query parameter (token_mode="query", the default) or as a first message
`{"token": ...}` (token_mode="first_message"). A refusal by the vendor's server (close code 44xx) is
recorded as `refused`. The pull ends at the end-of-stream message, at the task's end date, or on
`emu.control.end_live(event_id)` (the stream ends: Kaltura disconnects).

The guide's first authentication layer — a token Kaltura and the vendor agreed beforehand, used at an
auth URL the vendor gave — is `emu.live.vendor_auth = {"authUrl": ..., "token": ...}`: the puller then
first GETs the auth URL with `Authorization: Bearer <token>`, and opens the websocket with the
`access_token` it got back as its own Bearer header (the caption token still goes as above).

Kaltura's restream (emulator/live_push): when the event starts, a feature whose mediaUrl is an
rtmp:// address on this machine gets the event's media pushed in real time to `<mediaUrl>/<mediaKey>`
(`emu.live.push_media`, `media_seconds` or `media_path`); records `stream_started` / `stream_ended`
(outcome completed | refused | no ingest listening | stopped). Each caption record also carries
`mediaPosition`, where the push was when the message arrived.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.sync.client import connect

from reach_studio.domain.enums import ScheduleEventStatus, TaskStatus
from reach_studio.emulator.live_push import MediaPush, event_media
from reach_studio.live.caption_messages import schema_problems

if TYPE_CHECKING:
    from reach_studio.emulator.server import Emulator

log = logging.getLogger(__name__)
_ws_log = logging.getLogger("reach_studio.emulator.caption_puller.websocket")
_ws_log.setLevel(logging.WARNING)  # handshake lines carry ?token=

KIND = "live_caption"
FEATURE_PREFIX = "LiveCaptionFeature-reach-"
MAX_MESSAGES = 100_000


class LiveControlError(Exception):
    """start_live/end_live was asked for something that is not a live event with a caption feature."""


class _Pull:
    def __init__(
        self, puller: CaptionPuller, event: dict[str, Any], feature: dict[str, Any], task_id: int | None
    ):
        self.puller = puller
        self.event_id = int(event["id"])
        self.feature_name = str(feature.get("systemName") or "")
        self.task_id = task_id
        self.url = str(feature.get("captionUrl") or "")
        self._token = str(feature.get("captionToken") or "")
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"caption-puller-{self.event_id}", daemon=True)
        self.seq = 0
        self.push: MediaPush | None = None

    def record(self, kind: str, **fields: Any) -> None:
        with self.puller._record_lock:
            self.seq += 1
            seq = self.seq
        self.puller._record(
            {
                "scheduleEventId": self.event_id,
                "taskId": self.task_id,
                "featureName": self.feature_name,
                "seq": seq,
                "recordType": kind,
                "at": time.time(),
                **fields,
            }
        )

    def start_push(self, feature: dict[str, Any]) -> None:
        """Kaltura restreams the event to the feature's mediaUrl/mediaKey (loopback rtmp:// only)."""
        url = str(feature.get("mediaUrl") or "")
        if not url or not self.puller.push_media:
            return
        parts = urlsplit(url)
        host = parts.hostname or ""
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if parts.scheme != "rtmp" or not loopback:
            self.record("stream_error", reason="the emulator restreams only to rtmp:// on this machine")
            return
        try:
            media = self.puller.media_path or event_media(
                self.puller._emu.media_cache, self.puller.media_seconds
            )
        except Exception as exc:  # noqa: BLE001 - no media: record it, captions still flow
            self.record("stream_error", reason=f"no event media: {exc}")
            return

        def ended(outcome: str) -> None:
            self.record("stream_ended", outcome=outcome, mediaPosition=round(push.position(), 3))

        push = MediaPush(media, url, str(feature.get("mediaKey") or ""), on_end=ended)
        self.push = push
        self.record("stream_started", mediaUrl=url)
        push.start()

    def _vendor_access_token(self) -> str | None:
        """Layer 1 of the guide's websocket auth: the pre-agreed token at the vendor's auth URL."""
        auth = self.puller.vendor_auth or {}
        request = urllib.request.Request(
            str(auth.get("authUrl") or ""), headers={"Authorization": f"Bearer {auth.get('token') or ''}"}
        )
        with urllib.request.urlopen(request, timeout=self.puller.connect_timeout) as response:
            body = json.loads(response.read(64 * 1024).decode("utf-8"))
        token = body.get("access_token") if isinstance(body, dict) else None
        return token if isinstance(token, str) and token else None

    def _target(self) -> str:
        parts = urlsplit(self.url)
        if parts.scheme not in ("ws", "wss"):
            raise InvalidURI(self.url, "not a ws:// or wss:// URL")
        if self.puller.token_mode != "query" or "token=" in parts.query:
            return self.url
        query = "&".join(q for q in (parts.query, urlencode({"token": self._token})) if q)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))

    def _run(self) -> None:
        headers: dict[str, str] = {}
        if self.puller.vendor_auth:
            try:
                access = self._vendor_access_token()
            except urllib.error.HTTPError as exc:
                self.record("refused", code=exc.code, reason="vendor authentication refused")
                return
            except (OSError, ValueError) as exc:
                self.record("error", reason=f"vendor authentication failed: {type(exc).__name__}")
                return
            if not access:
                self.record("refused", code=None, reason="vendor authentication gave no access token")
                return
            headers["Authorization"] = f"Bearer {access}"
        try:
            target = self._target()
            ws = connect(
                target,
                open_timeout=self.puller.connect_timeout,
                close_timeout=2,
                logger=_ws_log,
                max_size=512 * 1024,
                additional_headers=headers or None,
            )
        except InvalidURI:
            self.record("error", reason="captionUrl is not a websocket URL")
            return
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            self.record("error", reason=f"cannot connect to the caption URL: {type(exc).__name__}")
            return
        received = 0
        try:
            with ws:
                if self.puller.token_mode == "first_message":
                    ws.send(json.dumps({"token": self._token}))
                self.record("connected")
                while not self.stop.is_set() and received < MAX_MESSAGES:
                    try:
                        raw = ws.recv(timeout=0.2)
                    except TimeoutError:
                        continue
                    received += 1
                    self._message(raw)
                    if self._ended:
                        ws.close(1000, "end of stream received")
                        return
                if self.stop.is_set():
                    ws.close(1000, "stream ended")
                    self.record("closed", code=1000, reason="stream ended", by="kaltura")
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd is not None else None
            reason = exc.rcvd.reason if exc.rcvd is not None else ""
            if code is not None and 4400 <= code < 4500 and received == 0:
                self.record("refused", code=code, reason=reason)
            else:
                self.record("closed", code=code, reason=reason, by="vendor")
        except OSError as exc:
            self.record("error", reason=f"connection lost: {type(exc).__name__}")

    _ended = False

    def _message(self, raw: str | bytes) -> None:
        problems = schema_problems(raw)
        try:
            message = json.loads(raw)
        except ValueError:
            message = None
        response = message.get("response") if isinstance(message, dict) else None
        response = response if isinstance(response, dict) else {}
        alternatives = response.get("alternatives") if isinstance(response.get("alternatives"), list) else []
        first = alternatives[0] if alternatives and isinstance(alternatives[0], dict) else {}
        end = response.get("is_end_of_stream") is True
        self.record(
            "end_of_stream" if end else "message",
            message=message
            if message is not None
            else (raw if isinstance(raw, str) else raw.decode("utf-8", "replace")),
            problems=problems,
            valid=not problems,
            isFinal=response.get("is_final"),
            isEndOfStream=end,
            transcript=first.get("transcript"),
            start=response.get("start"),
            end=response.get("end"),
            messageId=response.get("id"),
            mediaPosition=round(self.push.position(), 3) if self.push is not None else None,
        )
        if end:
            self._ended = True


class CaptionPuller:
    """One per emulator: the scheduled-start watcher and the running pulls."""

    def __init__(
        self, emu: Emulator, interval: float = 1.0, token_mode: str = "query", connect_timeout: float = 5.0
    ) -> None:
        self._emu = emu
        self.interval = interval
        self.token_mode = token_mode
        self.connect_timeout = connect_timeout
        self.vendor_auth: dict[str, str] | None = None  # {"authUrl", "token"}: the guide's first layer
        self.push_media = True  # restream the event's media to the feature's mediaUrl/mediaKey
        self.media_seconds = 20.0
        self.media_path: Path | None = None
        self._pulls: dict[tuple[int, str], _Pull] = {}
        self._lock = threading.Lock()
        self._record_lock = threading.Lock()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    # ---- lifecycle (the emulator starts and stops it) ------------------------------------------------
    def start(self) -> None:
        if self._watcher is not None:
            return
        self._stop.clear()
        self._watcher = threading.Thread(target=self._watch, name="caption-puller-watch", daemon=True)
        self._watcher.start()

    def stop(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
            self._watcher = None
        with self._lock:
            pulls = list(self._pulls.values())
        for pull in pulls:
            pull.stop.set()
            if pull.push is not None:
                pull.push.stop()
        for pull in pulls:
            pull.thread.join(timeout=5)

    # ---- control ---------------------------------------------------------------------------------------
    def start_live(self, event_id: int) -> list[str]:
        """The event's stream starts: pull every caption feature that has a caption URL (feature names)."""
        event = self._live_event(event_id)
        started = []
        for feature in event.get("liveFeatures") or []:
            if not isinstance(feature, dict) or not feature.get("captionUrl"):
                continue
            if self._start_pull(event, feature):
                started.append(str(feature.get("systemName")))
        if not started and not self.active(event_id):
            raise LiveControlError(f"schedule event {event_id} has no caption feature with a caption URL yet")
        return started

    def end_live(self, event_id: int, timeout: float = 5.0) -> None:
        """The stream ends: Kaltura closes its caption connections for the event."""
        with self._lock:
            pulls = [p for (eid, _), p in self._pulls.items() if eid == int(event_id)]
        for pull in pulls:
            pull.stop.set()
            if pull.push is not None:
                pull.push.stop()
        for pull in pulls:
            pull.thread.join(timeout)

    def push_of(self, event_id: int) -> MediaPush | None:
        """The running (or last) restream of the event's first feature with one."""
        with self._lock:
            pulls = [p for (eid, _), p in self._pulls.items() if eid == int(event_id)]
        return next((p.push for p in pulls if p.push is not None), None)

    def wait_stream_ended(self, event_id: int, timeout: float) -> bool:
        """Until the event's restream ended (the media played out, or it was refused/stopped)."""
        push = self.push_of(event_id)
        if push is None:
            return True
        push.thread.join(timeout)
        return not push.thread.is_alive()

    def wait(self, event_id: int, timeout: float) -> bool:
        """Until every pull of the event has finished (end of stream, refusal, error); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._lock:
            pulls = [p for (eid, _), p in self._pulls.items() if eid == int(event_id)]
        for pull in pulls:
            pull.thread.join(max(0.0, deadline - time.monotonic()))
        return not any(p.thread.is_alive() for p in pulls)

    def active(self, event_id: int) -> bool:
        with self._lock:
            return any(p.thread.is_alive() for (eid, _), p in self._pulls.items() if eid == int(event_id))

    def records(self, event_id: int) -> list[dict[str, Any]]:
        return self._emu.store.find(KIND, scheduleEventId=int(event_id))

    # ---- internals --------------------------------------------------------------------------------------
    def _live_event(self, event_id: int) -> dict[str, Any]:
        event = self._emu.store.get("schedule_event", int(event_id))
        if event is None or event.get("objectType") != "KalturaLiveStreamScheduleEvent":
            raise LiveControlError(f"no live stream schedule event {event_id}")
        return event

    def _start_pull(self, event: dict[str, Any], feature: dict[str, Any]) -> bool:
        name = str(feature.get("systemName") or "")
        key = (int(event["id"]), name)
        task_id = None
        if name.startswith(FEATURE_PREFIX) and name[len(FEATURE_PREFIX) :].isdigit():
            task_id = int(name[len(FEATURE_PREFIX) :])
        with self._lock:
            current = self._pulls.get(key)
            if current is not None and current.thread.is_alive():
                return False
            pull = _Pull(self, event, feature, task_id)
            self._pulls[key] = pull
        pull.start_push(feature)
        pull.thread.start()
        return True

    def _record(self, obj: dict[str, Any]) -> None:
        with self._record_lock:
            obj["id"] = self._emu.store.next_id(KIND)
            self._emu.store.put(KIND, obj)

    def _watch(self) -> None:
        started: set[tuple[int, str, str]] = set()
        while not self._stop.wait(self.interval):
            try:
                self._tick(started, time.time())
            except Exception as exc:  # noqa: BLE001 - the watcher must outlive one bad object
                log.warning("live caption watcher: %s", exc)

    def _tick(self, started: set[tuple[int, str, str]], now: float) -> None:
        for event in self._emu.store.find(
            "schedule_event", objectType="KalturaLiveStreamScheduleEvent", status=ScheduleEventStatus.ACTIVE
        ):
            for feature in event.get("liveFeatures") or []:
                if not isinstance(feature, dict) or not feature.get("captionUrl"):
                    continue
                name = str(feature.get("systemName") or "")
                if not name.startswith(FEATURE_PREFIX) or not name[len(FEATURE_PREFIX) :].isdigit():
                    continue
                task = self._emu.store.get("task", int(name[len(FEATURE_PREFIX) :]))
                if task is None:
                    continue
                job = task.get("taskJobData") or {}
                begin = job.get("startDate") or (event["startDate"] - int(feature.get("preStartTime") or 0))
                finish = job.get("endDate") or (event["endDate"] + int(feature.get("postEndTime") or 0))
                key = (int(event["id"]), name, str(feature.get("captionUrl")))
                if (
                    begin <= now < finish
                    and task.get("status") in (TaskStatus.SCHEDULED, TaskStatus.PROCESSING)
                    and key not in started
                ):
                    started.add(key)
                    self._start_pull(event, feature)
                elif now >= finish and key in started:
                    started.discard(key)
                    with self._lock:
                        pull = self._pulls.get((int(event["id"]), name))
                    if pull is not None:
                        pull.stop.set()
                        if pull.push is not None:
                            pull.push.stop()
