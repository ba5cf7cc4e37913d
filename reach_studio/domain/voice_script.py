"""The script of a voice task (dubbing, audio description): timed lines and the take recorded for each.

Why it exists: the voice editor, the mixer and the draft journal all need the same small model — where each
line is spoken, what is said, and which audio file (a "take") holds the recording. Takes live on disk next
to the draft, so the script only keeps their paths and durations; it is serialised as a plain dict for the
draft store. Pure: no Qt, no disk access except the explicit `missing_takes` check.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reach_studio.domain.captions import CaptionDocument, Cue

KINDS = ("dubbing", "audio_description")
SCRIPT_VERSION = 1
DEFAULT_LINE_MS = 2000  # room given to a new line before anything is recorded for it


class VoiceScriptError(ValueError):
    """A voice script (or a draft of one) is malformed; the message says which line and why."""


@dataclass(frozen=True)
class VoiceLine:
    """One line to voice: spoken from `start_ms`; `end_ms` is the slot it should fit (source cue end)."""

    start_ms: int
    text: str = ""
    end_ms: int | None = None
    take: str | None = None  # path of the recorded/imported take (WAV), None until recorded
    take_ms: int = 0  # duration of the take

    @property
    def has_take(self) -> bool:
        return bool(self.take) and self.take_ms > 0

    @property
    def shown_end_ms(self) -> int:
        """Where the line ends on the timeline: the take's end, else the slot's, else a default length."""
        if self.has_take:
            return self.start_ms + self.take_ms
        if self.end_ms is not None and self.end_ms > self.start_ms:
            return self.end_ms
        return self.start_ms + DEFAULT_LINE_MS

    def to_dict(self) -> dict[str, Any]:
        return {
            "start_ms": self.start_ms,
            "text": self.text,
            "end_ms": self.end_ms,
            "take": self.take,
            "take_ms": self.take_ms,
        }

    @staticmethod
    def from_dict(data: dict[str, Any]) -> VoiceLine:
        try:
            start = int(data["start_ms"])
            end = data.get("end_ms")
            line = VoiceLine(
                start_ms=start,
                text=str(data.get("text") or ""),
                end_ms=None if end is None else int(end),
                take=data.get("take") or None,
                take_ms=int(data.get("take_ms") or 0),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise VoiceScriptError(f"damaged voice line {data!r}: {exc}") from None
        check_line(line)
        return line


def check_line(line: VoiceLine) -> None:
    if line.start_ms < 0:
        raise VoiceScriptError(f"a line cannot start before 0 ({line.start_ms} ms)")
    if line.take_ms < 0:
        raise VoiceScriptError(f"a take cannot last {line.take_ms} ms")
    if line.end_ms is not None and line.end_ms < line.start_ms:
        raise VoiceScriptError(f"a line ends ({line.end_ms} ms) before it starts ({line.start_ms} ms)")


@dataclass
class VoiceScript:
    """The lines of one voice task, kept sorted by start time."""

    kind: str  # "dubbing" | "audio_description"
    language: str | None = None
    lines: list[VoiceLine] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise VoiceScriptError(f"unknown voice task kind {self.kind!r}")
        for line in self.lines:
            check_line(line)
        self.lines.sort(key=lambda ln: ln.start_ms)

    # --- building ---------------------------------------------------------------------------------

    @staticmethod
    def from_captions(doc: CaptionDocument, kind: str = "dubbing") -> VoiceScript:
        """Dubbing starts from the (translated) captions: one line per cue, timed like the cue."""
        lines = [
            VoiceLine(c.start_ms, c.text.replace("\n", " ").strip(), c.end_ms)
            for c in doc.cues
            if c.text.strip()
        ]
        return VoiceScript(kind, doc.language, lines)

    def add_line(self, start_ms: int, text: str = "", end_ms: int | None = None) -> int:
        """Insert a line at `start_ms` (after lines starting at the same time); returns its index."""
        line = VoiceLine(int(start_ms), text, end_ms)
        check_line(line)
        index = sum(1 for ln in self.lines if ln.start_ms <= line.start_ms)
        self.lines.insert(index, line)
        return index

    def remove_line(self, index: int) -> VoiceLine:
        self._check_index(index)
        return self.lines.pop(index)

    def set_text(self, index: int, text: str) -> None:
        self._check_index(index)
        self.lines[index] = replace(self.lines[index], text=text)

    def set_start(self, index: int, start_ms: int) -> int:
        """Move a line; returns its new index (the list stays sorted)."""
        self._check_index(index)
        old = self.lines.pop(index)
        end = old.end_ms
        if end is not None:
            end = max(int(start_ms), end + (int(start_ms) - old.start_ms))
        line = replace(old, start_ms=int(start_ms), end_ms=end)
        check_line(line)
        new_index = sum(1 for ln in self.lines if ln.start_ms <= line.start_ms)
        self.lines.insert(new_index, line)
        return new_index

    def set_take(self, index: int, path: str | Path | None, take_ms: int = 0) -> None:
        self._check_index(index)
        if path is not None and take_ms <= 0:
            raise VoiceScriptError(f"line {index + 1}: the take is empty")
        self.lines[index] = replace(
            self.lines[index],
            take=None if path is None else str(path),
            take_ms=int(take_ms) if path is not None else 0,
        )

    def _check_index(self, index: int) -> None:
        if not 0 <= index < len(self.lines):
            raise VoiceScriptError(f"there is no line {index + 1} (the script has {len(self.lines)})")

    # --- reading ----------------------------------------------------------------------------------

    def takes(self) -> list[tuple[int, Path]]:
        """(start_ms, take file) of every recorded line, in time order: what the mixer places."""
        return [(ln.start_ms, Path(ln.take)) for ln in self.lines if ln.has_take and ln.take]

    def missing_takes(self) -> list[int]:
        """Indexes of lines with no take, or whose take file is gone from disk."""
        return [i for i, ln in enumerate(self.lines) if not ln.has_take or not Path(str(ln.take)).is_file()]

    def overlaps(self) -> list[int]:
        """Indexes of lines whose take runs into the next line's start (the voices would talk over each other)."""
        out = []
        for i, (a, b) in enumerate(zip(self.lines, self.lines[1:], strict=False)):
            if a.has_take and a.start_ms + a.take_ms > b.start_ms:
                out.append(i)
        return out

    def problems(self, media_duration_ms: int | None = None) -> list[str]:
        """What blocks delivering this script: no lines, lines without a take, overlapping or late takes."""
        if not self.lines:
            return ["There are no lines yet"]
        out = [
            f"line {i + 1}: no take recorded"
            if not self.lines[i].has_take
            else f"line {i + 1}: the take file is missing ({Path(str(self.lines[i].take)).name})"
            for i in self.missing_takes()
        ]
        out += [f"line {i + 1}: the take runs into line {i + 2}" for i in self.overlaps()]
        if media_duration_ms:
            out += [
                f"line {i + 1}: the take ends after the media ({ln.start_ms + ln.take_ms} ms > "
                f"{media_duration_ms} ms)"
                for i, ln in enumerate(self.lines)
                if ln.has_take and ln.start_ms + ln.take_ms > media_duration_ms + 250
            ]
        return out

    def aligned_captions(self, accuracy: int = 95) -> CaptionDocument:
        """Captions timed like the recorded lines (the guide's optional dub-aligned caption)."""
        cues = [Cue(ln.start_ms, ln.shown_end_ms, ln.text) for ln in self.lines if ln.text.strip()]
        return CaptionDocument(cues=cues, language=self.language, accuracy=accuracy)

    # --- drafts -----------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": SCRIPT_VERSION,
            "kind": self.kind,
            "language": self.language,
            "lines": [ln.to_dict() for ln in self.lines],
        }

    @staticmethod
    def from_dict(data: dict[str, Any]) -> VoiceScript:
        if not isinstance(data, dict) or not isinstance(data.get("lines", []), list):
            raise VoiceScriptError("the voice draft is not a script")
        if int(data.get("version") or SCRIPT_VERSION) > SCRIPT_VERSION:
            raise VoiceScriptError("the voice draft was written by a newer Reach Studio")
        lines = [VoiceLine.from_dict(d) for d in _dicts(data.get("lines", []))]
        return VoiceScript(str(data.get("kind") or ""), data.get("language"), lines)


def _dicts(items: Iterable[Any]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise VoiceScriptError(f"damaged voice line {item!r}")
        out.append(item)
    return out
