"""The Kaltura REACH emulator as a real local HTTP server (Flask app on a threaded werkzeug server).

`Emulator` is what tests, the demo and `reach-studio emulator` start: it opens the SQLite store under the
data folder, seeds it once, imports every service module under `emulator/services/` and registers every
blueprint under `emulator/routes/`, and serves `/api_v3/...` the way Kaltura does. It also carries the
run-time fault switches (`emu.faults`), an inspection API for tests (`emu.inspect`) and customer-side
controls (`emu.control`), each with an HTTP twin under `/_emulator/...` for other processes.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import random
import re
import socket
import threading
import time
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, abort, jsonify, request
from werkzeug.serving import WSGIRequestHandler, make_server

from reach_studio.domain.enums import AppTokenStatus
from reach_studio.emulator import registry
from reach_studio.emulator.errors import ApiError
from reach_studio.emulator.net_faults import (
    NETWORK_SWITCHES,
    ForeignHost,
    LostAnswers,
    NetworkFaults,
    maybe_redirect,
    shape_response,
)
from reach_studio.emulator.stalled_adds import StalledAdds
from reach_studio.emulator.store import Store
from reach_studio.emulator.wire import UploadedFile, WireError, parse_request, response_format, serialize

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SLEEP_S = 130.0  # longer than the client's default requestTimeout (120 s)


_KS_PATTERN = re.compile(r"djJ8[A-Za-z0-9_\-+/=%]+")


class _QuietHandler(WSGIRequestHandler):
    """No access log line per request (tests make thousands); errors still go to the logger."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass

    def log(self, type: str, message: str, *args: Any) -> None:
        # Error lines quote the request line, and playManifest/serve URLs carry a KS in the path.
        try:
            text = message % args if args else message
        except (TypeError, ValueError):
            text = f"{message} {args!r}"
        log.warning("%s: %s", type, _KS_PATTERN.sub("<ks>", text))


class EmulatorError(Exception):
    """The emulator cannot start or cannot do what was asked (bad data folder, unknown task...)."""


# ---- faults -----------------------------------------------------------------------------------------
class Faults:
    """Run-time switchable misbehaviour: 5xx, latency, dropped connections, timeouts, KS expiry."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random()
        self._stop = threading.Event()
        self.ks_not_before = 0.0
        self.network = NetworkFaults()  # drip, oversize, cross-host redirect (emulator/net_faults.py)
        self.stalled_adds = (
            StalledAdds()
        )  # adds that land after the client gave up (emulator/stalled_adds.py)
        self.lost_answers = LostAnswers()  # calls carried out whose answer never arrives (net_faults.py)
        self.reset()

    def reset(self) -> None:
        """Back to a well-behaved server (forced KS expiry is kept: those KSs stay expired)."""
        with self._lock:
            self.error_rate = 0.0
            self.latency_ms = 0.0
            self.segment_latency_ms = 0.0
            self.drop_rate = 0.0
            self.timeout_rate = 0.0
            self.timeout_sleep_s = DEFAULT_TIMEOUT_SLEEP_S
            self.network.reset()
            self.stalled_adds.reset()
            self.lost_answers.reset()

    def configure(
        self,
        error_rate: float | None = None,
        latency_ms: float | None = None,
        segment_latency_ms: float | None = None,
        drop_rate: float | None = None,
        timeout_rate: float | None = None,
        timeout_sleep_s: float | None = None,
        seed: int | None = None,
        **network: float,
    ) -> None:
        """Change only the switches given; rates are probabilities per request (0..1).
        `network`: the switches of net_faults.NETWORK_SWITCHES."""
        unknown = set(network) - set(NETWORK_SWITCHES)
        if unknown:
            raise EmulatorError(f"unknown fault switches: {', '.join(sorted(unknown))}")
        try:
            network_values = self.network.validate(network)
        except ValueError as exc:
            raise EmulatorError(str(exc)) from None
        values = {
            "error_rate": error_rate,
            "drop_rate": drop_rate,
            "timeout_rate": timeout_rate,
        }
        for name, value in values.items():
            if value is not None and not 0.0 <= float(value) <= 1.0:
                raise EmulatorError(f"{name} must be between 0 and 1, not {value}")
        for name, value in {
            "latency_ms": latency_ms,
            "segment_latency_ms": segment_latency_ms,
            "timeout_sleep_s": timeout_sleep_s,
        }.items():
            if value is not None and float(value) < 0:
                raise EmulatorError(f"{name} must not be negative")
        with self._lock:
            for name, value in {
                **values,
                "latency_ms": latency_ms,
                "segment_latency_ms": segment_latency_ms,
                "timeout_sleep_s": timeout_sleep_s,
            }.items():
                if value is not None:
                    setattr(self, name, float(value))
            if seed is not None:
                self._rng.seed(seed)
            self.network.apply(network_values)

    def stall_next_adds(self, count: int, seconds: float, service: str | None = None) -> None:
        """The next `count` add calls (of `service`, e.g. "caption_captionasset") run `seconds` late."""
        self.stalled_adds.arm(count, seconds, service)

    def lose_next_answers(self, count: int, service: str | None = None, action: str | None = None) -> None:
        """The next `count` API calls (of `service`/`action`, e.g. "cuepoint_cuepoint", "add") are carried out
        and then their connection closes without an answer."""
        self.lost_answers.arm(count, service, action)

    def expire_all_ks(self) -> None:
        """Every KS (sessions and task access keys) issued until now is refused as expired from now on.

        As if time jumped past every expiry — each of which can really happen: sessions end, and a task's key
        lives max(7 days, 2 x TAT) from its issue (VendorCatalogItem::getKsExpiry). A PENDING task's key expires
        too when the task waits longer than that: Kaltura extends keys only of PROCESSING/SCHEDULED tasks
        (EntryVendorTaskService::extendAccessKeyAction) and issues a new one only when a task leaves
        PENDING_ENTRY_READY (kReachManager::checkPendingEntryTasks). Keys issued afterwards (extendAccessKey)
        work; READY tasks' keys are killed anyway (docs/kaltura-contract.md, "entryVendorTask")."""
        # A KS issued in the same instant counts as issued before: the cut is strictly after now.
        self.ks_not_before = time.time() + 1e-6

    def snapshot(self) -> dict[str, float]:
        return {
            "error_rate": self.error_rate,
            "latency_ms": self.latency_ms,
            "segment_latency_ms": self.segment_latency_ms,
            "drop_rate": self.drop_rate,
            "timeout_rate": self.timeout_rate,
            "timeout_sleep_s": self.timeout_sleep_s,
            "ks_not_before": self.ks_not_before,
            **self.network.snapshot(),
        }

    def roll(self, rate: float) -> bool:
        if rate <= 0:
            return False
        with self._lock:
            return self._rng.random() < rate

    def pick(self, choices: dict[int, str]) -> int:
        with self._lock:
            return self._rng.choice(sorted(choices))

    def sleep(self, seconds: float) -> None:
        """Sleep that ends early when the emulator stops."""
        if seconds > 0:
            self._stop.wait(seconds)

    def segment_delay(self) -> None:
        """Called by the packager for each HLS segment request."""
        self.sleep(self.segment_latency_ms / 1000.0)


# ---- inspection and control -------------------------------------------------------------------------
class Inspect:
    """What tests look at: every object, task status history, stored bytes."""

    def __init__(self, emu: Emulator) -> None:
        self._emu = emu

    def task(self, task_id: int) -> dict[str, Any]:
        task = self._emu.store.get("task", task_id)
        if task is None:
            raise EmulatorError(f"no task {task_id}")
        return {k: v for k, v in task.items() if not k.startswith("_")}

    def status_history(self, task_id: int) -> list[dict[str, Any]]:
        return self._emu.store.history(task_id)

    def objects(self, kind: str, **equal_filters: Any) -> list[dict[str, Any]]:
        return self._emu.store.find(kind, **equal_filters)

    def calls(self) -> dict[str, int]:
        """How many API calls each "service.action" received so far (e.g. "reach_entryvendortask.getJobs"):
        lets tests count how many pollers Kaltura sees. A multirequest counts once, as "multirequest."."""
        with self._emu.call_lock:
            return dict(self._emu.call_counts)

    def content(self, object_id: str) -> bytes:
        """Bytes attached to an asset or entry (the `_blob` or `_path` the services recorded)."""
        store = self._emu.store
        for kind in (
            "caption_asset",
            "attachment_asset",
            "flavor_asset",
            "entry",
            "upload_token",
            "cue_point",
        ):
            obj = store.get(kind, object_id)
            if obj is None:
                continue
            if obj.get("_blob"):
                return store.read_blob(obj["_blob"])
            if obj.get("_path"):
                return Path(obj["_path"]).read_bytes()
            raise EmulatorError(f"{kind} {object_id} has no content")
        raise EmulatorError(f"no object {object_id} with content")


class Control:
    """What a customer (or the demo) does on the Kaltura side: abort tasks, order new ones."""

    def __init__(self, emu: Emulator) -> None:
        self._emu = emu

    def abort_task(self, task_id: int) -> dict[str, Any]:
        from reach_studio.emulator.services import reach

        return reach.customer_abort(self._emu, int(task_id))

    def add_task(self, **fields: Any) -> int:
        from reach_studio.emulator.services import reach

        return reach.create_task(self._emu, **fields)["id"]

    def start_live(self, event_id: int) -> list[str]:
        """The live event's stream starts: Kaltura's caption puller connects to each feature's captionUrl."""
        from reach_studio.emulator.caption_puller import LiveControlError

        try:
            return self._emu.live.start_live(int(event_id))
        except LiveControlError as exc:
            raise EmulatorError(str(exc)) from None

    def end_live(self, event_id: int) -> None:
        """The live event's stream ends: the caption puller disconnects."""
        self._emu.live.end_live(int(event_id))


# ---- the app ---------------------------------------------------------------------------------------
_loaded_services = False
_service_lock = threading.Lock()


def load_services() -> None:
    """Import every module of emulator/services so their @action handlers register (once per process)."""
    global _loaded_services
    with _service_lock:
        if _loaded_services:
            return
        from reach_studio.emulator import services

        for info in pkgutil.iter_modules(services.__path__):
            importlib.import_module(f"{services.__name__}.{info.name}")
        _loaded_services = True


def _route_blueprints() -> list[Blueprint]:
    from reach_studio.emulator import routes

    found = []
    for info in pkgutil.iter_modules(routes.__path__):
        module = importlib.import_module(f"{routes.__name__}.{info.name}")
        bp = getattr(module, "blueprint", None)
        if isinstance(bp, Blueprint):
            found.append(bp)
    return found


def _drop_connection() -> Response:
    sock = request.environ.get("werkzeug.socket")
    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    # Nothing reaches the client; werkzeug's attempt to write this fails quietly on the closed socket.
    return Response(b"", status=500)


_5XX = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
    504: "Gateway Time-out",
}


def _server_error(code: int) -> Response:
    # What a load balancer in front of Kaltura answers: an HTML page, not an API result.
    title = f"{code} {_5XX[code]}"
    body = (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
        "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )
    return Response(body, status=code, mimetype="text/html")


def create_app(emu: Emulator) -> Flask:
    """The Flask app serving api_v3, the `/_emulator` control API and every blueprint under routes/."""
    load_services()
    app = Flask("reach_studio.emulator")
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024**3
    app.extensions["reach_emulator"] = emu

    @app.before_request
    def _faults() -> Response | None:
        if request.path.startswith("/_emulator"):
            return None
        faults = emu.faults
        faults.sleep(faults.latency_ms / 1000.0)
        if faults.roll(faults.drop_rate):
            return _drop_connection()
        if faults.roll(faults.timeout_rate):
            faults.sleep(faults.timeout_sleep_s)
        if faults.roll(faults.error_rate):
            return _server_error(faults.pick(_5XX))
        return maybe_redirect(emu, request)

    @app.after_request
    def _shape(response: Response) -> Response:
        return shape_response(emu, request, response)

    def _api(service: str | None, action_name: str | None) -> Response:
        started = time.perf_counter()
        fmt = 2
        try:
            files = [
                (key, UploadedFile(storage.read(), storage.filename or key, storage.mimetype or ""))
                for key, storage in request.files.items(multi=True)
            ]
            params = parse_request(
                request.content_type or "",
                request.get_data(cache=True) if not request.files else b"",
                list(request.form.items(multi=True)),
                files,
                list(request.args.items(multi=True)),
            )
            fmt = response_format(params)
            service = service or params.get("service")
            action_name = action_name or params.get("action")
            emu.count_call(service, action_name)
            if str(service or "").lower() == "multirequest":
                result: Any = registry.multirequest(emu, params)
            else:
                if not service:
                    raise ApiError("MISSING_MANDATORY_PARAMETER", PARAM_NAME="service")
                if not action_name:
                    raise ApiError("MISSING_MANDATORY_PARAMETER", PARAM_NAME="action")
                emu.faults.stalled_adds.hold(service, action_name, emu.faults.sleep)
                result = registry.call(emu, str(service), str(action_name), params)
        except ApiError as err:
            result = err
        except WireError as exc:
            result = ApiError("INTERNAL_SERVERL_ERROR", REASON=str(exc))
        except Exception:  # a bug in a handler: answer like Kaltura, keep the traceback in our log
            log.exception("emulator handler failed for %s.%s", service, action_name)
            result = ApiError("INTERNAL_SERVERL_ERROR")
        if emu.faults.lost_answers.take(service, action_name):
            return _drop_connection()  # carried out; the answer never reaches the client
        body, content_type = serialize(result, fmt, time.perf_counter() - started)
        response = Response(body, status=200, content_type=content_type)
        response.headers["X-Me"] = "reach-studio-emulator"
        return response

    @app.route("/api_v3/service/<service>/action/<action_name>", methods=["GET", "POST"])
    def api_call(service: str, action_name: str) -> Response:
        return _api(service, action_name)

    @app.route("/api_v3/service/<service>", methods=["GET", "POST"])
    def api_service(service: str) -> Response:
        return _api(service, None)

    @app.route("/api_v3/", methods=["GET", "POST"])
    @app.route("/api_v3/index.php", methods=["GET", "POST"])
    def api_index() -> Response:
        return _api(None, None)

    app.register_blueprint(_control_blueprint(emu))
    for bp in _route_blueprints():
        app.register_blueprint(bp)
    return app


def _control_blueprint(emu: Emulator) -> Blueprint:
    bp = Blueprint("emulator_control", __name__, url_prefix="/_emulator")

    def _json_body() -> dict[str, Any]:
        data = request.get_json(silent=True)
        if data is None and request.form:
            data = dict(request.form)
        return data if isinstance(data, dict) else {}

    @bp.errorhandler(EmulatorError)
    def _bad(exc: EmulatorError):  # type: ignore[no-untyped-def]
        return jsonify({"error": str(exc)}), 400

    @bp.get("/info")
    def info():  # type: ignore[no-untyped-def]
        return jsonify(emu.info)

    @bp.route("/faults", methods=["GET", "POST"])
    def faults():  # type: ignore[no-untyped-def]
        if request.method == "POST":
            body = _json_body()
            if body.pop("reset", False):
                emu.faults.reset()
            if body.pop("expire_all_ks", False):
                emu.faults.expire_all_ks()
            known = {
                "error_rate",
                "latency_ms",
                "segment_latency_ms",
                "drop_rate",
                "timeout_rate",
                "timeout_sleep_s",
                "seed",
                *NETWORK_SWITCHES,
            }
            unknown = set(body) - known
            if unknown:
                raise EmulatorError(f"unknown fault switches: {', '.join(sorted(unknown))}")
            try:
                emu.faults.configure(**{k: (int(v) if k == "seed" else float(v)) for k, v in body.items()})
            except (TypeError, ValueError):
                raise EmulatorError("fault switches must be numbers") from None
        return jsonify(emu.faults.snapshot())

    @bp.post("/faults/expire_all_ks")
    def expire_all_ks():  # type: ignore[no-untyped-def]
        emu.faults.expire_all_ks()
        return jsonify(emu.faults.snapshot())

    @bp.post("/faults/reset")
    def reset_faults():  # type: ignore[no-untyped-def]
        emu.faults.reset()
        return jsonify(emu.faults.snapshot())

    @bp.get("/inspect/task/<int:task_id>")
    def inspect_task(task_id: int):  # type: ignore[no-untyped-def]
        return jsonify(emu.inspect.task(task_id))

    @bp.get("/inspect/status_history/<int:task_id>")
    def inspect_history(task_id: int):  # type: ignore[no-untyped-def]
        return jsonify(emu.inspect.status_history(task_id))

    @bp.get("/inspect/calls")
    def inspect_calls():  # type: ignore[no-untyped-def]
        return jsonify(emu.inspect.calls())

    @bp.get("/inspect/objects/<kind>")
    def inspect_objects(kind: str):  # type: ignore[no-untyped-def]
        filters: dict[str, Any] = {}
        for key, value in request.args.items():
            filters[key] = int(value) if value.lstrip("-").isdigit() else value
        return jsonify(emu.inspect.objects(kind, **filters))

    @bp.get("/inspect/content/<object_id>")
    def inspect_content(object_id: str):  # type: ignore[no-untyped-def]
        try:
            data = emu.inspect.content(object_id)
        except EmulatorError:
            abort(404)
        return Response(data, mimetype="application/octet-stream")

    @bp.post("/control/abort_task/<int:task_id>")
    def abort_task(task_id: int):  # type: ignore[no-untyped-def]
        try:
            return jsonify(emu.control.abort_task(task_id))
        except ApiError as err:
            raise EmulatorError(err.message) from None

    @bp.post("/control/add_task")
    def add_task():  # type: ignore[no-untyped-def]
        try:
            return jsonify({"id": emu.control.add_task(**_json_body())})
        except (ApiError, TypeError) as err:
            raise EmulatorError(getattr(err, "message", str(err))) from None

    return bp


# ---- the emulator -----------------------------------------------------------------------------------
class Emulator:
    """A running Kaltura REACH emulator: `with Emulator(tmp) as emu: emu.url ...`."""

    def __init__(
        self,
        data_dir: Path | str,
        seed: str | None = "demo",
        host: str = "127.0.0.1",
        port: int = 0,
        access_key_ttl: float | None = None,
        media_cache: Path | str | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.seed_name = seed
        self.host = host
        self.port = int(port)
        self.access_key_ttl = access_key_ttl
        # seconds the getJobs search index lags behind status changes (Kaltura: sphinx); 0 = none
        self.index_lag_s = 0.0
        self.media_cache = Path(media_cache) if media_cache else self.data_dir / "media-cache"
        self.faults = Faults()
        self.inspect = Inspect(self)
        self.control = Control(self)
        self.call_counts: dict[str, int] = {}  # "service.action" -> requests (Inspect.calls)
        self.call_lock = threading.Lock()
        self.foreign = ForeignHost(self)  # the "other host" of the cross-host redirect fault
        from reach_studio.emulator.caption_puller import CaptionPuller

        self.live = CaptionPuller(self)  # Kaltura's live caption puller (emulator/caption_puller.py)
        self.store: Store | None = None  # type: ignore[assignment]
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.url = ""

    def count_call(self, service: Any, action_name: Any) -> None:
        name = f"{str(service or '').lower()}.{action_name or ''}"
        with self.call_lock:
            self.call_counts[name] = self.call_counts.get(name, 0) + 1

    # public lifecycle
    def start(self) -> Emulator:
        if self._server is not None:
            return self
        from reach_studio.emulator.store import StoreError

        try:
            self.store = Store(self.data_dir)
        except StoreError as exc:
            raise EmulatorError(str(exc)) from None
        load_services()
        if self.seed_name and not self.store.get_meta("seeded"):
            from reach_studio.emulator import seed as seed_module

            try:
                seed_module.apply(self, self.seed_name)
            except seed_module.SeedError as exc:
                self.store.close()
                raise EmulatorError(str(exc)) from None
            self.store.set_meta("seeded", self.seed_name)
        app = create_app(self)
        try:
            self._server = make_server(
                self.host, self.port, app, threaded=True, request_handler=_QuietHandler
            )
        except (OSError, SystemExit) as exc:  # werkzeug exits the process on a taken port instead of raising
            self.store.close()
            reason = getattr(exc, "strerror", None) or "the address is in use"
            raise EmulatorError(f"cannot listen on {self.host}:{self.port}: {reason}") from None
        self._server.daemon_threads = True
        port = self._server.server_address[1]
        self.url = f"http://{self.host}:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="reach-emulator",
            daemon=True,
        )
        self._thread.start()
        self.live.start()
        log.info("Kaltura REACH emulator serving %s (data %s)", self.url, self.data_dir)
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self.live.stop()
        self.faults._stop.set()
        self.foreign.stop()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None
        if self.store is not None:
            self.store.close()
        self.faults._stop.clear()

    def __enter__(self) -> Emulator:  # noqa: PYI034
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def info(self) -> dict[str, Any]:
        """Sign-in facts: service URL, the vendor partner and its app token, the customers' admin secrets."""
        store = self.store
        vendor = next(iter(store.find("partner", isVendor=True)), None) if store else None
        token = None
        if vendor is not None:
            token = next(
                iter(store.find("app_token", partnerId=vendor["id"], status=AppTokenStatus.ACTIVE)), None
            )
        customers = [
            {"partnerId": p["id"], "name": p["name"], "adminSecret": p["adminSecret"]}
            for p in (store.find("partner", isVendor=False) if store else [])
        ]
        return {
            "serviceUrl": self.url,
            "vendorPartnerId": vendor["id"] if vendor else None,
            "vendorName": vendor["name"] if vendor else None,
            "appTokenId": token["id"] if token else None,
            "appToken": token["token"] if token else None,
            "adminSecret": vendor["adminSecret"] if vendor else None,
            "customers": customers,
        }

    def __repr__(self) -> str:  # no secrets
        return f"Emulator(url={self.url!r}, data_dir={str(self.data_dir)!r})"
