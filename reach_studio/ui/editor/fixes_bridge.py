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
    return CaptionRules.from_profile(task.reach_profile if task else None)


def split(cue: Cue, at: int | None, task: Task | None = None) -> list[Cue]:
    """Two cues from one: at text position `at` (else near the middle); time shared by text length."""
    if at is not None and not 0 < at < len(cue.text):
        at = None
    try:
        return caption_fixes.split_cue(CaptionDocument([cue]), 0, at, _rules(task)).cues
    except CaptionError as exc:
        raise EditError(str(exc)) from None


def merge(a: Cue, b: Cue, task: Task | None = None) -> Cue:
    """One cue spanning both, text joined and re-broken."""
    try:
        (merged,) = caption_fixes.merge_cues(CaptionDocument([a, b]), 0, _rules(task)).cues
    except CaptionError as exc:
        raise EditError(str(exc)) from None
    return merged


def reflow(cue: Cue, task: Task | None = None) -> list[Cue]:
    """The cue re-broken into balanced lines; several cues when the text needs more than the lines allowed."""
    try:
        return caption_fixes.reflow_cue(CaptionDocument([cue]), 0, _rules(task)).cues
    except CaptionError as exc:
        raise EditError(str(exc)) from None
