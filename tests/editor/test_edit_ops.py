"""Headless edit operations: what the undo stack and the draft journal both rely on."""

from __future__ import annotations

import json

import pytest

from reach_studio.domain import edit_ops as ops
from reach_studio.domain.captions import Chapter, Cue, DescriptionCue
from reach_studio.domain.edit_ops import EditError


def doc():
    return [Cue(1000, 2000, "Hello"), Cue(3000, 4000, "world", "ANNA"), Cue(6000, 7000, "again hello")]


def test_insert_at_playhead_keeps_order_and_stops_at_next_cue():
    items = doc()
    op = ops.insert_at(items, "captions", 2500)
    op.apply(items)
    assert [c.start_ms for c in items] == [1000, 2500, 3000, 6000]
    assert items[1].end_ms == 3000  # shortened so it does not run into the next cue
    op.inverse().apply(items)
    assert items == doc()


def test_insert_chapter_and_description():
    chapters = [Chapter(0, "Intro")]
    ops.insert_at(chapters, "chapters", 60_000).apply(chapters)
    assert chapters[1] == Chapter(60_000, "Chapter 2")
    ead: list = []
    ops.insert_at(ead, "ead", 500, duration_ms=3000).apply(ead)
    assert ead == [DescriptionCue(500, 3500, "")]


def test_change_roundtrips_through_json_journal():
    items = doc()
    journal = []
    steps = [
        lambda: ops.set_text(items, 0, "Hi"),
        lambda: ops.set_times(items, 1, 2900, 4100),
        lambda: ops.remove(items, [2]),
        lambda: ops.insert_at(items, "captions", 8000),
    ]
    for make in steps:
        op = make()
        op.apply(items)
        journal.append(json.loads(json.dumps(op.to_dict())))
    assert ops.replay(doc(), journal) == items
    assert items[0].text == "Hi" and (items[1].start_ms, items[1].end_ms) == (2900, 4100)
    assert items[1].speaker == "ANNA"


def test_journal_out_of_sync_is_a_clear_error():
    items = doc()
    op = ops.set_text(items, 0, "Hi")
    items[0] = items[0].copy(text="Someone else")
    with pytest.raises(EditError, match="changed meanwhile"):
        op.apply(items)
    with pytest.raises(EditError, match="unknown journal operation"):
        ops.op_from_dict({"op": "explode"})
    with pytest.raises(EditError):
        ops.op_from_dict({"op": "splice", "index": 0, "removed": [], "inserted": [{"type": "cue"}]})


def test_times_must_stay_positive_and_ordered():
    items = doc()
    with pytest.raises(EditError, match="must come after start"):
        ops.set_end(items, 0, 900)
    with pytest.raises(EditError, match="no item 9"):
        ops.set_text(items, 8, "x")
    op = ops.move(items, 0, -5000)  # clamped at 0, duration kept
    op.apply(items)
    assert (items[0].start_ms, items[0].end_ms) == (0, 1000)


def test_set_start_past_end_keeps_duration():
    items = doc()
    ops.set_start(items, 0, 2500).apply(items)
    assert (items[0].start_ms, items[0].end_ms) == (2500, 3500)


def test_batch_is_all_or_nothing():
    items = doc()
    good = ops.set_text(items, 0, "A")
    bad = ops.Change(1, {"text": "not what is there"}, {"text": "B"})
    with pytest.raises(EditError):
        ops.Batch((good, bad)).apply(items)
    assert items == doc()


def test_replace_all_is_one_undo_step_and_case_insensitive():
    items = doc()
    op = ops.replace_all(items, "hello", "bye")
    op.apply(items)
    assert [c.text for c in items] == ["bye", "world", "again bye"]
    op.inverse().apply(items)
    assert items == doc()
    assert ops.replace_all(items, "absent", "x") is None
    with pytest.raises(EditError, match="regular expression"):
        ops.replace_all(items, "(", "x", regex=True)


def test_find_wraps_around():
    items = doc()
    assert ops.find(items, "hello", start=1) == 2
    assert ops.find(items, "hello", start=3 % 3) == 0
    assert ops.find(items, "HELLO", start=1, case_sensitive=True) is None
    assert ops.find(items, "hello", start=1, backwards=True) == 0


def test_snap_picks_nearest_edge_within_tolerance():
    items = doc()
    cands = ops.snap_candidates(items, exclude=1, around_ms=2950, window_ms=5000, extra=[2940])
    assert ops.snap(2950, cands, 100) == 2940  # playhead is the nearest
    assert ops.snap(2500, cands, 100) == 2500  # nothing near
    assert ops.snap(1980, cands, 100) == 2000  # end of the previous cue


def test_item_at_time():
    items = doc()
    assert ops.item_at_time(items, 3500) == 1
    assert ops.item_at_time(items, 5000) is None
    assert ops.item_at_time([Chapter(0, "a"), Chapter(5000, "b")], 7000) == 1


def test_shift_all_never_goes_before_zero():
    items = doc()
    ops.shift_all(items, -5000).apply(items)
    assert items[0].start_ms == 0 and items[2].start_ms == 5000
