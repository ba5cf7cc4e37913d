"""Read and write every timed-text format REACH uses: SRT, WebVTT, DFXP/TTML, TXT transcripts and the JSON
timed transcript. One entry point each way, so editors, delivery and `sync` agree on the details.

    doc = read_captions(Path("in.srt"))            # a path, raw bytes, or already-decoded text
    data = write_captions(doc, "dfxp")             # bytes, UTF-8
    fmt = output_format_for(profile, catalog_item) # "srt" | "dfxp" | "vtt" (SRT when none is set)

Every reader raises `CaptionParseError(file, line, message)` on malformed input, never another exception.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from reach_studio.domain.caption_errors import (
    CaptionError,
    CaptionParseError,
    CaptionRepair,
    CaptionWriteError,
    summarize_repairs,
)
from reach_studio.domain.captions import CaptionDocument
from reach_studio.domain.enums import CaptionType, OutputFormat
from reach_studio.domain.formats._common import SPEAKER_STYLES, SpeakerStyle
from reach_studio.domain.formats.dfxp import read_dfxp, write_dfxp
from reach_studio.domain.formats.srt import TIMING_RE, read_srt, write_srt
from reach_studio.domain.formats.timed_json import read_timed_json, write_timed_json
from reach_studio.domain.formats.txt import read_txt, write_txt
from reach_studio.domain.formats.vtt import read_ead_vtt, read_vtt, write_ead_vtt, write_vtt
from reach_studio.domain.text_encoding import MAX_TEXT_BYTES, TextDecodingError, decode_text

__all__ = [
    "FORMATS",
    "SPEAKER_STYLES",
    "CaptionError",
    "CaptionParseError",
    "CaptionRepair",
    "CaptionWriteError",
    "SpeakerStyle",
    "TextDecodingError",
    "caption_type_for",
    "detect_format",
    "file_extension",
    "import_captions",
    "normalize_format",
    "output_format_for",
    "read_captions",
    "read_ead_vtt",
    "salvage_captions",
    "speaker_style_for",
    "summarize_repairs",
    "write_captions",
    "write_ead_vtt",
]

FORMATS = ("srt", "vtt", "dfxp", "txt", "json")
_ALIASES = {
    "webvtt": "vtt",
    "ttml": "dfxp",
    "xml": "dfxp",
    "ttml2": "dfxp",
    "text": "txt",
    "transcript": "txt",
}
_EXTENSIONS = {"srt": "srt", "vtt": "vtt", "dfxp": "dfxp", "txt": "txt", "json": "json"}


def normalize_format(fmt: str | OutputFormat) -> str:
    """ "srt", "vtt", "dfxp", "txt" or "json" for a name, an extension or a Kaltura `OutputFormat`."""
    if isinstance(fmt, OutputFormat):
        name = {OutputFormat.SRT: "srt", OutputFormat.DFXP: "dfxp", OutputFormat.VTT: "vtt"}.get(fmt)
        if name is None:
            raise CaptionWriteError(f"unknown Kaltura output format {int(fmt)}")
        return name
    name = str(fmt).lower().lstrip(".")
    name = _ALIASES.get(name, name)
    if name not in FORMATS:
        raise CaptionWriteError(f"unknown caption format {fmt!r}; use one of {', '.join(FORMATS)}")
    return name


_TIMES_AROUND_ARROW = re.compile(r"^\s*\d+(?:[:.,]\d+)+\s*-->\s*\d+(?:[:.,]\d+)+")


def detect_format(text: str) -> str:
    """Guess the format from the content: WEBVTT header, <tt> root, JSON, SRT timing lines, else TXT."""
    head = text.lstrip()[:2000]
    if head.startswith("WEBVTT"):
        return "vtt"
    if head.startswith("<"):
        return "dfxp"
    if head.startswith(("[", "{")):
        stripped = head[1:].lstrip()
        if head.startswith("{") or stripped.startswith(("{", "]")) or not stripped:
            return "json"
    for line in head.split("\n")[:6]:
        if "-->" in line and (TIMING_RE.match(line) or _TIMES_AROUND_ARROW.match(line)):
            return "srt"  # times SRT does not define are refused by the SRT reader, with their line
    if re.match(r"\s*\d+\s*\n[^\n]*-->", head):
        return "srt"
    return "txt"


_PATH_SUFFIXES = (".srt", ".vtt", ".dfxp", ".ttml", ".xml", ".txt", ".json")


def _looks_like_path(text: str) -> bool:
    """A one-line str naming an existing caption file is a path, not caption text (a common slip)."""
    if "\n" in text or len(text) > 4096 or not text.lower().endswith(_PATH_SUFFIXES):
        return False
    try:
        return Path(text).is_file()
    except (OSError, ValueError):
        return False


def _decode(
    source: bytes | str | os.PathLike[str],
    name: str | None,
    language: str | None,
    repairs: list[CaptionRepair] | None,
) -> tuple[str, str]:
    """(text with "\n" line ends, file name) of a path, bytes or str; lists BOM, encoding and line-end
    changes in `repairs`."""
    if isinstance(source, str) and _looks_like_path(source):
        source = Path(source)
    if isinstance(source, os.PathLike):
        path = Path(source)
        name = name or path.name
        try:
            size = path.stat().st_size
            if size > MAX_TEXT_BYTES:
                raise CaptionParseError(name, None, f"file is too large for a caption file ({size} bytes)")
            data = path.read_bytes()
        except OSError as exc:
            raise CaptionParseError(
                name, None, f"cannot be read ({exc.strerror or type(exc).__name__})"
            ) from None
        source = data
    if isinstance(source, (bytes, bytearray, memoryview)):
        decoded = decode_text(bytes(source), name, language)
        text = decoded.text
        if repairs is not None:
            _encoding_repairs(decoded.encoding, repairs)
    elif isinstance(source, str):
        if len(source) > MAX_TEXT_BYTES:
            raise CaptionParseError(name, None, "text is too large for a caption file")
        if source.startswith("\ufeff") and repairs is not None:
            repairs.append(CaptionRepair("bom", 1, "byte order mark (BOM) removed"))
        text = source.removeprefix("\ufeff")
    else:
        raise TypeError(f"read_captions needs a Path, bytes or str, not {type(source).__name__}")
    if "\r" in text:
        if repairs is not None:
            crlf = "\r\n" in text
            repairs.append(
                CaptionRepair(
                    "line_ends",
                    None,
                    "Windows line ends (CR LF) read as line ends"
                    if crlf
                    else "CR line ends read as line ends",
                )
            )
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, name or "<input>"


def _encoding_repairs(encoding: str, repairs: list[CaptionRepair]) -> None:
    if encoding == "utf-8":
        return
    if encoding == "utf-8-sig":
        repairs.append(CaptionRepair("bom", 1, "byte order mark (BOM) removed"))
    elif encoding.startswith(("utf-16", "utf-32")):
        repairs.append(CaptionRepair("encoding", None, f"read as {encoding.upper()}; delivered as UTF-8"))
    else:
        repairs.append(
            CaptionRepair(
                "encoding",
                None,
                f"not UTF-8: read as the legacy code page {encoding} (check accented letters); delivered as UTF-8",
            )
        )


def _parse(
    text: str,
    fmt: str | OutputFormat | None,
    name: str,
    repairs: list[CaptionRepair] | None,
    skipped: list[CaptionParseError] | None = None,
) -> CaptionDocument:
    try:
        kind = normalize_format(fmt) if fmt is not None else detect_format(text)
    except CaptionWriteError as exc:
        raise CaptionParseError(name, None, str(exc)) from None
    if kind == "srt":
        doc = read_srt(text, name, repairs, skipped)
    elif kind == "vtt":
        doc = read_vtt(text, name, repairs, skipped)
    elif kind == "dfxp":
        doc = read_dfxp(text, name, repairs)
    elif kind == "txt":
        doc = read_txt(text, name)
    else:
        doc = read_timed_json(text, name)
    doc.source_format = kind
    return doc


def read_captions(
    source: bytes | str | os.PathLike[str],
    fmt: str | OutputFormat | None = None,
    *,
    name: str | None = None,
    language: str | None = None,
    repairs: list[CaptionRepair] | None = None,
) -> CaptionDocument:
    """Read a caption document from a path (`Path`, or a one-line `str` naming an existing .srt/.vtt/...
    file), raw bytes, or decoded text (`str`).

    `fmt` forces a format; otherwise it is detected from the content. `language` (the task's language
    name) helps tell legacy code pages apart in short files. Raises `CaptionParseError` (with
    the file name and line) for anything that is not a readable caption file, including undecodable text
    and hostile XML. Variants read where the intent is clear ("." in SRT times, a missing blank line, a
    BOM, ...) are appended to `repairs` when a list is given (`import_captions` gives one).
    """
    text, name = _decode(source, name, language, repairs)
    return _parse(text, fmt, name, repairs)


def import_captions(
    source: bytes | str | os.PathLike[str],
    fmt: str | OutputFormat | None = None,
    *,
    name: str | None = None,
    language: str | None = None,
) -> tuple[CaptionDocument, list[CaptionRepair]]:
    """Import a file a person made: read it, repairing where the intent is clear, and list every repair
    with its line for the linguist to check. An SRT or WebVTT cue that cannot be read is left out and
    listed (kind "left_out"); nothing is dropped unlisted. Raises `CaptionParseError` when nothing can be
    read (undecodable bytes, broken XML or JSON, no readable cue). Delivery never goes through here: the
    writers produce strictly conformant files from the document."""
    repairs: list[CaptionRepair] = []
    text, name = _decode(source, name, language, repairs)
    decoded = list(repairs)
    try:
        return _parse(text, fmt, name, repairs), repairs
    except CaptionParseError as strict_error:
        kind = normalize_format(fmt) if fmt is not None else detect_format(text)
        if kind not in ("srt", "vtt"):
            raise
        repairs = list(decoded)
        skipped: list[CaptionParseError] = []
        doc = _parse(text, kind, name, repairs, skipped)
        if not doc.cues:
            raise strict_error from None
        repairs.extend(CaptionRepair("left_out", e.line, e.message) for e in skipped)
        repairs.sort(key=lambda r: r.line or 0)
        return doc, repairs


def salvage_captions(
    source: bytes | str | os.PathLike[str],
    fmt: str | OutputFormat | None = None,
    *,
    name: str | None = None,
    language: str | None = None,
) -> tuple[CaptionDocument, list[CaptionParseError]]:
    """Like `read_captions`, but for a damaged SRT or WebVTT file keep every readable cue and list the ones
    left out (file + line each). Other formats are read strictly: there is no safe way to guess around
    broken XML or JSON. Raises `CaptionParseError` only when nothing can be read at all."""
    text, name = _decode(source, name, language, None)
    try:
        return _parse(text, fmt, name, None), []
    except CaptionParseError:
        kind = normalize_format(fmt) if fmt is not None else detect_format(text)
        if kind not in ("srt", "vtt"):
            raise
        skipped: list[CaptionParseError] = []
        doc = _parse(text, kind, name, None, skipped)
        if not doc.cues:
            raise
        return doc, skipped


def write_captions(doc: CaptionDocument, fmt: str | OutputFormat, *, speaker_style: str = "label") -> bytes:
    """The document as UTF-8 bytes in `fmt`; speakers shown in `speaker_style` ("label", "change", "both",
    "none"; see `speaker_style_for`). Raises `CaptionWriteError` for an unknown format or negative times."""
    kind = normalize_format(fmt)
    if speaker_style not in SPEAKER_STYLES:
        raise CaptionWriteError(
            f"unknown speaker style {speaker_style!r}; use one of {', '.join(SPEAKER_STYLES)}"
        )
    if kind == "srt":
        text = write_srt(doc, speaker_style)
    elif kind == "vtt":
        text = write_vtt(doc, speaker_style)
    elif kind == "dfxp":
        text = write_dfxp(doc, speaker_style)
    elif kind == "txt":
        text = write_txt(doc, speaker_style)
    else:
        text = write_timed_json(doc)
    return text.encode("utf-8")


def output_format_for(profile: object | None, catalog_item: object | None) -> str:
    """The format to deliver: the catalog item's `output_format`, else the profile's
    `default_output_format`, else SRT (vendor guide: "If there is none then you can use SRT as default")."""
    for value in (
        getattr(catalog_item, "output_format", None),
        getattr(profile, "default_output_format", None),
    ):
        if value is None:
            continue
        try:
            return normalize_format(OutputFormat(value))
        except (CaptionWriteError, ValueError):
            continue  # an unknown value from a newer server: fall through to the next source
    return "srt"


def speaker_style_for(profile: object | None, catalog_item: object | None) -> str:
    """How speakers must appear: "[Speaker 1]" labels when the catalog item has `enableSpeakerId`,
    ">>" at each change when the profile has `enableSpeakerChangeIndication`, both, or none."""
    labels = bool(getattr(catalog_item, "enable_speaker_id", False))
    changes = bool(getattr(profile, "enable_speaker_change_indication", False))
    if labels and changes:
        return "both"
    if labels:
        return "label"
    if changes:
        return "change"
    return "none"


def caption_type_for(fmt: str | OutputFormat) -> CaptionType:
    """KalturaCaptionType for `captionAsset[format]` (SRT "1", DFXP "2", WEBVTT "3")."""
    kind = normalize_format(fmt)
    try:
        return {"srt": CaptionType.SRT, "dfxp": CaptionType.DFXP, "vtt": CaptionType.WEBVTT}[kind]
    except KeyError:
        raise CaptionWriteError(f"{kind} is not a Kaltura caption asset format") from None


def file_extension(fmt: str | OutputFormat) -> str:
    """`captionAsset[fileExt]` / file name extension for a format."""
    return _EXTENSIONS[normalize_format(fmt)]
