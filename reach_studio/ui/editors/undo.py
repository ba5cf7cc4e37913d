"""Undo commands: each wraps one `domain.edit_ops` operation, so undo/redo and the draft journal agree.

There is one QUndoStack per task. Consecutive typing in the same cue merges into one undo step (as
every text editor does), while the journal still records each keystroke so a kill loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from reach_studio.domain.edit_ops import Change, Op
from reach_studio.ui.editors.cue_model import CueListModel

TYPING_ID = 1007


class OpCommand(QUndoCommand):
    """Redo applies the operation to the model, undo applies its inverse; both are journaled."""

    def __init__(
        self,
        model: CueListModel,
        op: Op,
        journal: Callable[[Op], None] | None = None,
        select: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__(op.label)
        self.model = model
        self.op = op
        self.journal = journal
        self.select = select

    def id(self) -> int:
        if isinstance(self.op, Change) and self.op.label == "Typing":
            return TYPING_ID
        return -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, OpCommand) or other.id() != TYPING_ID or self.id() != TYPING_ID:
            return False
        mine, theirs = self.op, other.op
        assert isinstance(mine, Change) and isinstance(theirs, Change)
        if mine.index != theirs.index or set(mine.after) != set(theirs.after):
            return False
        self.op = Change(mine.index, mine.before, theirs.after, mine.label)
        return True

    def redo(self) -> None:
        self._run(self.op)

    def undo(self) -> None:
        self._run(self.op.inverse())

    def _run(self, op: Op) -> None:
        self.model.apply(op)
        if self.journal is not None:
            self.journal(op)
        if self.select is not None:
            index = getattr(op, "index", None)
            if index is None and getattr(op, "ops", None):
                index = min(getattr(o, "index", 0) for o in op.ops)
            if index is not None and self.model.items:
                self.select(min(index, len(self.model.items) - 1))
