"""SubRip (.srt): a reader that reports the line of every malformed cue, and a plain writer.

Times are read as SRT's common readers (ffmpeg, pysrt, Kaltura's srtCaptionsContentManager) define them,
`HH:MM:SS,mmm` with the hours always present and never ":" before the fraction, or refused with their
line. Variants whose intent is clear are read and listed as repairs (`CaptionRepair`) when the caller
asks for them: "." as the fraction separator, `HH:MM:SS` without a fraction, a missing blank line, gaps
in the numbering.

pysrt stays the reference implementation (tests check that it reads what we write and that we read
what it reads), but it drops malformed cues silently and gives no line numbers, so the reading itself
is done here in one pass, which also keeps a 10,000-cue file well under the 100 ms budget.
"""

from __future__ import annotations

import re

from reach_studio.domain.caption_errors import CaptionParseError, CaptionRepair, excerpt
from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.formats._common import (
    HOURS_MS,
    MILLIS,
    MINUTES_MS,
    SECONDS_MS,
    check_times,
    clean_lines,
    clock,
    fraction_ms,
    render_text,
    split_speaker,
)

_T = r"(\d{1,6}):(\d{1,2}):(\d{1,2})(?:([,.])(\d{1,3}))?"
TIMING_RE = re.compile(rf"^[ \t]*{_T}[ \t]*-->[ \t]*{_T}(?:[ \t](.*))?$")
_NEAR_TIME = re.compile(r"\d+(?:[:,.]\d+)*")


def why_not_a_timing(line: str, example: str = "00:00:01,000 --> 00:00:02,500") -> str:
    """Why a line with "-->" is not a timing line, in the linguist's terms (error path only)."""
    for found in _NEAR_TIME.findall(line):
        if re.fullmatch(r"\d+:\d+:\d+:\d+", found):
            return f"':' is not a fraction separator (write HH:MM:SS,mmm): {excerpt(line)}"
        if re.fullmatch(r"\d+:\d+:\d+[,.]\d{4,}", found):
            return f"a time has more than 3 digits of milliseconds: {excerpt(line)}"
        if (
            re.fullmatch(r"\d+(?:[,.]\d+)?|\d+:\d+(?:[,.]\d+)?", found)
            and example[2] == ":"
            and "," in example
        ):
            return f"SRT times need hours, minutes and seconds (HH:MM:SS,mmm): {excerpt(line)}"
    return f"malformed timing line {excerpt(line)} (expected e.g. '{example}')"


def time_ms(
    h: str | None,
    mi: str,
    s: str,
    sep: str | None,
    frac: str | None,
    wanted_sep: str,
    line: str,
    name: str,
    line_no: int,
    repairs: list[CaptionRepair] | None,
) -> int:
    """Milliseconds of one matched time; variants are listed in `repairs`, impossible values refused."""
    minutes, seconds = int(mi), int(s)
    if minutes > 59 or seconds > 59:
        raise CaptionParseError(
            name, line_no, f"impossible time (minutes or seconds over 59): {excerpt(line)}"
        )
    if sep is None:
        if repairs is not None:
            repairs.append(
                CaptionRepair(
                    "time_without_fraction",
                    line_no,
                    "time without milliseconds (HH:MM:SS) read as whole seconds",
                )
            )
        frac_ms = 0
    else:
        # Milliseconds as a number, as ffmpeg, pysrt and Kaltura's srtCaptionsContentManager read them:
        # ",5" is 5 ms there, so it is 5 ms here too (listed, since 0.5 s may have been meant).
        frac_ms = int(frac) if frac else 0
        if repairs is not None:
            if sep != wanted_sep:
                repairs.append(
                    CaptionRepair(
                        "fraction_separator",
                        line_no,
                        f"'{sep}' read as the fraction separator '{wanted_sep}'",
                    )
                )
            if frac and len(frac) < 3:
                repairs.append(
                    CaptionRepair(
                        "short_fraction",
                        line_no,
                        f"'{sep}{frac}' read as {frac_ms} ms, as ffmpeg, pysrt and Kaltura read it "
                        f"(if {fraction_ms(frac)} ms was meant, correct the time)",
                    )
                )
    return ((int(h or 0) * 60 + minutes) * 60 + seconds) * 1000 + frac_ms


def dedupe_line(repairs: list[CaptionRepair], first: int) -> None:
    """Keep one repair of each message per timing line (the start and end usually share a variant)."""
    if len(repairs) - first > 1:
        seen: set[tuple[str, str]] = set()
        kept = []
        for r in repairs[first:]:
            if (r.kind, r.message) not in seen:
                seen.add((r.kind, r.message))
                kept.append(r)
        repairs[first:] = kept


def parse_timing(
    m: re.Match[str], name: str, line_no: int, repairs: list[CaptionRepair] | None = None
) -> tuple[int, int]:
    """(start_ms, end_ms) of a `TIMING_RE` match."""
    h1, m1, s1, sep1, f1, h2, m2, s2, sep2, f2, settings = m.groups()
    if sep1 == "," and sep2 == ",":  # the common case: no repairs
        try:
            start = HOURS_MS[h1] + MINUTES_MS[m1] + SECONDS_MS[s1] + MILLIS[f1]
            end = HOURS_MS[h2] + MINUTES_MS[m2] + SECONDS_MS[s2] + MILLIS[f2]
        except KeyError:
            pass  # not HH:MM:SS,mmm with minutes and seconds below 60
        else:
            if settings and repairs is not None and settings.strip():
                repairs.append(_settings_dropped(settings, line_no))
            return start, end
    line = m.string
    first = len(repairs) if repairs is not None else 0
    start = time_ms(h1, m1, s1, sep1, f1, ",", line, name, line_no, repairs)
    end = time_ms(h2, m2, s2, sep2, f2, ",", line, name, line_no, repairs)
    if repairs is not None:
        dedupe_line(repairs, first)
        if settings and settings.strip():
            repairs.append(_settings_dropped(settings, line_no))
    return start, end


def _settings_dropped(settings: str, line_no: int) -> CaptionRepair:
    return CaptionRepair("settings_dropped", line_no, f"text after the times left out: {excerpt(settings)}")


def read_srt(
    text: str,
    name: str = "<input>",
    repairs: list[CaptionRepair] | None = None,
    skipped: list[CaptionParseError] | None = None,
) -> CaptionDocument:
    """Parse SRT text; raises `CaptionParseError` with the line number of the first malformed cue.

    `repairs`, when given, receives every variant read with its line. `skipped`, when given, makes the
    reader keep going past a malformed cue: the cue is left out and its error appended there instead."""
    lines = text.split("\n")
    n = len(lines)
    cues: list[Cue] = []
    timing_match = TIMING_RE.match
    previous_number: int | None = None
    i = 0
    while i < n:
        line = lines[i]
        if not line or line.isspace():
            i += 1
            continue
        try:
            i, previous_number = _read_cue(lines, i, name, cues, previous_number, repairs, timing_match)
        except CaptionParseError as exc:
            if skipped is None:
                raise
            skipped.append(CaptionParseError(name, exc.line, f"left out, cannot be read: {exc.message}"))
            i = max(i + 1, (exc.line or 0))
            previous_number = None  # the numbering goes on from the cue left out
            while i < n and lines[i].strip():
                i += 1
    return CaptionDocument(cues=cues, source_format="srt")


def _read_cue(lines, i, name, cues, previous_number, repairs, timing_match):
    """Read the cue starting at line index `i`; returns the index after it and its number."""
    n = len(lines)
    stripped = lines[i].strip()
    number = None
    if stripped.isdecimal():
        number = int(stripped)
        t = i + 1
        if t >= n or not lines[t].strip():
            raise CaptionParseError(name, i + 1, f"cue number {stripped} is not followed by a timing line")
    else:
        t = i
    m = timing_match(lines[t])
    if m is None:
        if "-->" in lines[t]:
            raise CaptionParseError(name, t + 1, why_not_a_timing(lines[t]))
        raise CaptionParseError(
            name,
            t + 1,
            f"expected a cue number or a timing line like '00:00:01,000 --> 00:00:02,500', found {excerpt(lines[t])}",
        )
    start, end = parse_timing(m, name, t + 1, repairs)
    if repairs is not None:
        if number is None:
            repairs.append(CaptionRepair("numbering", t + 1, "cue without a number: numbered"))
        elif previous_number is not None and number != previous_number + 1:
            repairs.append(
                CaptionRepair(
                    "numbering", i + 1, f"cue number {number} after {previous_number}: renumbered in order"
                )
            )
    j = t + 1
    body: list[str] = []
    while j < n:
        ln = lines[j]
        if not ln or ln.isspace():
            break
        if "-->" in ln and timing_match(ln):
            if repairs is not None:
                repairs.append(
                    CaptionRepair("missing_blank_line", j + 1, "blank line missing before this cue")
                )
            break
        if ln[-1:].isdecimal() and ln.strip().isdecimal() and j + 1 < n and timing_match(lines[j + 1]):
            if repairs is not None:
                repairs.append(
                    CaptionRepair("missing_blank_line", j + 1, "blank line missing before this cue")
                )
            break
        body.append(ln.rstrip())
        j += 1
    speaker, body_text = split_speaker("\n".join(body))
    cues.append(Cue(start, end, body_text, speaker))
    return j, number if number is not None else previous_number


def write_srt(doc: CaptionDocument, speaker_style: str = "label") -> str:
    """SRT text (numbered from 1, "\\n" line ends); speakers shown in `speaker_style`."""
    out: list[str] = []
    previous: str | None = None
    for k, cue in enumerate(doc.cues):
        check_times(cue, k)
        body = "\n".join(clean_lines(render_text(cue, previous, speaker_style, k == 0)))
        out.append(f"{k + 1}\n{clock(cue.start_ms)} --> {clock(cue.end_ms)}\n{body}\n")
        previous = cue.speaker
    return "\n".join(out)
