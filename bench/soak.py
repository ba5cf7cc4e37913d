"""Soak: several worker processes race to claim and deliver caption tasks against the emulator for a bounded
time while faults are switched on at random (5xx, dropped connections, stalls, expired keys, SIGKILL of a
worker, and — when the emulator has them — dripping and oversized answers). Then it counts what a customer
and a linguist would notice.

    .venv/bin/python bench/soak.py --minutes 3 --workers 4

Prints: tasks READY / ERROR / stuck (still PROCESSING under a soak worker after the grace period),
duplicates (extra caption assets of one task, or empty ones), double deliveries (a task delivered READY
by two workers, or READY twice in Kaltura's history), lost drafts (a worker's draft gone although its work
never reached READY/ERROR), peak memory (workers and the emulator process). The first `--baseline-share`
of the time runs without faults: its deliveries per minute are the baseline printed next to the faulty
phase's. Only loopback addresses are used. Exit code 0 when the "all zero" figures are zero, else 1.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EXTERNAL_PREFIX = "soak-w"


# ---- worker process ---------------------------------------------------------------------------------
def _doc(n: int = 3):
    from reach_studio.domain.captions import CaptionDocument, Cue

    cues = [Cue(i * 2000, i * 2000 + 1500, f"Line number {i + 1}", speaker="Speaker 1") for i in range(n)]
    return CaptionDocument(cues=cues, language="English", accuracy=99)


class _Events:
    """Append-only JSON lines, fsynced: what the worker did survives its SIGKILL."""

    def __init__(self, path: Path, worker: int) -> None:
        self.fh = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the process's life
        self.worker = worker

    def add(self, event: str, **fields: Any) -> None:
        self.fh.write(json.dumps({"t": time.time(), "w": self.worker, "event": event, **fields}) + "\n")
        self.fh.flush()
        os.fsync(self.fh.fileno())


def worker_main(spec_path: str, worker: int) -> int:
    from reach_studio.domain.delivery_plan import WorkProduct
    from reach_studio.domain.enums import ServiceFeature, TaskStatus
    from reach_studio.domain.task_mapping import task_from_dict, task_to_dict
    from reach_studio.engine.delivery import DeliveryBlocked, DeliveryService
    from reach_studio.kaltura import reach_api
    from reach_studio.kaltura.connection import AccountConfig, ReachConnection
    from reach_studio.store.delivery_journal import DeliveryJournal
    from reach_studio.store.drafts import DraftStore, draft_key

    spec = json.loads(Path(spec_path).read_text("utf-8"))
    folder = Path(spec["dir"]) / f"w{worker}"
    folder.mkdir(parents=True, exist_ok=True)
    events = _Events(folder / "events.jsonl", worker)
    stop_file = Path(spec["dir"]) / "stop"
    inflight = folder / "inflight.json"
    conn = ReachConnection(AccountConfig(**spec["account"]), request_timeout=5.0, retries=4, backoff=0.1)
    drafts = DraftStore(folder / "drafts.sqlite3")
    service = DeliveryService(conn, DeliveryJournal(folder / "journal.sqlite3"))
    me = f"{EXTERNAL_PREFIX}{worker}"
    product = WorkProduct(captions=_doc())
    rng = random.Random(os.getpid())
    blocked: dict[int, int] = {}
    events.add("start", pid=os.getpid())

    def deliver(task) -> None:
        key = draft_key(task.account, task.id)
        try:
            outcome = service.deliver(task, product)
        except DeliveryBlocked as exc:
            events.add("blocked", task=task.id, why=str(exc)[:200])
            blocked[task.id] = blocked.get(task.id, 0) + 1
            # someone else holds it (TaskNotOurs): not ours to deliver any more, the draft stays; anything
            # else (a check that could not run) is tried again a few times
            if type(exc).__name__ == "TaskNotOurs" or blocked[task.id] > 5:
                inflight.unlink(missing_ok=True)
            else:
                time.sleep(0.5)
            return
        except Exception as exc:  # noqa: BLE001 - a soak counts failures, it does not stop on them
            events.add("exception", task=task.id, why=f"{type(exc).__name__}: {exc}"[:200])
            time.sleep(0.5)
            return
        events.add("outcome", task=task.id, status=int(outcome.status), err=outcome.err_description[:200])
        if outcome.status in (TaskStatus.READY, TaskStatus.ERROR):
            drafts.discard(key)
            events.add("draft_discarded", task=task.id)
        inflight.unlink(missing_ok=True)

    while True:
        if inflight.exists():  # resume what a SIGKILL interrupted
            data = json.loads(inflight.read_text("utf-8"))
            deliver(task_from_dict(data))
            continue
        if stop_file.exists():
            break
        try:
            pending = [
                t
                for t in reach_api.get_jobs(conn)
                if t.feature == ServiceFeature.CAPTIONS and t.catalog_item_id == spec["catalogItemId"]
            ]
        except Exception as exc:  # noqa: BLE001
            events.add("exception", task=None, why=f"getJobs: {type(exc).__name__}"[:200])
            time.sleep(0.3)
            continue
        if not pending:
            time.sleep(0.2)
            continue
        light = rng.choice(pending[:3])  # workers pick among the same few: they race for them
        try:
            task = reach_api.claim(conn, reach_api.get_task(conn, light), me, settle=0.3)
        except reach_api.ClaimLost as exc:
            events.add("claim_lost", task=light.id, holder=str(getattr(exc, "holder", ""))[:60])
            continue
        except Exception as exc:  # noqa: BLE001
            events.add("exception", task=light.id, why=f"claim: {type(exc).__name__}: {exc}"[:200])
            continue
        key = draft_key(task.account, task.id)
        drafts.save_snapshot(key, "captions", {"version": 1, "kind": "captions", "language": "English",
                                               "items": [], "worker": worker})  # fmt: skip
        events.add("drafted", task=task.id)
        tmp = inflight.with_suffix(".tmp")
        tmp.write_text(json.dumps(task_to_dict(task)), "utf-8")
        os.replace(tmp, inflight)
        events.add("claimed", task=task.id)
        deliver(task)
    events.add("exit")
    return 0


# ---- the conductor ----------------------------------------------------------------------------------
def _hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


class Conductor:
    def __init__(self, args: argparse.Namespace) -> None:
        from reach_studio.emulator.server import Emulator

        self.args = args
        self.rng = random.Random(args.seed)
        self.dir = Path(tempfile.mkdtemp(prefix="reach-soak-"))
        os.environ["REACH_STUDIO_HOME"] = str(self.dir / "home")
        cache = Path(tempfile.gettempdir()) / "reach-soak-media"  # generated once, shared by runs
        self.emu = Emulator(self.dir / "emulator", seed="demo", media_cache=cache).start()
        info = self.emu.info
        self.account = {
            "service_url": info["serviceUrl"], "vendor_partner_id": info["vendorPartnerId"],
            "vendor_name": info["vendorName"], "app_token_id": info["appTokenId"], "app_token": info["appToken"],
        }  # fmt: skip
        self.template = self._template()
        self.procs: dict[int, subprocess.Popen] = {}
        self.peak_worker_kb = 0
        self.kills = 0
        self.faults_applied: dict[str, int] = {}
        self.spec = self.dir / "spec.json"
        self.spec.write_text(
            json.dumps(
                {
                    "dir": str(self.dir),
                    "account": self.account,
                    "catalogItemId": self.template["catalogItemId"],
                }
            )
        )
        self.net_faults = "drip_rate" in self.emu.faults.snapshot()

    def _template(self) -> dict:
        from reach_studio.domain.enums import ServiceFeature, ServiceType, TaskStatus

        items = {i["id"]: i for i in self.emu.inspect.objects("catalog_item")}
        for t in self.emu.inspect.objects("task"):
            item = items.get(t["catalogItemId"]) or {}
            if (
                t["status"] == int(TaskStatus.PENDING)
                and item.get("serviceFeature") == int(ServiceFeature.CAPTIONS)
                and item.get("serviceType") == int(ServiceType.HUMAN)
            ):
                return t
        raise SystemExit("the demo seed has no pending human captions task to copy")

    def replenish(self) -> None:
        from reach_studio.domain.enums import TaskStatus

        pending = [
            t for t in self.emu.inspect.objects("task", catalogItemId=self.template["catalogItemId"])
            if t["status"] == int(TaskStatus.PENDING)
        ]  # fmt: skip
        for _ in range(max(0, 2 * self.args.workers - len(pending))):
            self.emu.control.add_task(
                partnerId=self.template["partnerId"], entryId=self.template["entryId"],
                catalogItemId=self.template["catalogItemId"], reachProfileId=self.template["reachProfileId"],
            )  # fmt: skip

    def spawn(self, worker: int) -> None:
        env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
        self.procs[worker] = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker", str(worker), "--spec", str(self.spec)],
            env=env, stdout=subprocess.DEVNULL, stderr=open(self.dir / f"w{worker}.stderr", "ab"),  # noqa: SIM115
        )  # fmt: skip

    def _wait_started(self, limit_s: float = 180.0) -> None:
        """The clock starts once every worker is up (imports take a while on a busy machine)."""
        end = time.monotonic() + limit_s
        while time.monotonic() < end:
            self.replenish()
            logs = [self.dir / f"w{w}" / "events.jsonl" for w in self.procs]
            if all(p.exists() and p.stat().st_size for p in logs):
                return
            time.sleep(0.3)

    def sample_memory(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                self.peak_worker_kb = max(self.peak_worker_kb, _hwm_kb(proc.pid))

    def random_faults(self) -> None:
        f = self.emu.faults
        f.reset()
        choice = self.rng.choice(["5xx", "drops", "stalls", "latency", "mixed", "calm"]
                                 + (["drip", "oversize"] if self.net_faults else []))  # fmt: skip
        self.faults_applied[choice] = self.faults_applied.get(choice, 0) + 1
        if choice in ("5xx", "mixed"):
            f.configure(error_rate=self.rng.uniform(0.05, 0.2))
        if choice in ("drops", "mixed"):
            f.configure(drop_rate=self.rng.uniform(0.02, 0.1))
        if choice in ("stalls", "mixed"):
            f.configure(timeout_rate=self.rng.uniform(0.02, 0.08), timeout_sleep_s=self.rng.uniform(3, 9))
        if choice == "latency":
            f.configure(latency_ms=self.rng.uniform(50, 400))
        if choice == "drip":
            f.configure(drip_rate=0.03, drip_interval_s=1.0)
        if choice == "oversize":
            f.configure(oversize_rate=0.02, oversize_bytes=48 * 1024 * 1024)
        if self.rng.random() < 0.2:
            f.expire_all_ks()
            self._renew_pending_keys()
            self.faults_applied["expired keys"] = self.faults_applied.get("expired keys", 0) + 1
        if self.rng.random() < self.args.kill_chance:
            worker = self.rng.choice(sorted(self.procs))
            proc = self.procs[worker]
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                self.kills += 1
                self.spawn(worker)

    def _renew_pending_keys(self) -> None:
        """expire_all_ks also kills the keys of PENDING tasks, which Kaltura can never extend: those tasks could
        never be claimed again. Expired keys matter for claimed work, so pending tasks get fresh ones."""
        from reach_studio.domain.enums import TaskStatus
        from reach_studio.emulator.services.reach import make_access_key

        time.sleep(0.01)  # a key issued in the same instant counts as expired
        for task in self.emu.inspect.objects("task", status=int(TaskStatus.PENDING)):
            item = self.emu.store.get("catalog_item", task["catalogItemId"]) or {}
            self.emu.store.update("task", task["id"], {"accessKey": make_access_key(self.emu, task, item)})

    def delivered(self) -> int:
        from reach_studio.domain.enums import TaskStatus

        return sum(
            1 for t in self.emu.inspect.objects("task", status=int(TaskStatus.READY))
            if str(t.get("externalTaskId") or "").startswith(EXTERNAL_PREFIX)
        )  # fmt: skip

    def run(self) -> dict[str, Any]:
        total_s = self.args.minutes * 60
        baseline_s = total_s * self.args.baseline_share
        for w in range(self.args.workers):
            self.spawn(w)
        self._wait_started()
        started = time.monotonic()
        phase_marks = {"start": (started, 0)}
        next_fault = started + baseline_s
        while time.monotonic() - started < total_s:
            self.replenish()
            self.sample_memory()
            now = time.monotonic()
            if now >= next_fault:
                if "faults" not in phase_marks:
                    phase_marks["faults"] = (now, self.delivered())
                self.random_faults()
                next_fault = now + self.rng.uniform(3, 6)
            time.sleep(0.5)
        end_faults = (time.monotonic(), self.delivered())
        self.emu.faults.reset()
        (self.dir / "stop").touch()
        grace_end = time.monotonic() + self.args.grace
        while time.monotonic() < grace_end and any(p.poll() is None for p in self.procs.values()):
            self.sample_memory()
            time.sleep(0.5)
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
        base_t, base_n = phase_marks["start"]
        fault_t, fault_n = phase_marks.get("faults", end_faults)
        return {
            "baseline_per_min": (fault_n - base_n) / max(1e-9, (fault_t - base_t) / 60),
            "faulty_per_min": (end_faults[1] - fault_n) / max(1e-9, (end_faults[0] - fault_t) / 60),
        }

    # ---- what a customer and a linguist would notice ----------------------------------------------
    def report(self, rates: dict[str, float]) -> dict[str, Any]:
        from reach_studio.domain.delivery_plan import marker
        from reach_studio.domain.enums import TaskStatus
        from reach_studio.store.drafts import DraftStore

        events: list[dict] = []
        for path in self.dir.glob("w*/events.jsonl"):
            for line in path.read_text("utf-8").splitlines():
                try:
                    events.append(json.loads(line))
                except ValueError:
                    pass  # a line cut by SIGKILL
        touched = {
            e["task"] for e in events if e.get("task") is not None and e["event"] in ("claimed", "drafted")
        }
        tasks = {t["id"]: t for t in self.emu.inspect.objects("task") if t["id"] in touched}
        ready = [t for t in tasks.values() if t["status"] == int(TaskStatus.READY)]
        error = [t for t in tasks.values() if t["status"] == int(TaskStatus.ERROR)]
        stuck = [
            t for t in tasks.values()
            if t["status"] == int(TaskStatus.PROCESSING) and str(t.get("externalTaskId") or "").startswith(EXTERNAL_PREFIX)
        ]  # fmt: skip
        captions = self.emu.inspect.objects("caption_asset")
        duplicates = 0
        empty = 0
        for task_id in touched:
            prefix = marker(task_id, "")
            marked = [
                c for c in captions
                if str(c.get("partnerData") or "").startswith(prefix) and c.get("status") != 3  # 3: DELETED
            ]  # fmt: skip
            duplicates += max(0, len(marked) - 1)
            for c in marked:
                if not c.get("_blob") and c.get("status") != 2:
                    empty += 1
        ready_by: dict[int, set[int]] = {}
        for e in events:
            if e["event"] == "outcome" and e.get("status") == int(TaskStatus.READY):
                ready_by.setdefault(e["task"], set()).add(e["w"])
        double = {t for t, ws in ready_by.items() if len(ws) > 1}
        for task_id in touched:
            history = self.emu.inspect.status_history(task_id)
            if sum(1 for h in history if h["status"] == int(TaskStatus.READY)) > 1:
                double.add(task_id)
        lost = 0
        for folder in self.dir.glob("w*"):
            if not folder.is_dir():
                continue
            worker = int(folder.name[1:])
            mine = [e for e in events if e["w"] == worker]
            drafted = {e["task"] for e in mine if e["event"] == "drafted"}
            final = {e["task"] for e in mine if e["event"] == "outcome"}
            store = DraftStore(folder / "drafts.sqlite3")
            account = f"{self.account['service_url'].rstrip('/')}#{self.account['vendor_partner_id']}"
            from reach_studio.store.drafts import draft_key

            for task_id in drafted - final:
                if store.load(draft_key(account, task_id)) is None:
                    lost += 1
        exceptions = sum(1 for e in events if e["event"] == "exception")
        claim_lost = sum(1 for e in events if e["event"] == "claim_lost")
        return {
            "tasks touched": len(touched),
            "READY": len(ready),
            "ERROR": len(error),
            "stuck": len(stuck),
            "duplicates": duplicates,
            "empty caption assets": empty,
            "double deliveries": len(double),
            "lost drafts": lost,
            "peak memory, workers (MB)": round(self.peak_worker_kb / 1024, 1),
            "peak memory, emulator process (MB)": round(_hwm_kb(os.getpid()) / 1024, 1),
            "deliveries/min, baseline (no faults)": round(rates["baseline_per_min"], 1),
            "deliveries/min, with faults": round(rates["faulty_per_min"], 1),
            "SIGKILLs": self.kills,
            "faults switched": dict(sorted(self.faults_applied.items())),
            "claims lost (races)": claim_lost,
            "worker exceptions (retried)": exceptions,
            "error descriptions": sorted({str(t.get("errDescription") or "")[:120] for t in error}),
            "double delivered task ids": sorted(double),
            "stuck task ids": sorted(t["id"] for t in stuck),
        }

    def close(self) -> None:
        self.emu.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--baseline-share", type=float, default=0.2)
    parser.add_argument(
        "--kill-chance", type=float, default=0.25, help="chance of a SIGKILL per fault switch"
    )
    parser.add_argument(
        "--grace", type=float, default=90.0, help="seconds for workers to finish after the faults"
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        return worker_main(args.spec, args.worker)
    import logging

    logging.basicConfig(level=logging.ERROR)
    conductor = Conductor(args)
    watchdog = threading.Timer(args.minutes * 60 + args.grace + 300, lambda: os._exit(3))
    watchdog.daemon = True
    watchdog.start()
    try:
        rates = conductor.run()
        figures = conductor.report(rates)
    finally:
        conductor.close()
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(f"soak: {args.minutes:g} min, {args.workers} workers, data in {conductor.dir}")
        for name, value in figures.items():
            print(f"  {name:40s} {value}")
    bad = sum(
        figures[k]
        for k in ("stuck", "duplicates", "empty caption assets", "double deliveries", "lost drafts")
    )
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
