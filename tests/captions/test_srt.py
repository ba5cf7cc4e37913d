"""SRT reading and writing: what a linguist opening or delivering an .srt file would notice."""

from __future__ import annotations

import io

import pysrt
import pytest

from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.formats import CaptionParseError, CaptionWriteError, read_captions, write_captions

SAMPLE = """1
00:00:01,000 --> 00:00:02,500
[Speaker 1] Hello there,
how are you?

2
00:00:03,000 --> 00:00:04,200
<i>I'm fine.</i>

3
00:01:02,003 --> 01:00:00,999
[MUSIC]
"""


def test_reads_cues_timing_lines_and_speakers():
    doc = read_captions(SAMPLE.encode())
    assert doc.source_format == "srt"
    assert [(c.start_ms, c.end_ms) for c in doc.cues] == [(1000, 2500), (3000, 4200), (62003, 3600999)]
    assert doc.cues[0].speaker == "Speaker 1"
    assert doc.cues[0].text == "Hello there,\nhow are you?"
    assert doc.cues[1].text == "<i>I'm fine.</i>"  # tags are kept, not stripped
    assert doc.cues[2].speaker is None and doc.cues[2].text == "[MUSIC]"  # an audio tag is not a speaker


def test_write_then_read_is_exact_and_pysrt_agrees():
    doc = CaptionDocument(
        [
            Cue(0, 1234, "First line\nsecond line", "Interviewer"),
            Cue(1300, 2000, "Same speaker", "Interviewer"),
            Cue(2001, 7_200_001, "Long one", None),
        ]
    )
    data = write_captions(doc, "srt")
    back = read_captions(data)
    assert back.cues == doc.cues
    ref = pysrt.from_string(data.decode())
    assert [(i.start.ordinal, i.end.ordinal) for i in ref] == [(c.start_ms, c.end_ms) for c in doc.cues]
    assert ref[0].text == "[Interviewer] First line\nsecond line"


def test_reads_what_pysrt_writes():
    subs = pysrt.SubRipFile(
        [
            pysrt.SubRipItem(
                1, start=pysrt.SubRipTime(0, 0, 1, 5), end=pysrt.SubRipTime(0, 0, 2), text="Ünïcode\nline"
            )
        ]
    )
    buf = io.StringIO()
    subs.write_into(buf)
    doc = read_captions(buf.getvalue().encode("utf-8"))
    assert doc.cues == [Cue(1005, 2000, "Ünïcode\nline")]


def test_crlf_missing_numbers_and_missing_blank_line_are_tolerated():
    text = "00:00:01,000 --> 00:00:02,000\r\nOne\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\nTwo\r\n"
    doc = read_captions(text.encode(), "srt")
    assert [c.text for c in doc.cues] == ["One", "Two"]


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("1\n00:00:01,000 -> 00:00:02,000\nHi\n", 2, "timing"),
        ("1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\nnot a time\nHo\n", 6, "timing"),
        ("1\n00:00:01,000 --> 00:00:02,000\nHi\n\nstray text\n", 5, "expected a cue number"),
        ("1\n00:61:01,000 --> 00:62:02,000\nHi\n", 2, "impossible time"),
        ("1\n", 1, "not followed by a timing line"),
    ],
)
def test_malformed_input_names_file_and_line(text, line, words):
    with pytest.raises(CaptionParseError) as err:
        read_captions(text.encode(), "srt", name="episode1.srt")
    assert err.value.line == line
    assert err.value.file == "episode1.srt"
    assert words in str(err.value) and f"line {line}" in str(err.value)


def test_pysrt_would_silently_drop_what_we_reject():
    text = "1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\n00:00:03,000 - 00:00:04,000\nLost cue\n"
    assert len(pysrt.from_string(text)) == 1  # pysrt loses the cue without a word
    with pytest.raises(CaptionParseError):
        read_captions(text, "srt")


def test_blank_lines_inside_cue_text_are_not_written():
    data = write_captions(CaptionDocument([Cue(0, 1000, "a\n\nb  ")]), "srt").decode()
    assert "a\nb\n" in data
    assert read_captions(data).cues[0].text == "a\nb"


def test_negative_time_is_refused_on_write():
    with pytest.raises(CaptionWriteError):
        write_captions(CaptionDocument([Cue(-5, 1000, "x")]), "srt")


def test_speaker_styles_follow_the_profile_marks():
    doc = CaptionDocument([Cue(0, 1, "Hi", "A"), Cue(1, 2, "Again", "A"), Cue(2, 3, "Bye", "B")])
    change = write_captions(doc, "srt", speaker_style="change").decode()
    assert ">> Hi" in change and "\nAgain\n" in change and ">> Bye" in change
    both = write_captions(doc, "srt", speaker_style="both").decode()
    assert ">> [A] Hi" in both and "\n[A] Again\n" in both and ">> [B] Bye" in both
    assert read_captions(both).cues == doc.cues  # labels make the speakers round-trip
    none = write_captions(doc, "srt", speaker_style="none").decode()
    assert "[A]" not in none and ">>" not in none


def test_salvage_keeps_readable_cues_of_a_damaged_file_and_lists_the_rest(tmp_path):
    from reach_studio.domain.formats import salvage_captions

    text = (
        "1\n00:00:01,000 --> 00:00:02,000\nFirst\n\n"
        "2\n00:00:03,000 - 00:00:04,000\nBroken timing\n\n"
        "3\n00:00:05,000 --> 00:00:06,000\n[Ann] Third\n"
    )
    path = tmp_path / "damaged.srt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CaptionParseError):
        read_captions(path)
    doc, problems = salvage_captions(path)
    assert doc.cues == [Cue(1000, 2000, "First"), Cue(5000, 6000, "Third", "Ann")]
    assert [(p.file, p.line) for p in problems] == [("damaged.srt", 6)]  # the broken timing line
    good, none = salvage_captions(SAMPLE.encode())
    assert none == [] and len(good.cues) == 3
    with pytest.raises(CaptionParseError):
        salvage_captions(b"WEBVTT\n\nbroken\n")


def test_a_speaker_name_with_brackets_or_line_breaks_still_gives_a_readable_label():
    doc = CaptionDocument([Cue(0, 1000, "Hi", "Dr. [Smith]\nJr")])
    data = write_captions(doc, "srt").decode()
    assert "[Dr. (Smith) Jr] Hi" in data
    assert read_captions(data).cues[0].speaker == "Dr. (Smith) Jr"


@pytest.mark.parametrize(
    "timing, expected",
    [
        ("00:00:13 --> 00:00:16", (13_000, 16_000)),  # was read as 0.13-0.16 s
        ("01:02:03 --> 01:02:05", (3_723_000, 3_725_000)),  # was read as 62.03 s
    ],
)
def test_time_without_fraction_is_whole_seconds_with_a_warning(timing, expected):
    repairs: list = []
    doc = read_captions(f"1\n{timing}\nText\n", "srt", repairs=repairs)
    assert (doc.cues[0].start_ms, doc.cues[0].end_ms) == expected
    assert [(r.kind, r.line) for r in repairs] == [("time_without_fraction", 2)]


@pytest.mark.parametrize(
    "timing, words",
    [
        ("00:00:01:500 --> 00:00:02:000", "fraction separator"),  # ':' is never a fraction separator
        ("00:01,000 --> 00:02,000", "hours"),  # SRT has no optional hours
    ],
)
def test_times_srt_does_not_define_are_refused_with_their_line(timing, words):
    with pytest.raises(CaptionParseError) as err:
        read_captions(f"1\n00:00:00,000 --> 00:00:01,000\nFirst\n\n2\n{timing}\nText\n", "srt")
    assert err.value.line == 6 and words in err.value.message


def test_a_headerless_file_of_minute_times_is_refused_as_srt_not_taken_for_a_transcript():
    with pytest.raises(CaptionParseError) as err:
        read_captions("00:01.000 --> 00:02.000\nHi\n", name="clip.srt")
    assert err.value.line == 1 and "hours" in err.value.message
