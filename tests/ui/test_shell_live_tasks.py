"""Live tasks in the shell: Claim schedules them (caption websocket + updateLiveFeature → SCHEDULED), no download,
the live console opens on the shell's session; the vendor's SCHEDULED tasks are in "My tasks"."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt

from reach_studio.domain.enums import ServiceFeature, TaskStatus
from reach_studio.engine.media_fetch import MediaCache
from reach_studio.ui.editors.live_console import LiveConsole
from reach_studio.workers.background import wait_for_all
from tests.live.console_helpers import end_the_stream

from .shell_helpers import demo_account

SCHEDULED, PROCESSING, READY = int(TaskStatus.SCHEDULED), int(TaskStatus.PROCESSING), int(TaskStatus.READY)


def _sign_in(qtbot, win) -> None:
    win.start_demo()
    qtbot.waitUntil(lambda: bool(win.service.connections), timeout=20000)
    qtbot.waitUntil(lambda: win.queue.model.rowCount() > 0, timeout=30000)


def _feature(emu, event_id: int, task_id: int) -> dict:
    (event,) = emu.inspect.objects("schedule_event", id=event_id)
    return next(f for f in event["liveFeatures"] if f["systemName"] == f"LiveCaptionFeature-reach-{task_id}")


def test_claiming_a_live_task_schedules_it_opens_the_console_and_downloads_nothing(qtbot, window, emulator):
    _sign_in(qtbot, window)
    task = next(t for t in window.queue.visible_tasks() if t.feature == ServiceFeature.LIVE_CAPTION)
    event_id = int(task.job_data["scheduledEventId"])
    downloads = []
    window.service.download_started.connect(downloads.append)
    assert window.queue.select_task(task.account, task.id)
    with qtbot.waitSignal(window.service.live_ready, timeout=30000) as ready:
        window.actions["claim"].trigger()  # the same Claim as for any task
    key, session = ready.args
    assert key == (task.account, task.id)

    recorded = emulator.inspect.task(task.id)
    assert recorded["status"] == SCHEDULED  # scheduled, not PROCESSING: that comes when the event starts
    assert recorded["externalTaskId"] == session.external_task_id and recorded["externalTaskId"]
    assert PROCESSING not in [h["status"] for h in emulator.inspect.status_history(task.id)]
    feature = _feature(emulator, event_id, task.id)
    assert feature["captionUrl"] == session.channel.url == f"{session.server.url}/captions/{task.id}"
    assert feature["captionToken"] and feature["captionToken"] == session.provisioned.caption_token
    assert feature["language"] == "eng"
    logged = "\n".join(window.log_buffer.lines) + window.activity.text()
    assert "scheduled" in logged and feature["captionToken"] not in logged and task.access_key not in logged

    # never a media download for a live entry
    wait_for_all(5000)
    assert downloads == [] and key not in window.service.downloads and key not in window.service.media
    assert not MediaCache(window.settings.media_dir()).task_dir(task).exists()

    # "My tasks" has it as Scheduled, and its workspace shows the live console on the shell's session
    mine = {t.id: t for t in window.mine.visible_tasks()}
    assert mine[task.id].status == TaskStatus.SCHEDULED
    ws = window.workspaces[key]
    assert window.tabs.currentWidget() is ws and not ws.download_bar.isVisible()
    console = ws.editor
    assert isinstance(console, LiveConsole)
    assert console.session is session and console.state == "scheduled"
    assert "waiting for Kaltura" in console.status_label.text()
    assert console.url_label.text() == session.channel.url
    assert not console.schedule_button.isEnabled()  # already scheduled: no second caption address

    # the event starts: Kaltura connects, the captioner types, End stream → READY and off "My tasks"
    emulator.control.start_live(event_id)
    # live on the server's thread first; the console's buttons follow through a queued signal
    qtbot.waitUntil(lambda: console.state == "live" and console.end_button.isEnabled(), timeout=15000)
    qtbot.waitUntil(
        lambda: window.service.mine[key].status == TaskStatus.PROCESSING, timeout=10000
    )  # "My tasks" follows the session
    # and so does the details pane beside the console (it kept saying "Scheduled")
    qtbot.waitUntil(
        lambda: bool(re.search(r"Status\s+Processing", window.details.toPlainText())), timeout=5000
    )
    qtbot.keyClicks(console.line, "Welcome everyone")
    qtbot.keyClick(console.line, Qt.Key.Key_Return)
    with qtbot.waitSignal(console.delivered, timeout=20000):
        end_the_stream(qtbot, console)
    assert emulator.live.wait(event_id, 10)
    assert [h["status"] for h in emulator.inspect.status_history(task.id)][-3:] == [
        SCHEDULED,
        PROCESSING,
        READY,
    ]
    finals = [
        r["transcript"]
        for r in emulator.inspect.objects("live_caption", scheduleEventId=event_id, recordType="message")
        if r["isFinal"]
    ]
    assert finals == ["Welcome everyone"]
    qtbot.waitUntil(lambda: task.id not in [t.id for t in window.mine.visible_tasks()], timeout=5000)
    assert key not in window.workspaces and key not in window.service.live_sessions


def test_the_vendors_scheduled_live_tasks_are_in_my_tasks_and_open_on_a_fresh_caption_address(
    qtbot, window, emulator
):
    _sign_in(qtbot, window)
    (seeded,) = [t for t in emulator.inspect.objects("task", status=SCHEDULED)]
    qtbot.waitUntil(lambda: seeded["id"] in [t.id for t in window.mine.visible_tasks()], timeout=20000)
    task = next(t for t in window.mine.visible_tasks() if t.id == seeded["id"])
    assert task.status == TaskStatus.SCHEDULED and task.access_key  # workable: it has its key
    assert seeded["id"] not in [t.id for t in window.queue.visible_tasks()]

    with qtbot.waitSignal(window.service.live_ready, timeout=30000) as ready:
        ws = window.open_task(task)
    session = ready.args[1]
    assert ws.editor.session is session and ws.editor.state == "scheduled"
    # re-provisioned in place: our caption address and a new token; the task keeps its externalTaskId
    feature = _feature(emulator, int(task.job_data["scheduledEventId"]), task.id)
    assert feature["captionUrl"] == session.channel.url
    assert feature["captionToken"] not in ("", "demo-caption-token")
    recorded = emulator.inspect.task(task.id)
    assert recorded["status"] == SCHEDULED and recorded["externalTaskId"] == "ACME-LIVE-0001"

    # closing the tab stops serving; opening it again schedules a fresh caption address
    window._close_tab(window.tabs.indexOf(ws))
    assert window.service.live_session((task.account, task.id)) is None
    with qtbot.waitSignal(window.service.live_ready, timeout=30000) as again:
        ws = window.open_task(window.service.mine[(task.account, task.id)])
    assert again.args[1] is not session and ws.editor.session is again.args[1]
    assert (
        _feature(emulator, int(task.job_data["scheduledEventId"]), task.id)["captionToken"]
        != (feature["captionToken"])
    )


def test_a_live_task_someone_else_scheduled_meanwhile_is_refused_and_left_alone(qtbot, window, emulator):
    from reach_studio.kaltura import reach_api
    from reach_studio.live import provisioning
    from reach_studio.ui.sign_in_dialog import sign_in

    _sign_in(qtbot, window)
    task = next(t for t in window.queue.visible_tasks() if t.feature == ServiceFeature.LIVE_CAPTION)
    event_id = int(task.job_data["scheduledEventId"])
    rival = sign_in(demo_account(emulator))
    provisioning.provision(
        rival,
        reach_api.get_task(rival, task),
        caption_url="wss://other.example/captions",
        caption_token="their-token",
        external_task_id="other-captioner",
    )
    with qtbot.waitSignal(window.service.claim_failed, timeout=30000) as lost:
        window.claim(task)
    assert "other-captioner" in lost.args[1]
    assert window.claim_message is not None and "pick another task" in window.claim_message.text()
    assert task.id not in [t.id for t in window.queue.visible_tasks()]
    assert (task.account, task.id) not in window.workspaces
    # their caption address and token stay on the event
    feature = _feature(emulator, event_id, task.id)
    assert (feature["captionUrl"], feature["captionToken"]) == ("wss://other.example/captions", "their-token")
    assert emulator.inspect.task(task.id)["externalTaskId"] == "other-captioner"


def test_a_scheduled_live_task_the_customer_cancelled_leaves_my_tasks_with_its_console(
    qtbot, window, emulator
):
    _sign_in(qtbot, window)
    task = next(t for t in window.queue.visible_tasks() if t.feature == ServiceFeature.LIVE_CAPTION)
    key = (task.account, task.id)
    with qtbot.waitSignal(window.service.live_ready, timeout=30000):
        window.claim(task)
    session = window.service.live_sessions[key]
    assert key in window.workspaces
    emulator.control.abort_task(task.id)  # the customer cancels before the event
    with qtbot.waitSignal(window.service.task_gone, timeout=30000) as gone:
        window.actions["refresh"].trigger()  # it is no longer among the vendor's SCHEDULED jobs
    assert gone.args[0] == key and "can no longer be worked on" in gone.args[1]
    assert task.id not in [t.id for t in window.mine.visible_tasks()]
    assert key not in window.workspaces and key not in window.service.live_sessions
    assert session.server.channel(task.id) is None  # its captions are no longer served
    assert window.task_message is not None and f"Task {task.id}" in window.task_message.windowTitle()


def test_a_caption_server_that_cannot_start_is_a_plain_message_and_the_task_stays_pending(
    qtbot, window, emulator, monkeypatch
):
    monkeypatch.setenv("REACH_LIVE_PORT", "captions")
    _sign_in(qtbot, window)
    task = next(t for t in window.queue.visible_tasks() if t.feature == ServiceFeature.LIVE_CAPTION)
    with qtbot.waitSignal(window.service.claim_failed, timeout=30000) as failed:
        window.claim(task)
    assert failed.args[1] == "REACH_LIVE_PORT='captions' is not a port number"
    assert emulator.inspect.task(task.id)["status"] == int(TaskStatus.PENDING)
    assert task.id in [t.id for t in window.queue.visible_tasks()]  # still on offer
    assert (task.account, task.id) not in window.workspaces
