"""Metadata tags for profiles with enableMetadataExtraction, including multilingual tags for translations."""

from __future__ import annotations

from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.metadata_tags import extract_tags, merge_tags, multilingual_tags, transcript_text

EN = [
    "[MUSIC]",
    "[Host] Welcome to our lecture on photosynthesis.",
    "Photosynthesis turns sunlight into chemical energy.",
    "Chlorophyll in the leaves absorbs sunlight.",
    "Without chlorophyll, plants cannot perform photosynthesis.",
    "<i>Plants</i> store the chemical energy as glucose.",
]
FR = [
    "Bienvenue à notre cours sur la photosynthèse.",
    "La photosynthèse transforme la lumière du soleil en énergie chimique.",
    "La chlorophylle des feuilles absorbe la lumière.",
    "Sans chlorophylle, les plantes ne peuvent pas faire la photosynthèse.",
]


def _doc(lines, language):
    return CaptionDocument(
        [Cue(i * 2000, i * 2000 + 1900, t) for i, t in enumerate(lines)], language=language
    )


def test_transcript_text_drops_markup_labels_and_sound_tags():
    text = transcript_text(_doc(EN, "English"))
    assert "[" not in text and "<i>" not in text and "MUSIC" not in text
    assert text.startswith("Welcome to our lecture on photosynthesis.")


def test_english_tags_name_the_topic():
    tags = extract_tags(_doc(EN, "English"), limit=8)
    assert 0 < len(tags) <= 8
    lowered = [t.lower() for t in tags]
    assert any("photosynthesis" in t for t in lowered) and any("chlorophyll" in t for t in lowered)
    assert len(set(lowered)) == len(lowered)
    assert not any(t in ("the", "in", "without") for t in lowered)


def test_multilingual_tags_per_language_with_upper_case_codes():
    result = multilingual_tags({"English": _doc(EN, "English"), "French": _doc(FR, "French")}, limit=6)
    assert [r.language for r in result] == ["EN", "FR"]
    assert "photosynthèse" in result[1].value.lower()
    assert all("," not in tag for r in result for tag in [r.value.split(",")[0]])


def test_merge_tags_appends_without_duplicates():
    assert (
        merge_tags("biology, Lecture", ["lecture", "photosynthesis", "a,b"])
        == "biology,Lecture,photosynthesis,a b"
    )
    assert merge_tags(None, []) == ""


def test_empty_transcript_gives_no_tags():
    assert extract_tags(CaptionDocument([Cue(0, 1, "[MUSIC]")]), "English") == []
