"""Chapter lists in and out, for the chaptering editor's import/export.

Chapters reach Kaltura as thumb cue points (subType CHAPTER), not as a file, but linguists exchange them
as plain lists ("0:00 Intro", the form video platforms use in descriptions) or as WebVTT chapter tracks
(`kind="chapters"`). Both are read strictly, with `CaptionParseError` naming the line of a bad entry.
"""

from __future__ import annotations

import re

from reach_studio.domain.caption_errors import CaptionParseError, excerpt
from reach_studio.domain.captions import Chapter, Cue
from reach_studio.domain.formats._common import clock
from reach_studio.domain.formats.vtt import _blocks, _unescape, escape_payload

_LIST_LINE = re.compile(r"^\s*(?:(\d{1,3}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?\s*(?:[-–—:|]\s*)?(.*?)\s*$")
DESCRIPTION_SEPARATOR = " | "
LAST_CHAPTER_MS = 1000  # a VTT cue needs an end: the last chapter runs to the media end, or this long


def read_chapter_list(text: str, name: str = "<input>") -> list[Chapter]:
    """ "[H:]MM:SS[.mmm] Title[ | description]" per line; blank lines and "#" comments are skipped."""
    chapters: list[Chapter] = []
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _LIST_LINE.match(line)
        if not m:
            raise CaptionParseError(
                name, number, f"expected a time and a title like '1:30 Results', found {excerpt(line)}"
            )
        hours, minutes, seconds, frac, rest = m.groups()
        if int(minutes) > 59 and hours is not None or int(seconds) > 59:
            raise CaptionParseError(name, number, f"impossible time in {excerpt(line)}")
        start = ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(
            (frac or "").ljust(3, "0")
        )
        title, _, description = rest.partition(DESCRIPTION_SEPARATOR.strip())
        if not title.strip():
            raise CaptionParseError(name, number, "the chapter has no title")
        chapters.append(Chapter(start, title.strip(), description.strip()))
    return chapters


def write_chapter_list(chapters: list[Chapter]) -> str:
    lines = []
    for ch in sorted(chapters, key=lambda c: c.start_ms):
        stamp = clock(ch.start_ms, ".")
        stamp = stamp.removesuffix(".000")
        line = f"{stamp} {ch.title.replace(chr(10), ' ')}"
        if ch.description:
            line += DESCRIPTION_SEPARATOR + ch.description.replace("\n", " ")
        lines.append(line)
    return "\n".join(lines) + ("\n" if lines else "")


def read_chapters_vtt(text: str, name: str = "<input>") -> list[Chapter]:
    """A WebVTT chapter track: each cue's first line is the title, further lines the description."""
    chapters = []
    for start, _end, body, line in _blocks(text.replace("\r\n", "\n"), name):
        lines = [_unescape(b) for b in body]
        if not lines or not lines[0].strip():
            raise CaptionParseError(name, line, "the chapter cue has no title")
        chapters.append(Chapter(start, lines[0].strip(), "\n".join(lines[1:]).strip()))
    return chapters


def write_chapters_vtt(chapters: list[Chapter], media_duration_ms: int | None = None) -> str:
    """WebVTT chapter track: each chapter lasts until the next one starts (the last to the media end)."""
    ordered = sorted(chapters, key=lambda c: c.start_ms)
    out = ["WEBVTT\n"]
    for k, ch in enumerate(ordered):
        if k + 1 < len(ordered):
            end = ordered[k + 1].start_ms
        elif media_duration_ms is not None and media_duration_ms > ch.start_ms:
            end = media_duration_ms
        else:
            end = ch.start_ms + LAST_CHAPTER_MS
        end = max(end, ch.start_ms + 1)
        body = escape_payload(ch.title.replace("\n", " "))
        if ch.description:
            body += "\n" + "\n".join(
                escape_payload(line) for line in ch.description.split("\n") if line.strip()
            )
        out.append(f"chapter-{k + 1}\n{clock(ch.start_ms, '.')} --> {clock(end, '.')}\n{body}\n")
    return "\n".join(out)


def chapters_from_cues(cues: list[Cue]) -> list[Chapter]:
    """Chapters from caption-like cues (e.g. a chapter track read with `read_captions`)."""
    return [
        Chapter(c.start_ms, c.lines[0].strip(), "\n".join(c.lines[1:]).strip())
        for c in cues
        if c.text.strip()
    ]
