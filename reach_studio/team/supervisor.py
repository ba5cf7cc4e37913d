"""`reach-studio sync --serve`: the team's single poller, key keeper, metrics and read-only status page.

Why it exists: with a team store, twenty desktops need not each poll Kaltura. One headless service polls
every account, publishes the queue to the team store (desktops read it there), extends the access keys
of every task the team holds (a holder may be offline for days), releases claims that never reached
Kaltura, and exposes Prometheus metrics plus a small status page for the supervisor. Qt-free.
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from reach_studio.domain.enums import ServiceFeature, TaskStatus
from reach_studio.domain.task import Task
from reach_studio.engine.run_loop import exit_code_for, stop_on_sigterm

# The team store (psycopg, ~0.3 s to import) and http.server are imported where they are used: `sync`
# imports this module for its options, and the GUI's command line builds every sub-command's options
# before its window.
if TYPE_CHECKING:
    from http.server import ThreadingHTTPServer

    from reach_studio.team.store import TeamStore

log = logging.getLogger(__name__)

AT_RISK_WITHIN_S = 3600.0  # a task due within the hour (or overdue) is at risk


def add_arguments(parser: argparse.ArgumentParser) -> None:
    a = parser.add_argument
    a("--serve", action="store_true", help="run as the team's supervisor service (needs a team store)")
    a("--team-db", help="team store URL (postgresql://...) [env REACH_TEAM_DB, setting team_db_url]")
    a("--http-host", default="127.0.0.1", help="address of the metrics/status page (default 127.0.0.1)")
    a("--http-port", type=int, default=9464, help="port of /metrics and the status page (0: any free port)")
    a("--member", default="supervisor", help="this service's member name in the team store")


class SupervisorService:
    """One round = poll every account → publish the queue → keys → stale "claiming" rows. Thread-safe reads."""

    def __init__(
        self,
        store: TeamStore,
        connections: dict[str, Any],
        task_filter=None,
        *,
        interval: float = 30.0,
        key_lifetime: float | None = None,
    ) -> None:
        from reach_studio.engine.key_keeper import KeyKeeper
        from reach_studio.engine.poller import Poller, PollerGroup

        self.store = store
        self.connections = connections
        self.group = PollerGroup(
            Poller(c, interval=interval, task_filter=task_filter) for c in connections.values()
        )
        self.keeper = KeyKeeper(lambda t: connections[t.account], key_lifetime=key_lifetime)
        self.rounds = 0
        self.last_round_at: float | None = None
        self.errors: dict[str, str] = {}

    def run_once(self) -> dict[str, Exception | None]:
        from reach_studio.team.store import TeamStoreError

        results = self.group.poll_all_once()
        for poller in self.group.pollers:
            err = results.get(poller.account)
            try:
                if err is not None:
                    self.errors[poller.account] = str(err)
                    self.store.poll_failed(poller.account, str(err))
                    continue
                self.errors.pop(poller.account, None)
                for task in poller.tasks:
                    task.account = poller.account
                self.store.publish_queue(poller.account, poller.tasks)
                self._abandoned_claims(poller.account, {t.id for t in poller.tasks})
            except TeamStoreError as exc:
                self.errors["team store"] = str(exc)
                log.warning("Could not update the team store: %s", exc)
        self._keys()
        self.rounds += 1
        self.last_round_at = time.time()
        return results

    def _abandoned_claims(self, account: str, pending_ids: set[int]) -> None:
        """A "claiming" row whose holder went silent while Kaltura still lists the task as PENDING: the
        claim never reached Kaltura and its holder is gone — free the task for the others."""
        for claim in self.store.claims(states=("claiming",)):
            if (
                claim.account == account
                and claim.silent_s >= self.store.stale_after_s
                and claim.task_id in pending_ids
            ):
                self.store.abandon(account, claim.task_id, f"{claim.holder} never finished the claim")

    def _keys(self) -> None:
        """Extend the keys of every task the team holds in Kaltura (the keeper extends a margin before expiry)."""
        from reach_studio.kaltura import reach_api
        from reach_studio.kaltura.connection import ReachError
        from reach_studio.team.store import TeamStoreError

        try:
            held = {
                (c.account, c.task_id): c
                for c in self.store.claims(states=("working", "review", "returned", "approved"))
            }
        except TeamStoreError as exc:
            log.warning("Could not read the team's claims: %s", exc)
            return
        tracked = {(t.account, t.id): t for t in self.keeper.tracked()}
        for key, task in tracked.items():
            if key not in held:
                self.keeper.untrack(task)
        for key, claim in held.items():
            if key in tracked or claim.account not in self.connections:
                continue
            task = _stub(claim.account, claim.task_id)
            try:  # a fresh key now, then the keeper extends it before it expires
                reach_api.extend_access_key(self.connections[claim.account], task)
            except ReachError as exc:
                log.warning("Could not extend the key of task %s: %s", claim.task_id, exc)
                self.store.record_failure(claim.account, claim.task_id, f"EXTEND_{exc.code}"[:60])
                continue
            self.keeper.track(task)
        try:
            self.keeper.run_once()
        except Exception as exc:  # noqa: BLE001 - a key round must not stop the service
            log.warning("Key extension round failed: %s", exc)


def _stub(account: str, task_id: int) -> Task:
    return Task(
        id=task_id,
        partner_id=0,
        vendor_partner_id=0,
        entry_id="",
        status=TaskStatus.PROCESSING,
        catalog_item_id=0,
        reach_profile_id=0,
        account=account,
    )


# ---- metrics ------------------------------------------------------------------------------------------
def _feature_name(value: int) -> str:
    try:
        return ServiceFeature(value).name.lower()
    except ValueError:
        return str(value)


class TeamCollector:
    """Prometheus collector reading the team store at scrape time (so every replica reports the same)."""

    def __init__(self, store: TeamStore, service: SupervisorService | None = None) -> None:
        self.store = store
        self.service = service

    def collect(self):
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        from reach_studio.team.store import TeamStoreError

        try:
            stats = self.store.stats(AT_RISK_WITHIN_S)
        except TeamStoreError as exc:
            log.warning("metrics: team store unreachable: %s", exc)
            up = GaugeMetricFamily("reach_team_store_up", "1 when the team store answered this scrape")
            up.add_metric([], 0)
            yield up
            return
        up = GaugeMetricFamily("reach_team_store_up", "1 when the team store answered this scrape")
        up.add_metric([], 1)
        yield up
        depth = GaugeMetricFamily(
            "reach_team_queue_depth", "Pending unclaimed tasks", labels=["partner_id", "service"]
        )
        for partner, feature, n in stats["queue_depth"]:
            depth.add_metric([str(partner), _feature_name(feature)], n)
        yield depth
        risk = GaugeMetricFamily(
            "reach_team_tasks_at_risk", "Open tasks due within the hour or overdue (expected finish time)"
        )
        risk.add_metric([], stats["at_risk"])
        yield risk
        states = GaugeMetricFamily("reach_team_claims", "Tasks held by the team, by state", labels=["state"])
        for state, n in sorted(stats["claim_states"].items()):
            states.add_metric([state], n)
        yield states
        kinds = {"claimed": "claims", "delivered": "deliveries", "taken_over": "takeovers"}
        families = {
            kind: CounterMetricFamily(
                f"reach_team_{name}", f"Tasks {kind.replace('_', ' ')} per linguist", labels=["linguist"]
            )
            for kind, name in kinds.items()
        }
        for actor, kind, n in stats["per_member"]:
            families[kind].add_metric([actor], n)
        yield from families.values()
        failures = CounterMetricFamily("reach_team_failures", "Failures by reason", labels=["reason"])
        for reason, n in stats["failures"]:
            failures.add_metric([reason], n)
        yield failures
        if self.service is not None:
            rounds = CounterMetricFamily("reach_team_poll_rounds", "Poll rounds of this supervisor")
            rounds.add_metric([], self.service.rounds)
            yield rounds


# ---- status page ----------------------------------------------------------------------------------------
def status_data(store: TeamStore, service: SupervisorService | None = None) -> dict[str, Any]:
    now = time.time()
    claims = store.claims()
    return {
        "generatedAt": int(now),
        "lastRound": service.last_round_at if service else None,
        "errors": dict(service.errors) if service else {},
        "claims": [
            {
                "task": c.task_id,
                "label": c.label,
                "holder": c.holder,
                "state": c.state,
                "since": int(c.since),
                "due": int(c.expected_finish) if c.expected_finish else None,
                "silentSeconds": int(c.silent_s),
                "reviewer": c.reviewer,
            }
            for c in claims
        ],
        "queue": len(store.queue()),
        "reviewQueue": [c.task_id for c in claims if c.state == "review"],
    }


def _clock(epoch: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(epoch)) + " UTC" if epoch else "—"


def status_html(data: dict[str, Any]) -> str:
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(v))}</td>"
            for v in (
                c["task"],
                c["label"],
                c["holder"],
                c["state"],
                _clock(c["since"]),
                _clock(c["due"]),
                f"{c['silentSeconds']} s",
                c["reviewer"] or "",
            )
        )
        + "</tr>"
        for c in data["claims"]
    )
    errors = "".join(f"<li>{html.escape(k)}: {html.escape(v)}</li>" for k, v in data["errors"].items())
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Reach Studio team</title>"
        "<meta http-equiv='refresh' content='30'>"
        "<style>body{font-family:sans-serif}td,th{padding:2px 8px;text-align:left}</style></head><body>"
        f"<h1>Reach Studio team</h1><p>Queue: {data['queue']} task(s) waiting; "
        f"review queue: {len(data['reviewQueue'])}; last poll: {_clock(data['lastRound'])}</p>"
        + (f"<ul class='errors'>{errors}</ul>" if errors else "")
        + "<table><tr><th>Task</th><th>Entry</th><th>Holder</th><th>State</th><th>Since</th><th>Due</th>"
        "<th>Silent</th><th>Reviewer</th></tr>" + rows + "</table></body></html>"
    )


def make_http_server(
    host: str, port: int, store: TeamStore, service: SupervisorService | None = None
) -> ThreadingHTTPServer:
    """GET /metrics (Prometheus), / (status page), /status.json. Read-only: every other method is refused."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.exposition import CONTENT_TYPE_LATEST

    from reach_studio.team.store import TeamStoreError

    registry = CollectorRegistry()
    registry.register(TeamCollector(store, service))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            try:
                if self.path == "/metrics":
                    self._send(200, CONTENT_TYPE_LATEST, generate_latest(registry))
                elif self.path in ("/", "/index.html"):
                    self._send(
                        200, "text/html; charset=utf-8", status_html(status_data(store, service)).encode()
                    )
                elif self.path == "/status.json":
                    self._send(200, "application/json", json.dumps(status_data(store, service)).encode())
                else:
                    self._send(404, "text/plain", b"not found\n")
            except TeamStoreError as exc:
                self._send(503, "text/plain; charset=utf-8", f"team store unreachable: {exc}\n".encode())

        def _send(self, code: int, content_type: str, body: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt: str, *args: Any) -> None:
            log.debug("status page: " + fmt, *args)

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server


# ---- the sub-command ----------------------------------------------------------------------------------
def run(
    args: argparse.Namespace,
    accounts: list,
    task_filter,
    interval: float,
    stop: threading.Event | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> int:
    """Serve until SIGTERM/Ctrl-C (or `--once`): exit codes as `sync` (2 usage, 4 Kaltura, 5 team store)."""

    from reach_studio.kaltura.connection import ReachConnection
    from reach_studio.team.config import team_url
    from reach_studio.team.store import TeamStore

    url = args.team_db or team_url()
    if not url:
        print(
            "reach-studio sync --serve: no team store (--team-db, REACH_TEAM_DB or setting team_db_url)",
            file=sys.stderr,
        )
        return 2
    try:
        store = TeamStore(url, args.member).open(role="supervisor", display_name="supervisor service")
    except Exception as exc:  # noqa: BLE001 - TeamStoreError, MigrationError: one clear line
        print(f"reach-studio sync --serve: {exc}", file=sys.stderr)
        return 5
    conns = {a.key: ReachConnection(a) for a in accounts}
    service = SupervisorService(store, conns, task_filter, interval=interval, key_lifetime=args.key_lifetime)
    try:
        server = make_http_server(args.http_host, args.http_port, store, service)
    except OSError as exc:
        print(
            f"reach-studio sync --serve: cannot listen on {args.http_host}:{args.http_port}: {exc}",
            file=sys.stderr,
        )
        store.close()
        return 2
    address = f"http://{server.server_address[0]}:{server.server_address[1]}/"
    threading.Thread(target=server.serve_forever, name="status-page", daemon=True).start()
    print(f"Team supervisor: status page {address} metrics {address}metrics", flush=True)
    if on_ready is not None:
        on_ready(address)
    stop = stop or threading.Event()
    with stop_on_sigterm(stop):
        try:
            while True:
                results = service.run_once()
                failed = [e for e in results.values() if e is not None]
                for err in failed:
                    print(f"reach-studio sync --serve: {err}", file=sys.stderr)
                if args.once:
                    return exit_code_for(failed)
                delay = max((p.next_delay() for p in service.group.pollers), default=interval)
                if stop.wait(delay):
                    return 0
        except KeyboardInterrupt:
            return 0
        finally:
            server.shutdown()
            server.server_close()
            store.close()
