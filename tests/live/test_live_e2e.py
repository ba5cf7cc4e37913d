"""Live captions end to end against the emulator: provisioning, Kaltura's puller, relayed captions, READY."""

from __future__ import annotations

import time

import pytest

from reach_studio.domain.enums import TaskStatus
from reach_studio.live import provisioning
from reach_studio.live.caption_messages import parse_message
from reach_studio.live.provisioning import LiveProvisioningError, RtmpIngest
from reach_studio.live.relay import CaptionRelay, relay_lines
from reach_studio.live.session import LiveSession

SCHEDULED, PROCESSING, READY = 9, 3, 2


def _feature(emulator, event_id, task_id):
    (event,) = emulator.inspect.objects("schedule_event", id=event_id)
    (feature,) = [
        f for f in event["liveFeatures"] if f["systemName"] == f"LiveCaptionFeature-reach-{task_id}"
    ]
    return feature


def _wait(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_provisioning_sets_the_feature_and_schedules_the_task(emulator, conn, live_task, caption_server):
    session = LiveSession(
        conn,
        live_task,
        caption_server,
        f"ACME-{live_task.id}",
        ingest=RtmpIngest("rtmps://ingest.vendor.example/live"),
    )
    prov = session.provision()
    event_id = live_task.job_data["scheduledEventId"]
    feature = _feature(emulator, event_id, live_task.id)
    assert feature["captionUrl"] == f"{caption_server.url}/captions/{live_task.id}"
    assert feature["captionUrl"].startswith("ws://127.0.0.1:")
    assert feature["captionToken"] == prov.caption_token and len(prov.caption_token) >= 40
    assert feature["mediaUrl"] == "rtmps://ingest.vendor.example/live"
    assert feature["mediaKey"] == f"reach-{live_task.id}"
    assert feature["language"] == "eng"
    task = emulator.inspect.task(live_task.id)
    assert task["status"] == SCHEDULED and task["externalTaskId"] == f"ACME-{live_task.id}"
    assert prov.caption_token not in repr(prov) and prov.caption_token not in repr(session.channel)
    # a second task gets a different token
    assert session.provisioned.task.status == TaskStatus.SCHEDULED


def test_kaltura_pulls_relayed_captions_in_order_and_the_task_ends_ready(
    emulator, conn, live_task, caption_server
):
    session = LiveSession(conn, live_task, caption_server, f"ACME-{live_task.id}")
    session.provision()
    event_id = live_task.job_data["scheduledEventId"]
    assert emulator.control.start_live(event_id) == [f"LiveCaptionFeature-reach-{live_task.id}"]
    assert session.wait_live(10), session.last_error
    assert emulator.inspect.task(live_task.id)["status"] == PROCESSING

    lines = ["[Host] Good morning everyone.", "Welcome to the town hall.", "", "Questions at the end."]
    assert relay_lines(lines, session.relay) == 3  # the blank line is skipped; end-of-stream follows
    task = session.end(timeout=10)
    assert task.status == TaskStatus.READY
    assert emulator.live.wait(event_id, 5)  # the puller hung up by itself after the end of stream
    assert not emulator.live.active(event_id)

    records = emulator.inspect.objects("live_caption", scheduleEventId=event_id)
    kinds = [r["recordType"] for r in records]
    assert kinds[0] == "connected" and kinds[-1] == "end_of_stream", records[-3:]
    messages = [r for r in records if r["recordType"] in ("message", "end_of_stream")]
    assert all(r["valid"] and r["problems"] == [] for r in messages)
    finals = [r["transcript"] for r in messages if r["isFinal"] and not r["isEndOfStream"]]
    assert finals == ["Good morning everyone.", "Welcome to the town hall.", "Questions at the end."]
    # interims grow word by word before each final and share its id; times never go backwards
    parsed = [parse_message(r["message"]) for r in messages]
    first_final = next(i for i, m in enumerate(parsed) if m.is_final)
    assert [m.transcript for m in parsed[:first_final]] == ["Good", "Good morning"]
    assert {m.id for m in parsed[: first_final + 1]} == {parsed[first_final].id}
    assert parsed[first_final].speakers[0].label == "Host"
    starts = [m.start for m in parsed if m.is_final]
    assert starts == sorted(starts)
    assert parsed[-1].is_end_of_stream and parsed[-1].start >= parsed[-2].end

    history = [h["status"] for h in emulator.inspect.status_history(live_task.id)]
    assert history[-3:] == [SCHEDULED, PROCESSING, READY]
    final = emulator.inspect.task(live_task.id)
    assert final["status"] == READY and not final.get("outputObjectId")


def test_token_as_first_message_is_accepted(emulator, conn, live_task, caption_server):
    emulator.live.token_mode = "first_message"
    session = LiveSession(conn, live_task, caption_server, "ACME-first")
    session.provision()
    emulator.control.start_live(live_task.job_data["scheduledEventId"])
    assert session.wait_live(10)
    session.relay.final("Hello.")
    assert session.end().status == TaskStatus.READY
    event_id = live_task.job_data["scheduledEventId"]
    assert emulator.live.wait(event_id, 5)
    assert [
        r["transcript"]
        for r in emulator.inspect.objects("live_caption", scheduleEventId=event_id, recordType="message")
    ] == ["Hello."]


def test_a_wrong_token_is_refused_and_recorded(emulator, conn, live_task, caption_server):
    session = LiveSession(conn, live_task, caption_server, "ACME-x")
    session.provision()
    event_id = live_task.job_data["scheduledEventId"]
    feature = _feature(emulator, event_id, live_task.id)
    # someone (or a stale configuration) holds a wrong token for the event
    (event,) = emulator.inspect.objects("schedule_event", id=event_id)
    event["liveFeatures"] = [
        dict(f, captionToken="not-the-token") if f["systemName"] == feature["systemName"] else f
        for f in event["liveFeatures"]
    ]
    emulator.store.put("schedule_event", event)
    session.relay.final("Nobody should read this.")
    emulator.control.start_live(event_id)
    assert emulator.live.wait(event_id, 10)
    records = emulator.inspect.objects("live_caption", scheduleEventId=event_id)
    assert [r["recordType"] for r in records] == [
        "connected",
        "refused",
    ]  # the socket opened, then the vendor said no
    assert (records[-1]["code"], records[-1]["reason"]) == (4403, "caption token refused")
    assert _wait(lambda: "refused" in session.last_error)
    assert session.channel.refusals == 1 and session.channel.sent == 0
    assert emulator.inspect.task(live_task.id)["status"] == SCHEDULED  # nothing went live
    with pytest.raises(LiveProvisioningError, match="never connected"):
        session.end()


def test_scheduled_start_connects_without_a_control_call(emulator, conn, caption_server):
    from reach_studio.emulator import seed
    from reach_studio.kaltura import reach_api

    # a live task whose captions start now: the emulator's watcher connects by itself
    nw = emulator.info["customers"][0]["partnerId"]
    entry = seed.add_live_entry(emulator, nw, "Pop-up lecture (live)", created_at=int(time.time()) - 60)
    now = int(time.time())
    event = seed.add_live_schedule_event(emulator, entry, now + 2, now + 3600)
    item = next(i for i in emulator.inspect.objects("catalog_item") if i["serviceFeature"] == 8)
    profile = emulator.inspect.objects("reach_profile", partnerId=nw)[0]
    task_id = emulator.control.add_task(
        partnerId=nw,
        entryId=entry["id"],
        catalogItemId=item["id"],
        reachProfileId=profile["id"],
        taskJobData={
            "objectType": "KalturaScheduledVendorTaskData",
            "startDate": now - 5,
            "endDate": now + 3600,
            "scheduledEventId": event["id"],
            "entryDuration": 3600000,
        },
    )
    seed.add_live_feature(
        emulator, emulator.store.get("schedule_event", event["id"]), emulator.store.get("task", task_id)
    )
    task = next(t for t in reach_api.get_jobs(conn) if t.id == task_id)
    session = LiveSession(conn, reach_api.get_task(conn, task), caption_server, "ACME-auto")
    session.provision()
    assert session.wait_live(10)  # no start_live call: the start date has come
    session.relay.final("Starting now.")
    assert session.end().status == TaskStatus.READY


def test_provisioning_refuses_tasks_that_are_not_live(conn):
    from reach_studio.kaltura import reach_api

    file_task = next(t for t in reach_api.get_jobs(conn) if t.feature is not None and t.feature.value == 1)
    with pytest.raises(LiveProvisioningError, match="not a live caption"):
        provisioning.provision(
            conn,
            file_task,
            caption_url="ws://127.0.0.1:1/captions/1",
            caption_token="t",
            external_task_id="x",
        )


def test_relay_times_are_relative_to_the_stream_start():
    sent = []
    clock = iter([100.0, 101.0, 101.5, 102.0, 104.0, 104.0]).__next__
    relay = CaptionRelay(sent.append, clock=clock, wall_clock=lambda: 1_700_000_000.0)
    relay.start()  # t0 = 100
    relay.interim("Hello")  # at 1.0 s: utterance starts
    relay.interim("Hello there")  # 1.5 s
    relay.final("Hello there.")  # 2.0 s
    relay.end()  # 4.0 s
    r = [m["response"] for m in sent]
    assert [(x["start"], x["end"], x["is_final"]) for x in r[:3]] == [
        (1.0, 1.0, False),
        (1.0, 1.5, False),
        (1.0, 2.0, True),
    ]
    assert r[0]["id"] == r[1]["id"] == r[2]["id"]
    assert r[2]["start_epoch"] == 1_700_000_001.0
    assert r[3]["is_end_of_stream"] and r[3]["start"] == 4.0


def test_a_task_the_shell_already_claimed_is_provisioned_in_place(emulator, conn, live_task, caption_server):
    from reach_studio.kaltura import reach_api

    claimed = reach_api.claim(conn, live_task, "linguist-7", settle=0)  # the shell's claim: → PROCESSING
    session = LiveSession(conn, claimed, caption_server, claimed.external_task_id)
    session.provision()
    assert session.state == "scheduled"  # not live until Kaltura reads the stream
    event_id = live_task.job_data["scheduledEventId"]
    assert _feature(emulator, event_id, live_task.id)["captionUrl"].endswith(f"/captions/{live_task.id}")
    emulator.control.start_live(event_id)
    assert session.wait_live(10)
    session.relay.final("Claimed first, captioned anyway.")
    assert session.end().status == TaskStatus.READY
    task = emulator.inspect.task(live_task.id)
    assert task["externalTaskId"] == "linguist-7"
    assert [h["status"] for h in emulator.inspect.status_history(live_task.id)][-2:] == [PROCESSING, READY]


def test_someone_elses_scheduled_task_is_not_taken_over(conn, emulator, caption_server):
    from reach_studio.kaltura import reach_api

    (theirs,) = [t for t in reach_api.get_jobs(conn, status=TaskStatus.SCHEDULED) if t.feature.value == 8]
    theirs = reach_api.get_task(conn, theirs)
    with pytest.raises(LiveProvisioningError, match="already scheduled by ACME-LIVE-0001"):
        LiveSession(conn, theirs, caption_server, "us-1").provision()
    assert caption_server.channel(theirs.id) is None  # no channel left open for it
    feature = _feature(emulator, theirs.job_data["scheduledEventId"], theirs.id)
    assert feature["captionUrl"] == "wss://live.acme-captioning.example/captions"  # untouched
