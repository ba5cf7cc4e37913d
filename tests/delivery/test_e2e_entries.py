"""End-to-end chapter and sign-language deliveries against the emulator (cue points, child entries)."""

from __future__ import annotations

import pytest

from reach_studio.domain.captions import Chapter
from reach_studio.domain.delivery_plan import WorkProduct
from reach_studio.domain.enums import ServiceFeature
from reach_studio.engine.delivery import DeliveryService
from reach_studio.store.delivery_journal import DeliveryJournal
from tests.delivery.test_e2e_services import _assert_ready, _one


@pytest.fixture
def service(conn, tmp_path):
    return DeliveryService(conn, DeliveryJournal(tmp_path / "journal.sqlite3"), poll_interval=0.05)


def test_chapters_as_thumb_cue_points(emulator, claimed, service):
    task = claimed(ServiceFeature.CHAPTERING)
    chapters = (Chapter(0, "Introduction", "Who we are"), Chapter(8000, "Results", "What we found"))
    out = service.deliver(task, WorkProduct(chapters=chapters))
    assert out.ok, out.err_description
    first = _one(emulator, "cue_point", task.id, "chapter.001.add", entryId=task.entry_id)
    second = _one(emulator, "cue_point", task.id, "chapter.002.add", entryId=task.entry_id)
    assert (first["title"], first["description"], first["startTime"], first["subType"]) == (
        "Introduction",
        "Who we are",
        0,
        2,
    )
    assert (second["title"], second["startTime"]) == ("Results", 8000)
    assert first["cuePointType"] == "thumbCuePoint.Thumb"
    _assert_ready(emulator, task.id, first["id"])


def test_sign_language_child_entry(emulator, claimed, service, sign_video):
    task = claimed(
        ServiceFeature.SIGN_LANGUAGE, source="English", target="English (ASL)", entry_name="Town hall"
    )
    out = service.deliver(task, WorkProduct(sign_video=sign_video))
    assert out.ok, out.err_description
    child = _one(emulator, "entry", task.id, "signLang.entry.add")
    assert child["name"] == "Town hall child signLangASL"
    assert child["parentEntryId"] == task.entry_id
    assert child["adminTags"].split(",") == ["signLang", "signLangASL", "Acme Captioning"]
    assert child["status"] == "2"
    assert emulator.inspect.content(child["id"]) == sign_video.read_bytes()
    _assert_ready(emulator, task.id, child["id"])
