"""The live console during an event with a real RTMP restream from the emulator: it plays the sound,
shows level/waveform/clock, and captions carry the media position the captioner heard."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from reach_studio.domain.enums import TaskStatus
from reach_studio.live.briefs import Briefs
from reach_studio.live.caption_messages import parse_message
from reach_studio.store.drafts import DraftStore
from reach_studio.ui.editors.live_console import LiveConsole
from reach_studio.ui.editors.registry import TaskContext

from .console_helpers import end_the_stream

WAIT_MS = 30000


@pytest.fixture
def console(qtbot, emulator, conn, live_task, caption_server, tmp_path):
    emulator.live.media_seconds = 4.0  # voice from 1.0 s to 3.0 s
    live_task.notes = "Town hall. Speakers: Prof. Okafor, Ana Lima."
    widget = LiveConsole(
        TaskContext(live_task, conn, DraftStore(tmp_path / "drafts.db")),
        server=caption_server,
        briefs=Briefs({"tq": "thank you"}, tmp_path / "briefs.json"),
    )
    qtbot.addWidget(widget)
    widget.show()
    qtbot.mouseClick(widget.schedule_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: widget.state == "scheduled", timeout=WAIT_MS)
    yield widget
    widget.shutdown()


def _messages(emulator, event_id):
    return [
        r
        for r in emulator.inspect.objects("live_caption", scheduleEventId=event_id)
        if r["recordType"] == "message"
    ]


def test_the_console_plays_the_restream_and_captions_carry_the_heard_media_position(
    qtbot, console, emulator, live_task, tmp_path
):
    event_id = live_task.job_data["scheduledEventId"]
    assert console.session.listener.media_url in console.ingest_label.text()
    emulator.control.start_live(event_id)  # Kaltura connects and restreams the event to our ingest
    qtbot.waitUntil(lambda: console.state == "live", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "Receiving" in console.ingest_label.text(), timeout=WAIT_MS)

    # the captioner hears the voice start (the meter jumps) and starts writing at once
    qtbot.keyClick(console.line, Qt.Key.Key_F2)  # F2: the first named speaker from the notes
    qtbot.waitUntil(lambda: console.player.level() > -30, timeout=WAIT_MS)
    heard = console.player.position()
    qtbot.keyClicks(console.line, "Good morning, tq ")  # the brief expands as the word ends
    assert console.line.text() == "[Prof. Okafor] Good morning, thank you "
    qtbot.keyClick(console.line, Qt.Key.Key_Return)

    # the console shows the stream: clock running, a waveform with sound in it
    debug = (
        heard,
        console.player.playout.dropped_s,
        list(console.player.playout._marks)[:6],
        console.session.listener.connections,
        console.session.listener.stream_start,
    )
    assert heard is not None and abs(heard - 1.0) < 0.15, debug  # the voice starts at 1.0 s in the media
    qtbot.waitUntil(lambda: console.clock_label.text().startswith("00:00:0"), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: max(console.waveform.peaks, default=0) > 0.1, timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: console.video.frames > 0 and console.video.pixmap().width() == 320, timeout=WAIT_MS
    )

    qtbot.waitUntil(lambda: any(m["isFinal"] for m in _messages(emulator, event_id)), timeout=WAIT_MS)
    (final,) = [m for m in _messages(emulator, event_id) if m["isFinal"]]
    assert final["transcript"] == "Good morning, thank you"
    assert abs(final["start"] - heard) <= 0.1, (final["start"], heard)
    msg = parse_message(final["message"])
    assert [s.label for s in msg.speakers] == ["Prof. Okafor"]
    assert msg.start_pts == final["start"]
    interims = [m for m in _messages(emulator, event_id) if not m["isFinal"]]
    assert interims and all(abs(m["start"] - heard) <= 0.1 for m in interims)

    # the stream plays out; End stream → READY; the record exports as WebVTT
    assert emulator.live.wait_stream_ended(event_id, 30)
    with qtbot.waitSignal(console.delivered, timeout=WAIT_MS) as delivered:
        end_the_stream(qtbot, console)
    assert delivered.args[0].status == TaskStatus.READY
    dest = tmp_path / "event.vtt"
    with qtbot.waitCallback(timeout=WAIT_MS) as saved:
        console.export_captions(dest, saved)
    text = dest.read_text(encoding="utf-8")
    assert text.startswith("WEBVTT") and "Good morning, thank you" in text and "00:00:01." in text


def test_hold_correction_and_kaltura_reconnecting_lose_nothing_and_keep_stream_times(
    qtbot, console, emulator, live_task, tmp_path
):
    event_id = live_task.job_data["scheduledEventId"]
    emulator.control.start_live(event_id)
    qtbot.waitUntil(lambda: console.state == "live", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: console.player.position() is not None, timeout=WAIT_MS)

    qtbot.keyClicks(console.line, "Frist line")
    qtbot.keyClick(console.line, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: any(m["isFinal"] for m in _messages(emulator, event_id)), timeout=WAIT_MS)
    # Up on the empty line recalls the last caption; Enter sends the correction with the same id and times
    qtbot.keyClick(console.line, Qt.Key.Key_Up)
    assert console.line.text() == "Frist line"
    console.line.setText("First line")
    qtbot.keyClick(console.line, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: len([m for m in _messages(emulator, event_id) if m["isFinal"]]) == 2, timeout=WAIT_MS
    )
    first, corrected = [m for m in _messages(emulator, event_id) if m["isFinal"]]
    assert corrected["transcript"] == "First line" and corrected["messageId"] == first["messageId"]
    assert (corrected["start"], corrected["end"]) == (first["start"], first["end"])
    assert console.history.item(0).text().endswith("First line  (corrected)")

    # Hold: nothing goes out while held; released, the caption goes with the time it was written at
    qtbot.keyClick(console, Qt.Key.Key_F12)
    assert console.hold_button.isChecked()
    written_at = console.player.position()
    qtbot.keyClicks(console.line, ">> Held back")
    qtbot.keyClick(console.line, Qt.Key.Key_Return)
    before = len(_messages(emulator, event_id))

    # Kaltura's connection drops while the caption is held, and another caption is written meanwhile
    emulator.live.end_live(event_id)
    qtbot.waitUntil(lambda: "disconnected" in console.status_label.text(), timeout=WAIT_MS)
    qtbot.keyClick(console, Qt.Key.Key_F12)  # release: queued for Kaltura
    qtbot.keyClicks(console.line, "While away")
    qtbot.keyClick(console.line, Qt.Key.Key_Return)
    assert "queued" in console.status_label.text()
    assert len(_messages(emulator, event_id)) == before

    emulator.live.push_media = False  # the reconnect is the caption puller only
    emulator.control.start_live(event_id)
    qtbot.waitUntil(
        lambda: (
            [m["transcript"] for m in _messages(emulator, event_id) if m["isFinal"]][-2:]
            == [">> Held back", "While away"]
        ),
        timeout=WAIT_MS,
    )
    held = next(m for m in _messages(emulator, event_id) if m["transcript"] == ">> Held back")
    assert abs(held["start"] - written_at) <= 0.1  # its original stream time, not the time of release
    assert not any(
        not m["isFinal"] and m["transcript"].startswith(">> Held") for m in _messages(emulator, event_id)
    )


def test_a_push_with_a_wrong_stream_key_is_refused_and_said_in_the_console(
    qtbot, console, emulator_media_cache
):
    from reach_studio.emulator.live_push import MediaPush, event_media

    listener = console.session.listener
    qtbot.waitUntil(lambda: listener.state == "listening", timeout=WAIT_MS)
    push = MediaPush(event_media(emulator_media_cache, 4.0), listener.media_url, "guessed-key").start()
    qtbot.waitUntil(lambda: "wrong stream key refused" in console.ingest_label.text(), timeout=WAIT_MS)
    push.stop()
    assert console.player.position() is None  # not a sample of it was played
    qtbot.waitUntil(lambda: listener.state == "listening", timeout=WAIT_MS)  # and it listens again
