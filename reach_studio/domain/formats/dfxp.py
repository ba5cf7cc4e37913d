"""DFXP / TTML: a hardened reader (as defusedxml with forbid_dtd: no DTD, hence no entity declarations and no
external entities; bounded size) and a writer of valid TTML 1 (the namespaces Kaltura's DFXP caption assets
use).

The reader parses with ElementTree's C parser and tree builder in one pass: defusedxml's parser routes every
start tag, end tag and text through Python and alone cost more than the 100 ms budget for 10,000 cues. Its
guarantee is kept by refusing a document type declaration in the prolog before parsing (`_dtd_line`): without
a DTD nothing can declare an entity, and expat refuses an undeclared one and any "<!DOCTYPE" after the root.

Speakers are carried as `ttm:agent` references to `<ttm:agent>` declarations in the head, so they survive
a round trip even when no visible "[Name]" label is written. Italic, bold and underline spans map to the
<i>, <b> and <u> tags the SRT/VTT text uses.
"""

from __future__ import annotations

import gc
import math
import re
from xml.etree.ElementTree import Element, ParseError, TreeBuilder, XMLParser
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from reach_studio.domain.caption_errors import CaptionParseError, CaptionRepair, excerpt, grouped_repair
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
from reach_studio.domain.text_encoding import MAX_TEXT_BYTES

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


def _lines_of(text: str, root: Element, elements: list[Element]) -> list[int | None]:
    """The lines of `elements`: their positions in document order, looked up by parsing again with line
    tracking. Only done to report errors and repairs, so the normal read stays on the C tree builder.
    (`text` has already been parsed once, with its prolog checked: it holds no DTD.)"""
    wanted = {id(el) for el in elements}
    index = {id(el): k for k, el in enumerate(root.iter()) if id(el) in wanted}
    lines: list[int] = []
    parser = expat.ParserCreate()
    parser.StartElementHandler = lambda tag, attrib: lines.append(parser.CurrentLineNumber)
    try:
        parser.Parse(text, True)
    except expat.ExpatError:
        pass  # a document that stopped the C parser: the lines up to there are known
    out: list[int | None] = []
    for el in elements:
        k = index.get(id(el))
        out.append(lines[k] if k is not None and k < len(lines) else None)
    return out


def _line_of(text: str, root: Element, element: Element) -> int | None:
    return _lines_of(text, root, [element])[0]


_HOURS = {f"{h:02d}": h * 3_600_000 for h in range(100)}
_MINUTES_SECONDS = {f"{m:02d}:{sec:02d}": (m * 60 + sec) * 1000 for m in range(60) for sec in range(60)}
_MILLIS = {f"{f:03d}": f for f in range(1000)}


def _clock_ms(expr: str) -> int | None:
    """HH:MM:SS.mmm, what Kaltura and this writer produce, by three table look-ups (which also check that
    every part is digits and minutes and seconds are below 60; int() would take "+1" or " 1"); else None."""
    if expr[2:3] == ":" and expr[8:9] == ".":
        try:  # (the fraction has exactly three digits: the whole expression is 12 characters)
            return _HOURS[expr[:2]] + _MINUTES_SECONDS[expr[3:8]] + _MILLIS[expr[9:]]
        except KeyError:
            pass
    return None


class _Timing:
    """TTML 1 time expressions (§10.3.1): clock time with an optional fraction, or frames and sub-frames;
    offset time in h, m, s, ms, f (frames) or t (ticks), each with an optional fraction."""

    def __init__(self, frame_rate: float, sub_frame_rate: float, tick_rate: float) -> None:
        self.frame_rate = frame_rate  # effective: ttp:frameRate x ttp:frameRateMultiplier
        self.sub_frame_rate = sub_frame_rate
        self.tick_rate = tick_rate
        self.legacy = False  # 2006 TTAF namespaces: attributes need the slower lookup

    def ms(self, expr: str, element: Element) -> int:
        fast = _clock_ms(expr)
        if fast is not None:
            return fast
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


_COLOURS, _REGIONS, _STYLES, _SPAN_STYLE = "colours_dropped", "regions_dropped", "styles_dropped", "span"
_LEFT_OUT = {  # what the caption model has no place for; listed once per kind, with every line (in this order)
    _COLOURS: "colours left out (the player's own are used)",
    _REGIONS: "regions and positions left out (captions show where the player puts them)",
    _STYLES: "styles left out (fonts, sizes, alignment, style references; italic, bold and underline spans are kept)",
}
_PLACEMENT = frozenset(
    {
        "origin",
        "extent",
        "position",
        "displayAlign",
        "writingMode",
        "zIndex",
        "padding",
        "overflow",
        "showBackground",
    }
)
_ATTRIBUTE_LOSS: dict[str, str] = {"style": _STYLES, "region": _REGIONS}
_ELEMENT_LOSS = {"style": _STYLES, "set": _STYLES, "region": _REGIONS}


def _attribute_loss(key: str) -> str:
    """The kind of loss an attribute is ("" for none): TTML styling (tts:*, also the 2006 drafts' and
    EBU-TT's styling namespaces), style and region references."""
    kind = _ATTRIBUTE_LOSS.get(key)
    if kind is None:
        kind = ""
        if key[0] == "{" and "styl" in key[: key.find("}")].lower():
            local = _local(key)
            if local in ("color", "backgroundColor"):
                kind = _COLOURS
            elif local in _PLACEMENT:
                kind = _REGIONS
            elif local in ("fontStyle", "fontWeight", "textDecoration"):
                kind = _SPAN_STYLE  # kept as <i>, <b>, <u> on a span; lost anywhere else
            else:
                kind = _STYLES
        _ATTRIBUTE_LOSS[key] = kind
    return kind


def _note_losses(element: Element, on_span: bool, losses: dict[str, list[Element]]) -> None:
    """Record `element` under each kind of styling it carries that no Cue can hold."""
    kinds = set()
    for key in element.attrib:
        kind = _attribute_loss(key)
        if kind:
            if kind == _SPAN_STYLE:
                if on_span:
                    continue
                kind = _STYLES
            kinds.add(kind)
    for kind in kinds:
        losses.setdefault(kind, []).append(element)


def _tokens(
    node: Element, preserve: bool, out: list[tuple[int, str, bool]], losses: dict[str, list[Element]]
) -> None:
    """The paragraph's content in document order: text (with its xml:space), line breaks, style tags."""
    if node.text:
        out.append((_TEXT, node.text, preserve))
    for child in node:
        tag = _local(child.tag) if isinstance(child.tag, str) else ""
        if tag and len(child.attrib):
            _note_losses(child, tag == "span", losses)
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
            _tokens(child, child_preserve, out, losses)
            out.extend((_CLOSE, f"</{w}>", preserve) for w in reversed(wrap))
        elif tag == "set":
            losses.setdefault(_STYLES, []).append(child)  # a style change over time
        elif tag and tag != "metadata":
            _tokens(child, preserve, out, losses)
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
        if sub.tag not in _BR_TAGS or len(sub) or sub.items():  # (.attrib would give each <br/> a dict)
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
    losses: dict[str, list[Element]],
) -> None:
    # Hot loop, once per <p>: attributes are read from the element's own dict, and anything beyond begin,
    # end and ttm:agent (what this writer and Kaltura write) goes the slower, general way.
    local_names = _LOCAL_NAMES
    for child in node:
        tag = local_names.get(child.tag)
        if tag is None:
            if not isinstance(child.tag, str):
                continue
            tag = _local(child.tag)
        attrib = child.attrib
        begin_attr = attrib.get("begin")
        if tag == "p":
            end_attr = attrib.get("end")
            agent_ref = attrib.get(_AGENT_KEY)
            dur_attr = space = None
            if len(attrib) != (begin_attr is not None) + (end_attr is not None) + (agent_ref is not None):
                space = attrib.get(_SPACE_KEY)
                if begin_attr is None:
                    begin_attr = _plain_attr(child, "begin")
                if end_attr is None:
                    end_attr = _plain_attr(child, "end")
                dur_attr = _plain_attr(child, "dur")
                if agent_ref is None and timing.legacy:
                    agent_ref = _attr(child, TTM_NS, "agent")
                _note_losses(child, False, losses)
            child_preserve = preserve if space is None else space == "preserve"
            if begin_attr is None:
                start, end = _span_range(child, timing, base)
                if start is None or end is None:
                    raise _BadElement(child, "paragraph <p> has no begin time")
            else:
                start = _clock_ms(begin_attr)
                start = base + (timing.ms(begin_attr, child) if start is None else start)
                if end_attr is not None:
                    end = _clock_ms(end_attr)
                    end = base + (timing.ms(end_attr, child) if end is None else end)
                elif dur_attr is not None:
                    end = start + timing.ms(dur_attr, child)
                else:
                    raise _BadElement(child, "paragraph <p> has neither end nor dur")
            if len(child) == 0:
                raw = child.text or ""
                if not child_preserve:
                    raw = _SPACES.sub(" ", raw).strip(" ")
                visible = bool(raw.strip(_XML_SPACE))
            else:
                raw = _lines_only(child, child_preserve)
                if raw is not None:  # text and <br/> only, as this writer and Kaltura write them
                    visible = bool(raw.strip(_XML_SPACE))  # (line feeds are XML spaces)
                else:
                    tokens: list[tuple[int, str, bool]] = []
                    _tokens(child, child_preserve, tokens, losses)
                    raw = _text_of(tokens)
                    visible = any(kind == _TEXT and value.strip(_XML_SPACE) for kind, value, _ in tokens)
            if not visible:
                empty.append(child)  # an empty paragraph is no cue (listed as a repair when asked)
                continue
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
            if begin_attr is None:
                begin_attr = _plain_attr(child, "begin")
            space = attrib.get(_SPACE_KEY)
            child_preserve = preserve if space is None else space == "preserve"
            child_base = base + (timing.ms(begin_attr, child) if begin_attr is not None else 0)
            if attrib:
                _note_losses(child, False, losses)
            _collect(child, timing, child_base, child_preserve, agents, cues, empty, losses)
        elif tag == "set":
            losses.setdefault(_STYLES, []).append(child)


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


_PROLOG_SPACE = re.compile(r"[ \t\r\n]*")


def _dtd_line(text: str) -> int | None:
    """The line of a document type declaration, or None. XML allows one only in the prolog, among spaces,
    comments and processing instructions (XML 1.0 §2.8); expat refuses "<!DOCTYPE" anywhere else."""
    pos = 0
    while True:
        pos = _PROLOG_SPACE.match(text, pos).end()
        if text.startswith("<?", pos):
            end = text.find("?>", pos + 2)
            closing = 2
        elif text.startswith("<!--", pos):
            end = text.find("-->", pos + 4)
            closing = 3
        elif text.startswith("<!", pos):
            return text.count("\n", 0, pos) + 1
        else:
            return None  # the root element, or something expat will refuse
        if end < 0:
            return None  # an unclosed comment or instruction: not well-formed
        pos = end + closing


def read_dfxp(
    text: str, name: str = "<input>", repairs: list[CaptionRepair] | None = None
) -> CaptionDocument:
    """Parse DFXP/TTML; refuses DTDs (so any entity but XML's five) and oversized input; raises
    `CaptionParseError` with a line number. Empty paragraphs are no cues; `repairs`, when given, lists each
    with its line, and each kind of styling no cue can hold (colours, regions, styles) once with its lines."""
    if len(text) > MAX_TEXT_BYTES:
        raise CaptionParseError(name, None, "text is too large for a caption file")
    # The element tree (two tracked objects per paragraph) dies by reference counting when _read returns:
    # the cyclic garbage collector has nothing to find in it, yet would scan it again and again while it
    # grows (a third of the read time for 10,000 cues). It is paused for the read, unless already off.
    pause = gc.isenabled()
    if pause:
        gc.disable()
    try:
        return _read(text, name, repairs)
    finally:
        if pause:
            gc.enable()


def _read(text: str, name: str, repairs: list[CaptionRepair] | None) -> CaptionDocument:
    text = text.removeprefix("\ufeff")
    decl = _XML_DECL.match(text)
    if decl:  # already decoded: the declared encoding no longer applies
        text = "\n" * decl.group(0).count("\n") + text[decl.end() :]
    dtd = _dtd_line(text)
    if dtd is not None:
        raise CaptionParseError(
            name, dtd, "refused: XML with a DTD (entity declarations or external references)"
        )
    parser = XMLParser(target=TreeBuilder())
    try:
        parser.feed(text)
        root = parser.close()
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise CaptionParseError(name, line, f"not well-formed XML ({str(exc).split(':')[0]})") from None
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
    losses: dict[str, list[Element]] = {}
    _note_losses(root, False, losses)
    for child in root:  # agents, styles and regions are declared in the head
        if isinstance(child.tag, str) and _local(child.tag) == "head":
            _agents(child, agents)
            for element in child.iter():
                if isinstance(element.tag, str):
                    _note_losses(element, False, losses)
                    kind = _ELEMENT_LOSS.get(_local(element.tag))
                    if kind:
                        losses.setdefault(kind, []).append(element)
    cues: list[Cue] = []
    preserve = root.attrib.get(f"{{{XML_NS}}}space") == "preserve"
    empty: list[Element] = []
    _collect(root, timing, 0, preserve, agents, cues, empty, losses)
    if (empty or losses) and repairs is not None:
        repairs.extend(_repairs(text, root, empty, losses))
    lang = root.attrib.get(f"{{{XML_NS}}}lang") or None
    language = _CODE_TO_LANGUAGE.get(lang.lower(), lang) if lang else None
    return CaptionDocument(cues=cues, language=language, source_format="dfxp")


def _repairs(
    text: str, root: Element, empty: list[Element], losses: dict[str, list[Element]]
) -> list[CaptionRepair]:
    """Each empty paragraph with its line, then each kind of loss once with all its lines; in line order."""
    kinds = [kind for kind in _LEFT_OUT if kind in losses]
    lines = iter(_lines_of(text, root, empty + [el for kind in kinds for el in losses[kind]]))
    out = [
        CaptionRepair("empty_paragraph", next(lines), "empty paragraph <p> left out (no cue)") for _ in empty
    ]
    for kind in kinds:
        where = sorted({line for _, line in zip(losses[kind], lines) if line is not None})
        out.append(grouped_repair(kind, where, _LEFT_OUT[kind]))
    out.sort(key=lambda r: r.line or 0)
    return out


def _escape_lines(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")


def _styled(text: str) -> str:
    """Escape text for XML, turning balanced <i>/<b>/<u> into TTML spans (anything else stays literal).
    Spans are styled over the whole cue first and lines broken inside them (<span>a<br/>b</span>): Kaltura's
    dfxpCaptionsContentManager reads a <br/> inside a span, but an <i> split at each line would be written
    as literal text and its "</i>" shown by the player."""
    if "<" not in text:
        return text.replace("&", "&amp;").replace(">", "&gt;").replace("\n", "<br/>")
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
    agent_of = {speaker: f' ttm:agent="{ident}">' for speaker, ident in speakers.items()}
    agent_of[None] = agent_of[""] = ">"
    previous: str | None = None
    for k, cue in enumerate(doc.cues):
        start, end, speaker = cue.start_ms, cue.end_ms, cue.speaker
        if start < 0 or end < 0:
            check_times(cue, k)
        body = _styled("\n".join(clean_lines(render_text(cue, previous, speaker_style, k == 0))))
        out.append(f'<p begin="{clock(start, ".")}" end="{clock(end, ".")}"{agent_of[speaker]}{body}</p>')
        previous = speaker
    out.append("</div></body>")
    out.append("</tt>")
    return "\n".join(out) + "\n"
