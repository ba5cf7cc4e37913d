"""`reach-studio sync --live`: the headless live-caption relay.

Why it exists: a live-captioning vendor runs unattended next to its captioners — it must schedule the
live tasks it takes before their events (provisioning: caption websocket + token on the event's live
feature, task SCHEDULED), serve the caption websocket while Kaltura pulls, relay the captioner's lines
(a file, or stdin fed by a stenography tool) once the event starts, and close each task READY when the
stream ends. `sync.py` hands over to `run()` when `--live` is given. The RTMP(S) media relay goes to
the vendor's own ingest (`--live-media-url`); Reach Studio hosts no RTMP server.

Each pass: PENDING live tasks the filter accepts are provisioned; SCHEDULED tasks we hold are
provisioned again (this process has a new caption URL and token). The first event Kaltura connects to
gets `--live-source`; at the end of the source the stream ends and the task goes READY. Without a
source a stream ends at the task's end date. `--once` makes one pass, and with a source waits until
that stream ended (or `--live-wait` seconds) before exiting. A stream whose ingest stopped and did not
come back within `--live-end-grace` seconds has ended: end of stream, READY.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from reach_studio.domain.enums import TaskStatus
from reach_studio.domain.task import Task
from reach_studio.engine.run_loop import EXIT_OK, EXIT_STORE, EXIT_USAGE, exit_code_for, stop_on_sigterm
from reach_studio.printable import printable

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("live captions (--live)")
    a = g.add_argument
    a("--live", action="store_true", help="schedule live caption tasks and relay captions to Kaltura")
    a("--live-source", metavar="FILE|-", help="caption lines to relay once Kaltura connects ('-' = stdin)")
    a("--live-host", default="127.0.0.1", help="address the caption websocket listens on (default 127.0.0.1)")
    a("--live-port", type=int, default=0, help="port of the caption websocket (default: any free port)")
    a(
        "--live-public-url",
        metavar="WS_URL",
        help="ws(s):// base URL Kaltura reaches the caption websocket at",
    )
    a(
        "--live-media-url",
        default="",
        metavar="RTMP_URL",
        help="an RTMP(S) ingest you run elsewhere for Kaltura's media relay (default: one of ours per task)",
    )
    a(
        "--live-ingest-host",
        default="127.0.0.1",
        help="address our RTMP ingests listen on (default 127.0.0.1)",
    )
    a(
        "--live-ingest-ports",
        default="",
        metavar="LOW-HIGH",
        help="port range of the RTMP ingests (default any)",
    )
    a(
        "--live-ingest-public-url",
        metavar="RTMP_URL",
        help="rtmp(s)://host Kaltura reaches the ingests at (your TLS proxy for rtmps; port appended)",
    )
    a(
        "--live-end-grace",
        type=float,
        default=30.0,
        help="seconds a stopped ingest may take to come back before the stream counts as ended",
    )
    a("--live-pace", type=float, help="seconds per line from a file source (default 2; stdin: as it comes)")
    a("--live-interims", choices=("on", "off"), default="on", help="send word-by-word interim results")
    a("--live-wait", type=float, default=3600.0, help="with --once: how long to wait for Kaltura (seconds)")


class _Source:
    """The one caption source, handed to the first event that goes live."""

    def __init__(self, spec: str | None) -> None:
        self.spec = spec
        self.taken = False
        self._fh: IO[str] | None = None
        if spec and spec != "-":
            path = Path(spec)
            if not path.is_file():
                raise ValueError(f"--live-source {spec}: no such file")
            try:
                self._fh = path.open(encoding="utf-8-sig")
            except OSError as exc:
                raise ValueError(f"--live-source {spec}: {exc.strerror}") from None

    def lines(self) -> Iterator[str]:
        fh = self._fh if self._fh is not None else sys.stdin
        try:
            yield from fh
        except UnicodeDecodeError:
            log.error("The caption source is not UTF-8 text; the stream is ended there")

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()


def run(args: argparse.Namespace, accounts: list, task_filter, interval: float) -> int:
    """The --live loop; returns a sync exit code."""
    from reach_studio.kaltura.connection import ReachConnection
    from reach_studio.live.caption_server import CaptionServerError
    from reach_studio.live.scheduling import LiveScheduler, LiveSettings, LiveSettingsError, parse_port_range

    if args.live_public_url and not args.live_public_url.startswith(("ws://", "wss://")):
        print("reach-studio sync: --live-public-url must start with ws:// or wss://", file=sys.stderr)
        return EXIT_USAGE
    if args.live_media_url and not args.live_media_url.startswith(("rtmp://", "rtmps://")):
        print("reach-studio sync: --live-media-url must start with rtmp:// or rtmps://", file=sys.stderr)
        return EXIT_USAGE
    try:
        source = _Source(args.live_source) if args.live_source else None
    except ValueError as exc:
        print(f"reach-studio sync: {exc}", file=sys.stderr)
        return EXIT_USAGE
    pace = args.live_pace if args.live_pace is not None else (0.0 if args.live_source == "-" else 2.0)
    from reach_studio.store.task_store import TaskStore, TaskStoreError

    try:
        store = TaskStore(getattr(args, "store", None))
    except TaskStoreError as exc:
        print(f"reach-studio sync: {exc}", file=sys.stderr)
        return EXIT_STORE
    try:
        base = LiveSettings.from_env()
        settings = LiveSettings(
            caption_host=args.live_host,
            caption_port=args.live_port,
            caption_public_url=args.live_public_url,
            ingest_host=args.live_ingest_host,
            ingest_ports=parse_port_range(args.live_ingest_ports),
            ingest_public_url=args.live_ingest_public_url,
            external_media_url=args.live_media_url,
            vendor_auth=base.vendor_auth,
        )
        scheduler = LiveScheduler(settings)
        scheduler.caption_server()
    except (CaptionServerError, LiveSettingsError) as exc:
        store.close()
        print(f"reach-studio sync: {exc}", file=sys.stderr)
        return EXIT_USAGE
    relay = _Relay(
        store,
        [ReachConnection(a) for a in accounts],
        scheduler,
        task_filter,
        source,
        pace,
        args.live_interims == "on",
        args.live_end_grace,
    )
    stop = threading.Event()
    with stop_on_sigterm(stop):
        try:
            while True:
                errors = relay.pass_once()
                for err in errors:
                    print(f"reach-studio sync: {printable(err)}", file=sys.stderr)
                if args.once:
                    if source is not None and relay.sessions:
                        relay.wait_relayed(args.live_wait)
                    return exit_code_for(errors)
                if stop.wait(min(interval, 5.0)):
                    return EXIT_OK
        except KeyboardInterrupt:
            return EXIT_OK
        finally:
            relay.close()
            scheduler.stop()
            store.close()
            if source is not None:
                source.close()


class _Relay:
    """Sessions by task key, the source, and one pass of scheduling/ending."""

    def __init__(
        self, store, conns, scheduler, task_filter, source, pace: float, interims: bool, end_grace: float
    ) -> None:
        self.store = store  # the live tasks we hold, so a restart mid-event finds its PROCESSING tasks again
        self.conns = conns
        self.scheduler = scheduler
        self.task_filter = task_filter
        self.end_grace = end_grace
        self.source = source
        self.pace = pace
        self.interims = interims
        self.sessions: dict[tuple[str, int], object] = {}
        self._relayed = threading.Event()
        self._lock = threading.Lock()
        self._ending: set[int] = set()

    def _external_id(self, conn, task: Task) -> str:
        from reach_studio.live.scheduling import live_external_id, vendor_owner

        return live_external_id(vendor_owner(conn.account.vendor_name), task.id)

    def pass_once(self) -> list[Exception]:
        from reach_studio.kaltura import reach_api
        from reach_studio.kaltura.connection import ReachError
        from reach_studio.live.provisioning import live_window
        from reach_studio.live.scheduling import is_live

        errors: list[Exception] = []
        now = time.time()
        for conn in self.conns:
            try:
                pending = [t for t in reach_api.get_jobs(conn) if is_live(t)]
                scheduled = [t for t in reach_api.get_jobs(conn, status=TaskStatus.SCHEDULED) if is_live(t)]
            except ReachError as exc:
                errors.append(exc)
                continue
            # getJobs lists no PROCESSING task: the ones we were streaming before a restart come from the store
            listed = {t.id for t in pending + scheduled}
            held = [
                t
                for t in self.store.open_tasks([TaskStatus.PROCESSING, TaskStatus.SCHEDULED])
                if t.account == conn.account.key
                and t.id not in listed
                and is_live(t)
                and t.external_task_id == self._external_id(conn, t)
            ]
            for task in pending + scheduled + held:
                key = (conn.account.key, task.id)
                if key in self.sessions:
                    continue
                external = self._external_id(conn, task)
                if task.status == TaskStatus.SCHEDULED and task.external_task_id != external:
                    continue  # someone else's
                try:
                    full = reach_api.get_task(conn, task)
                    if full.status not in (
                        TaskStatus.PENDING,
                        TaskStatus.SCHEDULED,
                        TaskStatus.PROCESSING,
                    ) or (full.status != TaskStatus.PENDING and full.external_task_id != external):
                        self.store.upsert([full])  # ended or taken meanwhile: no longer ours to serve
                        continue
                    if not self.task_filter.accepts(full):
                        continue
                    session = self.scheduler.session_for(conn, full, external, on_change=self._changed)
                    prov = session.provision()
                except ReachError as exc:
                    message = printable(exc.message)
                    print(f"reach-studio sync: live task {task.id}: {message}", file=sys.stderr)
                    continue
                self.sessions[key] = session
                self.store.upsert([session.task])
                start, end = live_window(full)
                when = time.strftime("%Y-%m-%d %H:%M", time.localtime(start)) if start else "?"
                ingest = f", media ingest at {prov.media_url}" if session.listener is not None else ""
                print(
                    f"live task {full.id} scheduled as {external}: event {prov.event_id} at {when}, "
                    f"captions served at {prov.caption_url}{ingest}",
                    flush=True,
                )
        # streams without a source end at the task's end date, or when their ingest stopped for good
        for session in list(self.sessions.values()):
            if session.state != "live" or session is self._source_session():
                continue
            _, end = live_window(session.task)
            if (end and now >= end) or self._ingest_gone(session):
                self._end(session)
        return errors

    def _ingest_gone(self, session) -> bool:
        """The ingest received a stream, it stopped, and nothing came back within the grace period."""
        listener = session.listener
        return (
            listener is not None
            and listener.connections > 0
            and not listener.receiving
            and time.monotonic() - listener.last_audio_at >= self.end_grace
        )

    def _source_session(self):
        return getattr(self, "_with_source", None)

    def _changed(self, session) -> None:
        try:
            self.store.upsert([session.task])
        except Exception as exc:  # noqa: BLE001 - bookkeeping must not stop the captions
            log.warning("Could not record live task %s: %s", session.task.id, exc)
        if session.state == "live" and self._ingest_gone(session) and session is not self._source_session():
            threading.Thread(target=self._end, args=(session,), name="live-end", daemon=True).start()
            return
        if session.state != "live" or not session.connected or self.source is None:
            return
        with self._lock:
            if self.source.taken:
                return
            self.source.taken = True
            self._with_source = session
        threading.Thread(target=self._relay_source, args=(session,), name="live-relay", daemon=True).start()

    def _relay_source(self, session) -> None:
        from reach_studio.live.relay import relay_lines

        print(f"live task {session.task.id}: Kaltura connected; relaying captions", flush=True)
        try:
            sent = relay_lines(self.source.lines(), session.relay, pace=self.pace, interims=self.interims)
            print(f"live task {session.task.id}: {sent} caption line(s) relayed; stream ended", flush=True)
            self._end(session)
        finally:
            self._relayed.set()

    def _end(self, session) -> None:
        from reach_studio.kaltura.connection import ReachError

        with self._lock:  # the pass and an ingest's callback may both decide the stream ended
            if id(session) in self._ending:
                return
            self._ending.add(id(session))

        try:
            task = session.end()
        except ReachError as exc:
            message = printable(exc.message)
            print(f"reach-studio sync: live task {session.task.id}: {message}", file=sys.stderr)
            return
        print(f"live task {task.id}: {task.status.name}", flush=True)

    def wait_relayed(self, timeout: float) -> bool:
        return self._relayed.wait(timeout)

    def close(self) -> None:
        for session in self.sessions.values():
            session.close()
