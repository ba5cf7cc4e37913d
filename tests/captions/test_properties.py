"""Property tests (hypothesis): readers never crash or hang on arbitrary input, and write→read is exact."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reach_studio.domain import caption_fixes as fx
from reach_studio.domain.caption_errors import CaptionError
from reach_studio.domain.caption_rules import CaptionRules, is_audio_tag_label
from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.enums import LANGUAGE_CODES
from reach_studio.domain.formats import (
    FORMATS,
    CaptionParseError,
    CaptionRepair,
    import_captions,
    read_captions,
    salvage_captions,
    summarize_repairs,
    write_captions,
)
from reach_studio.domain.formats.dfxp import _styled
from reach_studio.domain.formats.timed_json import TimedWord, read_words, write_words
from reach_studio.domain.line_breaking import _tokens, balanced_lines
from reach_studio.domain.task import CatalogItem, Dictionary, ReachProfile
from reach_studio.domain.validation import Validator

FAST = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])

# Text a caption line can hold in every format. "<", ">" and "[" are left out here (they are markup or
# speaker labels, tested with explicit examples); "&" and quotes stay in to exercise escaping.
_CHARS = st.characters(
    whitelist_categories=("Lu", "Ll", "Lo", "Nd"),
    whitelist_characters=" .,!?'\"&;:-()%/#éß漢字",
    max_codepoint=0x9FFF,
)
_line = st.text(_CHARS, min_size=1, max_size=40).map(lambda s: " ".join(s.split())).filter(bool)
_text = st.lists(_line, min_size=0, max_size=3).map("\n".join)
_speaker = (
    st.text(st.characters(whitelist_categories=("Lu", "Ll", "Nd")), min_size=1, max_size=12)
    .map(lambda s: s.strip())
    .filter(lambda s: s and not is_audio_tag_label(s))
)


@st.composite
def documents(draw, max_cues: int = 12):
    n = draw(st.integers(0, max_cues))
    t = 0
    cues = []
    for _ in range(n):
        t += draw(st.integers(0, 5000))
        length = draw(st.integers(0, 8000))
        cues.append(Cue(t, t + length, draw(_text), draw(st.none() | _speaker)))
    language = draw(st.none() | st.sampled_from(sorted(LANGUAGE_CODES)))
    return CaptionDocument(cues, language=language)


@FAST
@given(st.binary(max_size=3000), st.sampled_from([None, *FORMATS]))
def test_arbitrary_bytes_give_a_document_or_a_parse_error(data, fmt):
    try:
        doc = read_captions(data, fmt)
    except CaptionParseError as err:
        assert err.file == "<input>" and str(err)
    else:
        assert isinstance(doc, CaptionDocument)
    try:
        imported, repairs = import_captions(data, fmt)
    except CaptionParseError:
        pass
    else:
        assert isinstance(imported, CaptionDocument) and all(isinstance(r, CaptionRepair) for r in repairs)
    try:
        salvaged, problems = salvage_captions(data, fmt)
    except CaptionParseError:
        pass
    else:
        assert isinstance(salvaged, CaptionDocument) and all(
            isinstance(p, CaptionParseError) for p in problems
        )


_FRAGMENTS = st.sampled_from(
    [
        "WEBVTT\n",
        "1\n",
        "00:00:01,000 --> 00:00:02,000\n",
        "00:01.000 --> 00:02.000 align:start\n",
        "\n",
        "\n\n",
        "<tt xmlns='http://www.w3.org/ns/ttml'>",
        "<body><div>",
        "<p begin='1s' end='2s'>",
        "</p>",
        "<br/>",
        "</div></body></tt>",
        "<span tts:fontStyle='italic' xmlns:tts='http://www.w3.org/ns/ttml#styling'>",
        "</span>",
        "<!DOCTYPE x>",
        "&amp;",
        "&#0;",
        "[",
        "{",
        '{"s":1,"e":2,"w":"a"}',
        ",",
        "]",
        "NOTE x\n",
        "<v Ann>",
        "[Speaker 1] ",
        ">> ",
        "99:99:99,999 --> 0:0:0,0\n",
        "text line\n",
        "\r\n",
        "\ufeff",
        "\x00",
        # timing variants and WebVTT blocks the readers repair, refuse or skip
        "00:00:13 --> 00:00:16\n",
        "00:00:01:500 --> 00:00:02:000\n",
        "00:00:01.5 --> 00:00:02,25\n",
        "01:02.500 --> 01:03.000\n",
        "100:00:00.000 --> 100:00:01.000 region:r\n",
        "STYLE\n",
        "REGION\n",
        "NOTE a --> b\n",
        "WEBVTT\n00:00:01.000 --> 00:00:02.000\n",
        "   \n",
        "-->",
        "<p begin='00:00:01:12.1' end='100t'>",
        "<p begin='1.5s' dur='20f'/>",
        (
            "<tt xmlns='http://www.w3.org/ns/ttml' xmlns:ttp='http://www.w3.org/ns/ttml#parameter' "
            "ttp:frameRate='25' ttp:subFrameRate='2' ttp:frameRateMultiplier='1000 1001'>"
        ),
        " xml:space='preserve'",
        "<p xml:space='default' begin='0s' end='1s'> </p>",
        "\u00b9",
        "\u0663",
    ]
)


@FAST
@given(st.lists(_FRAGMENTS | st.text(max_size=8), max_size=30), st.sampled_from([None, *FORMATS]))
def test_near_valid_input_gives_a_document_or_a_parse_error(parts, fmt):
    text = "".join(parts)
    for source in (text, text.encode("utf-8", "surrogatepass")):
        try:
            read_captions(source, fmt)
        except CaptionParseError:
            pass
        except UnicodeEncodeError:
            pass
        try:  # import: repairs are listed with their lines, unreadable cues left out and listed
            doc, repairs = import_captions(source, fmt)
        except CaptionParseError:
            pass
        except UnicodeEncodeError:
            pass
        else:
            assert isinstance(doc, CaptionDocument)
            assert all(isinstance(r, CaptionRepair) and r.message for r in repairs)
            assert all(isinstance(line, str) for line in summarize_repairs(repairs))


def _kept(doc: CaptionDocument, *formats: str) -> list[Cue]:
    """The cues a reader gives back: an empty <p> is no cue in TTML (and a blank cue is a validation error)."""
    if "dfxp" in formats:
        return [c for c in doc.cues if c.text or c.speaker]
    return doc.cues


@FAST
@given(documents(), st.sampled_from(["srt", "vtt", "dfxp"]))
def test_write_then_read_is_exact(doc, fmt):
    back = read_captions(write_captions(doc, fmt))
    assert back.cues == _kept(doc, fmt)
    if fmt == "dfxp":
        assert back.language == doc.language


@FAST
@given(documents(), st.sampled_from(["srt", "vtt", "dfxp"]), st.sampled_from(["srt", "vtt", "dfxp"]))
def test_converting_between_formats_is_exact(doc, a, b):
    assert read_captions(write_captions(read_captions(write_captions(doc, a)), b)).cues == _kept(doc, a, b)


@FAST
@given(documents())
def test_txt_keeps_every_word_in_order(doc):
    back = read_captions(write_captions(doc, "txt"), "txt")
    assert " ".join(c.text for c in back.cues).split() == " ".join(c.text for c in doc.cues).split()


_word = st.builds(
    TimedWord,
    st.integers(0, 10**7),
    st.integers(0, 10**7),
    st.text(min_size=1, max_size=10),
    st.sampled_from(["word", "punc"]),
    st.none() | st.integers(0, 100),
)


@FAST
@given(st.lists(_word, max_size=30))
def test_json_words_round_trip_exactly(words):
    assert read_words(write_words(words)) == words


@FAST
@given(documents())
def test_json_keeps_the_words(doc):
    back = read_captions(write_captions(doc, "json"), "json")
    strip = str.maketrans("", "", " ")
    assert "".join(c.text for c in back.cues).translate(strip).replace("\n", "") == "".join(
        c.text for c in doc.cues
    ).translate(strip).replace("\n", "")


_PROFILE = ReachProfile(
    1,
    max_characters_per_caption_line=26,
    enable_profanity_removal=True,
    enable_speaker_change_indication=True,
    enable_audio_tags=False,
    dictionaries=[Dictionary("English", "Kaltura\nmachine learning")],
)
_VALIDATOR = Validator(_PROFILE, CatalogItem(1, 1, 1, 1, enable_speaker_id=True), media_duration_ms=60_000)


@st.composite
def messy_documents(draw):
    n = draw(st.integers(0, 8))
    cues = [
        Cue(
            draw(st.integers(0, 70_000)),
            draw(st.integers(0, 70_000)),
            draw(st.text(max_size=90)),
            draw(st.none() | _speaker),
        )
        for _ in range(n)
    ]
    return CaptionDocument(cues)


@FAST
@given(messy_documents())
def test_validator_and_every_suggested_fix_never_crash(doc):
    findings = _VALIDATOR.document(doc)
    for finding in findings:
        assert finding.severity in ("error", "warning") and finding.message
        if finding.fix is not None:
            try:
                fixed = finding.fix.apply(doc)
            except CaptionError:
                continue
            assert isinstance(fixed, CaptionDocument)


@FAST
@given(
    st.lists(
        st.text(st.characters(whitelist_categories=("Ll",), max_codepoint=0x2FFF), min_size=1, max_size=12),
        min_size=1,
        max_size=20,
    ),
    st.integers(10, 42),
)
def test_balanced_lines_keep_words_and_respect_the_limit(words, limit):
    text = " ".join(words)
    lines = balanced_lines(text, limit)
    assert " ".join(lines).split() == words
    assert all(len(line) <= limit or " " not in line for line in lines)


@FAST
@given(st.text(st.sampled_from("今日は天気、。ですねabc "), min_size=1, max_size=60), st.integers(8, 20))
def test_cjk_text_is_broken_between_characters_within_the_limit(text, limit):
    lines = balanced_lines(text, limit)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(len(line) <= limit or len(_tokens(line)[0]) == 1 for line in lines)  # or one unbreakable word


@FAST
@given(st.lists(_line, min_size=1, max_size=8).map(" ".join), st.integers(0, 20_000))
def test_reflow_cue_fits_two_lines_and_keeps_the_words(text, duration):
    rules = CaptionRules(max_chars_per_line=26)
    doc = CaptionDocument([Cue(1000, 1000 + duration, text)])
    out = fx.reflow_cue(doc, 0, rules)
    squeeze = str.maketrans("", "", " \n")
    assert "".join(c.text for c in out.cues).translate(squeeze) == text.translate(squeeze)
    assert out.cues[0].start_ms == 1000 and out.cues[-1].end_ms == 1000 + duration
    for c in out.cues:
        assert len(c.lines) <= 2 or any(len(w) > 26 for w in c.text.split())
    if not any(ch >= "\u3000" for ch in text):  # spaced scripts: words are never cut
        assert " ".join(c.text for c in out.cues).split() == text.split()


@pytest.mark.parametrize(
    "data",
    [
        b"1\n00:00:01,000 --> 00:00:02,000\n" + b"a" * 5_000_000,
        b"WEBVTT\n\n" + b"00:00:01.000 --> 00:00:02.000\nx\n\n" * 50_000,
        b"<tt xmlns='http://www.w3.org/ns/ttml'>" + b"<div>" * 50_000,
        b"[" * 200_000,
        b"0" * 3_000_000,
    ],
)
def test_large_and_deep_inputs_finish_quickly(data):
    started = time.monotonic()
    try:
        read_captions(data)
    except CaptionParseError:
        pass
    assert time.monotonic() - started < 20  # a hang guard, not a speed test: real figures are in bench/


def test_oversized_input_is_refused_before_parsing():
    from reach_studio.domain.text_encoding import MAX_TEXT_BYTES

    with pytest.raises(CaptionParseError, match="too large"):
        read_captions(b" " * (MAX_TEXT_BYTES + 1))


# Markup-heavy text: tags, entities, brackets and arrows anywhere except where they would change meaning
# (a leading "[Name]" is a speaker label, a leading "<v Name>" a WebVTT voice, a leading ">>" a change mark).
_MARKUP = (
    st.lists(
        st.sampled_from(
            [
                "<i>",
                "</i>",
                "<b>",
                "</b>",
                "<u>",
                "</u>",
                "&",
                "&amp;",
                "&lt;",
                "<",
                ">",
                "-->",
                "[x]",
                "(laughs)",
                "♪",
                " ",
                "a",
                "Zoë",
                "1",
                ";",
                "<font color=red>",
                "]",
            ]
        ),
        min_size=1,
        max_size=12,
    )
    .map("".join)
    .map(lambda s: " ".join(s.split()))
    .filter(lambda s: s and not s.startswith(("[", ">", "<v", "&gt;")) and not s.endswith(" "))
)


@FAST
@given(st.lists(_MARKUP, min_size=1, max_size=3).map("\n".join), st.sampled_from(["srt", "vtt", "dfxp"]))
def test_markup_survives_a_round_trip(text, fmt):
    doc = CaptionDocument([Cue(0, 1000, text, None), Cue(1000, 2000, text, "Ann")])
    expected = doc.cues
    if fmt == "dfxp" and not re.sub(r"<[^>]*>", "", _styled(text)).strip():
        expected = doc.cues[1:]  # only empty style spans ("<b></b>"): an empty paragraph is no cue
    assert read_captions(write_captions(doc, fmt), fmt).cues == expected
