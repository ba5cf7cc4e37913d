"""The supervisor service against the emulator: one poller for the team, keys, metrics, status page."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import requests

from reach_studio.domain.enums import ServiceType
from reach_studio.engine.desktop_ops import EngineOps
from reach_studio.engine.poller import TaskFilter
from reach_studio.kaltura import reach_api
from reach_studio.kaltura.connection import ReachConnection
from reach_studio.team.claims import claim_task
from reach_studio.team.desktop_ops import TeamEngineOps
from reach_studio.team.store import TeamStore
from reach_studio.team.supervisor import SupervisorService, make_http_server
from reach_studio.workers.task_service import TaskService, is_live_task
from tests.sync_args import account_args
from tests.team.test_claims_e2e import account

GET_JOBS = "reach_entryvendortask.getJobs"
HUMAN = TaskFilter(service_types=frozenset({ServiceType.HUMAN}))


def get_jobs_calls(emu) -> int:
    return emu.inspect.calls().get(GET_JOBS, 0)


def test_twenty_desktops_read_the_queue_from_the_team_store_and_kaltura_sees_one_poller(
    qtbot, emulator, team_db
):
    supervisor = SupervisorService(
        TeamStore(team_db, "supervisor").open(role="supervisor"),
        {account(emulator).key: ReachConnection(account(emulator))},
        HUMAN,
    )
    before = get_jobs_calls(emulator)
    supervisor.run_once()
    per_round = get_jobs_calls(emulator) - before
    assert per_round >= 1
    published = sorted(t.id for t in supervisor.group.pollers[0].tasks)
    assert published

    desktops = []
    for i in range(20):
        service = TaskService(TeamEngineOps(TeamStore(team_db, f"linguist{i:02d}").open(), heartbeat_s=0))
        service.add_connection(ReachConnection(account(emulator)))  # polls at once
        desktops.append(service)
    qtbot.waitUntil(
        lambda: all(sorted(t.id for t in d.visible_queue()) == published for d in desktops), timeout=60000
    )
    for d in desktops:  # and a second refresh each
        d.poll_now()
    qtbot.waitUntil(lambda: not any(d._poll_jobs for d in desktops), timeout=60000)
    assert get_jobs_calls(emulator) - before == per_round  # only the supervisor asked Kaltura

    supervisor.run_once()
    assert get_jobs_calls(emulator) - before == 2 * per_round

    alone = TaskService(
        EngineOps()
    )  # a desktop without a team store polls Kaltura itself: the counter sees it
    with qtbot.waitSignal(alone.polled, timeout=60000):
        alone.add_connection(ReachConnection(account(emulator)))
    assert get_jobs_calls(emulator) - before > 2 * per_round
    for d in [*desktops, alone]:
        d.stop()


def test_a_desktop_claims_from_the_team_queue_and_the_others_are_told_who_holds_it(qtbot, emulator, team_db):
    supervisor = SupervisorService(
        TeamStore(team_db, "supervisor").open(role="supervisor"),
        {account(emulator).key: ReachConnection(account(emulator))},
        HUMAN,
    )
    supervisor.run_once()
    anna = TaskService(TeamEngineOps(TeamStore(team_db, "anna").open(), heartbeat_s=0))
    ben = TaskService(TeamEngineOps(TeamStore(team_db, "ben").open(), heartbeat_s=0))
    for d in (anna, ben):
        with qtbot.waitSignal(d.polled, timeout=60000):
            d.add_connection(ReachConnection(account(emulator)))
    task = next(t for t in anna.visible_queue() if not is_live_task(t))
    assert not task.access_key  # keys are never kept in the team store
    outcome = []
    anna.claim_failed.connect(lambda key, message: outcome.append(message))
    anna.claimed.connect(outcome.append)
    anna.claim(task)
    qtbot.waitUntil(lambda: bool(outcome), timeout=60000)
    assert outcome[0].external_task_id == f"anna-{task.id}"
    assert emulator.inspect.task(task.id)["externalTaskId"] == f"anna-{task.id}"
    with qtbot.waitSignal(ben.claim_failed, timeout=60000) as lost:
        ben.claim(next(t for t in ben.visible_queue() if t.id == task.id))
    assert "anna" in lost.args[1]
    assert task.id not in [t.id for t in ben.visible_queue()]
    for d in (anna, ben):
        d.stop()


def test_keys_metrics_and_status_page(emulator, team_db):
    store = TeamStore(team_db, "supervisor").open(role="supervisor")
    conn = ReachConnection(account(emulator))
    supervisor = SupervisorService(store, {conn.account.key: conn}, HUMAN)
    supervisor.run_once()
    anna = TeamStore(team_db, "anna<script>").open()
    task = reach_api.get_pending_task(conn, supervisor.group.pollers[0].tasks[0].id)
    task.account = conn.account.key
    claim_task(anna, conn, task, f"anna-{task.id}", settle=0)
    extended = emulator.inspect.calls().get("reach_entryvendortask.extendAccessKey", 0)
    supervisor.run_once()
    assert emulator.inspect.calls().get("reach_entryvendortask.extendAccessKey", 0) == extended + 1
    assert [t.id for t in supervisor.keeper.tracked()] == [task.id]  # the keeper extends it before expiry
    server = make_http_server("127.0.0.1", 0, store, supervisor)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        metrics = requests.get(f"{base}/metrics", timeout=10).text
        assert 'reach_team_claims_total{linguist="anna<script>"} 1.0' in metrics
        assert 'reach_team_claims{state="working"} 1.0' in metrics
        assert "reach_team_queue_depth{partner_id=" in metrics and 'service="captions"' in metrics
        assert "reach_team_tasks_at_risk " in metrics
        page = requests.get(base + "/", timeout=10)
        assert page.status_code == 200 and "anna&lt;script&gt;" in page.text and "<script>" not in page.text
        status = requests.get(f"{base}/status.json", timeout=10).json()
        assert [(c["task"], c["holder"], c["state"]) for c in status["claims"]] == [
            (task.id, "anna<script>", "working")
        ]
        assert requests.post(f"{base}/", timeout=10).status_code == 501  # read-only
    finally:
        server.shutdown()
        server.server_close()


def _sync_serve(emulator, home, *extra: str, team_db: str | None = None) -> subprocess.CompletedProcess:
    """`sync --serve --once` for the emulator's vendor; the team store only where given."""
    env = {**os.environ, "REACH_TEST_TOKEN": emulator.info["appToken"], "REACH_STUDIO_HOME": str(home)}
    env.pop("REACH_TEAM_DB", None)
    team = ["--team-db", team_db] if team_db else []
    return subprocess.run(
        [
            *[sys.executable, "-m", "reach_studio", "sync", "--serve", "--once"],
            *team,
            *extra,
            *account_args(emulator.info, "REACH_TEST_TOKEN"),
        ],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_sync_serve_once_publishes_the_queue(emulator, team_db, tmp_path):
    done = _sync_serve(emulator, tmp_path, "--http-port", "0", team_db=team_db)
    assert done.returncode == 0, done.stderr
    assert "status page http://127.0.0.1:" in done.stdout
    assert emulator.info["appToken"] not in done.stdout + done.stderr
    with TeamStore(team_db, "observer").open() as store:
        assert len(store.queue()) > 0


def test_sync_serve_without_a_team_store_is_a_usage_error(emulator, tmp_path):
    done = _sync_serve(emulator, tmp_path)
    assert done.returncode == 2 and "no team store" in done.stderr


def test_a_desktop_repairs_its_interrupted_claim_at_start_and_failing_frees_the_team_row(
    qtbot, emulator, team_db
):
    conn = ReachConnection(account(emulator))
    supervisor = SupervisorService(
        TeamStore(team_db, "supervisor").open(role="supervisor"), {conn.account.key: conn}, HUMAN
    )
    supervisor.run_once()
    first, second = sorted(supervisor.group.pollers[0].tasks, key=lambda t: t.id)[:2]
    TeamStore(team_db, "anna").open().take(first)  # anna's app died right after the team row
    anna = TaskService(TeamEngineOps(TeamStore(team_db, "anna"), heartbeat_s=0))
    with qtbot.waitSignal(anna.polled, timeout=60000):
        anna.add_connection(ReachConnection(account(emulator)))  # the first poll after start repairs
    observer = TeamStore(team_db, "observer").open()
    assert observer.claim(first.account, first.id) is None
    assert first.id in [t.id for t in anna.visible_queue()]
    assert [e.kind for e in observer.history(first.account, first.id)] == ["claim_started", "released"]

    with qtbot.waitSignal(anna.claimed, timeout=60000):
        anna.claim(next(t for t in anna.visible_queue() if t.id == second.id))
    with qtbot.waitSignal(anna.failed_task, timeout=60000):
        anna.fail(anna.mine[(second.account, second.id)], "Audio is silent")
    assert emulator.inspect.task(second.id)["status"] == 6  # ERROR
    assert observer.claim(second.account, second.id) is None
    assert ("TASK_FAILED", 1) in observer.stats()["failures"]
    anna.stop()


def test_sync_serve_refuses_a_team_store_url_with_a_password(emulator, team_db, tmp_path):
    """A password in --team-db is in ps for every user of the machine: refused before any connection, and
    not repeated in the message; the URL without it (password from ~/.pgpass or PGPASSWORD) works."""
    with_password = team_db.replace("postgresql://reach@", "postgresql://reach:hunter2@", 1)
    assert "hunter2" in with_password
    done = _sync_serve(emulator, tmp_path, "--http-port", "0", team_db=with_password)
    assert done.returncode == 5
    assert "carries a password" in done.stderr and ".pgpass" in done.stderr
    assert "hunter2" not in done.stdout + done.stderr
