"""The caption websocket as Kaltura meets it: paths, token refusals, queued and resumed streams, clean stop."""

from __future__ import annotations

import json
import threading
import time

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from reach_studio.domain.enums import TaskStatus
from reach_studio.live.caption_messages import build_message, parse_message
from reach_studio.live.caption_server import CaptionServer, CaptionServerError


def _msg(text: str, t: float, end: bool = False) -> dict:
    return build_message(text, t, t, is_final=True, is_end_of_stream=end, stream_epoch=1_700_000_000.0)


def _close_code(ws) -> int | None:
    with pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=5)
    return closed.value.rcvd.code if closed.value.rcvd else None


def test_unknown_path_missing_and_wrong_token_are_refused(caption_server):
    refused: list[str] = []
    caption_server.open_channel(7, "right-token", on_refused=refused.append)
    with connect(f"{caption_server.url}/captions/8?token=right-token") as ws:
        assert _close_code(ws) == 4404
    with connect(f"{caption_server.url}/elsewhere") as ws:
        assert _close_code(ws) == 4404
    with connect(f"{caption_server.url}/captions/7?token=wrong") as ws:
        assert _close_code(ws) == 4403
    caption_server.auth_timeout = 0.3
    with connect(f"{caption_server.url}/captions/7") as ws:  # no token, and no first message either
        assert _close_code(ws) == 4401
    deadline = time.monotonic() + 5
    while len(refused) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert refused == ["caption token refused", "caption token missing"]
    assert caption_server.channel(7).refusals == 2 and not caption_server.channel(7).connected.is_set()


def test_bearer_header_and_first_message_tokens(caption_server):
    gone = threading.Event()
    channel = caption_server.open_channel(9, "tok-9", on_disconnect=lambda reason: gone.set())
    channel.send(_msg("one", 0.0))  # queued before Kaltura connects
    with connect(
        f"{caption_server.url}/captions/9", additional_headers={"Authorization": "Bearer tok-9"}
    ) as ws:
        assert parse_message(ws.recv(timeout=5)).transcript == "one"
    assert gone.wait(5)
    channel.send(_msg("two", 1.0))  # said while Kaltura was away: kept for its reconnection
    assert channel.pending == 1
    with connect(f"{caption_server.url}/captions/9") as ws:
        ws.send(json.dumps({"token": "tok-9"}))
        assert parse_message(ws.recv(timeout=5)).transcript == "two"
        channel.send(_msg("", 2.0, end=True))
        assert parse_message(ws.recv(timeout=5)).is_end_of_stream
        assert _close_code(ws) == 1000
    assert channel.ended.is_set() and channel.connections == 2 and channel.sent == 3
    with pytest.raises(CaptionServerError, match="has ended"):
        channel.send(_msg("late", 3.0))


def test_messages_keep_their_order_from_many_threads(caption_server):
    channel = caption_server.open_channel(11, "tok")
    received: list[str] = []
    with connect(f"{caption_server.url}/captions/11?token=tok") as ws:
        assert channel.wait_connected(5)

        def producer(n: int) -> None:
            for i in range(50):
                channel.send(_msg(f"{n}-{i}", float(i)))

        threads = [threading.Thread(target=producer, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for _ in range(200):
            received.append(parse_message(ws.recv(timeout=5)).transcript)
    for n in range(4):  # each producer's messages arrive in the order it sent them
        mine = [r for r in received if r.startswith(f"{n}-")]
        assert mine == [f"{n}-{i}" for i in range(50)]


def test_stop_ends_the_thread_and_a_second_server_cannot_take_the_port():
    first = CaptionServer("127.0.0.1", 0).start()
    try:
        with pytest.raises(CaptionServerError, match="cannot listen"):
            CaptionServer("127.0.0.1", first.bound_port).start()
    finally:
        first.stop()
    assert first._thread is None
    assert not any(t.name == "caption-websocket" and t.is_alive() for t in threading.enumerate())


def test_open_channel_needs_a_token(caption_server):
    with pytest.raises(CaptionServerError, match="needs a token"):
        caption_server.open_channel(1, "")


def test_the_puller_records_an_unreachable_caption_url(emulator):
    task = emulator.inspect.objects("task", serviceFeature=8, status=TaskStatus.PENDING)[0]
    event_id = task["taskJobData"]["scheduledEventId"]
    event = emulator.store.get("schedule_event", event_id)
    event["liveFeatures"][0].update(captionUrl="ws://127.0.0.1:9/captions/1", captionToken="t")
    emulator.store.put("schedule_event", event)
    emulator.control.start_live(event_id)
    assert emulator.live.wait(event_id, 10)
    (record,) = emulator.inspect.objects("live_caption", scheduleEventId=event_id)
    assert record["recordType"] == "error" and "cannot connect" in record["reason"]
    event["liveFeatures"][0].update(captionUrl="https://vendor.example/captions")
    emulator.store.put("schedule_event", event)
    emulator.control.start_live(event_id)
    assert emulator.live.wait(event_id, 10)
    assert emulator.inspect.objects("live_caption", scheduleEventId=event_id)[-1]["reason"] == (
        "captionUrl is not a websocket URL"
    )
