"""How long a description takes to speak, for audio description and extended audio description.

Describers write to a slot (the pause before the next dialogue); a spoken estimate at the describer's
rate says whether the text fits before anything is recorded. Words for spaced scripts; for Chinese and
Japanese (no spaces) characters, at a rate of about twice the word rate.
"""

from __future__ import annotations

import re

DEFAULT_WPM = 160  # a calm description voice (AD guidelines cite 150-180 words per minute)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def estimate_ms(text: str, wpm: int = DEFAULT_WPM) -> int:
    """Milliseconds to speak `text` at `wpm` words per minute (0 for empty text)."""
    wpm = max(40, int(wpm))
    cjk = len(_CJK.findall(text))
    words = len(_CJK.sub(" ", text).split())
    units = words + cjk / 2
    return round(units * 60_000 / wpm)


def fit_note(
    text: str, slot_ms: int | None, wpm: int = DEFAULT_WPM, within: str = "before the next dialogue"
) -> tuple[str, bool]:
    """(a line for the editor, fits) — e.g. "≈ 3.2 s at 160 wpm; 0.8 s too long for the 2.4 s before the next
    dialogue". `slot_ms` None: no slot known, only the estimate. `within` names the slot (a dub line is
    measured against "of the original line", not a pause)."""
    need = estimate_ms(text, wpm)
    head = f"≈ {need / 1000:.1f} s to speak at {wpm} wpm"
    if slot_ms is None or not text.strip():
        return head, True
    if need <= slot_ms:
        return f"{head}; fits the {slot_ms / 1000:.1f} s {within}", True
    return (
        (f"{head}; ⚠ {(need - slot_ms) / 1000:.1f} s too long for the {slot_ms / 1000:.1f} s {within}"),
        False,
    )
