"""Whether Kaltura will accept a caption file: its content managers must find at least one caption in it.

Why: a caption asset becoming READY is parsed by the content manager of its format, and one that finds nothing
ends the asset in ERROR (`CaptionAsset::preUpdate` → `validateCaptionContent`, docs/kaltura-contract.md,
"Assets and cue points"). Delivery checks its file with this before uploading it (a READY task with an ERROR
caption is worse than a refusal), and the emulator uses the same test to decide READY or ERROR. The patterns are
those of `plugins/content/caption/base/lib/captionManagers/{srt,webVtt,dfxp}CaptionsContentManager.php`.
"""

from __future__ import annotations

import re
import xml.parsers.expat

# srtCaptionsContentManager::parse (PCRE /sU without /u: ASCII \d and \s; greediness does not change whether
# some match exists).
_SRT_CUE = re.compile(
    r"(?P<index>\d+)\s*\r?\n\s*(?P<sh>\d{1,2}):(?P<sm>\d{1,2}):(?P<ss>\d{1,2})[,\.](?P<sms>\d{1,3})\s*-->\s*"
    r"(?P<eh>\d{1,2}):(?P<em>\d{1,2}):(?P<es>\d{1,2})[,\.](?P<ems>\d{1,3})\s*\r?\n"
    r"((?P<content>.+)\r?(\n|$))?\s*\r?(\n|$)",
    re.DOTALL | re.ASCII,
)
# webVttCaptionsContentManager::WEBVTT_TIMECODE_PATTERN: two-digit fields, one space each side of the arrow.
_VTT_TIMECODE = re.compile(
    r"^((?:[0-9]{2}:)?[0-9]{2}:[0-9]{2}\.[0-9]{3}) --> ((?:[0-9]{2}:)?[0-9]{2}:[0-9]{2}\.[0-9]{3})( .*)?$",
    re.ASCII,
)
MAX_CHECKED_BYTES = 64 * 1024**2
_KALTURA_TYPES = {"1": "srt", "2": "dfxp", "3": "vtt"}  # KalturaCaptionType values


def kaltura_parses(fmt: str | int | None, data: bytes) -> bool:
    """True when Kaltura's content manager for `fmt` ("srt"/"vtt"/"dfxp" or a KalturaCaptionType value) finds a
    caption in `data`. No format, empty content or nothing found is False; formats without a manager here (CAP,
    SCC) are not judged (True)."""
    name = _KALTURA_TYPES.get(str(fmt), str(fmt or "").lower())
    if not name:
        return False  # Kaltura has no content manager for a caption without a format
    # kCaptionsContentManager::extractContent: line endings to \n; an empty (PHP-falsy) content fails
    text = data[:MAX_CHECKED_BYTES].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if not text or text == b"0":
        return False
    if name == "srt":
        decoded = text[2:].decode("utf-16-le", "ignore") if text.startswith(b"\xff\xfe") else None
        return bool(_SRT_CUE.search(decoded if decoded is not None else text.decode("utf-8", "ignore")))
    if name in ("vtt", "webvtt"):
        return _vtt_has_cue(text.decode("utf-8", "ignore").split("\n"))
    if name in ("dfxp", "ttml"):
        return _dfxp_has_p(text.strip(b" \r\n\t"))
    return True


def _vtt_has_cue(lines: list[str]) -> bool:
    """parseWebVTT: a "WEBVTT" header (optionally "WEBVTT <description without -->"), then a timecode line."""
    header = lines[0].removeprefix("\ufeff")
    if header != "WEBVTT" and not (header.startswith("WEBVTT ") and "-->" not in header[7:]):
        return False
    return any(_VTT_TIMECODE.match(line) for line in lines[1:])


def _dfxp_has_p(data: bytes) -> bool:
    """DOMDocument::loadXML, then parseBody: an element named `p` anywhere (names as written: `tt:p` is not)."""
    found = False

    def start(name: str, _attrs: object) -> None:
        nonlocal found
        found = found or name.lower() == "p"

    parser = xml.parsers.expat.ParserCreate()  # no namespace processing: names keep their prefix
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError:
        return False  # loadXML fails: an empty document, no <p>
    return found
