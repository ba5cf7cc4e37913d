"""WebVTT (.vtt): a strict reader keeping inline tags (the raw text, unlike webvtt-py's `Caption.text`),
voice spans as speakers, and a writer that escapes what WebVTT requires.

webvtt-py is the reference in tests; the reading is done here because webvtt-py alone needs more than the
whole 100 ms budget for 10,000 cues and reports no line numbers.
"""

from __future__ import annotations

import html
import re

from reach_studio.domain.caption_errors import CaptionParseError, CaptionRepair, excerpt, grouped_repair
from reach_studio.domain.captions import CaptionDocument, Cue, DescriptionCue
from reach_studio.domain.formats._common import (
    HOURS_MS,
    MILLIS,
    MINUTES_MS,
    SECONDS_MS,
    check_times,
    clean_lines,
    clock,
    render_text,
    split_speaker,
)
from reach_studio.domain.formats.srt import dedupe_line, time_ms, why_not_a_timing

_VOICE_OPEN = re.compile(r"^<v(?:\.[^\s>]*)?[ \t]+([^>\n]*)>")
_TAG = re.compile(
    r"</?(?:b|i|u|c|v|lang|ruby|rt)(?:\.[\w.-]*)?(?:[ \t][^<>\n]*)?>|<(?:\d+:)?\d{2}:\d{2}\.\d{3}>"
)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")


def _unescape(text: str) -> str:
    if "&" not in text:
        return text
    return _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)


def _escape_plain(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("-->", "--&gt;")


def escape_payload(text: str) -> str:
    """Escape "&", stray "<" and "-->", keeping WebVTT tags such as <i> and <v Name>."""
    if "<" not in text:
        return _escape_plain(text)
    out = []
    pos = 0
    for m in _TAG.finditer(text):
        out.append(_escape_plain(text[pos : m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_escape_plain(text[pos:]))
    return "".join(out)


def _payload_to_cue(start: int, end: int, lines: list[str]) -> Cue:
    raw = "\n".join(lines)
    speaker = None
    if raw.startswith("<v"):
        m = _VOICE_OPEN.match(raw)
        if m:
            speaker = m.group(1).strip() or None
            raw = raw[m.end() :].replace("</v>", "")
    text = _unescape(raw)
    if speaker is None:
        speaker, text = split_speaker(text)
    else:
        label, rest = split_speaker(text)
        if label == speaker:
            text = rest
    return Cue(start, end, text, speaker)


_VT = r"(?:(\d{1,6}):)?(\d{2}):(\d{2})(?:([.,])(\d{1,3}))?"
VTT_TIMING_RE = re.compile(rf"^[ \t]*{_VT}[ \t]*-->[ \t]*{_VT}(?:[ \t](.*))?$")
_STYLE_OR_REGION = re.compile(r"^(?:STYLE|REGION)[ \t]*$")


def _is_note(line: str) -> bool:
    return line.startswith("NOTE") and (len(line) == 4 or line[4] in " \t")


def parse_vtt_timing(
    m: re.Match[str], name: str, line_no: int, repairs: list[CaptionRepair] | None
) -> tuple[int, int]:
    """(start_ms, end_ms) of a `VTT_TIMING_RE` match: `[HH:]MM:SS.mmm` as the W3C parser reads it; a ","
    or a missing or short fraction is read and listed in `repairs`, an impossible time refused."""
    h1, m1, s1, sep1, f1, h2, m2, s2, sep2, f2, settings = m.groups()
    if settings and repairs is not None and settings.strip():
        repairs.append(
            CaptionRepair("settings_dropped", line_no, f"cue settings left out: {excerpt(settings)}")
        )
    if sep1 == "." and sep2 == ".":  # the common case: no repairs
        try:
            return (
                HOURS_MS[h1] + MINUTES_MS[m1] + SECONDS_MS[s1] + MILLIS[f1],
                HOURS_MS[h2] + MINUTES_MS[m2] + SECONDS_MS[s2] + MILLIS[f2],
            )
        except KeyError:
            pass  # not [HH:]MM:SS.mmm with two-digit hours and minutes and seconds below 60
    line = m.string
    if (sep1 is None and h1 is None) or (sep2 is None and h2 is None):
        raise CaptionParseError(
            name, line_no, f"a time without milliseconds needs hours (HH:MM:SS): {excerpt(line)}"
        )
    first = len(repairs) if repairs is not None else 0
    start = time_ms(h1, m1, s1, sep1, f1, ".", line, name, line_no, repairs)
    end = time_ms(h2, m2, s2, sep2, f2, ".", line, name, line_no, repairs)
    if repairs is not None:
        dedupe_line(repairs, first)
    return start, end


def _blocks(
    text: str,
    name: str,
    repairs: list[CaptionRepair] | None = None,
    skipped: list[CaptionParseError] | None = None,
):
    """Yield (start_ms, end_ms, payload lines, timing line number) for each cue, following the W3C
    WebVTT parser: the header may be followed directly by a cue; a block is a cue when its first or
    second line holds "-->"; NOTE, STYLE and REGION blocks end at the first blank line whatever they hold.

    Where browsers silently drop a block (a cue whose timing cannot be read, text without any timing),
    this reader refuses it with its line, or, when `skipped` is given, leaves it out and lists it there."""
    lines = text.split("\n")
    n = len(lines)
    first_line = lines[0] if lines else ""
    if not (first_line == "WEBVTT" or first_line.startswith(("WEBVTT ", "WEBVTT\t"))):
        raise CaptionParseError(name, 1, f"a WebVTT file starts with 'WEBVTT', found {excerpt(first_line)}")
    i = 1
    while i < n and lines[i] and "-->" not in lines[i]:  # header block: ends at a blank line or a cue
        i += 1
    timing_match = VTT_TIMING_RE.match
    seen_cue = False
    # What WebVTT holds and a Cue cannot (identifiers, STYLE and REGION blocks): their lines, and where in
    # `repairs` the first one belongs, so each kind is listed once, in line order.
    left_out: dict[str, tuple[int, list[int]]] = {}
    while i < n:
        if not lines[i]:
            i += 1
            continue
        block_start = i
        buffer: list[str] = []
        line_count = 0
        seen_arrow = False
        cue: tuple[int, int, int] | None = None
        bad_timing: CaptionParseError | None = None
        special = False  # STYLE or REGION block
        while i < n:
            line = lines[i]
            line_count += 1
            i += 1
            if "-->" in line:
                if line_count == 1 or (line_count == 2 and not seen_arrow):
                    seen_arrow = True
                    at = len(repairs) if repairs is not None else 0
                    m = timing_match(line)
                    try:
                        if m is None:
                            raise CaptionParseError(
                                name, i, why_not_a_timing(line, "00:00:01.000 --> 00:00:02.500")
                            )
                        start, end = parse_vtt_timing(m, name, i, repairs)
                    except CaptionParseError as exc:
                        bad_timing = exc
                    else:
                        cue = (start, end, i)
                        if line_count == 2 and repairs is not None and buffer[0].strip():
                            _note(left_out, "cue_identifiers", i - 1, at)
                        buffer = []
                        seen_cue = True
                else:
                    i -= 1  # a line with "-->" past the second starts the next block
                    break
            elif not line:
                break
            else:
                if line_count == 2 and not seen_cue and buffer and _STYLE_OR_REGION.match(buffer[0]):
                    special = True
                buffer.append(line)
        if cue is not None:
            yield cue[0], cue[1], [ln.rstrip() for ln in buffer], cue[2]
            continue
        head = lines[block_start]
        if bad_timing is None and not any(ln.strip() for ln in buffer):
            continue  # lines of spaces between blocks
        if special or _is_note(head) or _STYLE_OR_REGION.match(head):
            if repairs is not None and not _is_note(head):  # comments are not content; styles are
                kind = "styles_dropped" if head.startswith("STYLE") else "regions_dropped"
                _note(left_out, kind, block_start + 1, len(repairs))
            continue  # comments and style/region definitions are not cues
        if bad_timing is None:
            bad_timing = CaptionParseError(
                name,
                block_start + 1,
                f"expected a timing line like '00:00:01.000 --> 00:00:02.500' in the block starting {excerpt(head)}",
            )
        if skipped is None:
            raise bad_timing
        skipped.append(
            CaptionParseError(name, bad_timing.line, f"left out, cannot be read: {bad_timing.message}")
        )
    if repairs is not None:
        for kind, (at, where) in sorted(
            left_out.items(), key=lambda it: (it[1][0], it[1][1][0]), reverse=True
        ):
            what, unit = _LEFT_OUT[kind]
            repairs.insert(at, grouped_repair(kind, where, what, unit))


_LEFT_OUT = {
    "cue_identifiers": ("cue identifiers left out", "cues"),
    "styles_dropped": ("STYLE blocks left out (the player's own caption style is used)", "blocks"),
    "regions_dropped": ("REGION blocks left out (captions show in the player's default place)", "blocks"),
}


def _note(left_out: dict[str, tuple[int, list[int]]], kind: str, line: int, at: int) -> None:
    entry = left_out.get(kind)
    if entry is None:
        left_out[kind] = (at, [line])
    else:
        entry[1].append(line)


def read_vtt(
    text: str,
    name: str = "<input>",
    repairs: list[CaptionRepair] | None = None,
    skipped: list[CaptionParseError] | None = None,
) -> CaptionDocument:
    """Parse WebVTT; raises `CaptionParseError` with the line of the first malformed block (or, with
    `skipped`, lists it there and goes on); `repairs` receives every variant read, with its line."""
    cues = [_payload_to_cue(s, e, body) for s, e, body, _ in _blocks(text, name, repairs, skipped)]
    return CaptionDocument(cues=cues, source_format="vtt")


def write_vtt(doc: CaptionDocument, speaker_style: str = "label") -> str:
    """WebVTT text; speakers shown in `speaker_style` as visible labels (what Kaltura's player displays)."""
    out = ["WEBVTT\n"]
    previous: str | None = None
    for k, cue in enumerate(doc.cues):
        check_times(cue, k)
        body = escape_payload("\n".join(clean_lines(render_text(cue, previous, speaker_style, k == 0))))
        out.append(f"{clock(cue.start_ms, '.')} --> {clock(cue.end_ms, '.')}\n{body}\n")
        previous = cue.speaker
    return "\n".join(out)


def read_ead_vtt(text: str, name: str = "<input>") -> list[DescriptionCue]:
    """Extended audio description cues from a WebVTT file (timestamps are the original video's)."""
    return [DescriptionCue(s, e, _unescape("\n".join(body))) for s, e, body, _ in _blocks(text, name)]


def write_ead_vtt(cues: list[DescriptionCue]) -> str:
    """WebVTT for Kaltura's extended audio description (captionAsset usage=1): one cue per description."""
    out = ["WEBVTT\n"]
    for k, cue in enumerate(sorted(cues, key=lambda c: (c.start_ms, c.end_ms))):
        check_times(Cue(cue.start_ms, cue.end_ms, cue.text), k)
        body = "\n".join(escape_payload(line) for line in clean_lines(cue.text))
        out.append(f"{clock(cue.start_ms, '.')} --> {clock(cue.end_ms, '.')}\n{body}\n")
    return "\n".join(out)
