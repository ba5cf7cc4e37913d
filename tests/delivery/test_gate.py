"""The gate before upload: validator errors and bad media block a delivery without touching the task."""

from __future__ import annotations

import pytest

from reach_studio.domain.captions import Cue, DescriptionCue
from reach_studio.domain.delivery_plan import WorkProduct
from reach_studio.domain.enums import ServiceFeature, TaskStatus
from reach_studio.engine.delivery import DeliveryBlocked, DeliveryService, default_validator
from reach_studio.store.delivery_journal import DeliveryJournal
from tests.factories import make_doc, make_task


def test_caption_validator_errors_block_and_name_the_cue(emulator, claimed, conn, tmp_path):
    task = claimed(ServiceFeature.CAPTIONS)
    doc = make_doc(3)
    doc.cues[1] = Cue(5000, 4000, "Ends before it starts")
    service = DeliveryService(conn, DeliveryJournal(tmp_path / "j.sqlite3"))
    with pytest.raises(DeliveryBlocked) as info:
        service.deliver(task, WorkProduct(captions=doc))
    assert any(p.startswith("cue 2:") for p in info.value.problems)
    assert emulator.inspect.task(task.id)["status"] == int(TaskStatus.PROCESSING)
    assert emulator.inspect.objects("caption_asset", entryId=task.entry_id) == []


def test_sign_language_video_without_picture_is_blocked(emulator, claimed, conn, tmp_path, aac_tracks):
    task = claimed(ServiceFeature.SIGN_LANGUAGE, target="English (ASL)")
    service = DeliveryService(conn, DeliveryJournal(tmp_path / "j.sqlite3"))
    with pytest.raises(DeliveryBlocked, match="no video stream"):
        service.deliver(task, WorkProduct(sign_video=aac_tracks[0]))
    assert emulator.inspect.objects("entry", parentEntryId=task.entry_id) == []
    assert emulator.inspect.task(task.id)["status"] == int(TaskStatus.PROCESSING)


def test_missing_inputs_are_reported_before_anything_is_sent(emulator, claimed, conn, tmp_path):
    task = claimed(ServiceFeature.CHAPTERING)
    service = DeliveryService(conn, DeliveryJournal(tmp_path / "j.sqlite3"))
    with pytest.raises(DeliveryBlocked, match="no chapters"):
        service.deliver(task, WorkProduct())
    assert emulator.inspect.task(task.id)["status"] == int(TaskStatus.PROCESSING)


def test_ead_descriptions_go_through_the_validator():
    task = make_task(ServiceFeature.EXTENDED_AUDIO_DESCRIPTION)
    good = WorkProduct(descriptions=(DescriptionCue(1000, 4000, "A door opens."),))
    bad = WorkProduct(descriptions=(DescriptionCue(4000, 1000, "Time runs backwards."),))
    assert default_validator(task, good) == []
    assert default_validator(task, bad) and default_validator(task, bad)[0].startswith("cue 1:")


def test_audio_tracks_are_checked_for_aac_lc(tmp_path, aac_tracks, mp3_track):
    task = make_task(
        ServiceFeature.DUBBING, target="Japanese", flavor_params_id=1, clear_audio_flavor_params_id=2
    )
    assert default_validator(task, WorkProduct(main_audio=aac_tracks[0], clear_audio=aac_tracks[1])) == []
    problems = default_validator(
        task, WorkProduct(main_audio=mp3_track, clear_audio=tmp_path / "missing.mp4")
    )
    assert any(p.startswith("main audio:") for p in problems)
    assert any("clear audio: file not found" in p for p in problems)
