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


class CaptionRepair:
    """Something a reader changed or left out to make sense of an imperfect file (a "." as the SRT fraction
    separator, a missing blank line, an empty paragraph...), named with its 1-based line so the linguist
    can check it. Readers append these to the `repairs` list they are given; nothing is dropped unlisted."""

    __slots__ = ("kind", "line", "message")

    def __init__(self, kind: str, line: int | None, message: str) -> None:
        self.kind = kind  # a short, stable key for grouping, e.g. "srt_fraction_separator"
        self.line = line
        self.message = message

    def __repr__(self) -> str:
        return f"CaptionRepair({self.kind!r}, {self.line!r}, {self.message!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CaptionRepair) and (self.kind, self.line, self.message) == (
            other.kind,
            other.line,
            other.message,
        )

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


def summarize_repairs(repairs: list[CaptionRepair], max_lines: int = 12) -> list[str]:
    """One readable entry per kind of repair with the lines it was made on ("lines 2, 6, 10 and 40 more:
    '.' read as ..."), in order of first occurrence: a 10,000-cue file repaired on every cue stays legible."""
    groups: dict[tuple[str, str], list[int | None]] = {}
    for r in repairs:
        groups.setdefault((r.kind, r.message), []).append(r.line)
    by_kind: dict[str, list[tuple[str, list[int | None]]]] = {}
    for (kind, message), lines in groups.items():
        by_kind.setdefault(kind, []).append((message, lines))
    out: list[str] = []
    for kind, entries in by_kind.items():
        if len(entries) == 1 or all(len(lines) == 1 for _, lines in entries) and len(entries) <= max_lines:
            for message, lines in entries:
                out.append(_with_lines(lines, message, max_lines))
        else:  # many different messages of one kind (e.g. one per renumbered cue): the first, then a count
            lines = [line for _, ls in entries for line in ls]
            out.append(_with_lines(lines, f"{entries[0][0]} (and similar)", max_lines))
    return out


def _with_lines(lines: list[int | None], message: str, max_lines: int) -> str:
    known = [line for line in lines if line]
    if not known:
        return message
    shown = ", ".join(str(n) for n in known[:max_lines])
    more = f" and {len(known) - max_lines} more" if len(known) > max_lines else ""
    return f"line{'s' if len(known) > 1 else ''} {shown}{more}: {message}"


def grouped_repair(
    kind: str, lines: list[int], what: str, unit: str = "places", max_lines: int = 12
) -> CaptionRepair:
    """One entry for something left out in many places ("cue identifiers left out (3000 cues: lines 3, 7, 11
    ... and 2988 more)"): a file that numbers or colours every cue gives the linguist one line, not thousands."""
    shown = ", ".join(str(n) for n in lines[:max_lines])
    more = f" and {len(lines) - max_lines} more" if len(lines) > max_lines else ""
    where = f"line {shown}" if len(lines) == 1 else f"{len(lines)} {unit}: lines {shown}{more}"
    return CaptionRepair(kind, lines[0] if lines else None, f"{what} ({where})")
