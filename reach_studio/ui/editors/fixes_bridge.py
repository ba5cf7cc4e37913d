"""Split, merge and reflow for the editors: the caption core's fixes (`domain/caption_fixes.py`) applied to
one cue and turned into the editors' own error type, so a refused fix is a status message.

The editors only decide where the user asked to split (the text cursor) and wrap the result as one
undoable `edit_ops` operation.
"""

from __future__ import annotations

from reach_studio.domain import caption_fixes
from reach_studio.domain.caption_errors import CaptionError
from reach_studio.domain.caption_rules import CaptionRules
from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.edit_ops import EditError
from reach_studio.domain.task import Task


def _rules(task: Task | None) -> CaptionRules:
    from reach_studio.ui.editors.task_rules import task_rules

    return task_rules(task, task.source_language if task else None)


def split(cue: Cue, at: int | None, task: Task | None = None) -> list[Cue]:
    """Two cues from one: at text position `at` (else near the middle); time shared by text length."""
    if at is not None and not 0 < at < len(cue.text):
        at = None
    rules = _rules(task)
    try:
        return caption_fixes.split_keeping_gap(CaptionDocument([cue]), 0, at, rules).cues
    except CaptionError as exc:
        raise EditError(str(exc)) from None


def merge(a: Cue, b: Cue, task: Task | None = None) -> Cue:
    """One cue spanning both, text joined and re-broken."""
    try:
        (merged,) = caption_fixes.merge_cues(CaptionDocument([a, b]), 0, _rules(task)).cues
    except CaptionError as exc:
        raise EditError(str(exc)) from None
    return merged


def reflow(cue: Cue, task: Task | None = None, prefix: str = "", later_prefix: str = "") -> list[Cue]:
    """The cue re-broken into balanced lines; several cues when the text needs more than the lines allowed.

    `prefix` is what the delivered file puts before the text (speaker label, ">>"): it counts toward the
    first line; `later_prefix`, what it repeats before each further cue a split makes
    (`caption_fixes.continued_prefix`), counts toward theirs. Splitting is refused when a resulting cue would be shorter than the minimum duration or
    faster than the reading speed: the cue needs more time (or less text) first."""
    try:
        return caption_fixes.reflow_readable(
            CaptionDocument([cue]),
            0,
            _rules(task),
            prefix_len=len(prefix),
            later_prefix_len=len(later_prefix),
        ).cues
    except CaptionError as exc:
        raise EditError(str(exc)) from None
