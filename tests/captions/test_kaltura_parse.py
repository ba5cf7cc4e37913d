"""What Kaltura's caption content managers accept (domain/formats/kaltura_parse.py): every file the app writes
must be one Kaltura finds a caption in, or the delivered asset ends in ERROR (docs/kaltura-contract.md)."""

from __future__ import annotations

import pytest

from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.formats import write_captions
from reach_studio.domain.formats.kaltura_parse import kaltura_parses

DOCS = {
    "one cue": [Cue(0, 1000, "Hello")],
    "empty text": [Cue(0, 1000, ""), Cue(1000, 2000, "after")],
    "two lines and a speaker": [Cue(500, 2500, "first line\nsecond line", speaker="Ana")],
    "past an hour": [Cue(3_600_000, 3_601_000, "late"), Cue(36_000_000, 36_001_000, "ten hours in")],
    "markup-like text": [Cue(0, 900, "<i>a</i> & b --> c")],
}


@pytest.mark.parametrize("fmt", ["srt", "vtt", "dfxp"])
@pytest.mark.parametrize("name", sorted(DOCS))
def test_every_caption_file_the_app_writes_is_one_kaltura_finds_a_caption_in(fmt, name):
    doc = CaptionDocument(cues=DOCS[name], language="English", accuracy=99)
    assert kaltura_parses(fmt, write_captions(doc, fmt))


@pytest.mark.parametrize(
    ("fmt", "data"),
    [
        ("srt", b""),
        ("srt", b"0"),
        ("srt", b"just words\n"),
        ("vtt", b"WEBVTT\n\nno timecode here\n"),
        ("vtt", b"WEBVTT\n\n100:00:01.000 --> 100:00:02.000\nlate\n"),
        ("dfxp", b"<tt><body><div/></body></tt>"),
        ("dfxp", b"not xml at all"),
        (None, b"1\n00:00:00,000 --> 00:00:01,000\nHi\n"),
    ],
)
def test_files_without_a_caption_kaltura_can_find_are_refused(fmt, data):
    assert not kaltura_parses(fmt, data)


def test_a_utf16_srt_with_its_byte_order_mark_is_read_as_kaltura_does():
    text = "1\n00:00:00,000 --> 00:00:01,000\nHi\n"
    assert kaltura_parses("1", b"\xff\xfe" + text.encode("utf-16-le"))
