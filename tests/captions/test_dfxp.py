"""DFXP/TTML: valid TTML out, every common time expression in, hostile XML refused."""

from __future__ import annotations

import pytest
from defusedxml.ElementTree import fromstring

from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.formats import CaptionParseError, read_captions, write_captions

TT = "{http://www.w3.org/ns/ttml}"


def test_written_ttml_has_namespaces_times_breaks_agents_and_language():
    doc = CaptionDocument(
        [Cue(1000, 2500, "Hello <i>there</i>\nline 2 & more", "Speaker 1"), Cue(3000, 4000, "[MUSIC]")],
        language="French",
    )
    data = write_captions(doc, "dfxp")
    root = fromstring(data)
    assert root.tag == f"{TT}tt"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    ps = root.findall(f".//{TT}p")
    assert [p.get("begin") for p in ps] == ["00:00:01.000", "00:00:03.000"]
    assert [p.get("end") for p in ps] == ["00:00:02.500", "00:00:04.000"]
    assert ps[0].find(f"{TT}br") is not None
    assert ps[0].get("{http://www.w3.org/ns/ttml#metadata}agent") == "speaker1"
    span = ps[0].find(f"{TT}span")
    assert span.get("{http://www.w3.org/ns/ttml#styling}fontStyle") == "italic" and span.text == "there"
    back = read_captions(data)
    assert back.cues == doc.cues and back.language == "French"


def test_agents_round_trip_even_without_visible_labels():
    doc = CaptionDocument([Cue(0, 1000, "Hi", "Ann"), Cue(1000, 2000, "Hey", "Bob")])
    for style in ("none", "change", "both"):
        assert read_captions(write_captions(doc, "dfxp", speaker_style=style)).cues == doc.cues


FOREIGN = """<?xml version="1.0" encoding="utf-8"?>
<tt xmlns="http://www.w3.org/2006/10/ttaf1" xmlns:ttp="http://www.w3.org/2006/10/ttaf1#parameter"
    xmlns:tts="http://www.w3.org/2006/10/ttaf1#styling" ttp:frameRate="25" ttp:tickRate="10000000" xml:lang="de">
  <body>
    <div begin="10s">
      <p begin="00:00:01.5" end="00:00:02:12">Erste
         Zeile<br/>
         zweite   Zeile</p>
      <p begin="30000000t" dur="500ms"><span tts:fontWeight="bold">Fett</span></p>
      <p begin="1m" end="61.25s">Offset</p>
      <p><span begin="00:00:05.000" end="00:00:05.400">Wort</span> <span begin="00:00:05.400" end="00:00:06.000">für</span></p>
    </div>
  </body>
</tt>"""


def test_reads_legacy_namespace_clock_frames_ticks_offsets_dur_and_div_offsets():
    doc = read_captions(FOREIGN.encode())
    assert doc.language == "German"
    assert doc.cues[0] == Cue(
        11500, 12480, "Erste Zeile\nzweite Zeile"
    )  # whitespace collapsed, 12 frames at 25 fps
    assert doc.cues[1] == Cue(13000, 13500, "<b>Fett</b>")
    assert doc.cues[2] == Cue(70000, 71250, "Offset")
    assert doc.cues[3] == Cue(15000, 16000, "Wort für")


@pytest.mark.parametrize(
    "xml, fragment",
    [
        (
            (
                '<?xml version="1.0"?><!DOCTYPE tt [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
                '<tt xmlns="http://www.w3.org/ns/ttml"><body><div><p begin="0s" end="1s">&b;</p></div></body></tt>'
            ),
            "refused",
        ),
        (
            (
                '<?xml version="1.0"?><!DOCTYPE tt SYSTEM "http://example.invalid/evil.dtd">'
                '<tt xmlns="http://www.w3.org/ns/ttml"/>'
            ),
            "refused",
        ),
        (
            (
                '<?xml version="1.0"?><!DOCTYPE tt [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                '<tt xmlns="http://www.w3.org/ns/ttml"><body><div><p begin="0s" end="1s">&x;</p></div></body></tt>'
            ),
            "refused",
        ),
    ],
)
def test_hostile_xml_is_refused(xml, fragment):
    with pytest.raises(CaptionParseError) as err:
        read_captions(xml.encode(), "dfxp")
    assert fragment in str(err.value)


@pytest.mark.parametrize(
    "xml, line, words",
    [
        (
            '<tt xmlns="http://www.w3.org/ns/ttml">\n<body>\n<p begin="0s" end="1s">x</body></tt>',
            3,
            "well-formed",
        ),
        (
            '<tt xmlns="http://www.w3.org/ns/ttml">\n<body><div>\n\n<p begin="soon" end="1s">x</p></div></body></tt>',
            4,
            "time expression",
        ),
        (
            '<tt xmlns="http://www.w3.org/ns/ttml"><body><div>\n<p>no timing</p></div></body></tt>',
            2,
            "no begin",
        ),
        ("<html>\n</html>", 1, "not a TTML document"),
    ],
)
def test_malformed_ttml_names_the_line(xml, line, words):
    with pytest.raises(CaptionParseError) as err:
        read_captions(xml.encode(), "dfxp", name="c.dfxp")
    assert err.value.line == line and words in str(err.value)


def test_speaker_names_with_brackets_keep_the_agent_and_a_clean_label():
    doc = CaptionDocument([Cue(0, 1000, "Hi", "Dr. [Smith]")])
    assert read_captions(write_captions(doc, "dfxp")).cues == doc.cues


def _tt(body: str, attrs: str = "") -> str:
    return (
        '<tt xmlns="http://www.w3.org/ns/ttml" xmlns:tts="http://www.w3.org/ns/ttml#styling" '
        f'xmlns:ttp="http://www.w3.org/ns/ttml#parameter"{attrs}><body><div>{body}</div></body></tt>'
    )


def test_empty_paragraphs_are_no_cues():
    text = _tt('<p begin="1s" end="2s">One</p><p begin="2s" end="3s"> </p><p begin="3s" end="4s"/>')
    assert read_captions(text, "dfxp").cues == [Cue(1000, 2000, "One")]


def test_spaces_collapse_across_span_boundaries():
    text = _tt('<p begin="1s" end="2s">Hello <span tts:fontStyle="italic"> big </span> world</p>')
    assert read_captions(text, "dfxp").cues[0].text == "Hello <i>big</i> world"


def test_frames_sub_frames_and_ticks():
    text = _tt('<p begin="00:00:01:12.1" end="100t">x</p>', ' ttp:frameRate="25" ttp:subFrameRate="2"')
    cue = read_captions(text, "dfxp").cues[0]
    assert (cue.start_ms, cue.end_ms) == (1500, 2000)  # 12.5 frames at 25 fps; 100 ticks at 50 per second


def test_italics_across_a_line_break_are_one_span_with_the_break_inside():
    data = write_captions(CaptionDocument([Cue(0, 1000, "<i>one\ntwo</i> three")]), "dfxp").decode()
    assert '<span tts:fontStyle="italic">one<br/>two</span> three' in data
    assert "&lt;" not in data
    assert read_captions(data).cues[0].text == "<i>one\ntwo</i> three"


@pytest.mark.parametrize(
    "prolog",
    [
        '<!-- a comment first --><!DOCTYPE tt [<!ENTITY a "x">]>',
        '<?xml-stylesheet href="s.css"?>\n<!DOCTYPE tt [<!ENTITY a "x">]>',
        '\ufeff<!DOCTYPE tt [<!ENTITY a "x">]>',
        '<?xml version="1.0"?>\n\n<!DOCTYPE tt [<!ENTITY a "x">]>',
    ],
)
def test_a_dtd_after_comments_instructions_or_a_bom_is_refused_with_its_line(prolog):
    from reach_studio.domain.formats.dfxp import read_dfxp

    xml = (
        prolog
        + '<tt xmlns="http://www.w3.org/ns/ttml"><body><div><p begin="0s" end="1s">&a;</p></div></body></tt>'
    )
    with pytest.raises(CaptionParseError) as err:
        read_dfxp(xml)
    assert "refused" in err.value.message
    assert err.value.line == prolog.count("\n") + 1


def test_an_undeclared_entity_is_an_error_with_its_line():
    xml = '<tt xmlns="http://www.w3.org/ns/ttml"><body><div>\n<p begin="0s" end="1s">&nbsp;</p></div></body></tt>'
    with pytest.raises(CaptionParseError) as err:
        read_captions(xml.encode(), "dfxp")
    assert err.value.line == 2 and "entity" in err.value.message


def test_thousands_of_coloured_paragraphs_are_one_listed_entry_with_their_lines():
    paragraphs = "".join(
        f'<p begin="{k}s" end="{k}.5s" tts:color="yellow">Line {k}</p>\n' for k in range(3000)
    )
    xml = (
        '<tt xmlns="http://www.w3.org/ns/ttml" xmlns:tts="http://www.w3.org/ns/ttml#styling">\n'
        f"<body><div>\n{paragraphs}</div></body></tt>"
    )
    repairs: list = []
    doc = read_captions(xml.encode(), "dfxp", repairs=repairs)
    assert len(doc.cues) == 3000
    assert [r.kind for r in repairs] == ["colours_dropped"]
    assert repairs[0].line == 3
    assert "3000" in repairs[0].message and "lines 3, 4, 5" in repairs[0].message
