"""The live-caption message builder and reader against the §8 schema and the solutions-engineering example."""

from __future__ import annotations

import json
import uuid

import pytest

from reach_studio.live.caption_messages import (
    CaptionMessageError,
    build_message,
    encode,
    parse_message,
    schema_problems,
)

# facts §8: the example Kaltura's solutions engineers give (note the "start_epoque" spelling)
SE_EXAMPLE = """{"response": {"id": "00000000-d5e6-4da5-aa51-bd1874f7bf49", "type": "captions", "is_final": true,
 "is_end_of_stream": false, "speakers": [{"id": "5a155a51-b181-4451-84f2-5f9e141aea52", "label": "None"}],
 "alternatives": [{"transcript": "Welcome", "start_pts": 0, "start_epoque": "wallclock_now()", "start": 0, "end": 1,
 "items": [{"start": 0.2, "end": 0.68, "kind": "text", "value": "Welcome",
            "speaker_id": "5a155a51-b181-4451-84f2-5f9e141aea52"}]}]}}"""


def test_built_message_has_every_schema_field():
    msg = build_message(
        "Welcome, everyone.", 2.0, 3.5, is_final=True, stream_epoch=1_700_000_000.0, speaker_label="Host"
    )
    assert schema_problems(msg) == []
    r = msg["response"]
    assert set(r) == {
        "id",
        "type",
        "start",
        "end",
        "start_pts",
        "start_epoch",
        "is_final",
        "is_end_of_stream",
        "speakers",
        "alternatives",
    }
    uuid.UUID(r["id"])
    assert (r["type"], r["start"], r["end"], r["is_final"], r["is_end_of_stream"]) == (
        "captions",
        2.0,
        3.5,
        True,
        False,
    )
    assert r["start_epoch"] == 1_700_000_002.0  # wall clock at `start`
    alt = r["alternatives"][0]
    assert set(alt) == {"transcript", "start", "end", "start_pts", "start_epoch", "items"}
    assert alt["transcript"] == "Welcome, everyone."
    assert [(i["kind"], i["value"]) for i in alt["items"]] == [
        ("text", "Welcome"),
        ("punct", ","),
        ("text", "everyone"),
        ("punct", "."),
    ]
    # words stay inside the message, in order, and belong to the named speaker
    assert alt["items"][0]["start"] == 2.0 and alt["items"][-1]["end"] == 3.5
    assert all(a["end"] <= b["start"] + 1e-9 for a, b in zip(alt["items"], alt["items"][1:]))
    assert r["speakers"] == [{"id": alt["items"][0]["speaker_id"], "label": "Host"}]
    # it goes over the wire as JSON text with the same content
    assert json.loads(encode(msg)) == msg


def test_built_message_has_the_shape_of_the_se_example():
    example = json.loads(SE_EXAMPLE)
    ours = build_message("Welcome", 0, 1, is_final=True, stream_epoch=1_700_000_000.0)

    def shape(obj):
        if isinstance(obj, dict):
            return {k: shape(v) for k, v in obj.items() if k not in ("start_epoch", "start_epoque")}
        if isinstance(obj, list):
            return [shape(obj[0])] if obj else []
        return type(obj).__name__.replace("int", "float")

    ex, mine = shape(example), shape(ours)
    assert set(ex["response"]) <= set(mine["response"])
    assert ex["response"]["alternatives"] == mine["response"]["alternatives"]
    assert set(ex["response"]["speakers"][0]) == set(mine["response"]["speakers"][0])  # label: string | null
    # same word timing idea: the single word item sits inside 0..1 s
    item = ours["response"]["alternatives"][0]["items"][0]
    assert (item["kind"], item["value"]) == ("text", "Welcome") and 0 <= item["start"] < item["end"] <= 1


def test_reader_accepts_the_se_example_with_start_epoque():
    msg = parse_message(SE_EXAMPLE)
    assert msg.transcript == "Welcome" and msg.is_final and not msg.is_end_of_stream
    assert (msg.start, msg.end) == (0.0, 1.0)
    assert msg.items[0].value == "Welcome" and msg.items[0].start == 0.2
    assert msg.start_epoch is None  # the example's epoch is a placeholder text
    with_number = json.loads(SE_EXAMPLE)
    with_number["response"]["alternatives"][0]["start_epoque"] = 1_700_000_000.5
    assert parse_message(with_number).start_epoch == 1_700_000_000.5
    # strictly checked (what the emulator's puller does) the misspelled field is named
    assert any("start_epoque" in p for p in schema_problems(SE_EXAMPLE))


def test_interim_end_of_stream_and_bad_arguments():
    interim = parse_message(
        encode(
            build_message(
                "Good mor",
                1,
                1.4,
                is_final=False,
                stream_epoch=0.0,
                message_id="00000000-0000-4000-8000-000000000001",
            )
        )
    )
    assert not interim.is_final and interim.id == "00000000-0000-4000-8000-000000000001"
    end = build_message("", 9, 9, is_final=True, is_end_of_stream=True, stream_epoch=0.0)
    assert schema_problems(end) == [] and parse_message(end).is_end_of_stream
    with pytest.raises(CaptionMessageError, match="start <= end"):
        build_message("x", 3, 2, is_final=True, stream_epoch=0.0)
    with pytest.raises(CaptionMessageError, match="message type"):
        build_message("x", 0, 1, is_final=True, stream_epoch=0.0, message_type="subtitles")
    with pytest.raises(CaptionMessageError, match="number of seconds"):
        build_message("x", float("nan"), 1, is_final=True, stream_epoch=0.0)


@pytest.mark.parametrize(
    "raw, expected",
    [
        (b"\xff\xfe", "not UTF-8"),
        ("not json", "not JSON"),
        ("[1, 2]", "JSON object"),
        ('{"caption": "hi"}', 'no "response"'),
        ('{"response": {"id": "x", "type": "captions"}}', "UUID"),
    ],
)
def test_reader_refuses_what_is_not_a_caption_message(raw, expected):
    with pytest.raises(CaptionMessageError, match=expected):
        parse_message(raw)


def test_schema_check_names_each_problem():
    msg = build_message("Hello there", 0, 1, is_final=True, stream_epoch=0.0)
    msg["response"]["is_final"] = "yes"
    msg["response"]["alternatives"][0]["items"][1]["kind"] = "word"
    msg["response"]["end"] = -1
    problems = schema_problems(msg)
    assert "response.is_final must be true or false" in problems
    assert 'response.alternatives[0].items[1].kind must be "text" or "punct"' in problems
    assert "response ends before it starts" in problems
