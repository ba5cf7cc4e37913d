"""Split, merge and reflow for the editors, over the caption core's fixes where they exist.

The line breaking itself is the caption core's (`domain/line_breaking.py`); the editors only decide
where the user asked to split (the text cursor) and how to share the time out.
"""

from __future__ import annotations

from reach_studio.domain.caption_rules import CaptionRules
from reach_studio.domain.captions import Cue
from reach_studio.domain.edit_ops import MIN_CUE_MS, EditError
from reach_studio.domain.line_breaking import balanced_lines
from reach_studio.domain.task import Task


def _max_chars(task: Task | None) -> int:
    return CaptionRules.from_profile(task.reach_profile if task else None).max_chars_per_line


def split(cue: Cue, at: int | None, task: Task | None = None) -> list[Cue]:
    """Two cues from one: at text position `at` (else the middle word); time shared by text length."""
    text = cue.text
    words = text.split()
    if at is None or not 0 < at < len(text):
        if len(words) < 2:
            raise EditError("there is nothing to split: the cue has fewer than two words")
        half = len(words) // 2
        first, second = " ".join(words[:half]), " ".join(words[half:])
    else:
        first, second = text[:at].strip(), text[at:].strip()
    if not first or not second:
        raise EditError("put the text cursor between two words to split there")
    duration = cue.end_ms - cue.start_ms
    if duration < 2 * MIN_CUE_MS:
        raise EditError(f"the cue is too short to split ({duration} ms)")
    share = len(first) / (len(first) + len(second))
    cut = cue.start_ms + max(MIN_CUE_MS, min(duration - MIN_CUE_MS, int(round(duration * share))))
    limit = _max_chars(task)
    return [Cue(cue.start_ms, cut, "\n".join(balanced_lines(first, limit)), cue.speaker),
            Cue(cut, cue.end_ms, "\n".join(balanced_lines(second, limit)), cue.speaker)]


def merge(a: Cue, b: Cue, task: Task | None = None) -> Cue:
    """One cue spanning both, text joined and re-broken."""
    text = " ".join(f"{a.text} {b.text}".split())
    speaker = a.speaker
    if a.speaker and b.speaker and a.speaker != b.speaker:
        text = " ".join(a.text.split()) + "\n>> " + " ".join(b.text.split())
        return Cue(a.start_ms, max(a.end_ms, b.end_ms), text, speaker)
    return Cue(a.start_ms, max(a.end_ms, b.end_ms), "\n".join(balanced_lines(text, _max_chars(task))), speaker)


def reflow(cue: Cue, task: Task | None = None) -> str:
    """The cue's text re-broken into balanced lines within the profile's line length."""
    return "\n".join(balanced_lines(cue.text, _max_chars(task)))
