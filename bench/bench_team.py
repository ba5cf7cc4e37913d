"""Benchmark of team mode: claims through the team store, and a desktop's queue refresh.

    .venv/bin/python bench/bench_team.py [--clients 20] [--tasks 400] [--queue 200] [--api-latency-ms 50]

A throwaway PostgreSQL (team/pg_cluster.py) and the emulator run in this process's machine.
1. Claims: `--clients` concurrent clients (threads, one connection each, as 20 desktops have) race for the
   same `--tasks` tasks in queue order — everyone grabs the top of the queue, the worst case. Every take is
   one transaction; a loser learns the holder in the same round trip. Baseline: one client taking the same
   number of tasks alone (no contention). Figures: take latency p50/p95/max, successful claims/s. For scale,
   one Kaltura-only claim (updateJob + settle + re-read, the thing the team store guards) is timed too.
2. Queue refresh: `--queue` pending tasks, `--api-latency-ms` added to every Kaltura request (a far data
   centre). Ours: a desktop reads the queue the supervisor published (one SELECT). Baseline: the desktop
   polls Kaltura itself, warm (getJobs only; task details are cached) — what every desktop did before.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reach_studio.domain.enums import ServiceFeature, TaskStatus
from reach_studio.domain.task import Task
from reach_studio.emulator.server import Emulator
from reach_studio.engine.poller import Poller
from reach_studio.kaltura import reach_api
from reach_studio.kaltura.connection import AccountConfig, ReachConnection
from reach_studio.team.pg_cluster import PgCluster
from reach_studio.team.store import ClaimHeld, TeamStore

ACCOUNT = "bench#1"


def connect(emu: Emulator) -> ReachConnection:
    info = emu.info
    return ReachConnection(
        AccountConfig.from_emulator_info(info),
        request_timeout=60,
    )


def fake_task(task_id: int) -> Task:
    return Task(
        id=task_id,
        partner_id=100 + task_id % 3,
        vendor_partner_id=1,
        entry_id=f"0_{task_id}",
        status=TaskStatus.PENDING,
        catalog_item_id=1,
        reach_profile_id=1,
        service_feature=ServiceFeature.CAPTIONS,
        account=ACCOUNT,
    )


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def race(url: str, clients: int, tasks: list[Task]) -> tuple[float, list[float], int]:
    """`clients` threads each walk the task list taking what they can; returns (seconds, latencies, wins)."""
    stores = [TeamStore(url, f"bench-{clients}-{i}").open() for i in range(clients)]
    latencies: list[float] = []
    wins = [0] * clients
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def client(i: int) -> None:
        mine: list[float] = []
        start.wait()
        for task in tasks:
            t0 = time.perf_counter()
            try:
                stores[i].take(task)
                wins[i] += 1
            except ClaimHeld:
                pass
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    for s in stores:
        s.close()
    return elapsed, latencies, sum(wins)


def bench_claims(url: str, clients: int, n: int, emu: Emulator) -> None:
    crowd_tasks = [fake_task(i) for i in range(1, n + 1)]
    alone_tasks = [fake_task(i) for i in range(100_001, 100_001 + n)]
    elapsed, lat, wins = race(url, clients, crowd_tasks)
    base_elapsed, base_lat, base_wins = race(url, 1, alone_tasks)
    assert wins == n and base_wins == n, (wins, base_wins)
    print(f"Claims through the team store ({n} tasks, each raced by every client):")
    print(f"  {'':28}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'claims/s':>10}{'takes/s':>9}")
    for label, e, values, won in (
        (f"ours: {clients} concurrent clients", elapsed, lat, wins),
        ("baseline: 1 client alone", base_elapsed, base_lat, base_wins),
    ):
        print(
            f"  {label:28}{pct(values, 50) * 1000:9.2f}{pct(values, 95) * 1000:9.2f}{max(values) * 1000:9.2f}"
            f"{won / e:10.0f}{len(values) / e:9.0f}"
        )
    conn = connect(emu)
    pending = sorted(reach_api.get_jobs(conn), key=lambda t: t.id)[:3]
    times = []
    for i, task in enumerate(pending):
        t0 = time.perf_counter()
        reach_api.claim(conn, task, f"bench-{i}")
        times.append(time.perf_counter() - t0)
    print(
        f"  for scale: one Kaltura claim (emulator, settle 0.3 s) takes {statistics.median(times) * 1000:.0f} ms"
    )


def bench_queue(url: str, emu: Emulator, queue: int, latency_ms: float) -> None:
    template = next(iter(emu.store.find("task", status=1, serviceType=1)))
    for _ in range(queue):
        emu.control.add_task(
            partnerId=template["partnerId"],
            entryId=template["entryId"],
            catalogItemId=template["catalogItemId"],
            reachProfileId=template["reachProfileId"],
        )
    conn = connect(emu)
    poller = Poller(conn)
    poller.poll_once()  # cold: details fetched once (the supervisor pays this, once for the team)
    supervisor = TeamStore(url, "bench-supervisor").open(role="supervisor")
    for t in poller.tasks:
        t.account = conn.account.key
    supervisor.publish_queue(conn.account.key, poller.tasks)
    desktop = TeamStore(url, "bench-desktop").open()
    emu.faults.configure(latency_ms=latency_ms)
    team_times, kaltura_times = [], []
    for _ in range(10):
        t0 = time.perf_counter()
        from_team = desktop.queue(conn.account.key)
        team_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        from_kaltura = poller.poll_once()
        kaltura_times.append(time.perf_counter() - t0)
    emu.faults.reset()
    print(
        f"Queue refresh of one desktop ({len(from_kaltura)} tasks offered, {len(from_team)} in the team queue, "
        f"+{latency_ms:g} ms per Kaltura request):"
    )
    print(f"  ours: read the team store            median {statistics.median(team_times) * 1000:8.1f} ms")
    print(f"  baseline: poll Kaltura (warm getJobs) median {statistics.median(kaltura_times) * 1000:8.1f} ms")
    pages = -(-len(from_kaltura) // reach_api.PAGE_SIZE)
    print(f"  Kaltura load: 20 desktops polling = {20 * pages} getJobs per round; team mode = {pages}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--tasks", type=int, default=400)
    parser.add_argument("--queue", type=int, default=200)
    parser.add_argument("--api-latency-ms", type=float, default=50)
    args = parser.parse_args()
    with (
        PgCluster() as pg,
        tempfile.TemporaryDirectory() as tmp,
        Emulator(Path(tmp) / "emu", seed="demo") as emu,
    ):
        bench_claims(pg.url, args.clients, args.tasks, emu)
        bench_queue(pg.create_database("queue"), emu, args.queue, args.api_latency_ms)
    return 0


if __name__ == "__main__":
    sys.exit(main())
