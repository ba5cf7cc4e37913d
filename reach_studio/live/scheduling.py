"""Live scheduling decided in one place: which tasks are live, our externalTaskId for them, where the
caption websocket and the RTMP ingest listen, and how a task becomes a served LiveSession.

Why it exists: the live console, the shell's Claim and `sync --live` each schedule live tasks; before
this module each had its own feature set, its own externalTaskId format and its own reading of the
REACH_LIVE_* settings. They now all call `LiveScheduler.session_for(...)` (or the helpers below).

Settings (environment, so the headless relay and the GUI read the same ones):
- REACH_LIVE_HOST / REACH_LIVE_PORT / REACH_LIVE_PUBLIC_URL — the caption websocket (listen address,
  port, and the ws(s):// base URL Kaltura reaches it at behind the vendor's TLS proxy);
- REACH_LIVE_INGEST_HOST / REACH_LIVE_INGEST_PORTS / REACH_LIVE_INGEST_PUBLIC_URL — the RTMP ingest
  (listen address, "19350-19399" port range or empty for any free port, and the rtmp(s)://host base
  Kaltura restreams to; the session's port is appended when the public URL names none);
- REACH_LIVE_MEDIA_URL — an RTMP(S) ingest the vendor runs elsewhere instead of ours (no listener then);
- REACH_LIVE_VENDOR_AUTH=1 — the guide's first websocket auth layer: the token agreed with Kaltura is
  read from the OS keyring (entry VENDOR_TOKEN_ID of SecretStore; never from a file or the environment)
  and the caption server's auth URL (`<http(s) base>/auth`) is what the vendor gives Kaltura with it.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from reach_studio.domain.enums import ServiceFeature
from reach_studio.domain.task import Task

log = logging.getLogger(__name__)

LIVE_FEATURES = frozenset({ServiceFeature.LIVE_CAPTION, ServiceFeature.LIVE_TRANSLATION})
VENDOR_TOKEN_ID = "live-caption-vendor-token"  # keyring entry of the pre-agreed vendor-wide token


def is_live(task: Task) -> bool:
    """A live caption/translation task: scheduled (SCHEDULED, caption websocket), never downloaded."""
    return task.feature in LIVE_FEATURES


def live_external_id(owner: str, task_id: int) -> str:
    """Our externalTaskId for a live task: `<owner>-live-<taskId>` (owner: the linguist or the vendor)."""
    slug = re.sub(r"[^A-Za-z0-9@._]+", "-", owner or "").strip("-") or "vendor"
    return f"{slug}-live-{int(task_id)}"


def vendor_owner(vendor_name: str) -> str:
    """The owner part `sync --live` uses: the vendor's name (any of the vendor's relays may adopt it)."""
    return re.sub(r"[^A-Za-z0-9]+", "-", vendor_name or "").strip("-") or "vendor"


class LiveSettingsError(ValueError):
    """A REACH_LIVE_* setting cannot be used (the text names it and is safe to show)."""


@dataclass(frozen=True)
class LiveSettings:
    caption_host: str = "127.0.0.1"
    caption_port: int = 0
    caption_public_url: str | None = None
    ingest_host: str = "127.0.0.1"
    ingest_ports: tuple[int, int] | None = None  # None = any free port
    ingest_public_url: str | None = None
    external_media_url: str = ""  # the vendor's own ingest: Reach Studio listens on nothing then
    vendor_auth: bool = False  # layer 1: the pre-agreed token (from the keyring) at the auth URL

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LiveSettings:
        env = os.environ if env is None else env
        port = (env.get("REACH_LIVE_PORT") or "0").strip()
        if not port.isdigit() or int(port) > 65535:
            raise LiveSettingsError(f"REACH_LIVE_PORT={port!r} is not a port number")
        public = env.get("REACH_LIVE_PUBLIC_URL") or None
        if public and not public.startswith(("ws://", "wss://")):
            raise LiveSettingsError("REACH_LIVE_PUBLIC_URL must start with ws:// or wss://")
        media = env.get("REACH_LIVE_MEDIA_URL") or ""
        if media and not media.startswith(("rtmp://", "rtmps://")):
            raise LiveSettingsError("REACH_LIVE_MEDIA_URL must start with rtmp:// or rtmps://")
        ingest_public = env.get("REACH_LIVE_INGEST_PUBLIC_URL") or None
        if ingest_public and not ingest_public.startswith(("rtmp://", "rtmps://")):
            raise LiveSettingsError("REACH_LIVE_INGEST_PUBLIC_URL must start with rtmp:// or rtmps://")
        return cls(
            caption_host=env.get("REACH_LIVE_HOST") or "127.0.0.1",
            caption_port=int(port),
            caption_public_url=public,
            ingest_host=env.get("REACH_LIVE_INGEST_HOST") or "127.0.0.1",
            ingest_ports=parse_port_range(env.get("REACH_LIVE_INGEST_PORTS") or ""),
            ingest_public_url=ingest_public,
            external_media_url=media,
            vendor_auth=(env.get("REACH_LIVE_VENDOR_AUTH") or "").strip().lower()
            in ("1", "true", "yes", "on"),
        )


def parse_port_range(text: str) -> tuple[int, int] | None:
    """ "19350-19399" → (19350, 19399); "19350" → (19350, 19350); "" → None (any free port)."""
    text = text.strip()
    if not text:
        return None
    m = re.fullmatch(r"(\d{1,5})(?:\s*-\s*(\d{1,5}))?", text)
    if not m:
        raise LiveSettingsError(
            f"REACH_LIVE_INGEST_PORTS={text!r} is not a port or a range such as 19350-19399"
        )
    low, high = int(m.group(1)), int(m.group(2) or m.group(1))
    if not (0 < low <= high <= 65535):
        raise LiveSettingsError(f"REACH_LIVE_INGEST_PORTS={text!r} is not a valid port range")
    return low, high


def vendor_token() -> str:
    """The pre-agreed vendor-wide token from the OS keyring (LiveSettingsError when it is not there)."""
    from reach_studio.secret_store import SecretStore

    token = SecretStore().get(VENDOR_TOKEN_ID)
    if not token:
        raise LiveSettingsError(
            f"REACH_LIVE_VENDOR_AUTH is on but the keyring holds no vendor token ({VENDOR_TOKEN_ID!r})"
        )
    return token


class LiveScheduler:
    """The one caption server of a process, plus a LiveSession (with its own RTMP ingest) per task."""

    def __init__(
        self,
        settings: LiveSettings | None = None,
        *,
        ingest: bool = True,
        vendor_token: str | None = None,
        video: bool = False,
    ) -> None:
        self.settings = settings or LiveSettings.from_env()
        self.video = video  # the ingests also decode a picture preview (a console shows it)
        self._vendor_token = vendor_token
        self.with_ingest = ingest and not self.settings.external_media_url
        self._server = None
        self._lock = threading.Lock()

    def caption_server(self):
        """The caption websocket (started on first use)."""
        from reach_studio.live.caption_server import CaptionServer

        with self._lock:
            if self._server is None:
                s = self.settings
                self._server = CaptionServer(
                    s.caption_host,
                    s.caption_port,
                    public_url=s.caption_public_url,
                    vendor_token=self._vendor_token or (vendor_token() if s.vendor_auth else None),
                ).start()
            return self._server

    def adopt_server(self, server) -> None:
        """Use a caption server someone else started (tests, a console given one)."""
        with self._lock:
            self._server = server

    def stop(self) -> None:
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            server.stop()

    def session_for(
        self,
        conn,
        task: Task,
        external_task_id: str,
        *,
        on_change: Callable | None = None,
    ):
        """A LiveSession for the task (not yet provisioned): our caption server and, unless the vendor
        names its own media URL, an RTMP ingest listener of its own."""
        from reach_studio.live.provisioning import RtmpIngest
        from reach_studio.live.session import LiveSession

        listener = None
        if self.with_ingest:
            from reach_studio.live.ingest import IngestListener

            s = self.settings
            listener = IngestListener(
                task.id,
                host=s.ingest_host,
                port_range=s.ingest_ports,
                public_url=s.ingest_public_url,
                video=self.video,
            )
        return LiveSession(
            conn,
            task,
            self.caption_server(),
            external_task_id,
            ingest=RtmpIngest(self.settings.external_media_url),
            listener=listener,
            on_change=on_change,
        )


class LiveOps:
    """The live half of a desktop's engine operations (`engine.desktop_ops.EngineOps(live=LiveOps())`):
    the app's one LiveScheduler, the vendor's SCHEDULED live tasks, and Claim on a live task.

    Why here: engine/ sits below live/, so the shell's EngineOps is handed this object instead of
    importing live scheduling itself."""

    def __init__(self, make_scheduler: Callable[[], LiveScheduler] | None = None) -> None:
        self._make = make_scheduler or (lambda: LiveScheduler(video=True))  # the console shows the picture
        self._scheduler: LiveScheduler | None = None
        self._lock = threading.Lock()
        self._details: dict[tuple[str, int], Task] = {}

    def scheduler(self) -> LiveScheduler:
        """The app's LiveScheduler, made on first use (a bad REACH_LIVE_* setting is a CaptionServerError)."""
        from reach_studio.live.caption_server import CaptionServerError

        with self._lock:
            if self._scheduler is None:
                try:
                    self._scheduler = self._make()
                except LiveSettingsError as exc:
                    raise CaptionServerError(str(exc)) from None
            return self._scheduler

    def stop(self) -> None:
        with self._lock:
            live = self._scheduler
        if live is not None:
            live.stop()

    def scheduled(self, conn, task_filter) -> list[Task]:
        """This vendor's SCHEDULED live tasks (getJobs statusEqual SCHEDULED) the filter accepts, in full."""
        from reach_studio.domain.enums import TaskStatus
        from reach_studio.kaltura import reach_api
        from reach_studio.kaltura.connection import ReachError

        tasks = []
        for light in reach_api.get_jobs(conn, TaskStatus.SCHEDULED):
            if not is_live(light):
                continue
            cache_key = (conn.account.key, light.id)
            full = self._details.get(cache_key)
            if full is None or full.access_key != light.access_key or full.status != light.status:
                try:  # the full task once per key, as the poller does for PENDING tasks
                    full = reach_api.get_task(conn, light, state=light)
                    self._details[cache_key] = full
                except ReachError as exc:  # better the getJobs version than no task
                    log.warning("Could not read details of task %s: %s", light.id, exc)
                    full = light
            if not task_filter.rejection(full):
                tasks.append(full)
        return tasks

    def schedule(
        self, conn, task: Task, owner: str, on_change: Callable | None = None, *, adopt: bool = False
    ):
        """Schedule a live task (vendor guide "Live captions"): re-read it, open its caption channel and
        call updateLiveFeature, PENDING → SCHEDULED with our externalTaskId. Returns the LiveSession.

        A claim (`adopt=False`) schedules under `owner`'s externalTaskId, so a task someone else
        scheduled meanwhile is refused (CLAIM_LOST); `adopt=True` re-provisions one of the vendor's
        SCHEDULED tasks from "My tasks" under the externalTaskId it already has.
        """
        from reach_studio.kaltura import reach_api

        live = self.scheduler()
        current = reach_api.get_task(conn, task)
        current.account = current.account or task.account
        ours = live_external_id(owner, task.id)
        external = (current.external_task_id or ours) if adopt else ours
        session = live.session_for(conn, current, external, on_change=on_change)
        session.provision()
        return session
