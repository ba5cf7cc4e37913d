"""The project's own errors for timed text, so the GUI and `sync` can show one clear message.

A parse error always names the file (or "<input>") and the 1-based line it stopped at; it never carries
file content beyond a short excerpt of the offending line.
"""

from __future__ import annotations


class CaptionError(ValueError):
    """Base of every caption-core error."""


class CaptionParseError(CaptionError):
    """Input that is not a valid caption file: names the file and the line."""

    def __init__(self, file: str | None, line: int | None, message: str) -> None:
        self.file = file or "<input>"
        self.line = line
        self.message = message
        where = f"{self.file}, line {line}" if line else self.file
        super().__init__(f"{where}: {message}")


class CaptionWriteError(CaptionError):
    """A document that cannot be written in the requested format (e.g. an unknown format name)."""


def excerpt(text: str, limit: int = 40) -> str:
    """A short, printable excerpt of an offending line for an error message."""
    text = text.strip()
    shown = text[:limit] + ("…" if len(text) > limit else "")
    return repr(shown)
