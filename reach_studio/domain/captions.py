"""The timed-text model every editor, format, validator and delivery plan shares.

Times are integer milliseconds so that round trips through SRT/VTT/DFXP are exact.
A cue's text keeps its line breaks as "\\n"; the speaker is kept apart from the text so that
validators and writers can decide how to show it (label, ">>" change mark, or nothing).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass
class Cue:
    start_ms: int
    end_ms: int
    text: str
    speaker: str | None = None

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms

    def copy(self, **changes) -> Cue:
        return replace(self, **changes)


@dataclass
class CaptionDocument:
    cues: list[Cue] = field(default_factory=list)
    language: str | None = None  # KalturaCatalogItemLanguage name, e.g. "English"
    accuracy: int | None = None  # 0..100, as reported to Kaltura
    source_format: str | None = None  # "srt", "vtt", "dfxp", "txt", "json"

    def sorted(self) -> CaptionDocument:
        return replace(self, cues=sorted(self.cues, key=lambda c: (c.start_ms, c.end_ms)))


@dataclass
class Chapter:
    """A chapter marker: Kaltura thumb cue point with subType CHAPTER."""

    start_ms: int
    title: str
    description: str = ""


@dataclass
class DescriptionCue:
    """Extended audio description: start/end mark when the on-screen event begins and ends."""

    start_ms: int
    end_ms: int
    text: str

    def copy(self, **changes) -> DescriptionCue:
        """As `Cue.copy`, so the caption core's timing fixes apply to descriptions too."""
        return replace(self, **changes)
