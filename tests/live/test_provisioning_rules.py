"""Provisioning rules that need no server: event id, language of the feature, RTMP ingest fields."""

from __future__ import annotations

import pytest

from reach_studio.domain.enums import ServiceFeature, ServiceType, TaskStatus, TurnAroundTime
from reach_studio.domain.task import CatalogItem, Task
from reach_studio.live.provisioning import (
    LiveProvisioningError,
    RtmpIngest,
    feature_name,
    language_for,
    live_window,
    scheduled_event_id,
)


def _task(feature=ServiceFeature.LIVE_CAPTION, **job) -> Task:
    item = CatalogItem(
        id=3,
        service_feature=feature,
        service_type=ServiceType.HUMAN,
        turn_around_time=TurnAroundTime.BEST_EFFORT,
        source_language="English",
        target_language="Spanish",
    )
    return Task(
        id=55,
        partner_id=1,
        vendor_partner_id=2,
        entry_id="0_l",
        status=TaskStatus.PENDING,
        catalog_item_id=3,
        reach_profile_id=4,
        service_feature=feature,
        job_data=job,
        catalog_item=item,
    )


def test_event_id_window_and_feature_name():
    task = _task(scheduledEventId="7001", startDate=100, endDate=200)
    assert scheduled_event_id(task) == 7001
    assert live_window(task) == (100, 200)
    assert live_window(_task()) == (None, None)
    assert feature_name(55) == "LiveCaptionFeature-reach-55"


@pytest.mark.parametrize("job", [{}, {"scheduledEventId": "abc"}, {"scheduledEventId": 0}])
def test_a_live_task_without_an_event_is_a_clear_error(job):
    with pytest.raises(LiveProvisioningError, match="names no scheduled event"):
        scheduled_event_id(_task(**job))


def test_language_is_kalturas_or_from_the_catalog_item():
    assert language_for(_task(), "eng") == "eng"  # Kaltura already set it on the feature
    assert language_for(_task()) == "eng"  # live captions: the source language
    assert (
        language_for(_task(ServiceFeature.LIVE_TRANSLATION)) == "spa"
    )  # live translation: the target language


def test_rtmp_ingest_is_the_vendors_own_or_nothing():
    assert RtmpIngest().media_key(55) == ""  # no ingest configured: no key to hand out
    ingest = RtmpIngest("rtmps://ingest.vendor.example/live", "ev-{task_id}")
    assert ingest.media_key(55) == "ev-55"
