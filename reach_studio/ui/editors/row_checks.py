"""Per-row checks behind the editors' validation markers.

Captions and translations use the caption core's per-cue validation (`domain/validation.py`), with the
task's profile and dictionary. Descriptions and chapters have their own few rules (they are not
captions): a description needs text and must not overlap the next one, a chapter needs a title and a
start of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from reach_studio.domain.captions import CaptionDocument, Chapter, Cue, DescriptionCue
from reach_studio.domain.edit_ops import Item
from reach_studio.domain.task import Task
from reach_studio.ui.editors.cue_model import ERROR, Marker, RowValidator

log = logging.getLogger(__name__)


def chapter_validator(task: Task) -> RowValidator:
    return lambda items, row: chapter_markers(items, row, task.entry_duration_ms)


def description_validator(task: Task, language: str | None) -> RowValidator:
    """The caption core's timing checks for EAD, plus the description rules."""
    core = _core_validator(task, "ead", language)
    return lambda items, row: _merge(core(items, row), description_markers(items, row))


def _merge(first: list[Marker], second: list[Marker]) -> list[Marker]:
    seen = {(m.code, m.message) for m in first}
    return first + [
        m for m in second if (m.code, m.message) not in seen and m.code not in {f.code for f in first}
    ]


def description_wpm() -> int:
    """The describer's speaking rate from the settings: the speaking-time note and the EAD rule use it."""
    from reach_studio.ui.editors.voice_editor import _setting

    return int(_setting("description_wpm", 160))


SourceOf = Callable[[], Sequence[Cue]]  # a translation's source cues as the editor has them now


def caption_validator(
    task: Task, kind: str, language: str | None, source: SourceOf | None = None
) -> RowValidator:
    return _core_validator(task, kind, language, source)


def _follow_source(validator, source: SourceOf | None) -> Callable[[], None]:
    """Hand the validator the translation's source cues whenever the editor's list is a new one (they
    arrive after the editor opens): identity check per call, a new document only when they changed."""
    seen: list = [None]

    def update() -> None:
        if source is None:
            return
        cues = source()
        if cues is not seen[0]:
            seen[0] = cues
            validator.set_source(CaptionDocument(cues=list(cues)) if cues else None)

    return update


def _core_validator(
    task: Task, kind: str, language: str | None, source: SourceOf | None = None
) -> RowValidator:
    """Adapter over the caption core's per-cue validation (`domain.validation.Validator.cue`)."""
    from reach_studio.domain import validation
    from reach_studio.ui.editors.task_rules import task_rules

    options = {
        "media_duration_ms": task.entry_duration_ms or None,
        "kind": kind,
        "rules": task_rules(task, language),
        "description_wpm": description_wpm(),
    }
    validator = validation.Validator(
        task.reach_profile, task.catalog_item, dictionary_terms=task.dictionary_terms or None, **options
    )

    follow = _follow_source(validator, source)

    def check(items: Sequence[Item], row: int) -> list[Marker]:
        follow()
        # the document is a view over the editor's list: no copy per keystroke
        findings = validator.cue(CaptionDocument(cues=items), row)  # type: ignore[arg-type]
        return [Marker(str(f.severity), str(f.rule), f.message) for f in findings]

    return check


def description_markers(items: Sequence[Item], row: int) -> list[Marker]:
    item = items[row]
    assert isinstance(item, DescriptionCue)
    out: list[Marker] = []
    if not item.text.strip():
        out.append(Marker(ERROR, "empty", "The description has no text"))
    if row + 1 < len(items) and items[row + 1].start_ms < item.end_ms:
        out.append(
            Marker(ERROR, "overlap", "Overlaps the next description: the player would read both at once")
        )
    return out


def chapter_markers(items: Sequence[Item], row: int, duration_ms: int | None) -> list[Marker]:
    item = items[row]
    assert isinstance(item, Chapter)
    out: list[Marker] = []
    if not item.title.strip():
        out.append(Marker(ERROR, "empty", "The chapter has no title"))
    for other in (row - 1, row + 1):
        if 0 <= other < len(items) and items[other].start_ms == item.start_ms:
            out.append(Marker(ERROR, "same_start", f"Starts at the same time as chapter {other + 1}"))
            break
    if duration_ms and item.start_ms >= duration_ms:
        out.append(Marker(ERROR, "after_end", "Starts after the end of the media"))
    return out


def full_check(items: Sequence[Item], validator: RowValidator) -> dict[int, list[Marker]]:
    """Every row's markers (before delivery)."""
    return {row: found for row in range(len(items)) if (found := validator(items, row))}


FindingsFor = "Callable[[Sequence[Item], int], list]"


def findings_for(kind: str, task: Task, language: str | None, source: SourceOf | None = None):
    """(items, row) -> the caption core's Findings for the row, each with its fix where one exists. Used by the problems panel when a fix is asked for, never per keystroke (chapters
    have no core validation: their mode asks for none)."""
    from reach_studio.domain import validation
    from reach_studio.ui.editors.task_rules import task_rules

    validator = validation.Validator(
        task.reach_profile,
        task.catalog_item,
        media_duration_ms=task.entry_duration_ms or None,
        kind=kind,
        dictionary_terms=task.dictionary_terms or None,
        rules=task_rules(task, language),
        description_wpm=description_wpm(),
    )
    follow = _follow_source(validator, source)

    def findings(items: Sequence[Item], row: int) -> list:
        follow()
        return validator.cue(CaptionDocument(cues=list(items)), row)  # type: ignore[arg-type]

    return findings
