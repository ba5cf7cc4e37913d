"""DFXP / TTML: a hardened reader (defusedxml: no DTDs, no entity expansion, no external entities) and a
writer of valid TTML 1 (the namespaces Kaltura's DFXP caption assets use).

Speakers are carried as `ttm:agent` references to `<ttm:agent>` declarations in the head, so they survive
a round trip even when no visible "[Name]" label is written. Italic, bold and underline spans map to the
<i>, <b> and <u> tags the SRT/VTT text uses.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import ParseError
from xml.sax.saxutils import escape, quoteattr

from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from reach_studio.domain.caption_errors import CaptionParseError, excerpt
from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.enums import LANGUAGE_CODES, language_code
from reach_studio.domain.formats._common import (
    CHANGE_MARK,
    check_times,
    clean_lines,
    clock,
    render_text,
    split_speaker,
)

TT_NS = "http://www.w3.org/ns/ttml"
TTS_NS = "http://www.w3.org/ns/ttml#styling"
TTP_NS = "http://www.w3.org/ns/ttml#parameter"
TTM_NS = "http://www.w3.org/ns/ttml#metadata"
XML_NS = "http://www.w3.org/XML/1998/namespace"

_CODE_TO_LANGUAGE = {code.lower(): name for name, code in reversed(list(LANGUAGE_CODES.items()))}
_CLOCK = re.compile(r"^(\d{1,4}):(\d{1,2}):(\d{1,2})(?:\.(\d+)|:(\d+)(?:\.(\d+))?)?$")
_OFFSET = re.compile(r"^(\d+(?:\.\d+)?)(h|m|s|ms|f|t)$")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_STYLE_TAG = re.compile(r"<(/?)([ibu])>")
_SPAN_FOR = {
    "i": '<span tts:fontStyle="italic">',
    "b": '<span tts:fontWeight="bold">',
    "u": '<span tts:textDecoration="underline">',
}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _Node:
    __slots__ = ("attrib", "children", "line", "tag")

    def __init__(self, tag: str, attrib: dict[str, str], line: int) -> None:
        self.tag = tag
        self.attrib = attrib
        self.children: list[_Node | str] = []
        self.line = line


class _Builder:
    """Parser target building a small tree that remembers each element's line (for error messages)."""

    def __init__(self) -> None:
        self.root: _Node | None = None
        self.stack: list[_Node] = []
        self.expat = None

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        node = _Node(tag, attrib, self.expat.CurrentLineNumber if self.expat else 0)
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.root = node
        self.stack.append(node)

    def end(self, tag: str) -> None:
        self.stack.pop()

    def data(self, text: str) -> None:
        if self.stack:
            children = self.stack[-1].children
            if children and isinstance(children[-1], str):
                children[-1] += text
            else:
                children.append(text)

    def close(self) -> _Node | None:
        return self.root


class _Timing:
    def __init__(self, frame_rate: float, sub_frame_rate: float, tick_rate: float) -> None:
        self.frame_rate = frame_rate
        self.sub_frame_rate = sub_frame_rate
        self.tick_rate = tick_rate

    def ms(self, expr: str, name: str, line: int) -> int:
        expr = expr.strip()
        m = _CLOCK.match(expr)
        if m:
            h, mi, s, frac, frames, subframes = m.groups()
            if int(mi) > 59 or int(s) > 60:
                raise CaptionParseError(name, line, f"impossible time expression {excerpt(expr)}")
            seconds = int(h) * 3600 + int(mi) * 60 + int(s)
            if frac:
                seconds += float("0." + frac)
            if frames:
                seconds += (int(frames) + (float("0." + subframes) if subframes else 0.0)) / self.frame_rate
            return round(seconds * 1000)
        m = _OFFSET.match(expr)
        if m:
            value, unit = float(m.group(1)), m.group(2)
            factor = {"h": 3_600_000, "m": 60_000, "s": 1000, "ms": 1}.get(unit)
            if factor is not None:
                return round(value * factor)
            if unit == "f":
                return round(value / self.frame_rate * 1000)
            return round(value / self.tick_rate * 1000)
        raise CaptionParseError(name, line, f"not a TTML time expression: {excerpt(expr)}")


def _attr(node: _Node, ns: str, local: str) -> str | None:
    """An attribute in `ns`, or in the same-suffixed namespace of the 2006 TTAF drafts (older DFXP files)."""
    value = node.attrib.get(f"{{{ns}}}{local}")
    if value is None and len(node.attrib) > 0:
        suffix = ns[ns.find("#") :] if "#" in ns else ""
        for key, v in node.attrib.items():
            if key.endswith("}" + local) and "/ttaf1" in key and key[: key.index("}")].endswith(suffix):
                return v
    return value


def _plain_attr(node: _Node, local: str) -> str | None:
    """Timing attributes are unqualified in TTML; accept a namespaced one from sloppy producers too."""
    value = node.attrib.get(local)
    if value is None:
        for key, v in node.attrib.items():
            if _local(key) == local:
                return v
    return value


def _positive_float(value: str | None, default: float, name: str, line: int, what: str) -> float:
    if value is None:
        return default
    try:
        number = float(value.split()[0])
    except (ValueError, IndexError):
        raise CaptionParseError(name, line, f"invalid {what} {excerpt(value)}") from None
    if not number > 0 or number > 1e10:
        raise CaptionParseError(name, line, f"invalid {what} {excerpt(value)}")
    return number


def _text_of(node: _Node, preserve: bool, agents: dict[str, str], out: list[str]) -> None:
    for child in node.children:
        if isinstance(child, str):
            out.append(child if preserve else re.sub(r"[ \t\r\n]+", " ", child))
            continue
        tag = _local(child.tag)
        if tag == "br":
            out.append("\n")
        elif tag == "span":
            space = child.attrib.get(f"{{{XML_NS}}}space")
            child_preserve = preserve if space is None else space == "preserve"
            wrap = []
            if _attr(child, TTS_NS, "fontStyle") == "italic":
                wrap.append("i")
            if _attr(child, TTS_NS, "fontWeight") == "bold":
                wrap.append("b")
            if _attr(child, TTS_NS, "textDecoration") == "underline":
                wrap.append("u")
            out.extend(f"<{w}>" for w in wrap)
            _text_of(child, child_preserve, agents, out)
            out.extend(f"</{w}>" for w in reversed(wrap))
        elif tag not in ("metadata", "set"):
            _text_of(child, preserve, agents, out)


def _span_range(node: _Node, timing: _Timing, base: int, name: str) -> tuple[int | None, int | None]:
    starts, ends = [], []
    for child in node.children:
        if isinstance(child, _Node):
            b = _plain_attr(child, "begin")
            e = _plain_attr(child, "end")
            if b is not None:
                starts.append(base + timing.ms(b, name, child.line))
            if e is not None:
                ends.append(base + timing.ms(e, name, child.line))
            s2, e2 = _span_range(child, timing, base, name)
            if s2 is not None:
                starts.append(s2)
            if e2 is not None:
                ends.append(e2)
    return (min(starts) if starts else None), (max(ends) if ends else None)


def _collect(
    node: _Node,
    timing: _Timing,
    base: int,
    preserve: bool,
    agents: dict[str, str],
    name: str,
    cues: list[Cue],
) -> None:
    for child in node.children:
        if not isinstance(child, _Node):
            continue
        tag = _local(child.tag)
        space = child.attrib.get(f"{{{XML_NS}}}space")
        child_preserve = preserve if space is None else space == "preserve"
        begin_attr = _plain_attr(child, "begin")
        child_base = base + (timing.ms(begin_attr, name, child.line) if begin_attr is not None else 0)
        if tag in ("div", "body"):
            _collect(child, timing, child_base, child_preserve, agents, name, cues)
        elif tag == "p":
            end_attr = _plain_attr(child, "end")
            dur_attr = _plain_attr(child, "dur")
            if begin_attr is None:
                start, end = _span_range(child, timing, base, name)
                if start is None or end is None:
                    raise CaptionParseError(name, child.line, "paragraph <p> has no begin time")
            else:
                start = child_base
                if end_attr is not None:
                    end = base + timing.ms(end_attr, name, child.line)
                elif dur_attr is not None:
                    end = start + timing.ms(dur_attr, name, child.line)
                else:
                    raise CaptionParseError(name, child.line, "paragraph <p> has neither end nor dur")
            parts: list[str] = []
            _text_of(child, child_preserve, agents, parts)
            raw = "".join(parts)
            if not child_preserve:
                raw = "\n".join(line.strip() for line in raw.split("\n"))
            agent_ref = _attr(child, TTM_NS, "agent")
            speaker = None
            if agent_ref:
                first = agent_ref.split()[0]
                speaker = agents.get(first, first)
            if speaker is None:
                speaker, text = split_speaker(raw)
            else:
                text = raw[len(CHANGE_MARK) :].lstrip(" ") if raw.startswith(CHANGE_MARK) else raw
                label, rest = split_speaker(text)
                if label == speaker:
                    text = rest
            cues.append(Cue(start, end, text, speaker))


def _agents(node: _Node, out: dict[str, str]) -> None:
    for child in node.children:
        if not isinstance(child, _Node):
            continue
        if _local(child.tag) == "agent":
            ident = child.attrib.get(f"{{{XML_NS}}}id")
            names = [c for c in child.children if isinstance(c, _Node) and _local(c.tag) == "name"]
            if ident:
                label = "".join(c for c in names[0].children if isinstance(c, str)).strip() if names else ""
                out[ident] = label or ident
        else:
            _agents(child, out)


def read_dfxp(text: str, name: str = "<input>") -> CaptionDocument:
    """Parse DFXP/TTML; refuses DTDs and entities; raises `CaptionParseError` with a line number."""
    decl = _XML_DECL.match(text)
    if decl:  # already decoded: the declared encoding no longer applies
        text = "\n" * decl.group(0).count("\n") + text[decl.end() :]
    builder = _Builder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.expat = parser.parser
    try:
        parser.feed(text)
        root = parser.close()
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise CaptionParseError(name, line, f"not well-formed XML ({str(exc).split(':')[0]})") from None
    except DefusedXmlException as exc:
        raise CaptionParseError(
            name,
            parser.parser.CurrentLineNumber,
            f"refused: XML with a DTD, entity declarations or external references ({type(exc).__name__})",
        ) from None
    except RecursionError:
        raise CaptionParseError(name, None, "XML is nested too deeply") from None
    if root is None or _local(root.tag) != "tt":
        raise CaptionParseError(
            name, root.line if root else 1, "not a TTML document (the root element must be <tt>)"
        )
    frame_rate = _positive_float(_attr(root, TTP_NS, "frameRate"), 30.0, name, root.line, "ttp:frameRate")
    multiplier = _attr(root, TTP_NS, "frameRateMultiplier")
    if multiplier:
        parts = multiplier.split()
        try:
            frame_rate = frame_rate * float(parts[0]) / float(parts[1])
        except (ValueError, IndexError, ZeroDivisionError):
            raise CaptionParseError(
                name, root.line, f"invalid ttp:frameRateMultiplier {excerpt(multiplier)}"
            ) from None
    timing = _Timing(
        frame_rate,
        _positive_float(_attr(root, TTP_NS, "subFrameRate"), 1.0, name, root.line, "ttp:subFrameRate"),
        _positive_float(_attr(root, TTP_NS, "tickRate"), 1.0, name, root.line, "ttp:tickRate"),
    )
    agents: dict[str, str] = {}
    _agents(root, agents)
    cues: list[Cue] = []
    preserve = root.attrib.get(f"{{{XML_NS}}}space") == "preserve"
    try:
        _collect(root, timing, 0, preserve, agents, name, cues)
    except RecursionError:
        raise CaptionParseError(name, None, "XML is nested too deeply") from None
    lang = root.attrib.get(f"{{{XML_NS}}}lang") or None
    language = _CODE_TO_LANGUAGE.get(lang.lower(), lang) if lang else None
    return CaptionDocument(cues=cues, language=language, source_format="dfxp")


def _styled(text: str) -> str:
    """Escape text for XML, turning balanced <i>/<b>/<u> into TTML spans (anything else stays literal)."""
    if "<" not in text:
        return escape(text)
    stack: list[str] = []
    out: list[str] = []
    pos = 0
    for m in _STYLE_TAG.finditer(text):
        closing, tag = m.group(1), m.group(2)
        if closing:
            if not stack or stack[-1] != tag:
                return escape(text)
            stack.pop()
            out.append(escape(text[pos : m.start()]) + "</span>")
        else:
            stack.append(tag)
            out.append(escape(text[pos : m.start()]) + _SPAN_FOR[tag])
        pos = m.end()
    if stack:
        return escape(text)
    out.append(escape(text[pos:]))
    return "".join(out)


def write_dfxp(doc: CaptionDocument, speaker_style: str = "label") -> str:
    """TTML 1 text (xml:space preserve, media time base, HH:MM:SS.mmm clock times)."""
    speakers: dict[str, str] = {}
    for cue in doc.cues:
        if cue.speaker and cue.speaker not in speakers:
            speakers[cue.speaker] = f"speaker{len(speakers) + 1}"
    lang = language_code(doc.language) or doc.language or ""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        (
            f'<tt xmlns="{TT_NS}" xmlns:tts="{TTS_NS}" xmlns:ttp="{TTP_NS}" xmlns:ttm="{TTM_NS}" '
            f'ttp:timeBase="media" xml:lang={quoteattr(lang)} xml:space="preserve">'
        ),
        "<head>",
    ]
    if speakers:
        out.append("<metadata>")
        for label, ident in speakers.items():
            out.append(
                f'<ttm:agent xml:id="{ident}" type="person"><ttm:name type="full">{escape(label)}'
                "</ttm:name></ttm:agent>"
            )
        out.append("</metadata>")
    out.append("</head>")
    out.append("<body><div>")
    previous: str | None = None
    for k, cue in enumerate(doc.cues):
        check_times(cue, k)
        lines = clean_lines(render_text(cue, previous, speaker_style, k == 0))
        agent = f' ttm:agent="{speakers[cue.speaker]}"' if cue.speaker else ""
        body = "<br/>".join(_styled(line) for line in lines)
        out.append(f'<p begin="{clock(cue.start_ms, ".")}" end="{clock(cue.end_ms, ".")}"{agent}>{body}</p>')
        previous = cue.speaker
    out.append("</div></body>")
    out.append("</tt>")
    return "\n".join(out) + "\n"
