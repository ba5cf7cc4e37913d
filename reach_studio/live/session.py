"""One live task from provisioning to READY: token, caption channel, relay and status moves together.

Why it exists: `sync --live` and the live console do the same dance — open a caption channel with a
fresh token, tell Kaltura about it (provisioning → SCHEDULED), start the relay's clock and move the
task to PROCESSING when Kaltura's puller connects, and at the end send end-of-stream and move the task
to READY. Callbacks from the caption server arrive on a worker thread; `on_change(session)` tells the
owner (the console forwards it to the GUI thread).

With a `listener` (live/ingest) the session also runs the task's RTMP ingest: it listens before
provisioning (Kaltura is told its URL and key) and stops with the session. Captions are then stamped
with stream time: `stream_clock` (the console sets it to the position it is playing, i.e. what the
captioner hears) or else the end of the audio the ingest received.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from reach_studio.domain.task import Task
from reach_studio.kaltura.connection import ReachConnection, ReachError
from reach_studio.live import provisioning
from reach_studio.live.caption_server import CaptionChannel, CaptionServer
from reach_studio.live.caption_token import new_caption_token
from reach_studio.live.ingest import IngestListener
from reach_studio.live.provisioning import LiveProvision, LiveProvisioningError, RtmpIngest
from reach_studio.live.relay import CaptionRelay

log = logging.getLogger(__name__)


class LiveSession:
    """`s = LiveSession(conn, task, server, "ACME-1"); s.provision(); ...; s.relay.final("Hi"); s.end()`."""

    def __init__(
        self,
        conn: ReachConnection,
        task: Task,
        server: CaptionServer,
        external_task_id: str,
        *,
        ingest: RtmpIngest | None = None,
        listener: IngestListener | None = None,
        on_change: Callable[[LiveSession], None] | None = None,
    ) -> None:
        self.conn = conn
        self.task = task
        self.server = server
        self.external_task_id = external_task_id
        self.ingest = ingest
        self.listener = listener
        self.on_change = on_change
        self.stream_clock: Callable[[], float | None] | None = None
        self.channel: CaptionChannel | None = None
        self.provisioned: LiveProvision | None = None
        self.relay = CaptionRelay(self._send, stream_clock=self._stream_time)
        self.state = "new"  # new → scheduled → live → ended | failed
        self.last_error = ""
        self._lock = threading.Lock()
        self.processing = threading.Event()

    def __repr__(self) -> str:
        return f"LiveSession(task={self.task.id}, state={self.state})"

    def provision(self) -> LiveProvision:
        """Open the task's caption channel with a fresh token and hand it to Kaltura (→ SCHEDULED)."""
        if self.listener is not None:
            self.listener.on_state = lambda state, detail: self._changed()
            self.listener.start()
            self.ingest = RtmpIngest(self.listener.media_url, key=self.listener.media_key)
        token = new_caption_token()
        self.channel = self.server.open_channel(
            self.task.id,
            token,
            on_connect=self._connected,
            on_disconnect=self._disconnected,
            on_refused=self._refused,
        )
        try:
            self.provisioned = provisioning.provision(
                self.conn,
                self.task,
                caption_url=self.channel.url,
                caption_token=token,
                external_task_id=self.external_task_id,
                ingest=self.ingest,
            )
        except ReachError:
            self.server.close_channel(self.task.id)
            self.channel = None
            if self.listener is not None:
                self.listener.stop()
            raise
        self.task = self.provisioned.task
        # "live" only once Kaltura reads the stream (a task the shell already claimed is PROCESSING here)
        self.state = "live" if self.connected else "scheduled"
        self._changed()
        return self.provisioned

    def _stream_time(self) -> float | None:
        """Stream time now: what the console plays, else what the ingest received, else None."""
        if self.stream_clock is not None:
            value = self.stream_clock()
            if value is not None:
                return value
        if self.listener is not None and self.listener.connections:
            return self.listener.received_seconds()
        return None

    @property
    def ingest_state(self) -> str:
        return self.listener.state if self.listener is not None else ""

    def _send(self, message: dict) -> None:
        if self.channel is None:
            raise LiveProvisioningError(
                "NOT_PROVISIONED", f"Live task {self.task.id} has no caption channel yet"
            )
        self.channel.send(message)

    def _connected(self) -> None:
        """Kaltura's puller is in: the event started; the stream clock starts and the task processes."""
        self.relay.start()
        try:
            with self._lock:
                self.task = provisioning.start_processing(self.conn, self.task)
            self.state = "live"
            self.processing.set()
        except ReachError as exc:
            self.last_error = exc.message
            log.error("Live task %s could not be moved to processing: %s", self.task.id, exc.message)
        self._changed()

    def _disconnected(self, reason: str) -> None:
        log.info("Live task %s: caption connection ended (%s)", self.task.id, reason)
        self._changed()

    def _refused(self, reason: str) -> None:
        self.last_error = f"a caption connection was refused ({reason})"
        self._changed()

    @property
    def connected(self) -> bool:
        return self.channel is not None and self.channel.connected.is_set()

    def wait_live(self, timeout: float) -> bool:
        """Until Kaltura connected and the task is PROCESSING (or `timeout` seconds)."""
        return self.processing.wait(timeout)

    def end(self, timeout: float = 10.0) -> Task:
        """The stream ended: send end-of-stream, wait for it to go out, then READY."""
        if self.state in ("ended", "failed"):
            return self.task
        if not self.connected:
            raise LiveProvisioningError(
                "NEVER_CONNECTED",
                f"Kaltura never connected for live task {self.task.id}; the task is left as it is",
            )
        if not self.relay.ended:
            self.relay.end()
        if self.channel is not None and not self.channel.wait_ended(timeout):
            log.warning(
                "Live task %s: end of stream not delivered (Kaltura gone); finishing anyway", self.task.id
            )
        self.processing.wait(timeout)  # the PROCESSING move may still be in flight
        with self._lock:
            self.task = provisioning.finish(self.conn, self.task)
        self.state = "ended"
        self.server.close_channel(self.task.id)
        if self.listener is not None:
            self.listener.stop()
        self._changed()
        return self.task

    def close(self) -> None:
        """Stop serving this task's captions and its ingest (without changing the task)."""
        self.server.close_channel(self.task.id)
        if self.listener is not None:
            self.listener.stop()

    def _changed(self) -> None:
        if self.on_change is not None:
            try:
                self.on_change(self)
            except Exception as exc:  # noqa: BLE001 - an observer must not break the session
                log.error("live session observer failed: %s", exc)
