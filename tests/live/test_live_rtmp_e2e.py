"""A live event end to end with a real RTMP restream: the emulator pushes the event's media to the
session's own ingest, pulls captions over the websocket (with the guide's two auth layers), and the
captions carry the media position they were written at."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from reach_studio.domain.enums import TaskStatus
from reach_studio.live.caption_server import CaptionServer
from reach_studio.live.scheduling import LiveScheduler, LiveSettings, live_external_id

DEADLINE = 30.0
PROCESSING, READY = 3, 2


def _scheduler(server: CaptionServer) -> LiveScheduler:
    scheduler = LiveScheduler(LiveSettings())
    scheduler.adopt_server(server)
    return scheduler


def _loud(pcm: bytes) -> bool:
    """Is there sound in this PCM (peak above -30 dBFS)?"""
    import array

    samples = array.array("h", pcm)
    return bool(samples) and max(abs(min(samples)), max(samples)) > 1000


def test_kaltura_restreams_to_our_ingest_and_captions_carry_the_media_position(
    emulator, conn, live_task, caption_server
):
    emulator.live.media_seconds = 3.0  # sound from 1.0 s to 3.0 s
    session = _scheduler(caption_server).session_for(conn, live_task, live_external_id("ana", live_task.id))
    typed = threading.Event()
    typed_at: dict[str, float] = {}

    def captioner_hears(pcm: bytes, at: float) -> None:
        # the captioner starts writing the moment the voice starts (the ingest's own thread: no delay)
        if not typed.is_set() and _loud(pcm):
            typed_at["media"] = at
            session.relay.interim("Good")
            typed.set()

    session.listener.on_audio = captioner_hears
    prov = session.provision()
    event_id = live_task.job_data["scheduledEventId"]
    feature = next(
        f
        for f in emulator.inspect.objects("schedule_event", id=event_id)[0]["liveFeatures"]
        if f["systemName"] == prov.feature_name
    )
    assert feature["mediaUrl"] == session.listener.media_url and feature["mediaUrl"].startswith(
        "rtmp://127.0.0.1:"
    )
    assert feature["mediaKey"] == session.listener.media_key

    emulator.control.start_live(event_id)
    assert session.wait_live(DEADLINE), session.last_error
    assert typed.wait(DEADLINE), "no sound reached the ingest"
    session.relay.final("Good morning everyone.")
    assert emulator.live.wait_stream_ended(event_id, DEADLINE)
    task = session.end(timeout=DEADLINE)
    assert task.status == TaskStatus.READY
    assert emulator.inspect.task(live_task.id)["status"] == READY

    records = emulator.inspect.objects("live_caption", scheduleEventId=event_id)
    kinds = [r["recordType"] for r in records]
    assert "stream_started" in kinds and "connected" in kinds
    (ended,) = [r for r in records if r["recordType"] == "stream_ended"]
    assert ended["outcome"] == "completed"
    (final,) = [r for r in records if r["recordType"] == "message" and r["isFinal"]]
    assert final["transcript"] == "Good morning everyone."
    # the caption starts where the voice starts in the media (1.0 s), not at the captioner's wall clock
    assert abs(final["start"] - 1.0) <= 0.1, (final["start"], typed_at)
    assert final["message"]["response"]["start_pts"] == final["start"]
    assert session.listener.state == "stopped"


def test_both_websocket_auth_layers_against_kaltura(emulator, conn, live_task):
    with CaptionServer("127.0.0.1", 0, vendor_token="pre-agreed-with-kaltura") as server:
        assert server.auth_url == f"http://127.0.0.1:{server.bound_port}/auth"
        session = LiveScheduler(LiveSettings(), ingest=False)
        session.adopt_server(server)
        live = session.session_for(conn, live_task, live_external_id("ana", live_task.id))
        live.provision()
        event_id = live_task.job_data["scheduledEventId"]

        # a wrong pre-agreed token: Kaltura is refused at the auth URL, nothing connects
        emulator.live.vendor_auth = {"authUrl": server.auth_url, "token": "guessed"}
        emulator.control.start_live(event_id)
        assert emulator.live.wait(event_id, DEADLINE)
        refused = emulator.inspect.objects("live_caption", scheduleEventId=event_id, recordType="refused")
        assert refused and refused[-1]["reason"] == "vendor authentication refused"
        assert not live.connected

        # the websocket itself without an access token: refused at the handshake (401)
        with pytest.raises(InvalidStatus) as info:
            connect(f"{live.channel.url}?token=x", open_timeout=5).close()
        assert info.value.response.status_code == 401
        # the auth URL with the right token gives a short-lived access token
        request = urllib.request.Request(
            server.auth_url, headers={"Authorization": "Bearer pre-agreed-with-kaltura"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            body = json.loads(response.read())
        assert body["token_type"] == "Bearer" and body["expires_in"] > 0 and body["access_token"]
        # ...but an access token alone is not the event's caption token (layer 2)
        with connect(
            live.channel.url,
            open_timeout=5,
            additional_headers={"Authorization": f"Bearer {body['access_token']}"},
        ) as ws:
            ws.send(json.dumps({"token": "not-the-caption-token"}))
            with pytest.raises(ConnectionClosed):
                ws.recv(timeout=5)
        assert not live.connected

        # both layers right: Kaltura connects, the task processes, captions flow
        emulator.live.vendor_auth = {"authUrl": server.auth_url, "token": "pre-agreed-with-kaltura"}
        emulator.control.start_live(event_id)
        assert live.wait_live(DEADLINE), live.last_error
        live.relay.final("Welcome.")
        task = live.end(timeout=DEADLINE)
        assert task.status == TaskStatus.READY
        finals = emulator.inspect.objects("live_caption", scheduleEventId=event_id, recordType="message")
        assert [m["transcript"] for m in finals] == ["Welcome."]
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(server.auth_url, timeout=2)
