"""Decode caption files whatever encoding they arrived in, or say exactly where they cannot be read.

Linguists receive captions from many tools: UTF-8 with or without a BOM, UTF-16 (Windows tools), and
legacy single-byte code pages (cp1252, cp1250, cp1251, ...). A file that is broken UTF-8 or binary gets a
`TextDecodingError` naming the file and the line instead of a mangled document.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from reach_studio.domain.caption_errors import CaptionParseError

MAX_TEXT_BYTES = 64 * 1024 * 1024  # a 10-hour programme is a few MB; beyond this it is not a caption file

_LEGACY_CANDIDATES = [
    "cp1252",
    "cp1250",
    "cp1251",
    "cp1253",
    "cp1254",
    "cp1255",
    "cp1256",
    "cp1257",
    "iso8859_15",
    "koi8_r",
    "mac_roman",
]
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, *range(0x0E, 0x20), 0x7F])  # the same, in UTF-8 bytes


class TextDecodingError(CaptionParseError):
    """Bytes that cannot be decoded as text in any supported encoding."""


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str  # Python codec name, e.g. "utf-8", "utf-8-sig", "utf-16", "cp1252"


def _line_at(data: bytes, pos: int, encoding: str = "latin-1") -> int:
    return data[:pos].decode(encoding, errors="replace").count("\n") + 1


def _looks_like_utf16(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    pairs = len(sample) // 2
    odd_nuls = sample[1::2].count(0)
    even_nuls = sample[0::2].count(0)
    if odd_nuls > 0.3 * pairs and even_nuls < 0.05 * pairs:
        return "utf-16-le"
    if even_nuls > 0.3 * pairs and odd_nuls < 0.05 * pairs:
        return "utf-16-be"
    return None


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = _line_at(data, exc.start, encoding if encoding.startswith("utf-16") else "latin-1")
        raise TextDecodingError(
            name,
            line,
            f"cannot be decoded as {encoding} (byte 0x{data[exc.start]:02x} at offset {exc.start})",
        ) from None


# The languages each code page was made for: when several code pages fit a short file, the one made for
# the task's language wins.
_NATIVE = {
    "cp1250": {"Polish", "Czech", "Slovak", "Hungarian", "Slovene", "Croatian", "Romanian", "Bosnian"},
    "cp1251": {"Russian", "Ukrainian", "Bulgarian", "Serbian", "Macedonian", "Belarusian"},
    "cp1252": {
        "English",
        "French",
        "German",
        "Spanish",
        "Italian",
        "Portuguese",
        "Dutch",
        "Danish",
        "Swedish",
        "Norwegian",
        "Finnish",
        "Catalan",
        "Indonesian",
        "Malay",
    },
    "cp1253": {"Greek"},
    "cp1254": {"Turkish"},
    "cp1255": {"Hebrew"},
    "cp1256": {"Arabic", "Farsi", "Urdu"},
    "cp1257": {"Lithuanian", "Latvian", "Estonian"},
    "koi8_r": {"Russian"},
    "iso8859_15": {"French", "German"},
}


def _guess_legacy(data: bytes, language: str | None = None) -> str | None:
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data[:200_000], cp_isolation=_LEGACY_CANDIDATES))
    if not matches:
        return None
    order = {codecs.lookup(name).name: k for k, name in enumerate(_LEGACY_CANDIDATES)}
    hint = (language or "").split(" (")[0]

    def key(m) -> tuple:
        canonical = codecs.lookup(m.encoding).name
        native = _NATIVE.get(m.encoding, _NATIVE.get(canonical.replace("-", "_"), set()))
        # charset-normalizer's language guess is unreliable on a few lines (French comes out "Estonian"),
        # so only the task's language is trusted to pick among code pages that decode equally well.
        return (
            round(m.chaos, 2),
            0 if hint in native else 1,
            -round(m.coherence, 2),
            order.get(canonical, 99),  # then the more common code page (cp1252 first, as listed)
        )

    if hint:
        # A few accented letters give charset-normalizer's mess detector slightly different scores per code
        # page (French in cp1252 scored messier than in Baltic cp1257): within a small margin, the code
        # page made for the task's language wins.
        best = min(round(m.chaos, 2) for m in matches)
        close = [m for m in matches if round(m.chaos, 2) <= best + 0.1]
        native = [m for m in close if key(m)[1] == 0]
        if native:
            return min(native, key=key).encoding
    return min(matches, key=key).encoding


def decode_text(data: bytes, name: str | None = None, language: str | None = None) -> DecodedText:
    """Decode caption bytes; raises `TextDecodingError` (file + line) when they are not text.

    `language` (a KalturaCatalogItemLanguage name such as "Hebrew", usually the task's) settles which
    legacy code page a short file is in when several fit."""
    name = name or "<input>"
    if len(data) > MAX_TEXT_BYTES:
        raise TextDecodingError(name, None, f"file is too large for a caption file ({len(data)} bytes)")
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encoding = "utf-32"
    elif data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = _looks_like_utf16(data) or "utf-8"
    if encoding != "utf-8":
        text = _strict(data, encoding, name)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            if _UTF8_MULTIBYTE.search(data):
                # Valid UTF-8 sequences next to invalid ones: a damaged UTF-8 file, not a code page.
                raise TextDecodingError(
                    name,
                    _line_at(data, exc.start),
                    f"is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                ) from None
            legacy = _guess_legacy(data, language)
            if legacy is None:
                raise TextDecodingError(
                    name,
                    _line_at(data, exc.start),
                    "is neither UTF-8, UTF-16 nor a known single-byte encoding",
                ) from None
            encoding = codecs.lookup(legacy).name
            text = _strict(data, encoding, name)
    text = text.removeprefix("\ufeff")
    if encoding == "utf-8" and len(data.translate(None, _CONTROL_BYTES)) == len(data):
        return DecodedText(text, encoding)  # no control byte, so no control character: a 7x faster check
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise TextDecodingError(
            name, line, f"contains binary data (control character {ord(bad.group()):#04x})"
        )
    return DecodedText(text, encoding)
