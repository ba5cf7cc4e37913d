"""Round trips through other readers and writers: pysrt (SRT), webvtt-py (WebVTT) and ttconv's IMSC/TTML
reader (DFXP). Every cue must come through exactly: its times to the millisecond and its text as the
viewer would read it, for any text a caption line can hold (CJK, right-to-left, "&", quotes)."""

from __future__ import annotations

import html
import io
import re
import xml.etree.ElementTree as ET

import pysrt
import pytest
import webvtt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.formats import read_captions, write_captions

FAST = settings(max_examples=80, deadline=3000, suppress_health_check=[HealthCheck.too_slow])

_CHARS = st.characters(
    whitelist_categories=("Lu", "Ll", "Lo", "Nd"),
    whitelist_characters=" .,!?'\"&:-()%/#éßשלום漢字",
    max_codepoint=0x9FFF,
)
_line = st.text(_CHARS, min_size=1, max_size=30).map(lambda s: " ".join(s.split())).filter(bool)
_text = st.lists(_line, min_size=1, max_size=2).map("\n".join)
_speaker = st.sampled_from([None, "Ann", "Speaker 2", "דוד"])


@st.composite
def documents(draw, speakers: bool = True):
    t = 0
    cues = []
    for _ in range(draw(st.integers(1, 8))):
        t += draw(st.integers(0, 4000))
        length = draw(st.integers(1, 7_200_000 if draw(st.booleans()) else 6000))
        cues.append(Cue(t, t + length, draw(_text), draw(_speaker) if speakers else None))
    return CaptionDocument(cues)


def _shown(cue: Cue) -> str:
    """The text as written with the default "label" speaker style."""
    return f"[{cue.speaker}] {cue.text}" if cue.speaker else cue.text


@FAST
@given(documents())
def test_pysrt_reads_exactly_what_we_write(doc):
    items = pysrt.from_string(write_captions(doc, "srt").decode())
    assert [(i.start.ordinal, i.end.ordinal, i.text) for i in items] == [
        (c.start_ms, c.end_ms, _shown(c)) for c in doc.cues
    ]


@FAST
@given(documents(speakers=False))
def test_we_read_exactly_what_pysrt_writes(doc):
    subs = pysrt.SubRipFile(
        [pysrt.SubRipItem(k + 1, start=c.start_ms, end=c.end_ms, text=c.text) for k, c in enumerate(doc.cues)]
    )
    buf = io.StringIO()
    subs.write_into(buf)
    assert read_captions(buf.getvalue(), "srt").cues == doc.cues


@FAST
@given(documents())
def test_webvtt_py_reads_exactly_what_we_write(doc):
    captions = webvtt.from_buffer(io.StringIO(write_captions(doc, "vtt").decode())).captions
    assert [(_ms(c.start), _ms(c.end), html.unescape(c.raw_text)) for c in captions] == [
        (c.start_ms, c.end_ms, _shown(c)) for c in doc.cues
    ]


@FAST
@given(documents(speakers=False).filter(lambda d: not any(re.search(r"&\w+;", c.text) for c in d.cues)))
def test_we_read_exactly_what_webvtt_py_writes(doc):
    vtt = webvtt.WebVTT()
    for c in doc.cues:
        vtt.captions.append(webvtt.Caption(_vtt_time(c.start_ms), _vtt_time(c.end_ms), c.text.split("\n")))
    buf = io.StringIO()
    vtt.write(buf)
    assert read_captions(buf.getvalue(), "vtt").cues == doc.cues


def _ms(clock: str) -> int:
    """webvtt-py's *_in_seconds are whole seconds: read its HH:MM:SS.mmm strings instead."""
    h, m, s = clock.split(":")
    return (int(h) * 3600 + int(m) * 60) * 1000 + round(float(s) * 1000)


def _vtt_time(ms: int) -> str:
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


ttconv_reader = pytest.importorskip(
    "ttconv.imsc.reader", reason="ttconv (dev extra) reads TTML for this check"
)


def _ttconv_cues(data: bytes) -> list[tuple[int, int, str]]:
    """(begin_ms, end_ms, text with <i>/<b> for styled spans) of each <p>, as ttconv's model holds them."""
    from ttconv import model
    from ttconv.style_properties import FontStyleType, FontWeightType, StyleProperties

    doc = ttconv_reader.to_model(ET.ElementTree(ET.fromstring(data)))
    out = []

    def text_of(element) -> str:
        parts = []
        for child in element:
            if isinstance(child, model.Text):
                parts.append(child.get_text())
            elif isinstance(child, model.Br):
                parts.append("\n")
            else:
                inner = text_of(child)
                if child.get_style(StyleProperties.FontWeight) == FontWeightType.bold:
                    inner = f"<b>{inner}</b>"
                if child.get_style(StyleProperties.FontStyle) == FontStyleType.italic:
                    inner = f"<i>{inner}</i>"
                parts.append(inner)
        return "".join(parts)

    def walk(element, base):
        begin = base + (element.get_begin() or 0)
        for child in element:
            if isinstance(child, model.P):
                start = begin + (child.get_begin() or 0)
                out.append((round(start * 1000), round((begin + child.get_end()) * 1000), text_of(child)))
            elif isinstance(child, model.Div):
                walk(child, begin)

    walk(doc.get_body(), 0)
    return out


@FAST
@given(documents())
def test_ttconv_reads_exactly_what_we_write(doc):
    assert _ttconv_cues(write_captions(doc, "dfxp")) == [(c.start_ms, c.end_ms, _shown(c)) for c in doc.cues]


@pytest.mark.parametrize(
    "text", ["<i>one\ntwo</i> three", "<b>bold <i>both</i></b>\nplain", "<i>a</i>\n<i>b</i>"]
)
def test_ttconv_reads_our_styled_spans_across_line_breaks(text):
    data = write_captions(CaptionDocument([Cue(0, 1000, text)]), "dfxp")
    assert _ttconv_cues(data) == [(0, 1000, text)]
