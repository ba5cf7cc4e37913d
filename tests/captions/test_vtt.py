"""WebVTT reading and writing, checked against webvtt-py as the reference reader."""

from __future__ import annotations

import io

import pytest
import webvtt

from reach_studio.domain.captions import CaptionDocument, Cue, DescriptionCue
from reach_studio.domain.formats import (
    CaptionParseError,
    read_captions,
    read_ead_vtt,
    write_captions,
    write_ead_vtt,
)

SAMPLE = """WEBVTT Kind: captions

NOTE a comment
spanning lines

STYLE
::cue { color: yellow }

intro
00:00:01.000 --> 00:00:02.500 align:start position:10%
<v Dr. Smith>Hello <b>there</b> &amp; welcome</v>

00:03.000 --> 00:04.250
Tom &lt;&gt; Jerry
second line
"""


def test_reads_voice_spans_tags_entities_and_short_timestamps():
    doc = read_captions(SAMPLE.encode())
    assert doc.source_format == "vtt"
    assert doc.cues[0] == Cue(1000, 2500, "Hello <b>there</b> & welcome", "Dr. Smith")
    assert doc.cues[1] == Cue(3000, 4250, "Tom <> Jerry\nsecond line", None)


def test_write_read_exact_and_webvtt_py_reads_the_same_text():
    doc = CaptionDocument(
        [
            Cue(0, 999, "Fish & chips <i>now</i>", "Speaker 1"),
            Cue(1000, 2000, "a < b, arrows --> here\nline two", None),
            Cue(3_600_000, 3_601_000, "[APPLAUSE]", None),
        ]
    )
    data = write_captions(doc, "vtt")
    assert read_captions(data).cues == doc.cues
    ref = webvtt.from_buffer(io.StringIO(data.decode()))
    assert [(round(c.start_in_seconds * 1000), c.raw_text) for c in ref.captions][:1] == [
        (0, "[Speaker 1] Fish &amp; chips <i>now</i>")
    ]
    assert len(ref.captions) == 3


def test_reads_what_webvtt_py_writes():
    vtt = webvtt.WebVTT()
    vtt.captions.append(webvtt.Caption("00:00:01.500", "00:00:03.000", ["Line one", "Line two"]))
    buf = io.StringIO()
    vtt.write(buf)
    assert read_captions(buf.getvalue().encode()).cues == [Cue(1500, 3000, "Line one\nLine two")]


@pytest.mark.parametrize(
    "text, line",
    [
        ("00:00:01.000 --> 00:00:02.000\nno header\n", 1),
        ("WEBVTT\n\nid-only\nHello\n", 3),
        ("WEBVTT\n\n00:00:01.000 --> later\nHello\n", 3),
    ],
)
def test_malformed_vtt_names_the_line(text, line):
    with pytest.raises(CaptionParseError) as err:
        read_captions(text.encode(), "vtt", name="x.vtt")
    assert err.value.line == line


def test_extended_audio_description_vtt_round_trip_keeps_video_timestamps():
    cues = [
        DescriptionCue(5000, 9000, "A man opens the door & waves."),
        DescriptionCue(1000, 2000, "Title card."),
    ]
    data = write_ead_vtt(cues)
    assert data.startswith("WEBVTT")
    assert read_ead_vtt(data) == sorted(cues, key=lambda c: c.start_ms)


def test_a_cue_right_after_the_header_line_is_not_lost():
    doc = read_captions(
        "WEBVTT\n00:00:01.000 --> 00:00:02.000\nFirst\n\n00:00:03.000 --> 00:00:04.000\nSecond\n"
    )
    assert [c.text for c in doc.cues] == ["First", "Second"]


def test_a_note_holding_an_arrow_ends_at_the_blank_line():
    text = "WEBVTT\n\nNOTE from 1 --> 2\nstill the note\n\n00:00:01.000 --> 00:00:02.000\nCue\n"
    assert read_captions(text).cues == [Cue(1000, 2000, "Cue")]


def test_vtt_times_are_read_as_defined():
    doc = read_captions("WEBVTT\n\n00:00:13 --> 00:00:16\nA\n\n01:02.500 --> 01:03.000\nB\n")
    assert [(c.start_ms, c.end_ms) for c in doc.cues] == [(13_000, 16_000), (62_500, 63_000)]
    with pytest.raises(CaptionParseError) as err:
        read_captions("WEBVTT\n\n00:00:01:500 --> 00:00:02:000\nA\n")
    assert err.value.line == 3


def test_thousands_of_cue_identifiers_are_one_listed_entry_with_their_lines():
    blocks = [f"cue-{k}\n00:00:{k % 60:02d}.000 --> 00:00:{k % 60:02d}.500\nLine {k}\n" for k in range(3000)]
    repairs: list = []
    doc = read_captions(("WEBVTT\n\n" + "\n".join(blocks)).encode(), "vtt", repairs=repairs)
    assert len(doc.cues) == 3000
    (listed,) = [r for r in repairs if r.kind == "cue_identifiers"]
    assert listed.line == 3
    assert "3000" in listed.message and "lines 3, 7, 11" in listed.message
