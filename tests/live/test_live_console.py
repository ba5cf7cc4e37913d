"""The live-caption console (pytest-qt): schedule, Kaltura connects, typed lines go out, End → READY."""

from __future__ import annotations

import itertools
import time

from PySide6.QtCore import Qt

from reach_studio.domain.enums import ServiceFeature, TaskStatus
from reach_studio.store.drafts import DraftStore
from reach_studio.ui.editors.live_console import LiveConsole
from reach_studio.ui.editors.registry import TaskContext, editor_for
from reach_studio.workers.background import wait_for_all

from .console_helpers import end_the_stream

SCHEDULED, PROCESSING, READY = 9, 3, 2


def test_live_features_open_the_console():
    assert editor_for(ServiceFeature.LIVE_CAPTION) is editor_for(ServiceFeature.LIVE_TRANSLATION) is not None


def test_console_without_a_connection_shows_dates_and_cannot_schedule(qtbot, live_task_offline):
    console = LiveConsole(TaskContext(live_task_offline, None, None))
    qtbot.addWidget(console)
    fmt = "%a %d %b %Y, %H:%M"
    assert console.start_label.text() == time.strftime(fmt, time.localtime(1_795_000_000))
    assert console.end_label.text() == time.strftime(fmt, time.localtime(1_795_003_600))
    assert "sign in" in console.status_label.text()
    assert not console.schedule_button.isEnabled() and not console.line.isEnabled()


def test_console_sends_typed_lines_and_ends_ready(qtbot, emulator, conn, live_task, caption_server, tmp_path):
    console = LiveConsole(
        TaskContext(live_task, conn, DraftStore(tmp_path / "drafts.db")), server=caption_server
    )
    qtbot.addWidget(console)
    assert console.schedule_button.isEnabled() and not console.end_button.isEnabled()
    qtbot.mouseClick(console.schedule_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: console.state == "scheduled" and "waiting for Kaltura" in console.status_label.text(),
        timeout=15000,
    )
    assert console.url_label.text() == f"{caption_server.url}/captions/{live_task.id}"
    assert emulator.inspect.task(live_task.id)["status"] == SCHEDULED

    event_id = live_task.job_data["scheduledEventId"]
    emulator.control.start_live(event_id)
    # the session turns live on the server's thread; the label follows through a queued signal
    qtbot.waitUntil(lambda: console.state == "live" and "Live" in console.status_label.text(), timeout=15000)
    assert console.end_button.isEnabled()

    qtbot.keyClicks(console.line, "Hello town hall")  # each keystroke: an interim
    qtbot.keyClick(console.line, Qt.Key.Key_Return)  # Enter: the final
    assert console.line.text() == ""
    assert console.history.count() == 1 and console.history.item(0).text().endswith("Hello town hall")

    with qtbot.waitSignal(console.delivered, timeout=15000) as delivered:
        end_the_stream(qtbot, console)
    assert delivered.args[0].status == TaskStatus.READY
    assert "Ended" in console.status_label.text() and not console.line.isEnabled()
    assert emulator.live.wait(event_id, 10)

    records = emulator.inspect.objects("live_caption", scheduleEventId=event_id)
    messages = [r for r in records if r["recordType"] == "message"]
    interims = [r["transcript"] for r in messages if not r["isFinal"]]
    # one interim per keystroke that changed the text (a trailing space changes nothing), each a growing prefix
    assert interims[0] == "H" and interims[-1] == "Hello town hall" and len(interims) == 13
    assert all(b.startswith(a) and len(b) > len(a) for a, b in itertools.pairwise(interims))
    assert [r["transcript"] for r in messages if r["isFinal"]] == ["Hello town hall"]
    captions = [r for r in records if not r["recordType"].startswith("stream_")]  # not the restream's records
    assert captions[-1]["recordType"] == "end_of_stream"
    assert [h["status"] for h in emulator.inspect.status_history(live_task.id)][-3:] == [
        SCHEDULED,
        PROCESSING,
        READY,
    ]
    console.shutdown()
    wait_for_all(5000)


def test_the_task_workspace_opens_the_console_for_a_live_task(qtbot, live_task_offline, tmp_path):
    from reach_studio.ui.task_workspace import TaskWorkspace

    workspace = TaskWorkspace(TaskContext(live_task_offline, None, DraftStore(tmp_path / "drafts.db")))
    qtbot.addWidget(workspace)
    assert isinstance(workspace.editor, LiveConsole)
    workspace.editor.shutdown()


def test_end_stream_asks_first_and_keep_captioning_sends_nothing(
    qtbot, emulator, conn, live_task, caption_server, tmp_path
):
    """End stream ended the event at once (READY, no more captions): a slip of the mouse during a live event
    could not be undone. It asks first; Enter in the question keeps captioning."""
    console = LiveConsole(
        TaskContext(live_task, conn, DraftStore(tmp_path / "drafts.db")), server=caption_server
    )
    qtbot.addWidget(console)
    console.show()
    qtbot.mouseClick(console.schedule_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: console.state == "scheduled", timeout=15000)
    emulator.control.start_live(live_task.job_data["scheduledEventId"])
    qtbot.waitUntil(lambda: console.state == "live" and console.end_button.isEnabled(), timeout=15000)
    qtbot.mouseClick(console.end_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: console.end_confirm is not None and console.end_confirm.isVisible(), timeout=5000)
    assert "becomes READY" in console.end_confirm.text()
    qtbot.keyClick(console.end_confirm, Qt.Key.Key_Return)  # the default: keep captioning
    qtbot.waitUntil(lambda: console.end_confirm is None, timeout=5000)
    assert console.state == "live" and console.line.isEnabled()
    assert emulator.inspect.task(live_task.id)["status"] == int(TaskStatus.PROCESSING)
    end_the_stream(qtbot, console)
    qtbot.waitUntil(
        lambda: emulator.inspect.task(live_task.id)["status"] == int(TaskStatus.READY), timeout=15000
    )
