"""Chapter lists and WebVTT chapter tracks for the chaptering editor's import/export."""

from __future__ import annotations

import pytest

from reach_studio.domain.caption_errors import CaptionParseError
from reach_studio.domain.captions import Chapter
from reach_studio.domain.chapters_io import (
    read_chapter_list,
    read_chapters_vtt,
    write_chapter_list,
    write_chapters_vtt,
)


def test_reads_the_lists_people_paste():
    text = "# chapters\n0:00 Intro\n\n01:30 - Methods | how we measured\n1:02:03.5 Results & discussion\n"
    assert read_chapter_list(text) == [
        Chapter(0, "Intro"),
        Chapter(90_000, "Methods", "how we measured"),
        Chapter(3_723_500, "Results & discussion"),
    ]


def test_list_round_trip():
    chapters = [Chapter(0, "Intro"), Chapter(61_250, "Part two", "the details"), Chapter(3_600_000, "End")]
    assert (
        write_chapter_list(chapters) == "00:00:00 Intro\n00:01:01.250 Part two | the details\n01:00:00 End\n"
    )
    assert read_chapter_list(write_chapter_list(chapters)) == chapters


@pytest.mark.parametrize(
    "text, line", [("0:00 Intro\nIntro again\n", 2), ("0:00 Intro\n0:75 Bad\n", 2), ("\n1:00\n", 2)]
)
def test_bad_list_lines_are_named(text, line):
    with pytest.raises(CaptionParseError) as err:
        read_chapter_list(text, "chapters.txt")
    assert err.value.line == line


def test_vtt_chapter_track_round_trip_with_ends_at_the_next_chapter():
    chapters = [Chapter(5000, "Second", "More <detail>"), Chapter(0, "First")]
    text = write_chapters_vtt(chapters, media_duration_ms=60_000)
    assert "00:00:00.000 --> 00:00:05.000\nFirst" in text
    assert "00:00:05.000 --> 00:01:00.000\nSecond\nMore &lt;detail>" in text
    assert read_chapters_vtt(text) == sorted(chapters, key=lambda c: c.start_ms)


def test_vtt_chapter_without_title_is_refused():
    with pytest.raises(CaptionParseError) as err:
        read_chapters_vtt("WEBVTT\n\n00:00:00.000 --> 00:00:05.000\n\n")
    assert err.value.line == 3
