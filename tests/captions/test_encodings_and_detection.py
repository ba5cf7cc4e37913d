"""Encodings a linguist receives (UTF-8 ± BOM, UTF-16, cp1252/cp1251) and format detection by content."""

from __future__ import annotations

import codecs

import pytest

from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.enums import CaptionType, OutputFormat
from reach_studio.domain.formats import (
    CaptionParseError,
    caption_type_for,
    detect_format,
    output_format_for,
    read_captions,
    speaker_style_for,
    write_captions,
)
from reach_studio.domain.task import CatalogItem, ReachProfile
from reach_studio.domain.text_encoding import TextDecodingError, decode_text

SRT = "1\n00:00:01,000 --> 00:00:02,000\nCafé crème, naïve façade\n\n2\n00:00:03,000 --> 00:00:04,000\nÉté\n"


@pytest.mark.parametrize(
    "data",
    [
        SRT.encode("utf-8"),
        codecs.BOM_UTF8 + SRT.encode("utf-8"),
        SRT.encode("utf-16"),  # with BOM
        SRT.encode("utf-16-le"),  # without BOM
        SRT.encode("utf-16-be"),
        SRT.encode("cp1252"),
    ],
)
def test_every_encoding_gives_the_same_text(data):
    doc = read_captions(data)
    assert doc.cues[0].text == "Café crème, naïve façade" and doc.cues[1].text == "Été"


def test_cyrillic_code_page_is_detected():
    text = "1\n00:00:01,000 --> 00:00:02,000\nПривет, как дела? Это субтитры на русском языке.\n"
    assert read_captions(text.encode("cp1251")).cues[0].text.startswith("Привет, как дела?")


def test_broken_utf8_names_the_line():
    data = SRT.encode("utf-8").replace("Été".encode(), b"\xc3\x28t\xe9")
    with pytest.raises(TextDecodingError) as err:
        read_captions(data, name="broken.srt")
    assert err.value.line == 7 and "broken.srt" in str(err.value) and "UTF-8" in str(err.value)


def test_binary_data_is_refused_with_a_line():
    with pytest.raises(CaptionParseError) as err:
        decode_text(b"line one\nline two\n\x00\x01\x02\x03binary", "clip.mp4")
    assert err.value.line == 3 and "binary" in str(err.value)


def test_missing_file_is_a_parse_error(tmp_path):
    with pytest.raises(CaptionParseError) as err:
        read_captions(tmp_path / "nope.srt")
    assert "nope.srt" in str(err.value)


def test_reading_a_path_uses_its_name_in_errors(tmp_path):
    path = tmp_path / "bad.vtt"
    path.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nHi\n")
    with pytest.raises(CaptionParseError) as err:
        read_captions(path)
    assert str(err.value).startswith("bad.vtt, line 3:")


@pytest.mark.parametrize("fmt", ["srt", "vtt", "dfxp", "json"])
def test_format_is_detected_from_content(fmt):
    doc = CaptionDocument([Cue(0, 1000, "Hello there")])
    assert detect_format(write_captions(doc, fmt).decode()) == fmt


def test_plain_text_is_detected_as_transcript():
    assert detect_format("Just some words.\n\nAnother paragraph.") == "txt"


def test_output_format_rule_catalog_then_profile_then_srt():
    item = CatalogItem(1, 1, 1, 1, output_format=OutputFormat.VTT)
    profile = ReachProfile(2, default_output_format=OutputFormat.DFXP)
    assert output_format_for(profile, item) == "vtt"
    assert output_format_for(profile, CatalogItem(1, 1, 1, 1)) == "dfxp"
    assert output_format_for(ReachProfile(3), CatalogItem(1, 1, 1, 1)) == "srt"
    assert output_format_for(None, None) == "srt"
    assert (
        caption_type_for("vtt") == CaptionType.WEBVTT
        and caption_type_for(OutputFormat.DFXP) == CaptionType.DFXP
    )


def test_speaker_style_follows_catalog_item_and_profile():
    assert (
        speaker_style_for(
            ReachProfile(1, enable_speaker_change_indication=True),
            CatalogItem(1, 1, 1, 1, enable_speaker_id=True),
        )
        == "both"
    )
    assert speaker_style_for(ReachProfile(1), CatalogItem(1, 1, 1, 1, enable_speaker_id=True)) == "label"
    assert speaker_style_for(ReachProfile(1, enable_speaker_change_indication=True), None) == "change"
    assert speaker_style_for(None, None) == "none"


def test_a_str_naming_a_caption_file_is_read_as_a_path(tmp_path):
    path = tmp_path / "draft.srt"
    path.write_bytes(SRT.encode("cp1252"))
    assert read_captions(str(path)).cues[1].text == "Été"
    assert (
        read_captions("Just a line of transcript.txt text").cues[0].text
        == "Just a line of transcript.txt text"
    )


@pytest.mark.parametrize(
    "encoding, language, line",
    [
        ("cp1250", "Polish", "Zażółć gęślą jaźń. Příliš žluťoučký kůň."),
        ("cp1253", "Greek", "Καλημέρα σας, τι κάνετε σήμερα;"),
        ("cp1254", "Turkish", "Günaydın, nasılsınız? Bu altyazılar Türkçe."),
        ("cp1255", "Hebrew", "שלום, מה שלומך? אלה כתוביות בעברית."),
        ("koi8_r", "Russian", "Привет, как дела? Это субтитры."),
    ],
)
def test_the_task_language_settles_ambiguous_legacy_code_pages(encoding, language, line):
    data = f"1\n00:00:01,000 --> 00:00:02,000\n{line}\n".encode(encoding)
    assert read_captions(data, language=language).cues[0].text == line


@pytest.mark.parametrize("byte", [*range(0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
def test_every_control_character_in_utf8_text_is_refused_with_its_line(byte):
    with pytest.raises(TextDecodingError) as err:
        decode_text("première ligne\nsecond\nthird ".encode() + bytes([byte]), "c.srt")
    assert err.value.line == 3


@pytest.mark.parametrize("char", ["\t", "\n", "\r", "\x0c", "\x85", "\u2028"])
def test_text_controls_and_unicode_line_separators_are_text(char):
    assert decode_text(f"a{char}b".encode(), "c.srt").text == f"a{char}b"
