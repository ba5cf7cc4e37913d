"""TXT transcripts and the JSON timed transcript (facts §8b: i, s, e, t, w, a)."""

from __future__ import annotations

import json

import pytest

from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.formats import CaptionParseError, read_captions, write_captions
from reach_studio.domain.formats.timed_json import TimedWord, read_words, write_words


def test_txt_transcript_has_a_paragraph_per_speaker_turn_and_round_trips_text_and_speakers():
    doc = CaptionDocument(
        [
            Cue(0, 1000, "Welcome to the\nshow.", "Host"),
            Cue(1000, 2000, "Today we talk.", "Host"),
            Cue(2000, 3000, "Thanks for\nhaving me.", "Guest"),
        ]
    )
    text = write_captions(doc, "txt").decode()
    assert text == "[Host] Welcome to the show. Today we talk.\n\n[Guest] Thanks for having me.\n"
    back = read_captions(text, "txt")
    assert [(c.speaker, c.text) for c in back.cues] == [
        ("Host", "Welcome to the show. Today we talk."),
        ("Guest", "Thanks for having me."),
    ]


def test_json_items_keep_index_times_types_words_accuracy():
    doc = CaptionDocument([Cue(1000, 3000, "Hello, world!"), Cue(5000, 6000, "(Again)")], accuracy=97)
    items = json.loads(write_captions(doc, "json"))
    assert [i["i"] for i in items] == list(range(len(items)))
    assert [(i["t"], i["w"]) for i in items] == [
        ("word", "Hello"),
        ("punc", ","),
        ("word", "world"),
        ("punc", "!"),
        ("punc", "("),
        ("word", "Again"),
        ("punc", ")"),
    ]
    assert items[0]["s"] == 1000 and items[2]["e"] == 3000 and all(i["a"] == 97 for i in items)
    assert all(i["s"] <= i["e"] for i in items)
    back = read_captions(write_captions(doc, "json"))
    assert [c.text for c in back.cues] == ["Hello, world!", "(Again)"]  # the 2 s pause splits the cues
    assert [(c.start_ms, c.end_ms) for c in back.cues] == [(1000, 3000), (5000, 6000)]
    assert back.accuracy == 97


def test_json_word_round_trip_is_exact():
    words = [TimedWord(0, 120, "Hi", "word", 90), TimedWord(120, 120, ".", "punc", 100)]
    assert read_words(write_words(words)) == words


def test_long_json_transcripts_are_grouped_into_cues_within_the_line_limit():
    words = [TimedWord(i * 300, i * 300 + 250, f"word{i % 7}", "word", 100) for i in range(60)]
    doc = read_captions(write_words(words).encode(), "json")
    assert len(doc.cues) > 3
    assert all(len(line) <= 32 for c in doc.cues for line in c.text.split("\n"))
    assert all(len(c.text.split("\n")) <= 2 for c in doc.cues)


@pytest.mark.parametrize(
    "text, line",
    [
        ('[\n{"i":0,"s":0,"e":10,"t":"word","w":"a"},\n{"i":1,"s":"x","e":10,"w":"b"}\n]', 3),
        ('[\n{"i":0,"s":0,"e":10,"t":"noun","w":"a"}\n]', 2),
        ('[\n{"i":0,"s":0,"e":10,"w":"a","a":140}\n]', 2),
        ('[\n{"i":0,"s":0,\n', 3),
    ],
)
def test_bad_json_items_name_the_line(text, line):
    with pytest.raises(CaptionParseError) as err:
        read_captions(text.encode(), "json", name="t.json")
    assert err.value.line == line


def test_japanese_words_are_joined_without_spaces():
    words = [
        TimedWord(0, 300, "今日", "word"),
        TimedWord(300, 500, "は", "word"),
        TimedWord(500, 900, "晴れ", "word"),
        TimedWord(900, 900, "。", "punc"),
        TimedWord(900, 1200, "OK", "word"),
    ]
    assert read_captions(write_words(words).encode(), "json").cues[0].text == "今日は晴れ。 OK"
