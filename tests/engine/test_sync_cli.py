"""`reach-studio sync` as a user runs it: a subprocess printing the fair queue, clear exit codes, no secrets in logs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from reach_studio.domain.enums import TaskStatus
from tests.sync_args import account_args

TIMEOUT = 120


def run_sync(*args: str, env_extra: dict | None = None, home=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring", **(env_extra or {})}
    if home is not None:
        env["REACH_STUDIO_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "reach_studio", *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
        env=env,
    )


def test_demo_once_json_lists_the_fair_queue(tmp_path):
    # media a customer wanted deleted a week after delivery, and that week has passed
    expired = tmp_path / "cache" / "media" / "acct" / "101" / "0_e" / "0_f.mp4"
    expired.parent.mkdir(parents=True)
    expired.write_bytes(b"media")
    expired.with_name("0_f.mp4.delete-after.json").write_text(json.dumps({"delete_after": 1}))
    kept = expired.with_name("0_g.mp4")
    kept.write_bytes(b"media")
    proc = run_sync("sync", "--demo", "--once", "--json", home=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert not expired.exists() and kept.exists()
    data = json.loads(proc.stdout)
    tasks = data["tasks"]
    assert tasks and data["accounts"][0]["ok"] is True
    for t in tasks:
        for key in (
            "id",
            "partnerId",
            "entryId",
            "serviceType",
            "serviceFeature",
            "status",
            "expectedFinishTime",
        ):
            assert key in t
        assert t["status"] == 1 and t["serviceType"] == 1  # pending, human work by default
    assert [t["position"] for t in tasks] == list(range(1, len(tasks) + 1))
    # customer-blind, deadline first: earliest expected finish, then the oldest
    deadlines = [t["expectedFinishTime"] or float("inf") for t in tasks]
    assert deadlines == sorted(deadlines) and "whatever its customer" in tasks[-1]["why"]
    assert {t["customer"] for t in tasks} >= {"Northwind University", "Contoso Media", "Globex Health"}
    # each entry by its name too, as the desktop's queue shows it (the id alone says nothing to a supervisor)
    assert "Lecture 1 - Introduction to kinesiology" in {t["entryName"] for t in tasks}
    # tasks the vendor already holds (a scheduled live task) are listed apart, with who holds them
    assert any(c["statusName"] == "scheduled" and c["claimedBy"] for c in data["claimed"])


def test_service_types_and_features_are_configurable(tmp_path):
    proc = run_sync(
        "sync",
        "--demo",
        "--once",
        "--json",
        "--service-types",
        "machine",
        "--features",
        "captions",
        home=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    tasks = json.loads(proc.stdout)["tasks"]
    assert tasks and all(t["serviceType"] == 2 and t["serviceFeature"] == 1 for t in tasks)


@pytest.fixture
def emu_env(emulator):
    info = emulator.info
    return (
        emulator,
        account_args(info, "MY_REACH_TOKEN"),
        {"MY_REACH_TOKEN": info["appToken"]},
    )


def test_table_against_a_server_and_no_secret_in_output_or_logs(emu_env, tmp_path):
    emu, args, env = emu_env
    proc = run_sync("-v", "sync", "--once", *args, env_extra=env, home=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:4] == ["#", "customer", "entry", "service"]
    assert "claimed by" in lines[0] and "TAT left" in lines[0]
    human_pending = [
        t for t in emu.inspect.objects("task", status=TaskStatus.PENDING) if t["serviceType"] == 1
    ]
    queued = [line for line in lines[2:] if line[:1].isdigit()]
    held = [line for line in lines[2:] if line.startswith("-  ")]
    assert len(queued) == len(human_pending)
    scheduled = emu.inspect.objects("task", status=TaskStatus.SCHEDULED)
    assert len(held) == len(scheduled) and scheduled[0]["externalTaskId"] in held[0]
    assert "not offered" in lines[-1]  # the machine tasks are hidden, and it says so
    names = {e["name"] for e in emu.inspect.objects("entry")}
    assert all(any(name in line for name in names) for line in queued), "entries by name, not id"
    everything = proc.stdout + proc.stderr
    assert "Signed in" in proc.stderr  # the debug log did run
    assert env["MY_REACH_TOKEN"] not in everything
    assert "djJ8" not in everything  # every KS starts with base64("v2|")
    for task in emu.inspect.objects("task"):
        assert task["accessKey"] not in everything
    # the task store on disk holds no key either
    for path in (tmp_path / "data").rglob("*"):
        if path.is_file():
            assert b"djJ8" not in path.read_bytes()


def test_wrong_token_exits_3(emu_env, tmp_path):
    _, args, _ = emu_env
    proc = run_sync("sync", "--once", *args, env_extra={"MY_REACH_TOKEN": "not-the-token"}, home=tmp_path)
    assert proc.returncode == 3
    assert "not-the-token" not in proc.stdout + proc.stderr
    assert "INVALID_APP_TOKEN_HASH" in proc.stderr


def test_unreachable_server_exits_4(tmp_path):
    proc = run_sync(
        "sync",
        "--once",
        "--service-url",
        "http://127.0.0.1:9",
        "--vendor-partner-id",
        "5",
        "--app-token-id",
        "x",
        "--app-token-env",
        "T",
        env_extra={"T": "secret-token-value"},
        home=tmp_path,
    )
    assert proc.returncode == 4
    assert "secret-token-value" not in proc.stdout + proc.stderr


@pytest.mark.parametrize(
    "args,message",
    [
        (["sync", "--once"], "no account configured"),
        (
            ["sync", "--once", "--service-url", "http://kaltura.example.com", "--vendor-partner-id", "5"],
            "HTTPS",
        ),
        (["sync", "--once", "--demo", "--service-types", "robots"], "unknown service type"),
        (
            [
                "sync",
                "--once",
                "--service-url",
                "eu",
                "--vendor-partner-id",
                "5",
                "--app-token-env",
                "UNSET_VAR_X",
            ],
            "UNSET_VAR_X",
        ),
    ],
)
def test_usage_errors_exit_2_with_a_clear_message(tmp_path, args, message):
    proc = run_sync(*args, home=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_sync_loop_extends_held_keys_and_stops_cleanly_on_sigterm(tmp_path, emulator_media_cache):
    import signal
    import time

    from reach_studio.emulator.server import Emulator

    with Emulator(tmp_path / "emu", seed="demo", access_key_ttl=4, media_cache=emulator_media_cache) as emu:
        info = emu.info
        scheduled = emu.inspect.objects("task", status=TaskStatus.SCHEDULED)[0]
        pending_keys = {
            t["id"]: t["accessKey"] for t in emu.inspect.objects("task", status=TaskStatus.PENDING)
        }
        env = {
            **os.environ,
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
            "REACH_STUDIO_HOME": str(tmp_path / "home"),
            "TOKEN": info["appToken"],
        }
        args = [
            *account_args(info, "TOKEN"),
            "--interval",
            "1",
            "--key-lifetime",
            "4",
            "--json",
        ]
        proc = subprocess.Popen(
            [sys.executable, "-m", "reach_studio", "sync", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            deadline = time.time() + 60
            while (
                time.time() < deadline
                and emu.inspect.task(scheduled["id"])["accessKey"] == scheduled["accessKey"]
            ):
                time.sleep(0.5)
            later_pass = emu.inspect.calls().get("reach_entryvendortask.getJobs", 0) + 2
            while (  # two more polling passes after the extension: pending keys stay untouched
                time.time() < deadline
                and emu.inspect.calls().get("reach_entryvendortask.getJobs", 0) < later_pass
            ):
                time.sleep(0.1)
            assert emu.inspect.calls().get("reach_entryvendortask.getJobs", 0) >= later_pass
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 0, err
        assert emu.inspect.task(scheduled["id"])["accessKey"] != scheduled["accessKey"]  # extended by sync
        assert {
            t["id"]: t["accessKey"] for t in emu.inspect.objects("task", status=TaskStatus.PENDING)
        } == pending_keys
        passes = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        assert len(passes) >= 2  # it kept polling
        assert "djJ8" not in out + err


def test_accounts_from_a_config_file_but_never_secrets_in_it(emu_env, tmp_path):
    emu, _, env = emu_env
    info = emu.info
    account = {
        "service_url": info["serviceUrl"],
        "vendor_partner_id": info["vendorPartnerId"],
        "vendor_name": info["vendorName"],
        "app_token_id": info["appTokenId"],
        "label": "emulator",
    }
    good = tmp_path / "accounts.json"
    good.write_text(json.dumps({"accounts": [account]}))
    proc = run_sync(
        "sync",
        "--once",
        "--json",
        "--config",
        str(good),
        "--app-token-env",
        "MY_REACH_TOKEN",
        env_extra=env,
        home=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["accounts"][0]["account"] == "emulator"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"accounts": [{**account, "app_token": "oops-secret-in-file"}]}))
    proc = run_sync("sync", "--once", "--config", str(bad), env_extra=env, home=tmp_path)
    assert proc.returncode == 2 and "is a secret" in proc.stderr and "oops-secret-in-file" not in proc.stderr
