"""`reach-studio sync --live` in a subprocess: provisioning, relaying a file of captions, READY."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from reach_studio.domain.enums import TaskStatus
from tests.sync_args import account_args

TIMEOUT = 120
SCHEDULED, PROCESSING, READY = TaskStatus.SCHEDULED, TaskStatus.PROCESSING, TaskStatus.READY
SYNC = [sys.executable, "-m", "reach_studio", "sync"]


def _env(extra: dict | None = None, home=None) -> dict:
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring", **(extra or {})}
    if home is not None:
        env["REACH_STUDIO_HOME"] = str(home)
    return env


def _sync_live(emulator, home, *extra: str) -> subprocess.Popen:
    """`sync --live` against the emulator's vendor, polling every second; the token only in the environment."""
    return subprocess.Popen(
        [*SYNC, "--live", "--interval", "1", *account_args(emulator.info, "TOK"), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env({"TOK": emulator.info["appToken"]}, home=home),
    )


def _wait(condition, proc: subprocess.Popen | None = None, timeout: float = 60) -> None:
    """Poll `condition` (the emulator's record) until it holds; the sync process must not have died."""
    deadline = time.monotonic() + timeout
    while not condition():
        if proc is not None:
            assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _status(emulator, task) -> TaskStatus:
    return TaskStatus(emulator.inspect.task(task["id"])["status"])


def _history(emulator, task) -> list[int]:
    return [h["status"] for h in emulator.inspect.status_history(task["id"])]


def _feature(emulator, task) -> dict:
    """The live caption feature the vendor put on the task's scheduled event."""
    event = emulator.inspect.objects("schedule_event", id=task["taskJobData"]["scheduledEventId"])[0]
    return next(
        f for f in event["liveFeatures"] if f["systemName"] == f"LiveCaptionFeature-reach-{task['id']}"
    )


def _finals(emulator, event_id) -> list[str]:
    records = emulator.inspect.objects("live_caption", scheduleEventId=event_id, recordType="message")
    return [r["transcript"] for r in records if r["isFinal"]]


def _get_jobs_calls(emulator) -> int:
    return emulator.inspect.calls().get("reach_entryvendortask.getJobs", 0)


def test_demo_once_live_schedules_the_pending_live_task(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "reach_studio", "sync", "--demo", "--once", "--live"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
        env=_env(home=tmp_path / "home"),
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("live task")]
    # the demo has one PENDING live task; the other one is already held by another vendor tool
    assert len(lines) == 1, proc.stdout
    assert "scheduled as Acme-Captioning-live-" in lines[0]
    assert "captions served at ws://127.0.0.1:" in lines[0] and "/captions/" in lines[0]
    assert "token" not in (proc.stdout + proc.stderr).lower().replace("app token", "")


def test_live_source_file_is_relayed_when_kaltura_connects(emulator, tmp_path):
    source = tmp_path / "captions.txt"
    source.write_text("[Chair] Good evening.\nThe meeting is open.\n", encoding="utf-8")
    (task,) = emulator.inspect.objects("task", serviceFeature=8, status=TaskStatus.PENDING)
    event_id = task["taskJobData"]["scheduledEventId"]
    proc = _sync_live(
        emulator,
        tmp_path / "home",
        "--once",
        "--live-source",
        str(source),
        "--live-pace",
        "0.2",
        "--live-wait",
        "60",
        "--live-media-url",
        "rtmps://ingest.vendor.example/live",
    )
    try:
        _wait(lambda: _status(emulator, task) == SCHEDULED, proc)
        feature = _feature(emulator, task)
        assert feature["captionUrl"].startswith("ws://127.0.0.1:") and feature["captionToken"]
        assert feature["mediaUrl"] == "rtmps://ingest.vendor.example/live"
        emulator.control.start_live(event_id)  # the event starts
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err[-2000:]
    assert f"live task {task['id']}: 2 caption line(s) relayed" in out
    assert f"live task {task['id']}: READY" in out
    assert emulator.live.wait(event_id, 10)
    assert _finals(emulator, event_id) == ["Good evening.", "The meeting is open."]
    assert _history(emulator, task)[-3:] == [SCHEDULED, PROCESSING, READY]
    assert feature["captionToken"] not in out + err and emulator.info["appToken"] not in out + err


def test_bad_live_options_exit_2(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "reach_studio",
            "sync",
            "--once",
            "--live",
            "--service-url",
            "http://127.0.0.1:9",
            "--vendor-partner-id",
            "1",
            "--admin-secret-env",
            "S",
            "--live-source",
            str(tmp_path / "missing.txt"),
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
        env=_env({"S": "x" * 10}, home=tmp_path),
    )
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_sync_live_keeps_serving_until_sigterm(emulator, tmp_path):
    (task,) = emulator.inspect.objects("task", serviceFeature=8, status=TaskStatus.PENDING)
    proc = _sync_live(emulator, tmp_path / "home")
    try:
        _wait(lambda: _status(emulator, task) == SCHEDULED, proc)
        later_pass = (
            _get_jobs_calls(emulator) + 2
        )  # more passes: the task is ours and served, not provisioned twice
        _wait(lambda: _get_jobs_calls(emulator) >= later_pass, proc)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err[-2000:]
    assert out.count(f"live task {task['id']} scheduled as") == 1
    assert _history(emulator, task).count(SCHEDULED) == 1


def test_a_restart_mid_event_serves_the_processing_task_again(emulator, tmp_path):
    (task,) = emulator.inspect.objects("task", serviceFeature=8, status=TaskStatus.PENDING)
    event_id = task["taskJobData"]["scheduledEventId"]
    home = tmp_path / "home"
    first = _sync_live(emulator, home)
    try:
        _wait(lambda: _status(emulator, task) == SCHEDULED, first)
        emulator.control.start_live(event_id)  # the event starts: Kaltura connects, the task processes
        _wait(lambda: _status(emulator, task) == PROCESSING)
        first.kill()  # the vendor's machine dies mid-event
        first.communicate(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate()
    emulator.control.end_live(event_id)
    old_url = _feature(emulator, task)["captionUrl"]

    source = tmp_path / "after.txt"
    source.write_text("Sorry, we are back.\n", encoding="utf-8")
    second = _sync_live(
        emulator, home, "--once", "--live-source", str(source), "--live-pace", "0", "--live-wait", "60"
    )
    try:
        _wait(lambda: _feature(emulator, task)["captionUrl"] != old_url, second)
        emulator.control.start_live(event_id)  # Kaltura reconnects to the new caption address
        out, err = second.communicate(timeout=TIMEOUT)
    finally:
        if second.poll() is None:
            second.kill()
            second.communicate()
    assert second.returncode == 0, err[-2000:]
    assert f"live task {task['id']}: READY" in out
    assert emulator.live.wait(event_id, 10)
    assert _finals(emulator, event_id) == ["Sorry, we are back."]
    assert _history(emulator, task)[-3:] == [SCHEDULED, PROCESSING, READY]


def _second_live_task(emulator) -> dict:
    """Another customer order for a live event, so two live sessions run at once."""
    from reach_studio.emulator.seed import add_live_feature, add_live_schedule_event

    (first,) = emulator.inspect.objects("task", serviceFeature=8, status=TaskStatus.PENDING)
    (entry,) = emulator.inspect.objects("entry", id=first["entryId"])
    now = int(time.time())
    event = add_live_schedule_event(emulator, entry, now + 86400, now + 90000)
    task_id = emulator.control.add_task(
        partnerId=first["partnerId"],
        entryId=first["entryId"],
        catalogItemId=first["catalogItemId"],
        reachProfileId=first["reachProfileId"],
        taskJobData={
            "objectType": "KalturaScheduledVendorTaskData",
            "startDate": now + 86000,
            "endDate": now + 91000,
            "scheduledEventId": event["id"],
        },
    )
    task = emulator.inspect.task(task_id)
    add_live_feature(emulator, event, task)
    return task


def test_sync_live_serves_two_events_at_once_each_with_its_own_ingest(emulator, tmp_path):
    emulator.live.media_seconds = 2.5
    second = _second_live_task(emulator)
    tasks = emulator.inspect.objects("task", serviceFeature=8, status=TaskStatus.PENDING)
    assert len(tasks) == 2 and second["id"] in [t["id"] for t in tasks]
    proc = _sync_live(emulator, tmp_path / "home", "--live-end-grace", "0.5")
    try:
        _wait(lambda: all(_status(emulator, t) == SCHEDULED for t in tasks), proc)
        features = {t["id"]: _feature(emulator, t) for t in tasks}
        urls = {f["mediaUrl"] for f in features.values()}
        keys = {f["mediaKey"] for f in features.values()}
        assert len(urls) == 2 and all(u.startswith("rtmp://127.0.0.1:") for u in urls)  # an ingest each
        assert len(keys) == 2 and all(keys)
        for t in tasks:  # both events start together: two restreams, two caption pulls
            emulator.control.start_live(t["taskJobData"]["scheduledEventId"])
        # each restream plays out, its ingest stays quiet past the grace period: that stream has ended → READY
        _wait(lambda: all(_status(emulator, t) == READY for t in tasks), proc, timeout=120)
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    for t in tasks:
        event_id = t["taskJobData"]["scheduledEventId"]
        assert _history(emulator, t)[-3:] == [SCHEDULED, PROCESSING, READY]
        ended = emulator.inspect.objects("live_caption", scheduleEventId=event_id, recordType="stream_ended")
        assert ended and ended[0]["outcome"] == "completed", ended
        assert emulator.inspect.objects("live_caption", scheduleEventId=event_id, recordType="end_of_stream")
        assert f"live task {t['id']}: READY" in out
    assert all(
        f["mediaKey"] not in out + err and f["captionToken"] not in out + err for f in features.values()
    )
