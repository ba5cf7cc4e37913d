"""The documented thresholds and the audio-tag / speaker-label distinction every reader relies on."""

from __future__ import annotations

import pytest

from reach_studio.domain.caption_rules import (
    KALTURA_DEFAULT_CHARS_PER_LINE,
    RECOMMENDED_CHARS_PER_LINE,
    CaptionRules,
    contains_audio_tag,
    is_audio_tag_label,
)
from reach_studio.domain.task import ReachProfile


def test_defaults_follow_the_published_guidelines():
    rules = CaptionRules()
    assert (KALTURA_DEFAULT_CHARS_PER_LINE, RECOMMENDED_CHARS_PER_LINE) == (26, 32)
    assert rules.max_chars_per_line == 32 and rules.max_lines == 2
    assert (rules.min_duration_ms, rules.max_duration_ms, rules.min_gap_ms) == (833, 7000, 83)
    assert rules.max_chars_per_second == 20


@pytest.mark.parametrize("limit, expected", [(26, 26), (42, 42), (None, 32), (0, 32), (-5, 32)])
def test_the_profile_line_limit_wins_when_it_is_set(limit, expected):
    assert (
        CaptionRules.from_profile(ReachProfile(1, max_characters_per_caption_line=limit)).max_chars_per_line
        == expected
    )


def test_language_values_then_profile_then_explicit_overrides():
    assert CaptionRules.from_profile(None, "Japanese").max_chars_per_line == 13
    assert (
        CaptionRules.from_profile(
            ReachProfile(1, max_characters_per_caption_line=20), "Japanese"
        ).max_chars_per_line
        == 20
    )
    assert CaptionRules.from_profile(None, "Korean", max_lines=3).max_lines == 3
    assert CaptionRules.from_profile(None, "English (British)") == CaptionRules()


@pytest.mark.parametrize(
    "label, is_tag",
    [
        ("MUSIC", True),
        ("applause", True),
        ("DOOR SLAMS", True),
        ("upbeat music playing", True),
        ("laughs", True),
        ("Speaker 1", False),
        ("Interviewer", False),
        ("SPEAKER 2", False),
        ("JOHN", False),
        ("Dr. Smith", False),
    ],
)
def test_audio_tags_are_told_apart_from_speaker_labels(label, is_tag):
    assert is_audio_tag_label(label) is is_tag


def test_contains_audio_tag():
    assert (
        contains_audio_tag("♪ la la ♪")
        and contains_audio_tag("Well (sighs) fine")
        and contains_audio_tag("[MUSIC]")
    )
    assert not contains_audio_tag("[Speaker 1] Hello (my friend)")
