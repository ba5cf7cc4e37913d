"""Contract: scheduleEvent get / updateLiveFeature as ScheduleEventService rules them
(docs/kaltura-contract.md, "Schedule events"), driven with a task's accessKey."""

from __future__ import annotations

import time

import pytest
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Schedule import KalturaLiveCaptionFeature

from reach_studio.emulator.services.schedule import add_live_event, feature_name

from .kaltura import client, pending_task


def _refused(fn) -> KalturaException:
    with pytest.raises(KalturaException) as exc:
        fn()
    return exc.value


def _event(emu, object_type: str = "KalturaLiveStreamScheduleEvent"):
    task = pending_task(emu)
    start = int(time.time()) + 3600
    event = add_live_event(
        emu,
        task["partnerId"],
        task["entryId"],
        start,
        start + 3600,
        object_type=object_type,
        features=[{"systemName": feature_name(task["id"]), "language": "English", "inputDelay": 5}],
    )
    return client(emu, task["accessKey"]), event, task


def test_get_returns_the_event_and_an_unknown_id_is_invalid_object_id(emulator):
    c, event, _task = _event(emulator)
    assert c.schedule.scheduleEvent.get(event["id"]).id == event["id"]
    assert _refused(lambda: c.schedule.scheduleEvent.get(987654)).code == "INVALID_OBJECT_ID"


def test_update_live_feature_sets_the_fields_sent_and_keeps_the_others(emulator):
    c, event, task = _event(emulator)
    name = feature_name(task["id"])
    sent = KalturaLiveCaptionFeature(mediaUrl="rtmp://vendor/in", captionUrl="wss://vendor/out")
    updated = c.schedule.scheduleEvent.updateLiveFeature(event["id"], name, sent)
    feature = next(f for f in updated.liveFeatures if f.systemName == name)
    assert (feature.mediaUrl, feature.captionUrl, feature.language, feature.inputDelay) == (
        "rtmp://vendor/in",
        "wss://vendor/out",
        "English",
        5,
    )


def test_update_live_feature_of_an_unknown_feature_is_feature_name_not_found(emulator):
    c, event, _task = _event(emulator)
    err = _refused(
        lambda: c.schedule.scheduleEvent.updateLiveFeature(
            event["id"], "LiveCaptionFeature-reach-0", KalturaLiveCaptionFeature(mediaUrl="x")
        )
    )
    assert err.code == "FEATURE_NAME_NOT_FOUND"


def test_update_live_feature_of_another_event_type_is_invalid_schedule_event_type(emulator):
    c, event, task = _event(emulator, object_type="KalturaRecordScheduleEvent")
    err = _refused(
        lambda: c.schedule.scheduleEvent.updateLiveFeature(
            event["id"], feature_name(task["id"]), KalturaLiveCaptionFeature(mediaUrl="x")
        )
    )
    assert err.code == "INVALID_SCHEDULE_EVENT_TYPE"
    err = _refused(
        lambda: c.schedule.scheduleEvent.updateLiveFeature(
            987654, feature_name(task["id"]), KalturaLiveCaptionFeature(mediaUrl="x")
        )
    )
    assert err.code == "INVALID_OBJECT_ID"
