"""DFXP / TTML: a hardened reader (defusedxml: no DTDs, no entity expansion, no external entities) and a
writer of valid TTML 1 (the namespaces Kaltura's DFXP caption assets use).

Speakers are carried as `ttm:agent` references to `<ttm:agent>` declarations in the head, so they survive
a round trip even when no visible "[Name]" label is written. Italic, bold and underline spans map to the
<i>, <b> and <u> tags the SRT/VTT text uses.
"""

from __future__ import annotations

import math
import re
from xml.etree.ElementTree import Element, ParseError, TreeBuilder
from xml.sax.saxutils import escape, quoteattr

from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from reach_studio.domain.caption_errors import CaptionParseError, CaptionRepair, excerpt
from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.enums import LANGUAGE_CODES, language_code
from reach_studio.domain.formats._common import (
    CHANGE_MARK,
    check_times,
    clean_lines,
    clock,
    render_text,
    speaker_label,
    split_speaker,
)

TT_NS = "http://www.w3.org/ns/ttml"
TTS_NS = "http://www.w3.org/ns/ttml#styling"
TTP_NS = "http://www.w3.org/ns/ttml#parameter"
TTM_NS = "http://www.w3.org/ns/ttml#metadata"
XML_NS = "http://www.w3.org/XML/1998/namespace"

_CODE_TO_LANGUAGE = {code.lower(): name for name, code in reversed(list(LANGUAGE_CODES.items()))}
_CLOCK = re.compile(r"^(\d{1,6}):(\d{2}):(\d{2})(?:\.(\d+)|:(\d{2,})(?:\.(\d+))?)?$")
_OFFSET = re.compile(r"^(\d{1,15}(?:\.\d+)?)(h|ms|m|s|f|t)$")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_STYLE_TAG = re.compile(r"<(/?)([ibu])>")
_XML_SPACE = " \t\r\n"
_SPAN_FOR = {
    "i": '<span tts:fontStyle="italic">',
    "b": '<span tts:fontWeight="bold">',
    "u": '<span tts:textDecoration="underline">',
}


_LOCAL_NAMES: dict[str, str] = {}


def _local(tag: str) -> str:
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = _LOCAL_NAMES[tag] = tag.rsplit("}", 1)[-1]
    return name


class _BadElement(Exception):
    """A semantic error at an element; read_dfxp turns it into a CaptionParseError with the element's line."""

    def __init__(self, element: Element, message: str) -> None:
        super().__init__(message)
        self.element = element
        self.message = message


class _LineRecorder:
    """Parser target that only records the line of every start tag, in document order (error path only)."""

    def __init__(self) -> None:
        self.lines: list[int] = []
        self.expat = None

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.lines.append(self.expat.CurrentLineNumber if self.expat else 0)

    def end(self, tag: str) -> None:
        pass

    def data(self, text: str) -> None:
        pass

    def close(self) -> list[int]:
        return self.lines


def _lines_of(text: str, root: Element, elements: list[Element]) -> list[int | None]:
    """The lines of `elements`: their positions in document order, looked up by parsing again with line
    tracking. Only done to report errors and repairs, so the normal read stays on the fast C tree builder."""
    wanted = {id(el) for el in elements}
    index = {id(el): k for k, el in enumerate(root.iter()) if id(el) in wanted}
    recorder = _LineRecorder()
    parser = DefusedXMLParser(target=recorder, forbid_dtd=True)
    recorder.expat = parser.parser
    parser.feed(text)
    lines = parser.close()
    out: list[int | None] = []
    for el in elements:
        k = index.get(id(el))
        out.append(lines[k] if k is not None and k < len(lines) else None)
    return out


def _line_of(text: str, root: Element, element: Element) -> int | None:
    return _lines_of(text, root, [element])[0]


class _Timing:
    """TTML 1 time expressions (§10.3.1): clock time with an optional fraction, or frames and sub-frames;
    offset time in h, m, s, ms, f (frames) or t (ticks), each with an optional fraction."""

    def __init__(self, frame_rate: float, sub_frame_rate: float, tick_rate: float) -> None:
        self.frame_rate = frame_rate  # effective: ttp:frameRate x ttp:frameRateMultiplier
        self.sub_frame_rate = sub_frame_rate
        self.tick_rate = tick_rate
        self.legacy = False  # 2006 TTAF namespaces: attributes need the slower lookup

    def ms(self, expr: str, element: Element) -> int:
        if len(expr) == 12 and expr[2] == ":" and expr[5] == ":" and expr[8] == "." and expr[9:].isdigit():
            try:  # HH:MM:SS.mmm, what Kaltura and this writer produce: no regex needed
                h, mi, s = int(expr[0:2]), int(expr[3:5]), int(expr[6:8])
            except ValueError:
                pass
            else:
                if mi < 60 and s < 60:
                    return ((h * 60 + mi) * 60 + s) * 1000 + int(expr[9:])
        expr = expr.strip()
        m = _CLOCK.match(expr)
        if m:
            h, mi, s, frac, frames, subframes = m.groups()
            if int(mi) > 59 or int(s) > 60:
                raise _BadElement(element, f"impossible time expression {excerpt(expr)}")
            seconds = int(h) * 3600 + int(mi) * 60 + int(s)
            if frac:
                seconds += float("0." + frac)
            if frames:
                count = int(frames)
                sub = int(subframes) if subframes else 0
                if count >= math.ceil(self.frame_rate) or sub >= math.ceil(self.sub_frame_rate):
                    raise _BadElement(
                        element,
                        f"frame {frames} does not exist at {self.frame_rate:g} frames per second "
                        f"({self.sub_frame_rate:g} sub-frames): {excerpt(expr)}",
                    )
                seconds += (count + sub / self.sub_frame_rate) / self.frame_rate
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
        raise _BadElement(element, f"not a TTML time expression: {excerpt(expr)}")


def _attr(node: Element, ns: str, local: str) -> str | None:
    """An attribute in `ns`, or in the same-suffixed namespace of the 2006 TTAF drafts (older DFXP files)."""
    value = node.attrib.get(f"{{{ns}}}{local}")
    if value is None and len(node.attrib) > 0:
        suffix = ns[ns.find("#") :] if "#" in ns else ""
        for key, v in node.attrib.items():
            if key.endswith("}" + local) and "/ttaf1" in key and key[: key.index("}")].endswith(suffix):
                return v
    return value


def _plain_attr(node: Element, local: str) -> str | None:
    """Timing attributes are unqualified in TTML; accept a namespaced one from sloppy producers too."""
    value = node.attrib.get(local)
    if value is None and node.attrib:
        for key, v in node.attrib.items():
            if key[0] == "{" and _local(key) == local:
                return v
    return value


def _positive_float(value: str | None, default: float, element: Element, what: str) -> float:
    if value is None:
        return default
    try:
        number = float(value.split()[0])
    except (ValueError, IndexError):
        raise _BadElement(element, f"invalid {what} {excerpt(value)}") from None
    if not number > 0 or number > 1e10:
        raise _BadElement(element, f"invalid {what} {excerpt(value)}")
    return number


_SPACES = re.compile(r"[ \t\r\n]+")
_TEXT, _BREAK, _OPEN, _CLOSE = 0, 1, 2, 3


def _tokens(node: Element, preserve: bool, out: list[tuple[int, str, bool]]) -> None:
    """The paragraph's content in document order: text (with its xml:space), line breaks, style tags."""
    if node.text:
        out.append((_TEXT, node.text, preserve))
    for child in node:
        tag = _local(child.tag) if isinstance(child.tag, str) else ""
        if tag == "br":
            out.append((_BREAK, "\n", preserve))
        elif tag == "span":
            space = child.attrib.get(f"{{{XML_NS}}}space")
            child_preserve = preserve if space is None else space == "preserve"
            wrap = []
            if child.attrib:
                if _attr(child, TTS_NS, "fontStyle") == "italic":
                    wrap.append("i")
                if _attr(child, TTS_NS, "fontWeight") == "bold":
                    wrap.append("b")
                if _attr(child, TTS_NS, "textDecoration") == "underline":
                    wrap.append("u")
            out.extend((_OPEN, f"<{w}>", preserve) for w in wrap)
            _tokens(child, child_preserve, out)
            out.extend((_CLOSE, f"</{w}>", preserve) for w in reversed(wrap))
        elif tag and tag not in ("metadata", "set"):
            _tokens(child, preserve, out)
        if child.tail:
            out.append((_TEXT, child.tail, preserve))


def _text_of(tokens: list[tuple[int, str, bool]]) -> str:
    """TTML whitespace handling across the whole paragraph (§7.2.3 xml:space, XSL-FO semantics): where
    xml:space is "default", runs of spaces, tabs and line feeds become one space even across <span>
    boundaries, and spaces at the start and end of each line go; where it is "preserve", text is kept as
    written and a line feed is a line break."""
    out: list[str] = []
    pending = False  # a collapsed space waiting for the next visible character
    after_space = True  # at the start of a line or just after a space: further spaces collapse into it
    for kind, value, keep in tokens:
        if kind == _TEXT:
            if keep:
                if pending:
                    out.append(" ")
                    pending = False
                out.append(value)
                after_space = value[-1] in " \n"
                continue
            for k, part in enumerate(_SPACES.split(value)):
                if k and not after_space:
                    pending = True
                if part:
                    if pending:
                        out.append(" ")
                        pending = False
                    out.append(part)
                    after_space = False
        elif kind == _BREAK:
            pending = False
            out.append("\n")
            after_space = True
        elif kind == _OPEN:
            if pending:
                out.append(" ")
                pending = False
                after_space = True
            out.append(value)
        else:
            out.append(value)
    return "".join(out)


_BR_TAGS = frozenset({f"{{{TT_NS}}}br", "br"})


def _lines_only(p: Element, preserve: bool) -> str | None:
    """The text of a paragraph holding only text and plain <br/> (the hot path), or None for anything else."""
    lines = [p.text or ""]
    for sub in p:
        if sub.tag not in _BR_TAGS or len(sub) or sub.attrib:
            return None
        lines.append(sub.tail or "")
    if preserve:
        return "\n".join(lines)
    return "\n".join(_SPACES.sub(" ", line).strip(" ") for line in lines)


def _span_range(node: Element, timing: _Timing, base: int) -> tuple[int | None, int | None]:
    starts, ends = [], []
    for child in node:
        b = _plain_attr(child, "begin")
        e = _plain_attr(child, "end")
        if b is not None:
            starts.append(base + timing.ms(b, child))
        if e is not None:
            ends.append(base + timing.ms(e, child))
        s2, e2 = _span_range(child, timing, base)
        if s2 is not None:
            starts.append(s2)
        if e2 is not None:
            ends.append(e2)
    return (min(starts) if starts else None), (max(ends) if ends else None)


_SPACE_KEY = f"{{{XML_NS}}}space"
_AGENT_KEY = f"{{{TTM_NS}}}agent"


def _collect(
    node: Element,
    timing: _Timing,
    base: int,
    preserve: bool,
    agents: dict[str, str],
    cues: list[Cue],
    empty: list[Element],
) -> None:
    # Hot loop (one pass per <p>): Element.get() instead of .attrib, which builds a dict per access.
    for child in node:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        tag = _local(tag)
        space = child.get(_SPACE_KEY)
        child_preserve = preserve if space is None else space == "preserve"
        begin_attr = child.get("begin")
        if begin_attr is None:
            begin_attr = _plain_attr(child, "begin")
        child_base = base + (timing.ms(begin_attr, child) if begin_attr is not None else 0)
        if tag == "p":
            end_attr = child.get("end")
            if end_attr is None:
                end_attr = _plain_attr(child, "end")
            if begin_attr is None:
                start, end = _span_range(child, timing, base)
                if start is None or end is None:
                    raise _BadElement(child, "paragraph <p> has no begin time")
            else:
                start = child_base
                if end_attr is not None:
                    end = base + timing.ms(end_attr, child)
                else:
                    dur_attr = _plain_attr(child, "dur")
                    if dur_attr is None:
                        raise _BadElement(child, "paragraph <p> has neither end nor dur")
                    end = start + timing.ms(dur_attr, child)
            if len(child) == 0:
                raw = child.text or ""
                if not child_preserve:
                    raw = _SPACES.sub(" ", raw).strip(" ")
                visible = bool(raw.strip(_XML_SPACE))
            else:
                raw = _lines_only(child, child_preserve)
                if raw is not None:  # text and <br/> only, as this writer and Kaltura write them
                    visible = bool(raw.replace("\n", "").strip(_XML_SPACE))
                else:
                    tokens: list[tuple[int, str, bool]] = []
                    _tokens(child, child_preserve, tokens)
                    raw = _text_of(tokens)
                    visible = any(kind == _TEXT and value.strip(_XML_SPACE) for kind, value, _ in tokens)
            if not visible:
                empty.append(child)  # an empty paragraph is no cue (listed as a repair when asked)
                continue
            agent_ref = child.get(_AGENT_KEY)
            if agent_ref is None and timing.legacy:
                agent_ref = _attr(child, TTM_NS, "agent")
            speaker = None
            if agent_ref:
                refs = agent_ref.split()
                if refs:
                    speaker = agents.get(refs[0], refs[0])
            if speaker is None:
                speaker, text = split_speaker(raw)
            else:
                text = raw[len(CHANGE_MARK) :].lstrip(" ") if raw.startswith(CHANGE_MARK) else raw
                label = f"[{speaker_label(speaker)}]"
                if text.startswith(label) and (len(text) == len(label) or text[len(label)] in " \t"):
                    text = text[len(label) :].lstrip(" \t")
            cues.append(Cue(start, end, text, speaker))
        elif tag in ("div", "body"):
            _collect(child, timing, child_base, child_preserve, agents, cues, empty)


def _agents(node: Element, out: dict[str, str]) -> None:
    for child in node:
        if not isinstance(child.tag, str):
            continue
        if _local(child.tag) == "agent":
            ident = child.attrib.get(f"{{{XML_NS}}}id")
            names = [c for c in child if isinstance(c.tag, str) and _local(c.tag) == "name"]
            if ident:
                label = "".join(names[0].itertext()).strip() if names else ""
                out[ident] = label or ident
        else:
            _agents(child, out)


def read_dfxp(
    text: str, name: str = "<input>", repairs: list[CaptionRepair] | None = None
) -> CaptionDocument:
    """Parse DFXP/TTML; refuses DTDs and entities; raises `CaptionParseError` with a line number.
    Empty paragraphs are no cues; `repairs`, when given, lists each with its line."""
    decl = _XML_DECL.match(text)
    if decl:  # already decoded: the declared encoding no longer applies
        text = "\n" * decl.group(0).count("\n") + text[decl.end() :]
    parser = DefusedXMLParser(target=TreeBuilder(), forbid_dtd=True)
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
    try:
        return _document(root, text, repairs)
    except _BadElement as bad:
        raise CaptionParseError(name, _line_of(text, root, bad.element), bad.message) from None
    except RecursionError:
        raise CaptionParseError(name, None, "XML is nested too deeply") from None


def _document(root: Element, text: str, repairs: list[CaptionRepair] | None) -> CaptionDocument:
    if not isinstance(root.tag, str) or _local(root.tag) != "tt":
        raise _BadElement(root, "not a TTML document (the root element must be <tt>)")
    frame_rate_attr = _attr(root, TTP_NS, "frameRate")
    frame_rate = _positive_float(frame_rate_attr, 30.0, root, "ttp:frameRate")
    multiplier = _attr(root, TTP_NS, "frameRateMultiplier")
    if multiplier:
        parts = multiplier.split()
        try:
            frame_rate = frame_rate * float(parts[0]) / float(parts[1])
        except (ValueError, IndexError, ZeroDivisionError):
            raise _BadElement(root, f"invalid ttp:frameRateMultiplier {excerpt(multiplier)}") from None
    sub_frame_rate = _positive_float(_attr(root, TTP_NS, "subFrameRate"), 1.0, root, "ttp:subFrameRate")
    # TTML 1 §6.2.10: without ttp:tickRate, ticks are sub-frames when a frame rate is given, else seconds.
    default_ticks = frame_rate * sub_frame_rate if frame_rate_attr is not None else 1.0
    timing = _Timing(
        frame_rate,
        sub_frame_rate,
        _positive_float(_attr(root, TTP_NS, "tickRate"), default_ticks, root, "ttp:tickRate"),
    )
    timing.legacy = "/ttaf1" in root.tag
    agents: dict[str, str] = {}
    for child in root:  # agents are declared in the head's metadata
        if isinstance(child.tag, str) and _local(child.tag) == "head":
            _agents(child, agents)
    cues: list[Cue] = []
    preserve = root.attrib.get(f"{{{XML_NS}}}space") == "preserve"
    empty: list[Element] = []
    _collect(root, timing, 0, preserve, agents, cues, empty)
    if empty and repairs is not None:
        for line in _lines_of(text, root, empty):
            repairs.append(CaptionRepair("empty_paragraph", line, "empty paragraph <p> left out (no cue)"))
    lang = root.attrib.get(f"{{{XML_NS}}}lang") or None
    language = _CODE_TO_LANGUAGE.get(lang.lower(), lang) if lang else None
    return CaptionDocument(cues=cues, language=language, source_format="dfxp")


def _escape_lines(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def _styled(text: str) -> str:
    """Escape text for XML, turning balanced <i>/<b>/<u> into TTML spans (anything else stays literal).
    Spans are styled over the whole cue first and lines broken inside them (<span>a<br/>b</span>): Kaltura's
    dfxpCaptionsContentManager reads a <br/> inside a span, but an <i> split at each line would be written
    as literal text and its "</i>" shown by the player."""
    if "<" not in text:
        return _escape_lines(text)
    stack: list[str] = []
    out: list[str] = []
    pos = 0
    for m in _STYLE_TAG.finditer(text):
        closing, tag = m.group(1), m.group(2)
        if closing:
            if not stack or stack[-1] != tag:
                return _escape_lines(text)
            stack.pop()
            out.append(_escape_lines(text[pos : m.start()]) + "</span>")
        else:
            stack.append(tag)
            out.append(_escape_lines(text[pos : m.start()]) + _SPAN_FOR[tag])
        pos = m.end()
    if stack:
        return _escape_lines(text)
    out.append(_escape_lines(text[pos:]))
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
        body = _styled("\n".join(lines))
        out.append(f'<p begin="{clock(cue.start_ms, ".")}" end="{clock(cue.end_ms, ".")}"{agent}>{body}</p>')
        previous = cue.speaker
    out.append("</div></body>")
    out.append("</tt>")
    return "\n".join(out) + "\n"
