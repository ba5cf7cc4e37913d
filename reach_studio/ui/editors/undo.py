"""Undo commands: each wraps one `domain.edit_ops` operation, so undo/redo and the draft journal agree.

There is one QUndoStack per task. Consecutive typing in the same cue merges into one undo step (as
every text editor does), while the journal still records each keystroke so a kill loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

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


def undo_keys() -> list[QKeySequence]:
    return QKeySequence.keyBindings(QKeySequence.StandardKey.Undo)


def redo_keys() -> list[QKeySequence]:
    keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)
    ctrl_y = QKeySequence("Ctrl+Y")
    return keys if ctrl_y in keys else [*keys, ctrl_y]


def history_actions(
    widget: QWidget, stack: QUndoStack, allowed: Callable[[], bool] | None = None
) -> tuple[QAction, QAction]:
    """The editor's Undo and Redo for `stack`, on `widget` and the fields inside it (Ctrl+Z; Ctrl+Y as in
    Subtitle Edit, and the platform's own). Fixed short texts, the step's name in the tool tip ("Undo Fix
    all: Re-break the lines…" pushed the toolbar's last buttons out of sight). Enabled while the stack can
    and `allowed()` (e.g. not while recording)."""
    actions = []
    for name, run, can, text_changed, keys, key in (
        ("Undo", stack.undo, stack.canUndoChanged, stack.undoTextChanged, undo_keys(), "Ctrl+Z"),
        ("Redo", stack.redo, stack.canRedoChanged, stack.redoTextChanged, redo_keys(), "Ctrl+Y"),
    ):
        action = QAction(name, widget, enabled=False)
        action.triggered.connect(run)
        can.connect(lambda on, a=action: a.setEnabled(on and (allowed is None or allowed())))
        text_changed.connect(lambda text, a=action, n=name, k=key: a.setToolTip(f"{n} {text} ({k})"))
        action.setShortcuts(keys)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        widget.addAction(action)
        actions.append(action)
    return actions[0], actions[1]


class OneHistory(QObject):
    """Keeps undo/redo keys away from the text fields' own histories, so Ctrl+Z in the text box undoes
    the document's last step (typing, split, merge, retime alike): one history per document."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._keys = [k[0].toCombined() for k in (*undo_keys(), *redo_keys()) if not k.isEmpty()]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            combined = event.keyCombination().toCombined()
            if combined in self._keys:
                if event.type() == QEvent.Type.ShortcutOverride:
                    event.ignore()  # not the field's: let the editor's Undo/Redo shortcut have it
                    return True
                return True  # a key press that reached the field anyway: never its private undo
        return False


VOICE_TYPING_ID = 1008


class ScriptStep(QUndoCommand):
    """One step of the voice editor's script (a line added, deleted, moved, its take or its text), kept as the
    script before and after: the script is small, and a snapshot restores a deleted line with its take.
    Typing in one line merges into one step, as in the timed editor."""

    def __init__(
        self,
        label: str,
        before: dict,
        after: dict,
        restore: Callable[[dict, int | None], None],
        rows: tuple[int | None, int | None],
        typing_row: int | None = None,
    ) -> None:
        super().__init__(label)
        self.before, self.after = before, after
        self.restore = restore
        self.rows = rows  # the line to select after undo, after redo
        self.typing_row = typing_row
        self._done = True  # pushed after the change was made: the first redo has nothing to do

    def id(self) -> int:
        return VOICE_TYPING_ID if self.typing_row is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if (
            not isinstance(other, ScriptStep)
            or other.typing_row is None
            or other.typing_row != self.typing_row
        ):
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self.restore(self.after, self.rows[1])

    def undo(self) -> None:
        self.restore(self.before, self.rows[0])
