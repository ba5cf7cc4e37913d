"""Each validation rule: the finding a linguist sees, and that its suggested fix removes it."""

from __future__ import annotations

import pytest

from reach_studio.domain.caption_rules import KALTURA_DEFAULT_CHARS_PER_LINE, CaptionRules
from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.enums import OutputFormat
from reach_studio.domain.task import CatalogItem, Dictionary, ReachProfile
from reach_studio.domain.validation import Rule, Validator, errors, validate, validate_cue


def doc(*cues: Cue) -> CaptionDocument:
    return CaptionDocument(list(cues))


def rules_of(findings, index=None):
    return {f.rule for f in findings if index is None or f.cue_index == index}


def fixed(findings, rule, document, index=None):
    finding = next(f for f in findings if f.rule == rule and (index is None or f.cue_index == index))
    assert finding.fix is not None, f"{rule} has no fix"
    return finding.fix.apply(document)


PLAIN = ReachProfile(1)


def test_a_clean_document_has_no_findings():
    d = doc(Cue(0, 2000, "Hello there."), Cue(2000, 4000, "How are you\ntoday?"))
    assert validate(d, PLAIN, CatalogItem(1, 1, 1, 1)) == []


def test_profile_line_limit_is_an_error_with_a_reflow_fix():
    profile = ReachProfile(1, max_characters_per_caption_line=KALTURA_DEFAULT_CHARS_PER_LINE)
    d = doc(Cue(0, 4000, "This line is longer than twenty-six characters"))
    found = validate(d, profile)
    f = next(f for f in found if f.rule == Rule.LINE_LENGTH)
    assert f.severity == "error" and "26" in f.message
    after = f.fix.apply(d)
    assert Rule.LINE_LENGTH not in rules_of(validate(after, profile))
    assert after.cues[0].text == "This line is longer than\ntwenty-six characters"


def test_without_a_profile_limit_the_recommended_32_applies_as_a_warning():
    d = doc(Cue(0, 4000, "x" * 33))
    f = next(f for f in validate(d, PLAIN) if f.rule == Rule.LINE_LENGTH)
    assert f.severity == "warning" and "32" in f.message


def test_three_lines_are_an_error_and_the_fix_splits_into_two_cues():
    d = doc(Cue(0, 6000, "One line here\nanother line here\nand a third line here"))
    found = validate(d, PLAIN)
    assert Rule.LINE_COUNT in rules_of(found)
    after = fixed(found, Rule.LINE_COUNT, d)
    assert all(len(c.lines) <= 2 for c in after.cues)
    assert (
        " ".join(" ".join(c.lines) for c in after.cues)
        == "One line here another line here and a third line here"
    )


def test_durations_and_reading_speed_are_guideline_warnings():
    d = doc(
        Cue(0, 400, "Hi"), Cue(1000, 9000, "Long"), Cue(10000, 11000, "Far too many words for one second")
    )
    found = validate(d, PLAIN)
    assert {(f.rule, f.cue_index, f.severity) for f in found} >= {
        (Rule.MIN_DURATION, 0, "warning"),
        (Rule.MAX_DURATION, 1, "warning"),
        (Rule.READING_SPEED, 2, "warning"),
    }
    after = fixed(found, Rule.MIN_DURATION, d, 0)
    assert after.cues[0].end_ms == CaptionRules().min_duration_ms


def test_overlap_order_timing_empty_and_gap():
    d = doc(
        Cue(0, 2000, "A"),
        Cue(1500, 3000, "B"),  # overlaps A
        Cue(3040, 4000, "C"),  # 40 ms after B
        Cue(5000, 5000, "D"),  # zero length
        Cue(6000, 7000, "   "),  # empty
        Cue(5500, 8000, "F"),  # before the previous start
    )
    found = validate(d, PLAIN)
    got = {(f.rule, f.cue_index) for f in found}
    assert {(Rule.OVERLAP, 1), (Rule.MIN_GAP, 2), (Rule.TIMING, 3), (Rule.EMPTY, 4), (Rule.ORDER, 5)} <= got
    assert all(
        f.severity == "error" for f in found if f.rule in (Rule.OVERLAP, Rule.TIMING, Rule.EMPTY, Rule.ORDER)
    )
    no_overlap = fixed(found, Rule.OVERLAP, d, 1)
    assert no_overlap.cues[0].end_ms <= no_overlap.cues[1].start_ms
    sorted_doc = fixed(found, Rule.ORDER, d, 5)
    assert [c.start_ms for c in sorted_doc.cues] == sorted(c.start_ms for c in d.cues)


def test_cues_past_the_media_end():
    d = doc(Cue(0, 1000, "In"), Cue(9000, 11000, "Past the end"))
    found = validate(d, PLAIN, media_duration_ms=10_000)
    assert rules_of(found) == {Rule.PAST_MEDIA_END}
    assert fixed(found, Rule.PAST_MEDIA_END, d).cues[-1].end_ms == 10_000


def test_speaker_identification_when_the_catalog_item_asks_for_it():
    item = CatalogItem(1, 1, 1, 1, enable_speaker_id=True)
    d = doc(Cue(0, 2000, "Hello", "Speaker 1"), Cue(2000, 4000, "Still me"), Cue(4000, 5000, "[MUSIC]"))
    tags_on = ReachProfile(1, enable_audio_tags=True)
    found = validate(d, tags_on, item)
    assert [(f.rule, f.cue_index) for f in found] == [
        (Rule.SPEAKER_ID, 1)
    ]  # an audio-only cue needs no speaker
    assert fixed(found, Rule.SPEAKER_ID, d).cues[1].speaker == "Speaker 1"
    assert validate(d, tags_on, CatalogItem(1, 1, 1, 1)) == []


def test_the_speaker_label_counts_towards_the_line_limit():
    profile = ReachProfile(1, max_characters_per_caption_line=26)
    item = CatalogItem(1, 1, 1, 1, enable_speaker_id=True)
    d = doc(Cue(0, 3000, "Twenty chars exactly", "Interviewer"))
    assert Rule.LINE_LENGTH in rules_of(validate(d, profile, item))  # "[Interviewer] " makes it 34
    assert Rule.LINE_LENGTH not in rules_of(validate(d, profile, CatalogItem(1, 1, 1, 1)))


def test_speaker_change_marks_need_speakers():
    profile = ReachProfile(1, enable_speaker_change_indication=True)
    unmarked = doc(Cue(0, 2000, "Hi"), Cue(2000, 4000, "Hello"))
    assert [(f.rule, f.cue_index) for f in validate(unmarked, profile)] == [(Rule.SPEAKER_CHANGE, None)]
    marked = doc(Cue(0, 2000, "Hi", "A"), Cue(2000, 4000, "Hello", "B"))
    assert validate(marked, profile) == []


def test_profanity_is_an_error_only_when_the_profile_asks_and_the_fix_masks_it():
    d = doc(Cue(0, 3000, "Well, damn it."))
    assert validate(d, PLAIN) == []
    profile = ReachProfile(1, enable_profanity_removal=True)
    found = validate(d, profile)
    assert [(f.rule, f.severity) for f in found] == [(Rule.PROFANITY, "error")]
    after = found[0].fix.apply(d)
    assert after.cues[0].text == "Well, d*** it."
    assert validate(after, profile) == []
    assert d.cues[0].text == "Well, damn it."  # fixes do not change the input


def test_dictionary_terms_spelled_exactly():
    profile = ReachProfile(1, dictionaries=[Dictionary("English", "Kaltura\nmachine learning\n")])
    d = doc(Cue(0, 3000, "kaltura uses\nmachine lerning"), Cue(3000, 6000, "Kaltura is right"))
    found = validate(d, profile)
    assert [(f.rule, f.cue_index, f.severity) for f in found] == [(Rule.DICTIONARY, 0, "warning")] * 2
    after = found[1].fix.apply(found[0].fix.apply(d))
    assert after.cues[0].text == "Kaltura uses\nmachine learning"


def test_audio_tags_refused_or_expected_per_profile():
    d = doc(Cue(0, 2000, "[APPLAUSE] Thank you."))
    off = validate(d, ReachProfile(1, enable_audio_tags=False))
    assert [(f.rule, f.severity) for f in off] == [(Rule.AUDIO_TAGS, "warning")]
    assert off[0].fix.apply(d).cues[0].text == "Thank you."
    assert validate(d, ReachProfile(1, enable_audio_tags=True)) == []
    none = validate(doc(Cue(0, 2000, "Thank you.")), ReachProfile(1, enable_audio_tags=True))
    assert [(f.rule, f.cue_index) for f in none] == [(Rule.AUDIO_TAGS, None)]


def test_output_format_must_match_the_request():
    from reach_studio.domain.enums import OutputFormat

    item = CatalogItem(1, 1, 1, 1, output_format=OutputFormat.DFXP)
    d = doc(Cue(0, 2000, "Hi"))
    assert [f.rule for f in validate(d, PLAIN, item, output_format="srt")] == [Rule.OUTPUT_FORMAT]
    assert validate(d, PLAIN, item, output_format="dfxp") == []
    assert validate(d, PLAIN, CatalogItem(1, 1, 1, 1), output_format="srt") == []  # SRT when none is set


def test_ead_checks_timing_not_line_rules():
    d = doc(
        Cue(0, 9000, "A long description of what happens on screen, read aloud by speech synthesis"),
        Cue(8000, 9500, "Overlap"),
    )
    assert [(f.rule, f.cue_index) for f in validate(d, PLAIN, kind="ead")] == [(Rule.OVERLAP, 1)]


def test_empty_document_is_an_error():
    assert errors(validate(CaptionDocument([]), PLAIN))[0].rule == Rule.EMPTY


def test_validate_cue_matches_the_whole_document_run():
    profile = ReachProfile(1, max_characters_per_caption_line=20, enable_profanity_removal=True)
    d = doc(
        *[Cue(i * 1000, i * 1000 + 900 + (i % 3) * 200, f"cue {i} some shit text here") for i in range(30)]
    )
    whole = validate(d, profile)
    v = Validator(profile)
    per_cue = [f for i in range(len(d.cues)) for f in v.cue(d, i)]
    assert [(f.rule, f.cue_index, f.message) for f in per_cue] == [
        (f.rule, f.cue_index, f.message) for f in whole if f.cue_index is not None
    ]
    assert [f.message for f in validate_cue(d, 4, profile)] == [f.message for f in v.cue(d, 4)] != []


@pytest.mark.parametrize("kind", ["captions", "translation"])
def test_translation_is_held_to_the_same_rules(kind):
    d = doc(Cue(0, 500, "x" * 40))
    assert {Rule.LINE_LENGTH, Rule.MIN_DURATION, Rule.READING_SPEED} <= rules_of(
        validate(d, PLAIN, kind=kind)
    )


def test_ead_validation_accepts_description_cues_as_the_editor_passes_them():
    from reach_studio.domain.captions import DescriptionCue

    items = [
        DescriptionCue(0, 3000, "A door opens."),
        DescriptionCue(2500, 4000, ""),
        DescriptionCue(4000, 4000, "x"),
    ]
    v = Validator(PLAIN, None, kind="ead", media_duration_ms=3500)
    found = [(f.rule, f.cue_index) for i in range(3) for f in v.cue(CaptionDocument(items), i)]
    assert found == [
        (Rule.EMPTY, 1),
        (Rule.OVERLAP, 1),
        (Rule.PAST_MEDIA_END, 1),
        (Rule.TIMING, 2),
        (Rule.PAST_MEDIA_END, 2),
    ]


def test_translation_paired_with_its_source_flags_untranslated_cues_and_count_mismatch():
    source = doc(Cue(0, 2000, "Good morning."), Cue(2000, 4000, "[MUSIC]"), Cue(4000, 6000, "See you."))
    translation = doc(Cue(0, 2000, "Bonjour."), Cue(2000, 4000, "[MUSIC]"), Cue(4000, 6000, "See you."))
    found = validate(translation, ReachProfile(1, enable_audio_tags=True), kind="translation", source=source)
    assert [(f.rule, f.cue_index) for f in found] == [(Rule.UNTRANSLATED, 2)]
    shorter = doc(*translation.cues[:2])
    found = validate(shorter, ReachProfile(1, enable_audio_tags=True), kind="translation", source=source)
    assert [(f.rule, f.cue_index) for f in found] == [(Rule.SOURCE_ALIGNMENT, None)]
    assert (
        validate(translation, ReachProfile(1, enable_audio_tags=True), kind="captions", source=source) == []
    )


def test_language_guidelines_apply_unless_the_profile_sets_the_line_limit():
    ja = CatalogItem(1, 1, 1, 1, source_language="Japanese")
    d = doc(Cue(0, 2000, "今日はとても良い天気ですね。散歩しましょう"))  # 21 characters in 2 s
    found = {f.rule: f for f in validate(d, PLAIN, ja)}
    assert "13" in found[Rule.LINE_LENGTH].message and Rule.READING_SPEED in found
    assert Rule.LINE_LENGTH not in rules_of(
        validate(d, ReachProfile(1, max_characters_per_caption_line=26), ja)
    )
    translation_to_english = CatalogItem(1, 2, 1, 1, source_language="Japanese", target_language="English")
    assert (
        rules_of(
            validate(
                doc(Cue(0, 2000, "Nice weather today.")), PLAIN, translation_to_english, kind="translation"
            )
        )
        == set()
    )


def test_the_task_dictionary_can_be_passed_to_the_gate():
    d = doc(Cue(0, 3000, "Welcome to Kalturra"))
    assert validate(d, PLAIN) == []
    assert [f.rule for f in validate(d, PLAIN, dictionary_terms=["Kaltura"])] == [Rule.DICTIONARY]


# -- what Kaltura's caption parsers would lose from the delivered file ---------------------------------


def asks_for(fmt: str) -> CatalogItem:
    return CatalogItem(
        1,
        1,
        1,
        1,
        output_format={"srt": OutputFormat.SRT, "vtt": OutputFormat.VTT, "dfxp": OutputFormat.DFXP}[fmt],
    )


def test_srt_deliverable_with_a_less_than_sign_is_warned_with_a_look_alike_fix():
    d = doc(Cue(0, 2000, "a < b and <i>c</i>"), Cue(2000, 4000, ">> <b>fine</b> tags"))
    findings = validate(d, PLAIN, asks_for("srt"), output_format="srt")
    assert rules_of(findings) == {Rule.SRT_MARKUP}  # tags and the ">>" change mark are fine
    assert findings[0].severity == "warning" and findings[0].cue_index == 0
    assert fixed(findings, Rule.SRT_MARKUP, d).cues[0].text == "a \u2039 b and <i>c</i>"
    assert validate(d, PLAIN, asks_for("vtt"), output_format="vtt") == []  # WebVTT escapes "<"


def test_literal_entities_switch_off_kaltura_escaping_and_are_warned():
    d = doc(Cue(0, 2000, "R&amp;D <3"))
    findings = validate(d, PLAIN, asks_for("dfxp"), output_format="dfxp")
    assert rules_of(findings) == {Rule.KALTURA_ENTITIES}
    assert "&amp;" in findings[0].message
    assert fixed(findings, Rule.KALTURA_ENTITIES, d).cues[0].text == "R&D <3"


def test_leading_spaces_are_warned_because_kaltura_trims_them():
    d = doc(Cue(0, 2000, "  indented\n\tsecond"))
    findings = validate(d, PLAIN, asks_for("vtt"), output_format="vtt")
    assert rules_of(findings) == {Rule.LEADING_SPACE}
    assert fixed(findings, Rule.LEADING_SPACE, d).cues[0].text == "indented\nsecond"


def test_zero_length_cue_says_kaltura_drops_it():
    findings = validate(doc(Cue(1000, 1000, "Gone")), PLAIN, CatalogItem(1, 1, 1, 1))
    timing = [f for f in findings if f.rule == Rule.TIMING]
    assert timing and "zero-length" in timing[0].message


@pytest.mark.parametrize("fmt", ["srt", "vtt", "dfxp"])
def test_a_dense_ten_hour_document_is_over_kaltura_player_and_search_limits(fmt):
    # one 2-line cue every 1.2 s for ten hours
    line = "A dense line of dialogue here, \nand another one to follow it."
    big = doc(*(Cue(k * 1200, k * 1200 + 1100, line.replace(" \n", "\n")) for k in range(30_000)))
    findings = Validator(PLAIN, asks_for(fmt), output_format=fmt).document_level(big)
    sizes = [f for f in findings if f.rule == Rule.FILE_SIZE]
    assert len(sizes) == 2 and all(f.severity == "warning" for f in sizes)
    assert "1,048,576" in sizes[0].message and "900,000" in sizes[1].message
    assert any(ch.isdigit() for ch in sizes[0].message.split("bytes")[0])  # the file's own figure
    small = Validator(PLAIN, asks_for(fmt), output_format=fmt).document_level(doc(Cue(0, 1000, "x")))
    assert [f for f in small if f.rule == Rule.FILE_SIZE] == []


# -- the table of cue rules: every rule has its words, an example that triggers it, and a working fix ---

_SPEAKERS = CatalogItem(1, 1, 1, 1, enable_speaker_id=True)
_SRT = CatalogItem(1, 1, 1, 1, output_format=OutputFormat.SRT)
_SOURCE = doc(Cue(0, 2000, "Good morning"))
# rule -> (validator, document, index of the cue that breaks it)
CUE_RULE_EXAMPLES = {
    Rule.TIMING: (Validator(PLAIN), doc(Cue(2000, 2000, "Hi")), 0),
    Rule.EMPTY: (Validator(PLAIN), doc(Cue(0, 2000, "Hi"), Cue(2000, 4000, " ")), 1),
    Rule.ORDER: (Validator(PLAIN), doc(Cue(3000, 5000, "Two"), Cue(0, 2000, "One")), 1),
    Rule.OVERLAP: (Validator(PLAIN), doc(Cue(0, 2500, "One"), Cue(2000, 4000, "Two")), 1),
    Rule.MIN_GAP: (Validator(PLAIN), doc(Cue(0, 2000, "One"), Cue(2020, 4000, "Two")), 1),
    Rule.PAST_MEDIA_END: (Validator(PLAIN, media_duration_ms=3000), doc(Cue(1000, 4000, "Late")), 0),
    Rule.SRT_MARKUP: (Validator(PLAIN, _SRT), doc(Cue(0, 2000, "a < b")), 0),
    Rule.KALTURA_ENTITIES: (Validator(PLAIN, _SRT), doc(Cue(0, 2000, "Tom &amp; Jerry")), 0),
    Rule.LEADING_SPACE: (Validator(PLAIN), doc(Cue(0, 2000, "  Hi")), 0),
    Rule.MIN_DURATION: (Validator(PLAIN), doc(Cue(0, 300, "Hi")), 0),
    Rule.MAX_DURATION: (Validator(PLAIN), doc(Cue(0, 9000, "One two three four. Five six seven eight.")), 0),
    Rule.READING_SPEED: (
        Validator(PLAIN),
        doc(Cue(0, 1000, "Far too many words for one second"), Cue(9000, 10_000, "Later")),
        0,
    ),
    Rule.LINE_LENGTH: (
        Validator(ReachProfile(1, max_characters_per_caption_line=26)),
        doc(Cue(0, 4000, "This line is longer than twenty-six characters")),
        0,
    ),
    Rule.LINE_COUNT: (Validator(PLAIN), doc(Cue(0, 6000, "One\nTwo\nThree")), 0),
    Rule.SPEAKER_ID: (
        Validator(PLAIN, _SPEAKERS),
        doc(Cue(0, 2000, "Hello", "Ann"), Cue(2000, 4000, "Still me")),
        1,
    ),
    Rule.SPEAKER_CHANGE: (
        Validator(ReachProfile(1, enable_speaker_change_indication=True)),
        doc(Cue(0, 2000, "Hi", "Ann"), Cue(2000, 4000, "Hello")),
        1,
    ),
    Rule.PROFANITY: (
        Validator(ReachProfile(1, enable_profanity_removal=True)),
        doc(Cue(0, 3000, "Well, damn it.")),
        0,
    ),
    Rule.DICTIONARY: (
        Validator(PLAIN, dictionary_terms=["Kaltura"]),
        doc(Cue(0, 3000, "kaltura is here")),
        0,
    ),
    Rule.AUDIO_TAGS: (
        Validator(ReachProfile(1, enable_audio_tags=False)),
        doc(Cue(0, 2000, "[APPLAUSE] Thank you.")),
        0,
    ),
    Rule.SPEAKING_TIME: (  # 14 words at 160 wpm: 5.25 s, in a 2 s description
        Validator(PLAIN, kind="ead"),
        doc(
            Cue(0, 2000, "A woman in a yellow coat crosses the square and waves at the camera"),
            Cue(9000, 10_000, "Later."),
        ),
        0,
    ),
    Rule.UNTRANSLATED: (
        Validator(PLAIN, kind="translation", source=_SOURCE),
        doc(Cue(0, 2000, "Good morning")),
        0,
    ),
}


def test_every_rule_in_the_cue_table_has_an_example_here():
    from reach_studio.domain.validation import CUE_RULES

    assert len({e.rule for e in CUE_RULES}) == len(CUE_RULES)  # one entry per rule
    assert {e.rule for e in CUE_RULES} == set(CUE_RULE_EXAMPLES)


def _cue_rule_ids():
    from reach_studio.domain.validation import CUE_RULES

    return [str(e.rule) for e in CUE_RULES]


@pytest.mark.parametrize("name", _cue_rule_ids())
def test_each_cue_rule_says_what_is_wrong_and_its_fix_removes_it(name):
    from reach_studio.domain.validation import CUE_RULES

    entry = next(e for e in CUE_RULES if str(e.rule) == name)
    assert entry.checks.strip()
    validator, document, index = CUE_RULE_EXAMPLES[entry.rule]
    found = [f for f in validator.cue(document, index) if f.rule == entry.rule]
    assert found, f"the example of {name} does not trigger it"
    finding = found[0]
    assert finding.cue_index == index and finding.message.strip()
    assert finding.severity in ("error", "warning")
    if entry.fix is None:
        assert finding.fix is None
        return
    assert finding.fix is not None and finding.fix.description.strip()
    after = finding.fix.apply(document)
    assert entry.rule not in {f.rule for f in validator.document(after) if f.cue_index is not None}
