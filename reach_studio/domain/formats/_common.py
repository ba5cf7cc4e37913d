"""Helpers every caption format shares: timestamps, speaker marks and text normalisation.

Speakers live in `Cue.speaker`, apart from the text. On disk they are shown the way Kaltura asks for
(vendor guide: "[Speaker 1]" labels when the catalog item has `enableSpeakerId`, ">>" at each change when
the profile has `enableSpeakerChangeIndication`), and read back from the same marks.
"""

from __future__ import annotations

import re
from typing import Literal

from reach_studio.domain.caption_errors import CaptionWriteError
from reach_studio.domain.caption_rules import is_audio_tag_label
from reach_studio.domain.captions import Cue

SpeakerStyle = Literal["label", "change", "both", "none"]
"""How speakers are shown in a written file: "[Name] text", ">> text" at each change, both, or not at all."""

SPEAKER_STYLES: tuple[str, ...] = ("label", "change", "both", "none")

_LEADING_LABEL = re.compile(r"^(>>\s*)?\[([^\[\]\n]{1,40})\](?:[ \t]+|$)")
CHANGE_MARK = ">>"


def split_speaker(text: str) -> tuple[str | None, str]:
    """("Speaker 1", "Hello") for "[Speaker 1] Hello" or ">> [Speaker 1] Hello"; audio tags stay in the text."""
    if not text or (text[0] != "[" and text[0] != ">"):
        return None, text
    m = _LEADING_LABEL.match(text)
    if not m:
        return None, text
    label = m.group(2).strip()
    if not label or is_audio_tag_label(label):
        return None, text
    return label, text[m.end() :]


def render_text(cue: Cue, previous_speaker: str | None, style: str, first: bool) -> str:
    """The cue text with its speaker shown in `style` (see `SpeakerStyle`)."""
    text = cue.text
    speaker = cue.speaker
    if not speaker or style == "none":
        return text
    if style not in SPEAKER_STYLES:
        raise CaptionWriteError(f"unknown speaker style {style!r}; use one of {', '.join(SPEAKER_STYLES)}")
    parts = []
    changed = first or speaker != previous_speaker
    if style in ("change", "both") and changed and not text.startswith(CHANGE_MARK):
        parts.append(CHANGE_MARK)
    if style in ("label", "both"):
        parts.append(f"[{speaker_label(speaker)}]")
    if not parts:
        return text
    prefix = " ".join(parts)
    return f"{prefix} {text}" if text else prefix


def speaker_label(speaker: str) -> str:
    """The name as it can stand inside "[...]" on one line (brackets and line breaks would end the label)."""
    if "[" in speaker or "]" in speaker or "\n" in speaker:
        speaker = " ".join(speaker.replace("[", "(").replace("]", ")").split())
    return speaker


def clean_lines(text: str) -> list[str]:
    """Lines as a file can hold them: no trailing spaces, no blank lines (they would end the cue)."""
    if "\n" not in text:
        line = text.rstrip()
        return [line] if line and not line.isspace() else []
    return [line.rstrip() for line in text.split("\n") if line.strip()]


def check_times(cue: Cue, index: int) -> None:
    if cue.start_ms < 0 or cue.end_ms < 0:
        raise CaptionWriteError(f"cue {index + 1} has a negative time ({cue.start_ms} → {cue.end_ms} ms)")


_HOURS = [f"{h:02d}:" for h in range(100)]
_MINUTES_SECONDS = [f"{m:02d}:{s:02d}" for m in range(60) for s in range(60)]
_MILLIS = [f"{f:03d}" for f in range(1000)]


def clock(ms: int, sep: str = ",") -> str:
    """HH:MM:SS,mmm (SRT) or HH:MM:SS.mmm (VTT, TTML). Built from small tables of the parts: a writer calls
    this twice per cue, and formatting four numbers took a quarter of its time."""
    if 0 <= ms < 360_000_000:
        seconds, millis = divmod(ms, 1000)
        hours, rest = divmod(seconds, 3600)
        return _HOURS[hours] + _MINUTES_SECONDS[rest] + sep + _MILLIS[millis]
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, rem = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{rem:03d}"


# Milliseconds of each two-digit hour, minute and second and each three-digit fraction: the readers' common
# case (HH:MM:SS,mmm) is four look-ups per time, which also refuse minutes or seconds over 59 (no key);
# anything else goes the general, slower way. A VTT time without hours has None there.
HOURS_MS: dict[str | None, int] = {f"{h:02d}": h * 3_600_000 for h in range(100)}
HOURS_MS[None] = 0
MINUTES_MS = {f"{m:02d}": m * 60_000 for m in range(60)}
SECONDS_MS = {f"{s:02d}": s * 1000 for s in range(60)}
MILLIS = {f"{f:03d}": f for f in range(1000)}


def fraction_ms(digits: str) -> int:
    """Milliseconds of a decimal fraction: "5" -> 500, "05" -> 50, "0504" -> 50 (truncated)."""
    return int((digits + "000")[:3]) if digits else 0
