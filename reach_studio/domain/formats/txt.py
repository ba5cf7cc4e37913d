"""Plain-text transcripts (.txt): paragraphs of text, a speaker label at each change of speaker.

Kaltura attaches TXT transcripts next to the captions (vendor guide: "Related files (ie. transcripts):
TXT, DFXP"). A transcript has no timing, so reading one gives untimed cues (0 ms) for alignment or
translation work, and a round trip keeps text and speakers, not timing.
"""

from __future__ import annotations

import re

from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.formats._common import render_text, split_speaker

_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
PARAGRAPH_GAP_MS = 3000  # a pause this long starts a new paragraph
PARAGRAPH_CHARS = 600  # and so does a long paragraph reaching a sentence end


def write_txt(doc: CaptionDocument, speaker_style: str = "label") -> str:
    paragraphs: list[str] = []
    current: list[str] = []
    current_len = 0
    previous_speaker: str | None = None
    previous_end: int | None = None
    for k, cue in enumerate(doc.cues):
        flat = " ".join(line.strip() for line in cue.text.split("\n") if line.strip())
        new_speaker = k == 0 or cue.speaker != previous_speaker
        long_pause = previous_end is not None and cue.start_ms - previous_end >= PARAGRAPH_GAP_MS
        full = current_len >= PARAGRAPH_CHARS and current and _SENTENCE_END.search(current[-1])
        if current and (new_speaker or long_pause or full):
            paragraphs.append(" ".join(current))
            current, current_len = [], 0
        if not current:
            flat = render_text(
                Cue(cue.start_ms, cue.end_ms, flat, cue.speaker), previous_speaker, speaker_style, k == 0
            )
        if flat:
            current.append(flat)
            current_len += len(flat)
        previous_speaker, previous_end = cue.speaker, cue.end_ms
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs) + ("\n" if paragraphs else "")


def read_txt(text: str, name: str = "<input>") -> CaptionDocument:
    """Untimed cues: one per paragraph, and a new one wherever a line starts with a speaker label."""
    cues: list[Cue] = []
    for block in re.split(r"\n[ \t]*\n", text):
        current: list[str] = []
        speaker: str | None = None
        for line in block.split("\n"):
            line = line.strip()
            if not line:
                continue
            label, rest = split_speaker(line)
            if label is not None:
                if current or speaker is not None:
                    cues.append(Cue(0, 0, "\n".join(current), speaker))
                current, speaker = ([rest] if rest else []), label
            else:
                current.append(line)
        if current or speaker is not None:
            cues.append(Cue(0, 0, "\n".join(current), speaker))
    return CaptionDocument(cues=cues, source_format="txt")
