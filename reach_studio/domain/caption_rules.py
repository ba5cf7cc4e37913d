"""Every caption threshold the validator and the fixes use, in one place, with where each comes from.

The REACH profile only fixes a few things (characters per line, speaker marks, profanity, audio tags,
output format). Everything else comes from published captioning guidelines, so a linguist can see why a
cue is flagged:

- DCMP: Described and Captioned Media Program, "Captioning Key" (US; 32 characters per line, at most
  two lines, speaker identification in brackets, sound tags in brackets).
- BBC: BBC "Subtitle Guidelines" v1.2 (at most two lines, reading rate about 160-180 words per minute,
  i.e. roughly 0.33 s per word; gaps so the eye sees a change of subtitle).
- Netflix: "Timed Text Style Guide: General Requirements" (minimum duration 5/6 s = 20 frames at 24 fps,
  maximum duration 7 s, minimum gap 2 frames, 42 characters per line for Latin scripts, reading speed
  20 characters per second for adult English programmes).
- Kaltura REACH: the profile's `maxCharactersPerCaptionLine` default is 26; 32 is recommended (DCMP).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

# Kaltura REACH profile default and the value Kaltura recommends (DCMP's 32).
KALTURA_DEFAULT_CHARS_PER_LINE = 26
RECOMMENDED_CHARS_PER_LINE = 32


@dataclass(frozen=True)
class CaptionRules:
    """Thresholds for one validation run. `from_profile` fills in what the REACH profile says."""

    max_chars_per_line: int = RECOMMENDED_CHARS_PER_LINE  # profile, else DCMP/Kaltura recommendation
    max_lines: int = 2  # DCMP, BBC and Netflix all say two lines at most
    min_duration_ms: int = 833  # Netflix: 5/6 of a second (20 frames at 24 fps)
    max_duration_ms: int = 7000  # Netflix: 7 seconds
    max_chars_per_second: float = 20.0  # Netflix, adult English; BBC's 160-180 wpm is about the same
    min_gap_ms: int = 83  # Netflix: 2 frames at 24 fps between consecutive events
    speaker_label_max_chars: int = 40  # longer bracketed text is a sentence, not a name

    @classmethod
    def from_profile(
        cls, profile: object | None, language: str | None = None, **overrides: object
    ) -> CaptionRules:
        """Rules for a REACH profile and the caption language (a KalturaCatalogItemLanguage name): the
        language's guideline values first, then the profile's `max_characters_per_caption_line`, which
        always wins when set."""
        rules = cls()
        per_language = LANGUAGE_RULES.get((language or "").split(" (")[0])
        if per_language:
            rules = replace(rules, **per_language)  # type: ignore[arg-type]
        limit = getattr(profile, "max_characters_per_caption_line", None) if profile is not None else None
        if isinstance(limit, int) and limit > 0:
            rules = replace(rules, max_chars_per_line=limit)
        if overrides:
            rules = replace(rules, **overrides)  # type: ignore[arg-type]
        return rules


DEFAULT_RULES = CaptionRules()

# Languages whose guideline values differ from the Latin-script defaults (Netflix timed-text style guides
# for Japanese, Chinese and Korean: characters per line and reading speed in characters per second).
LANGUAGE_RULES: dict[str, dict[str, float]] = {
    "Japanese": {"max_chars_per_line": 13, "max_chars_per_second": 4},
    "Chinese": {"max_chars_per_line": 16, "max_chars_per_second": 9},
    "Simplified Chinese": {"max_chars_per_line": 16, "max_chars_per_second": 9},
    "Traditional Chinese": {"max_chars_per_line": 16, "max_chars_per_second": 7},
    "Mandarin Chinese": {"max_chars_per_line": 16, "max_chars_per_second": 9},
    "Taiwanese Mandarin": {"max_chars_per_line": 16, "max_chars_per_second": 7},
    "Cantonese": {"max_chars_per_line": 16, "max_chars_per_second": 7},
    "Korean": {"max_chars_per_line": 16, "max_chars_per_second": 12},
}

# Sound and music tags (DCMP "Sound Effects" and "Music" sections; BBC "Sound effects"). A bracketed
# label containing one of these words is an audio tag, not a speaker name.
AUDIO_TAG_WORDS: frozenset[str] = frozenset(
    [
        "music",
        "musical",
        "singing",
        "sings",
        "hums",
        "humming",
        "applause",
        "applauding",
        "clapping",
        "claps",
        "laughter",
        "laughs",
        "laughing",
        "chuckles",
        "chuckling",
        "giggles",
        "giggling",
        "cheering",
        "cheers",
        "cheer",
        "crowd",
        "audience",
        "silence",
        "silent",
        "inaudible",
        "indistinct",
        "unintelligible",
        "crosstalk",
        "coughs",
        "coughing",
        "sighs",
        "sighing",
        "sneezes",
        "gasps",
        "gasping",
        "groans",
        "screams",
        "screaming",
        "cries",
        "crying",
        "sobs",
        "sobbing",
        "whispers",
        "whispering",
        "whistles",
        "whistling",
        "footsteps",
        "knocking",
        "knocks",
        "doorbell",
        "ringing",
        "beeps",
        "beeping",
        "buzzing",
        "thunder",
        "explosion",
        "gunshot",
        "gunshots",
        "sirens",
        "siren",
        "barking",
        "barks",
        "noise",
        "noises",
        "background",
        "playing",
        "plays",
        "instrumental",
        "upbeat",
        "dramatic",
        "soft",
        "sound",
        "sounds",
        "speaking",
        "foreign",
        "language",
        "pause",
    ]
)

AUDIO_TAG_RE = re.compile(r"\[([^\[\]\n]{1,60})\]|\(([^()\n]{1,60})\)|♪")
"""Bracketed or parenthesised sound descriptions, or a music note."""


@lru_cache(maxsize=4096)  # labels repeat ("Speaker 1", "MUSIC"): readers ask thousands of times per file
def is_audio_tag_label(label: str) -> bool:
    """True when bracketed text describes a sound ("MUSIC", "door slams"), not a speaker ("Speaker 1")."""
    words = re.findall(r"[^\W\d_]+", label.lower())
    if not words:
        return False
    if any(w in AUDIO_TAG_WORDS for w in words):
        return True
    letters = [ch for ch in label if ch.isalpha()]
    # DCMP writes sound effects in capitals ("[DOOR SLAMS]"); a capitalised name with a digit
    # ("[SPEAKER 1]") is still a speaker.
    return (
        bool(letters) and label.upper() == label and not any(ch.isdigit() for ch in label) and len(words) > 1
    )


def contains_audio_tag(text: str) -> bool:
    """True when the text holds a sound tag such as "[MUSIC]", "(applause)" or a music note."""
    for m in AUDIO_TAG_RE.finditer(text):
        if m.group(0) == "♪":
            return True
        label = m.group(1) or m.group(2)
        if label and is_audio_tag_label(label):
            return True
    return False
