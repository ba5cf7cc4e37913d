"""Qt-free pieces of the captioner's tools: briefs, speaker keys, the local record, the playout clock."""

from __future__ import annotations

import pytest

from reach_studio.domain.enums import ServiceFeature, TaskStatus
from reach_studio.domain.task import Task
from reach_studio.live.briefs import Briefs, BriefsError, speaker_names
from reach_studio.live.caption_log import CaptionLog
from reach_studio.live.caption_messages import build_message
from reach_studio.live.ingest import BYTES_PER_SECOND
from reach_studio.live.playout import ClockedSink, Playout, level_dbfs
from reach_studio.live.relay import CaptionRelay


def test_briefs_expand_when_the_word_ends_and_are_kept_per_user(tmp_path):
    briefs = Briefs(Briefs.parse_text("# mine\ntq = thank you\nqs = questions\n"), tmp_path / "b.json")
    assert briefs.expand("any qs?") == "any questions?"
    assert briefs.expand("tq ") == "thank you "
    assert briefs.expand("tqs ") == "tqs " and briefs.expand("tq") == "tq"  # only whole, finished words
    briefs.save()
    assert Briefs.load(tmp_path / "b.json").entries == {"tq": "thank you", "qs": "questions"}
    with pytest.raises(BriefsError, match="line 1"):
        Briefs.parse_text("two words = no")
    (tmp_path / "bad.json").write_text("[1]")
    with pytest.raises(BriefsError):
        Briefs.load(tmp_path / "bad.json")


def test_speaker_keys_come_from_the_notes_and_the_dictionary():
    task = Task(
        id=1,
        partner_id=1,
        vendor_partner_id=2,
        entry_id="0_x",
        status=TaskStatus.PENDING,
        catalog_item_id=1,
        reach_profile_id=1,
        service_feature=ServiceFeature.LIVE_CAPTION,
        notes="Town hall. Speaker names: Prof. Okafor, students and Dr. Ana Lima.",
        dictionary="kinesiology\nMaria Souza\nOkafor",
    )
    assert speaker_names(task) == ["Prof. Okafor", "Dr. Ana Lima", "Maria Souza"]


def test_the_record_keeps_corrections_survives_a_restart_and_exports_srt(tmp_path):
    sent = []
    relay = CaptionRelay(sent.append, stream_clock=lambda: 12.5)
    log = CaptionLog(tmp_path / "task.jsonl")
    log.add(relay.final("[Ana] Helo all"))
    log.add(relay.correct_last("Hello all"))
    log.add(build_message("", 13, 13, is_final=True, is_end_of_stream=True, stream_epoch=0))
    log.flush()
    again = CaptionLog(tmp_path / "task.jsonl")
    (entry,) = again.entries.values()
    assert entry["text"] == "Hello all" and entry["speaker"] == "Ana"
    srt = again.export(tmp_path / "out.srt", "srt").read_text(encoding="utf-8")
    assert "Hello all" in srt and "00:00:1" in srt and "Helo" not in srt


def test_the_playout_stays_at_the_live_edge_and_maps_played_bytes_to_media_time():
    playout = Playout(max_buffer_s=0.25, keep_buffer_s=0.08)
    second = b"\x10\x00" * (BYTES_PER_SECOND // 2)
    playout.feed(second[: BYTES_PER_SECOND // 10], 5.0)  # 0.1 s at media 5.0
    for i in range(10):  # a burst of 1 s: the oldest audio is dropped, not delayed
        playout.feed(second[: BYTES_PER_SECOND // 10], 5.1 + i / 10)
    assert playout.queued_s <= 0.25 and playout.dropped_s >= 0.75
    data = playout.take(BYTES_PER_SECOND)
    assert len(data) == int(playout.written)
    first_time = playout.position(0)
    assert first_time is not None and first_time >= 5.8
    assert playout.position(len(data)) == pytest.approx(6.1, abs=0.01)  # the end of the last chunk
    assert level_dbfs(b"\x00\x00" * 10) == -90.0
    assert level_dbfs(second[:100]) == pytest.approx(-66.2, abs=0.1)  # peak 16 of 32768


def test_the_clocked_sink_plays_in_real_time():
    now = [100.0]
    sink = ClockedSink(0.04, clock=lambda: now[0])
    assert sink.bytes_free() == int(0.04 * BYTES_PER_SECOND)
    sink.write(b"\x00" * sink.bytes_free())
    assert sink.bytes_free() == 0 and sink.played_bytes() == 0
    now[0] += 0.02
    assert sink.played_bytes() == int(0.02 * BYTES_PER_SECOND)
