"""DFXP / TTML: a hardened reader (defusedxml: no DTDs, no entity expansion, no external entities) and a
writer of valid TTML 1 (the namespaces Kaltura's DFXP caption assets use).

Speakers are carried as `ttm:agent` references to `<ttm:agent>` declarations in the head, so they survive
a round trip even when no visible "[Name]" label is written. Italic, bold and underline spans map to the
<i>, <b> and <u> tags the SRT/VTT text uses.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, ParseError, TreeBuilder
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
    speaker_label,
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


def _line_of(text: str, root: Element, element: Element) -> int | None:
    """The line of `element`: its position in document order, looked up by parsing again with line tracking.
    Only done when reporting an error, so the normal read stays on the fast C tree builder."""
    index = next((k for k, el in enumerate(root.iter()) if el is element), None)
    if index is None:
        return None
    recorder = _LineRecorder()
    parser = DefusedXMLParser(target=recorder, forbid_dtd=True)
    recorder.expat = parser.parser
    parser.feed(text)
    lines = parser.close()
    return lines[index] if index < len(lines) else None


class _Timing:
    def __init__(self, frame_rate: float, sub_frame_rate: float, tick_rate: float) -> None:
        self.frame_rate = frame_rate
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


def _text_of(node: Element, preserve: bool, out: list[str]) -> None:
    if node.text:
        out.append(node.text if preserve else _SPACES.sub(" ", node.text))
    for child in node:
        tag = _local(child.tag) if isinstance(child.tag, str) else ""
        if tag == "br":
            out.append("\n")
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
            out.extend(f"<{w}>" for w in wrap)
            _text_of(child, child_preserve, out)
            out.extend(f"</{w}>" for w in reversed(wrap))
        elif tag and tag not in ("metadata", "set"):
            _text_of(child, preserve, out)
        if child.tail:
            out.append(child.tail if preserve else _SPACES.sub(" ", child.tail))


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
    node: Element, timing: _Timing, base: int, preserve: bool, agents: dict[str, str], cues: list[Cue]
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
                text = child.text or ""
                raw = text if child_preserve else _SPACES.sub(" ", text)
            else:
                parts: list[str] = []
                _text_of(child, child_preserve, parts)
                raw = "".join(parts)
            if not child_preserve:
                raw = "\n".join(line.strip() for line in raw.split("\n"))
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
            _collect(child, timing, child_base, child_preserve, agents, cues)


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


def read_dfxp(text: str, name: str = "<input>") -> CaptionDocument:
    """Parse DFXP/TTML; refuses DTDs and entities; raises `CaptionParseError` with a line number."""
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
        return _document(root, text)
    except _BadElement as bad:
        raise CaptionParseError(name, _line_of(text, root, bad.element), bad.message) from None
    except RecursionError:
        raise CaptionParseError(name, None, "XML is nested too deeply") from None


def _document(root: Element, text: str) -> CaptionDocument:
    if not isinstance(root.tag, str) or _local(root.tag) != "tt":
        raise _BadElement(root, "not a TTML document (the root element must be <tt>)")
    frame_rate = _positive_float(_attr(root, TTP_NS, "frameRate"), 30.0, root, "ttp:frameRate")
    multiplier = _attr(root, TTP_NS, "frameRateMultiplier")
    if multiplier:
        parts = multiplier.split()
        try:
            frame_rate = frame_rate * float(parts[0]) / float(parts[1])
        except (ValueError, IndexError, ZeroDivisionError):
            raise _BadElement(root, f"invalid ttp:frameRateMultiplier {excerpt(multiplier)}") from None
    timing = _Timing(
        frame_rate,
        _positive_float(_attr(root, TTP_NS, "subFrameRate"), 1.0, root, "ttp:subFrameRate"),
        _positive_float(_attr(root, TTP_NS, "tickRate"), 1.0, root, "ttp:tickRate"),
    )
    timing.legacy = "/ttaf1" in root.tag
    agents: dict[str, str] = {}
    for child in root:  # agents are declared in the head's metadata
        if isinstance(child.tag, str) and _local(child.tag) == "head":
            _agents(child, agents)
    cues: list[Cue] = []
    preserve = root.attrib.get(f"{{{XML_NS}}}space") == "preserve"
    _collect(root, timing, 0, preserve, agents, cues)
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
