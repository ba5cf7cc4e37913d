"""`reach-studio sync`: the supervisors' headless mode — poll every account, keep the task store, extend keys,
print the fair queue.

Why it exists: a supervisor (or a cron job, or a wall screen over ssh) needs the queue without a GUI.
It uses the same engine as the desktop app (pollers, fair queue, key keeper, task store), prints a
table or JSON, and exits with a clear code. It never prints or logs a KS, app token or secret.

Exit codes: 0 fine; 2 bad arguments or configuration; 3 sign-in refused; 4 Kaltura unreachable or
failing after retries; 5 the local task store cannot be opened.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from reach_studio.domain.enums import ProcessingRegion, ServiceFeature, ServiceType, TaskStatus
from reach_studio.domain.fair_queue import FairQueue, task_key
from reach_studio.domain.task import Task
from reach_studio.engine.run_loop import EXIT_OK, EXIT_STORE, EXIT_USAGE, exit_code_for, stop_on_sigterm
from reach_studio.printable import printable

log = logging.getLogger(__name__)


DEFAULT_DEADLINE_S = 120.0


class SyncUsageError(Exception):
    """Bad flags or configuration (exit code 2)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Poll every vendor account, keep the local task store, extend keys, print the fair queue."
    )
    parser.epilog = (
        "Exit codes: 0 fine; 2 bad arguments or configuration; 3 sign-in refused; "
        "4 Kaltura unreachable or failing after retries; 5 the task store cannot be opened."
    )
    a = parser.add_argument
    a("--once", action="store_true", help="poll once, print, exit")
    a("--json", action="store_true", help="print the queue as JSON instead of a table")
    a("--demo", action="store_true", help="start the embedded emulator with the demo seed and use it")
    a(
        "--service-url",
        help="Kaltura service URL or preset (global, ap, ca, de, eu, sg) [env REACH_SERVICE_URL]",
    )
    a("--vendor-partner-id", type=int, help="vendor partner id [env REACH_VENDOR_PARTNER_ID]")
    a("--vendor-name", help="vendor name used in client tags [env REACH_VENDOR_NAME]")
    a("--app-token-id", help="app token id [env REACH_APP_TOKEN_ID]; the token comes from the keyring")
    a("--app-token-env", metavar="VAR", help="read the app token from this environment variable")
    a("--admin-secret-env", metavar="VAR", help="development only: read an admin secret from this variable")
    a(
        "--config",
        type=Path,
        help='JSON file with {"accounts": [...]} (no secrets); default: the app settings',
    )
    a("--interval", type=float, help="seconds between polls (default: settings, 30)")
    a("--service-types", help="comma list of human,machine,hybrid or 'all' (default: settings, human)")
    a("--features", help="comma list of features (captions,translation,...) or 'all' (default: all)")
    a("--regions", help="comma list of processing regions US,EU,CA (default: settings)")
    a(
        "--queue-order",
        choices=("deadline", "customer_round_robin"),
        help="deadline: earliest expected finish first, whatever the customer; customer_round_robin: one "
        "task per customer per round (default: settings, deadline)",
    )
    a("--key-lifetime", type=float, help="known access-key lifetime in seconds (default: Kaltura's rule)")
    a("--no-extend", action="store_true", help="do not extend access keys")
    a(
        "--deadline",
        type=float,
        default=DEFAULT_DEADLINE_S,
        help=f"seconds one poll round (all of --once) may take, every call and retry included "
        f"(default {DEFAULT_DEADLINE_S:.0f}); the error names the call that ran out",
    )
    a("--store", type=Path, help="task store file (default: in the data folder)")
    from reach_studio.live import sync_live  # --live and its options (live-caption relay)

    sync_live.add_arguments(parser)
    from reach_studio.team import supervisor  # --serve: the team's single poller (team store)

    supervisor.add_arguments(parser)


# ---- configuration --------------------------------------------------------------------------------
def _csv(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def _enum_set(names: list[str] | None, enum_cls, what: str):
    if names is None:
        return None
    if any(n.lower() == "all" for n in names):
        return None
    out = set()
    for name in names:
        key = name.strip().upper().replace("-", "_").replace(" ", "_")
        if key not in enum_cls.__members__:
            choices = ", ".join(m.lower() for m in enum_cls.__members__)
            raise SyncUsageError(f"unknown {what} {name!r}; use one of: {choices}, all")
        out.add(enum_cls[key])
    return frozenset(out)


def build_filter(args: argparse.Namespace, settings) -> Any:
    from reach_studio.engine.poller import TaskFilter

    types = _csv(args.service_types) if args.service_types else settings.get("service_types")
    regions = _csv(args.regions) if args.regions else settings.get("processing_regions")
    return TaskFilter(
        service_types=_enum_set(types, ServiceType, "service type"),
        features=_enum_set(_csv(args.features), ServiceFeature, "feature"),
        regions=_enum_set(regions, ProcessingRegion, "processing region"),
    )


def _env_secret(var: str | None, what: str) -> str | None:
    if not var:
        return None
    value = os.environ.get(var)
    if not value:
        raise SyncUsageError(f"the environment variable {var} (for the {what}) is empty or not set")
    return value


def build_accounts(args: argparse.Namespace, settings) -> list:
    """Accounts from flags/env, else the --config file, else the app settings; secrets from env/keyring."""
    from reach_studio.kaltura.connection import AccountConfig, ReachError, resolve_service_url
    from reach_studio.secret_store import SecretStore, account_id

    url = args.service_url or os.environ.get("REACH_SERVICE_URL")
    vpid = args.vendor_partner_id or os.environ.get("REACH_VENDOR_PARTNER_ID")
    if url or vpid:
        if not (url and vpid):
            raise SyncUsageError("give both --service-url and --vendor-partner-id (or neither)")
        specs = [
            {
                "service_url": url,
                "vendor_partner_id": vpid,
                "vendor_name": args.vendor_name or os.environ.get("REACH_VENDOR_NAME") or "vendor",
                "app_token_id": args.app_token_id or os.environ.get("REACH_APP_TOKEN_ID"),
            }
        ]
    elif args.config:
        try:
            data = json.loads(args.config.read_text("utf-8"))
            specs = data["accounts"] if isinstance(data, dict) else None
        except (OSError, ValueError, KeyError) as exc:
            raise SyncUsageError(f"cannot read accounts from {args.config}: {exc}") from None
        if not isinstance(specs, list):
            raise SyncUsageError(f'{args.config} needs an "accounts" list')
    else:
        specs = settings.get("accounts")
    if not specs:
        raise SyncUsageError(
            "no account configured: use --service-url/--vendor-partner-id, --config or --demo"
        )
    token_override = _env_secret(args.app_token_env, "app token")
    admin_secret = _env_secret(args.admin_secret_env, "admin secret")
    secrets = SecretStore()
    accounts = []
    for spec in specs:
        if not isinstance(spec, dict):
            raise SyncUsageError("each account must be a JSON object")
        for field in spec:
            if field.lower() in ("app_token", "admin_secret", "ks", "secret", "token"):
                raise SyncUsageError(f"'{field}' is a secret: pass it with --app-token-env or the keyring")
        try:
            service_url = resolve_service_url(str(spec.get("service_url") or ""))
            vendor_id = int(spec.get("vendor_partner_id"))
        except ReachError as exc:
            raise SyncUsageError(exc.message) from None
        except (TypeError, ValueError):
            raise SyncUsageError(
                f"vendor_partner_id must be a number: {spec.get('vendor_partner_id')!r}"
            ) from None
        token = token_override or secrets.get(account_id(service_url, vendor_id))
        if not token and not admin_secret:
            raise SyncUsageError(
                f"no app token for {service_url} vendor {vendor_id}: store it in the keyring (sign in once in the "
                "app) or pass --app-token-env VAR"
            )
        if token and not spec.get("app_token_id"):
            raise SyncUsageError(f"no app token id for {service_url} vendor {vendor_id} (--app-token-id)")
        regions = spec.get("regions")
        accounts.append(
            AccountConfig(
                service_url=service_url,
                vendor_partner_id=vendor_id,
                vendor_name=str(spec.get("vendor_name") or "vendor"),
                app_token_id=spec.get("app_token_id") if token else None,
                app_token=token,
                admin_secret=None if token else admin_secret,
                regions=_enum_set(regions, ProcessingRegion, "processing region") if regions else None,
                label=str(spec.get("label") or ""),
            )
        )
    return accounts


# ---- output ---------------------------------------------------------------------------------------
def _duration(seconds: float) -> str:
    seconds = abs(int(seconds))
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    return f"{seconds // 86400} d {seconds % 86400 // 3600} h"


def _languages(task: Task) -> str:
    src, dst = task.source_language, task.target_language
    if src and dst:
        return f"{src} → {dst}"
    return src or dst or ""


def _name(enum_value) -> str | None:
    return enum_value.name.lower() if enum_value is not None else None


def task_record(task: Task, now: float, customers: dict[int, str], position: int | None, why: str) -> dict:
    left = task.seconds_left(now)
    return {
        "position": position,
        "id": task.id,
        "partnerId": task.partner_id,
        "customer": customers.get(task.partner_id, str(task.partner_id)),
        "entryId": task.entry_id,
        "entryName": task.extra.get("entry_name") or None,
        "serviceType": int(task.service_type) if task.service_type is not None else None,
        "serviceTypeName": _name(task.service_type),
        "serviceFeature": int(task.feature) if task.feature is not None else None,
        "serviceFeatureName": _name(task.feature),
        "status": int(task.status),
        "statusName": _name(task.status),
        "expectedFinishTime": task.expected_finish_time,
        "turnAroundTime": int(task.turn_around_time) if task.turn_around_time is not None else None,
        "secondsLeft": int(left) if left is not None else None,
        "overdue": bool(left is not None and left < 0),
        "sourceLanguage": task.source_language,
        "targetLanguage": task.target_language,
        "processingRegion": _name(task.reach_profile.processing_region) if task.reach_profile else None,
        "claimedBy": task.external_task_id or None,
        "account": task.account,
        "why": why,
    }


def queue_records(queue: FairQueue, claimed: list[Task], now: float, customers: dict[int, str]) -> list[dict]:
    rows = [
        task_record(p.task, now, customers, p.position, queue.explain(p.task, now)) for p in queue.places()
    ]
    for task in claimed:
        rows.append(task_record(task, now, customers, None, f"claimed by {task.external_task_id or 'us'}"))
    return rows


COLUMNS = [
    ("#", "position"),
    ("customer", "customer"),
    ("entry", "entry"),
    ("service", "service"),
    ("languages", "languages"),
    ("type", "serviceTypeName"),
    ("TAT left", "tatLeft"),
    ("overdue", "overdueText"),
    ("claimed by", "claimedBy"),
]


def render_table(records: list[dict], tasks_by_key: dict[tuple[str, int], Task]) -> str:
    lines = []
    rows = []
    for r in records:
        task = tasks_by_key[(r["account"], r["id"])]
        left = r["secondsLeft"]
        shown = {k: (printable(v) if isinstance(v, str) else v) for k, v in r.items()}
        rows.append(
            {
                **shown,
                "position": r["position"] or "-",
                "entry": printable(r["entryName"] or r["entryId"]),
                "service": printable(task.feature.label if task.feature is not None else "?"),
                "languages": printable(_languages(task)),
                "tatLeft": "" if left is None else (_duration(left) if left >= 0 else f"-{_duration(left)}"),
                "overdueText": "OVERDUE" if r["overdue"] else "",
                "claimedBy": shown["claimedBy"] or "",
            }
        )
    widths = [
        max(len(title), *(len(str(row[key] or "")) for row in rows)) if rows else len(title)
        for title, key in COLUMNS
    ]
    lines.append("  ".join(title.ljust(w) for (title, _), w in zip(COLUMNS, widths, strict=True)).rstrip())
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append(
            "  ".join(
                str(row[key] or "").ljust(w) for (_, key), w in zip(COLUMNS, widths, strict=True)
            ).rstrip()
        )
    if not rows:
        lines.append("(no tasks waiting)")
    return "\n".join(lines)


# ---- secrets out of logs --------------------------------------------------------------------------
def _install_redaction() -> None:
    from reach_studio.redaction import install_log_redaction

    install_log_redaction()
    # werkzeug's request log (demo emulator) is noise for a supervisor
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


# ---- run ------------------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> int:
    from reach_studio.redaction import register_secret
    from reach_studio.settings import Settings

    _install_redaction()
    emulator = None
    try:
        settings = Settings()
        customers: dict[int, str] = {}
        if args.demo:
            emulator, account = _start_demo()
            customers = {c["partnerId"]: c["name"] for c in emulator.info["customers"]}
            accounts = [account]
        else:
            accounts = build_accounts(args, settings)
        for acct in accounts:
            register_secret(acct.app_token)
            register_secret(acct.admin_secret)
        task_filter = build_filter(args, settings)
        if getattr(args, "queue_order", None) is None:
            args.queue_order = settings.get("queue_order")
        interval = args.interval if args.interval is not None else float(settings.get("poll_interval_s"))
        if interval <= 0:
            raise SyncUsageError("--interval must be positive")
        if getattr(args, "deadline", DEFAULT_DEADLINE_S) <= 0:
            raise SyncUsageError("--deadline must be positive")
        if getattr(args, "live", False):
            from reach_studio.live import sync_live

            return sync_live.run(args, accounts, task_filter, interval)
        if getattr(args, "serve", False):
            from reach_studio.team import supervisor

            return supervisor.run(args, accounts, task_filter, interval)
        return _loop(args, accounts, task_filter, interval, customers, settings.media_dir())
    except SyncUsageError as exc:
        print(f"reach-studio sync: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        if emulator is not None:
            emulator.stop()
            shutil.rmtree(emulator.data_dir, ignore_errors=True)


def _start_demo():
    from reach_studio.demo import start_demo
    from reach_studio.emulator.server import EmulatorError

    try:
        emu, account = start_demo(Path(tempfile.mkdtemp(prefix="reach-sync-demo-")), label="demo")
    except EmulatorError as exc:
        raise SyncUsageError(f"cannot start the demo emulator: {exc}") from None
    log.info("Demo emulator at %s", emu.url)
    return emu, account


def _loop(args, accounts, task_filter, interval: float, customers: dict[int, str], media_dir: Path) -> int:
    from reach_studio.engine.desktop_ops import EngineOps
    from reach_studio.engine.key_keeper import KeyKeeper
    from reach_studio.engine.poller import Poller, PollerGroup
    from reach_studio.kaltura import reach_api
    from reach_studio.kaltura.connection import ReachConnection, ReachError
    from reach_studio.store.task_store import TaskStore, TaskStoreError

    try:
        store = TaskStore(args.store)
    except TaskStoreError as exc:
        print(f"reach-studio sync: {exc}", file=sys.stderr)
        return EXIT_STORE
    conns = {a.key: ReachConnection(a) for a in accounts}
    group = PollerGroup(Poller(c, interval=interval, task_filter=task_filter) for c in conns.values())
    names = EngineOps()  # entry names for the table, fetched once per entry
    keeper = KeyKeeper(lambda t: conns[t.account], key_lifetime=args.key_lifetime)
    stop = threading.Event()
    with stop_on_sigterm(stop):
        try:
            while True:
                errors: list[Exception] = []
                for conn in conns.values():  # every call of this round, retries included, ends by then
                    conn.set_deadline(getattr(args, "deadline", DEFAULT_DEADLINE_S))
                results = group.poll_all_once()
                for poller in group.pollers:
                    err = results.get(poller.account)
                    if err is not None:
                        errors.append(err)
                        print(
                            f"reach-studio sync: {printable(poller.conn.account.display_name())}: {printable(err)}",
                            file=sys.stderr,
                        )
                        continue
                    names.add_entry_names(poller.conn, poller.tasks)
                    gone = store.sync_pending(poller.account, poller.tasks)
                    if gone:
                        log.info(
                            "%d task(s) left the queue of %s (taken or aborted)",
                            len(gone),
                            poller.conn.account.display_name(),
                        )
                    if not args.no_extend:
                        _track_keys(poller, keeper, store, reach_api, ReachError)
                if not args.no_extend:
                    keeper.run_once()
                _purge_media(media_dir)
                _print(args, group, store, customers)
                if args.once or stop.is_set():
                    return exit_code_for(errors)
                delay = max((p.next_delay() for p in group.pollers), default=interval)
                if stop.wait(delay):
                    return EXIT_OK
        except KeyboardInterrupt:
            return EXIT_OK
        finally:
            store.close()


def _purge_media(media_dir: Path) -> None:
    """Delete local media whose customer's deletion policy time has come (week/month policies)."""
    from reach_studio.engine.media_fetch import MediaCache

    try:
        removed = MediaCache(media_dir).purge_due()
    except OSError as exc:
        log.warning("Could not clean the media cache %s: %s", media_dir, exc)
        return
    if removed:
        log.info("Deleted %d media file(s) as the customers' content deletion policies ask", len(removed))


def _details(reach_api, conn, task: Task, reach_error) -> Task:
    try:
        return reach_api.get_task(conn, task, state=task)  # getJobs had every field
    except reach_error:
        return task


def _track_keys(poller, keeper, store, reach_api, reach_error) -> None:
    """Scheduled (live) tasks come with keys from getJobs; claimed tasks in the store are tracked too."""
    try:
        scheduled = [
            _details(reach_api, poller.conn, t, reach_error)
            for t in reach_api.get_jobs(poller.conn, status=TaskStatus.SCHEDULED)
        ]
    except reach_error as exc:
        log.warning("Could not list scheduled tasks: %s", exc)
    else:
        store.sync_status(poller.account, scheduled, TaskStatus.SCHEDULED)
        known = {task_key(t) for t in keeper.tracked()}
        for task in scheduled:
            if task_key(task) not in known:
                keeper.track(task)
    known = {task_key(t) for t in keeper.tracked()}
    for task in store.open_tasks([TaskStatus.PROCESSING]):
        if task.account == poller.account and task_key(task) not in known and task.access_key_expiry:
            keeper.track(task, received_at=task.access_key_expiry - keeper.lifetime(task))


def _print(args, group, store, customers) -> None:
    now = time.time()
    queue = group.queue(getattr(args, "queue_order", None) or "deadline")
    claimed = [
        t
        for t in store.open_tasks([TaskStatus.PROCESSING, TaskStatus.SCHEDULED])
        if any(t.account == p.account for p in group.pollers)
    ]
    records = queue_records(queue, claimed, now, customers)
    if args.json:
        accounts = [
            {
                "account": p.conn.account.display_name(),
                "key": p.account,
                "ok": p.last_error is None,
                "error": str(p.last_error) if p.last_error else None,
                "offered": len(p.tasks),
                "notOffered": len(p.rejected),
            }
            for p in group.pollers
        ]
        queued = [r for r in records if r["position"] is not None]
        taken = [r for r in records if r["position"] is None]
        print(
            json.dumps(
                {"generatedAt": int(now), "accounts": accounts, "tasks": queued, "claimed": taken},
                ensure_ascii=False,
            )
        )
    else:
        by_key = {task_key(t): t for t in queue.tasks() + claimed}
        print(render_table(records, by_key))
        hidden = sum(len(p.rejected) for p in group.pollers)
        if hidden:
            print(f"({hidden} task(s) not offered: other service types, features or regions)")
    sys.stdout.flush()
