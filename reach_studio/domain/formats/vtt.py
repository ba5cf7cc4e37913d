"""WebVTT (.vtt): a strict reader keeping inline tags (the raw text, unlike webvtt-py's `Caption.text`),
voice spans as speakers, and a writer that escapes what WebVTT requires.

webvtt-py is the reference in tests; the reading is done here because webvtt-py alone needs more than the
whole 100 ms budget for 10,000 cues and reports no line numbers.
"""

from __future__ import annotations

import html
import re

from reach_studio.domain.caption_errors import CaptionParseError, excerpt
from reach_studio.domain.captions import CaptionDocument, Cue, DescriptionCue
from reach_studio.domain.formats._common import check_times, clean_lines, clock, render_text, split_speaker
from reach_studio.domain.formats.srt import TIMING_RE, parse_timing

_VOICE_OPEN = re.compile(r"^<v(?:\.[^\s>]*)?[ \t]+([^>\n]*)>")
_TAG = re.compile(
    r"</?(?:b|i|u|c|v|lang|ruby|rt)(?:\.[\w.-]*)?(?:[ \t][^<>\n]*)?>|<(?:\d+:)?\d{2}:\d{2}\.\d{3}>"
)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")
_HEADER_RE = re.compile(r"^WEBVTT(?:[ \t].*)?$")


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


def _blocks(text: str, name: str):
    """Yield (start_ms, end_ms, payload lines, line number) for each cue, skipping NOTE/STYLE/REGION."""
    lines = text.split("\n")
    n = len(lines)
    if not lines or not _HEADER_RE.match(lines[0].rstrip("\r")):
        raise CaptionParseError(
            name, 1, f"a WebVTT file starts with 'WEBVTT', found {excerpt(lines[0] if lines else '')}"
        )
    i = 1
    while i < n and lines[i].strip():  # header block
        i += 1
    timing_match = TIMING_RE.match
    while i < n:
        line = lines[i]
        if not line or line.isspace():
            i += 1
            continue
        if line.startswith(("NOTE", "STYLE", "REGION")) and "-->" not in line:
            while i < n and lines[i].strip():
                i += 1
            continue
        t = i
        if "-->" not in line:
            t = i + 1  # cue identifier
            if t >= n or "-->" not in lines[t]:
                raise CaptionParseError(
                    name,
                    i + 1,
                    f"expected a timing line like '00:00:01.000 --> 00:00:02.500' after {excerpt(line)}",
                )
        m = timing_match(lines[t])
        if m is None:
            raise CaptionParseError(name, t + 1, f"malformed timing line {excerpt(lines[t])}")
        start, end = parse_timing(m, name, t + 1)
        j = t + 1
        body: list[str] = []
        while j < n:
            ln = lines[j]
            if not ln or ln.isspace() or "-->" in ln:
                break
            body.append(ln.rstrip())
            j += 1
        yield start, end, body, t + 1
        i = j


def read_vtt(text: str, name: str = "<input>") -> CaptionDocument:
    """Parse WebVTT; raises `CaptionParseError` with the line of the first malformed block."""
    cues = [_payload_to_cue(s, e, body) for s, e, body, _ in _blocks(text, name)]
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
