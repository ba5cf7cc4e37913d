"""domain/formats/kaltura_parse.py against Kaltura's own content managers: for each file, Kaltura's `parse`
finds at least one caption exactly when `kaltura_parses` says so (CaptionAsset::validateCaptionContent ends a
caption in ERROR otherwise). Slow and optional, like test_kaltura_parsers.py (php + REACH_KALTURA_SERVER_GIT)."""

from __future__ import annotations

import pytest

from reach_studio.domain.formats.kaltura_parse import kaltura_parses
from tests.captions.kaltura.test_kaltura_parsers import kaltura, kaltura_php  # noqa: F401 - the fixture

pytestmark = pytest.mark.slow

CASES = [
    ("srt", b"1\n00:00:01,000 --> 00:00:02,500\nHello\n"),
    ("srt", b"1\r\n0:0:1.5 --> 0:0:2.5\r\n\r\n"),
    ("srt", b"00:00:01,000 --> 00:00:02,000\nno index line\n"),
    ("srt", b"just words\n"),
    ("srt", b"1\n100:00:01,000 --> 100:00:02,000\nlate\n"),
    ("srt", b"7\n00:00:01,000-->00:00:02,000\ntight arrow"),
    ("srt", b"\xff\xfe" + "1\n00:00:00,000 --> 00:00:01,000\nHi\n".encode("utf-16-le")),
    ("srt", b"1\n00:00:01,000 --> 00:00:02,000"),
    ("vtt", b"WEBVTT\n\n00:01.000 --> 00:02.000\nHello\n"),
    ("vtt", b"WEBVTT - a title\n\n00:00:01.000 --> 00:00:02.000 align:start\nHello\n"),
    ("vtt", b"\xef\xbb\xbfWEBVTT\n\n00:01.000 --> 00:02.000\nHello\n"),
    ("vtt", b"WEBVTT\n\n0:00:01.000 --> 0:00:02.000\nHello\n"),
    ("vtt", b"WEBVTTX\n\n00:01.000 --> 00:02.000\nHello\n"),
    ("vtt", b"WEBVTT\tx\n\n00:01.000 --> 00:02.000\nHello\n"),
    ("vtt", b"00:01.000 --> 00:02.000\nHello\n"),
    ("vtt", b"WEBVTT\n\n00:01.000  --> 00:02.000\nHello\n"),
    ("vtt", b"WEBVTT\n\nNOTE only a note\n"),
    ("dfxp", b'<tt xmlns="http://www.w3.org/ns/ttml"><body><div><p begin="1s">Hi</p></div></body></tt>'),
    (
        "dfxp",
        b'<tt:tt xmlns:tt="http://www.w3.org/ns/ttml"><tt:body><tt:p begin="1s">Hi</tt:p></tt:body></tt:tt>',
    ),
    ("dfxp", b'<tt xmlns="http://www.w3.org/ns/ttml"><body><div></div></body></tt>'),
    ("dfxp", b"<tt><body><P>upper-case</P></body></tt>"),
    ("dfxp", b"<tt><body><p>unclosed"),
    ("dfxp", b"  \n<tt><p/></tt>\n  "),
]


@pytest.mark.parametrize(("fmt", "data"), CASES)
def test_kaltura_parses_agrees_with_kalturas_content_managers(kaltura_php, fmt, data, tmp_path):  # noqa: F811
    found = bool(kaltura(kaltura_php, fmt, data, tmp_path)["items"])
    assert kaltura_parses(fmt, data) == found
