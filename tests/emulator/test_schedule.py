"""scheduleEvent.get / updateLiveFeature as a live-caption vendor calls them, with Kaltura's refusals."""

from __future__ import annotations

import time

import pytest
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Schedule import KalturaLiveCaptionFeature

from reach_studio.emulator.services.schedule import add_live_event, feature_name

from .entry_setup import bare_entry, key_client

TASK_ID = 77


def _live_event(emulator, entry, object_type="KalturaLiveStreamScheduleEvent"):
    start = int(time.time()) + 3600
    return add_live_event(
        emulator,
        entry["partnerId"],
        entry["id"],
        start,
        start + 1800,
        object_type=object_type,
        features=[
            {"systemName": feature_name(TASK_ID), "preStartTime": 300, "postEndTime": 60, "language": "eng"}
        ],
    )


def _endpoints(**extra):
    return KalturaLiveCaptionFeature(
        mediaUrl="rtmps://ingest.vendor.example/live",
        mediaKey="stream-77",
        captionUrl="wss://captions.vendor.example/77",
        captionToken="tok-77",
        **extra,
    )


def test_vendor_fills_in_the_live_caption_feature(emulator):
    entry = bare_entry(emulator, name="Town hall (live)")
    event = _live_event(emulator, entry)
    client = key_client(emulator, entry)
    got = client.schedule.scheduleEvent.get(event["id"])
    assert type(got).__name__ == "KalturaLiveStreamScheduleEvent"
    assert [f.systemName for f in got.liveFeatures] == ["LiveCaptionFeature-reach-77"]

    updated = client.schedule.scheduleEvent.updateLiveFeature(
        event["id"], feature_name(TASK_ID), _endpoints(inputDelay=3)
    )
    assert type(updated).__name__ == "KalturaLiveStreamScheduleEvent"
    feature = updated.liveFeatures[0]
    assert type(feature).__name__ == "KalturaLiveCaptionFeature"
    assert (
        feature.mediaUrl,
        feature.mediaKey,
        feature.captionUrl,
        feature.captionToken,
        feature.inputDelay,
    ) == ("rtmps://ingest.vendor.example/live", "stream-77", "wss://captions.vendor.example/77", "tok-77", 3)
    # what Kaltura set stays (times, language, name)
    assert (feature.systemName, feature.preStartTime, feature.postEndTime, feature.language) == (
        "LiveCaptionFeature-reach-77",
        300,
        60,
        "eng",
    )
    stored = emulator.inspect.objects("schedule_event", id=event["id"])[0]["liveFeatures"][0]
    assert stored["captionToken"] == "tok-77"


def test_update_live_feature_refusals(emulator):
    entry = bare_entry(emulator)
    client = key_client(emulator, entry)
    event = _live_event(emulator, entry)
    with pytest.raises(KalturaException) as exc:
        client.schedule.scheduleEvent.updateLiveFeature(999_999, feature_name(TASK_ID), _endpoints())
    assert exc.value.code == "INVALID_OBJECT_ID"
    with pytest.raises(KalturaException) as exc:
        client.schedule.scheduleEvent.updateLiveFeature(
            event["id"], "LiveCaptionFeature-reach-1", _endpoints()
        )
    assert exc.value.code == "FEATURE_NAME_NOT_FOUND"
    assert "LiveCaptionFeature-reach-1" in exc.value.message
    recording = _live_event(emulator, entry, object_type="KalturaRecordScheduleEvent")
    with pytest.raises(KalturaException) as exc:
        client.schedule.scheduleEvent.updateLiveFeature(recording["id"], feature_name(TASK_ID), _endpoints())
    assert exc.value.code == "INVALID_SCHEDULE_EVENT_TYPE"
    # the key of another task's entry does not reach this event
    other = key_client(emulator, bare_entry(emulator))
    with pytest.raises(KalturaException) as exc:
        other.schedule.scheduleEvent.updateLiveFeature(event["id"], feature_name(TASK_ID), _endpoints())
    assert exc.value.code == "INVALID_OBJECT_ID"
    with pytest.raises(KalturaException) as exc:
        other.schedule.scheduleEvent.get(event["id"])
    assert exc.value.code == "INVALID_OBJECT_ID"
    with pytest.raises(KalturaException) as exc:
        client.schedule.scheduleEvent.updateLiveFeature(event["id"], feature_name(TASK_ID), None)
    assert exc.value.code == "MISSING_MANDATORY_PARAMETER"
    # nothing was changed by the refused calls
    assert (
        "captionToken" not in emulator.inspect.objects("schedule_event", id=event["id"])[0]["liveFeatures"][0]
    )


def test_seeded_live_caption_task_can_fill_its_feature_with_its_access_key(emulator):
    from .clients import new_client

    live = next(
        t
        for t in emulator.inspect.objects("task")
        if t["serviceFeature"] == 8 and (t.get("taskJobData") or {}).get("scheduledEventId")
    )
    event_id = live["taskJobData"]["scheduledEventId"]
    client = new_client(emulator, live["accessKey"])
    updated = client.schedule.scheduleEvent.updateLiveFeature(
        event_id, feature_name(live["id"]), _endpoints()
    )
    mine = next(f for f in updated.liveFeatures if f.systemName == feature_name(live["id"]))
    assert (mine.captionUrl, mine.captionToken) == ("wss://captions.vendor.example/77", "tok-77")
    stored = emulator.inspect.objects("schedule_event", id=event_id)[0]["liveFeatures"]
    assert next(f for f in stored if f["systemName"] == feature_name(live["id"]))["mediaKey"] == "stream-77"
