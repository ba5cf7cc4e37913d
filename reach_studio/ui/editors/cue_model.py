"""The cue list as a Qt model: the document (a list of items) plus per-row validation markers.

Every change goes through `apply(op)` with an operation from `domain.edit_ops`, so the undo stack, the
draft journal and this model always agree. Validation is per row and incremental: an edit revalidates
only the rows it touched and their neighbours (overlaps and gaps depend on them), never the whole
document, so typing in a 5,000-cue document stays well under a frame.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont

from reach_studio.domain import edit_ops
from reach_studio.domain.captions import Chapter, Cue
from reach_studio.domain.edit_ops import Batch, Change, Item, Op, Splice
from reach_studio.domain.formats._common import render_text
from reach_studio.ui.style import plain_tip

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Marker:
    """One validation finding shown on a row: severity ("error" blocks delivery), code and message."""

    severity: str
    code: str
    message: str


RowValidator = Callable[[Sequence[Item], int], list[Marker]]
"""Validate row `i` of the document (it may look at neighbours). Must be fast: called per edit."""

ERROR_BG = QColor(255, 214, 214)
WARNING_BG = QColor(255, 243, 200)


def clock(ms: int) -> str:
    """hh:mm:ss,mmm as subtitle editors show times."""
    h, rest = divmod(int(ms), 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, milli = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{milli:03d}"


class CueListModel(QAbstractTableModel):
    """Rows are items; the columns are the mode's (`timed_modes`: captions, translation, ead, chapters)."""

    itemsChanged = Signal(int, int)  # first, last row whose content changed (inclusive)
    structureChanged = Signal()  # rows inserted or removed
    timesChanged = Signal()  # some start/end changed (the timeline rebuilds its time arrays)
    markersChanged = Signal()
    markerRowsChanged = Signal(object)  # the rows whose markers changed (a set), or None: any/all of them

    def __init__(
        self,
        columns: Sequence[str],
        items: list[Item] | None = None,
        source: Sequence[Cue] | None = None,
        validator: RowValidator | None = None,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.items: list[Item] = list(items or [])
        self.source: list[Cue] = list(source or [])
        self.columns = list(columns)
        self._validator = validator
        self._markers: dict[int, list[Marker]] = {}
        self._errors: set[int] | None = set()  # rows with an error; None = recompute (after a shift/reset)
        self._rows_moved = False
        self.speaker_style = "none"  # how speakers appear in the delivered file (the editor sets it)
        self._bold = QFont()
        self._bold.setBold(True)

    # ------------------------------------------------------------------------------------ editing

    def apply(self, op: Op) -> None:
        """Apply one operation to the document and tell the views precisely what changed."""
        if isinstance(op, Batch):
            if len(op.ops) > 200:
                self.beginResetModel()
                try:
                    op.apply(self.items)
                finally:
                    self.endResetModel()
                self.revalidate_all()
                self.timesChanged.emit()
                self.structureChanged.emit()
                return
            applied: list[Op] = []
            try:
                for sub in op.ops:
                    self.apply(sub)
                    applied.append(sub)
            except edit_ops.EditError:
                for sub in reversed(applied):
                    self.apply(sub.inverse())
                raise
            return
        if isinstance(op, Change):
            op.apply(self.items)
            timing = "start_ms" in op.after or "end_ms" in op.after
            self._rows_changed(op.index, op.index, neighbours=timing)
            if timing:
                self.timesChanged.emit()
            return
        if isinstance(op, Splice):
            removed, inserted = len(op.removed), len(op.inserted)
            common = min(removed, inserted)
            # validate before touching the views, so a bad op leaves everything as it was
            probe = self.items[op.index : op.index + removed]
            if tuple(probe) != op.removed:
                op.apply(list(self.items))  # raises the precise EditError
            for item in op.inserted:
                edit_ops.check_item(item)
            if removed > common:
                self.beginRemoveRows(QModelIndex(), op.index + common, op.index + removed - 1)
                del self.items[op.index + common : op.index + removed]
                self._shift_markers(op.index + common, -(removed - common))
                self.endRemoveRows()
            if inserted > common:
                self.beginInsertRows(QModelIndex(), op.index + common, op.index + inserted - 1)
                self.items[op.index + common : op.index + common] = list(op.inserted[common:])
                self._shift_markers(op.index + common, inserted - common)
                self.endInsertRows()
            self.items[op.index : op.index + common] = list(op.inserted[:common])
            last = op.index + max(inserted, 1) - 1
            self._rows_changed(op.index, min(last, len(self.items) - 1), neighbours=True)
            self.timesChanged.emit()
            if removed != inserted:
                self.structureChanged.emit()
            return
        raise edit_ops.EditError(f"not an edit operation: {type(op).__name__}")

    def replace_document(self, items: list[Item]) -> None:
        """Load another document (import a file, restore a draft): not undoable by itself."""
        self.beginResetModel()
        self.items = list(items)
        self._markers.clear()
        self._errors = set()
        self.endResetModel()
        self.revalidate_all()
        self.timesChanged.emit()
        self.structureChanged.emit()

    def _shift_markers(self, at: int, delta: int) -> None:
        if not self._markers:
            return
        shifted: dict[int, list[Marker]] = {}
        for row, markers in self._markers.items():
            if row < at:
                shifted[row] = markers
            elif delta > 0 or row >= at - delta:
                shifted[row + delta] = markers
        self._markers = shifted
        self._errors = None
        self._rows_moved = True  # markers moved rows: listeners rebuild instead of patching

    def _rows_changed(self, first: int, last: int, neighbours: bool) -> None:
        if not self.items:
            self._rows_moved = False
            self.markerRowsChanged.emit(None)
            self.markersChanged.emit()
            return
        lo = max(0, first - 1) if neighbours else first
        hi = min(len(self.items) - 1, last + 1) if neighbours else last
        self._validate_rows(range(lo, hi + 1))
        if self._rows_moved:
            self._rows_moved = False
            self.markerRowsChanged.emit(None)
            self.markersChanged.emit()
        if last >= first:
            self.dataChanged.emit(self.index(lo, 0), self.index(hi, len(self.columns) - 1))
        self.itemsChanged.emit(first, last)

    # --------------------------------------------------------------------------------- validation

    def set_validator(self, validator: RowValidator | None) -> None:
        self._validator = validator
        self.revalidate_all()

    def revalidate_all(self) -> None:
        self._markers.clear()
        self._errors = set()
        self._validate_rows(range(len(self.items)))
        self.markerRowsChanged.emit(None)
        self.markersChanged.emit()
        if self.items:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.items) - 1, len(self.columns) - 1))

    def set_markers(self, markers: dict[int, list[Marker]]) -> None:
        """Markers computed elsewhere (e.g. a full validation run in the background)."""
        self._markers = {r: list(m) for r, m in markers.items() if m}
        self._errors = None
        self.markerRowsChanged.emit(None)
        self.markersChanged.emit()
        if self.items:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.items) - 1, len(self.columns) - 1))

    def _validate_rows(self, rows: range) -> None:
        if self._validator is None:
            return
        changed = False
        touched: set[int] = set()
        for row in rows:
            found = self._validator(self.items, row)
            if found:
                if self._markers.get(row) != found:  # same findings: nothing for the views to redo
                    self._markers[row] = found
                    changed = True
                    touched.add(row)
                    if self._errors is not None:
                        if any(m.severity == ERROR for m in found):
                            self._errors.add(row)
                        else:
                            self._errors.discard(row)
            elif self._markers.pop(row, None) is not None:
                touched.add(row)
                if self._errors is not None:
                    self._errors.discard(row)
                changed = True
        if changed:
            self.markerRowsChanged.emit(touched)
            self.markersChanged.emit()

    def markers(self, row: int) -> list[Marker]:
        return self._markers.get(row, [])

    def error_rows(self) -> set[int]:
        if self._errors is None:  # kept up to date per edit; rebuilt only after rows moved
            self._errors = {r for r, ms in self._markers.items() if any(m.severity == ERROR for m in ms)}
        return set(self._errors)

    def marked_rows(self) -> dict[int, list[Marker]]:
        return dict(self._markers)

    def first_error(self) -> int | None:
        rows = self.error_rows()
        return min(rows) if rows else None

    # ------------------------------------------------------------------------------- Qt interface

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        row, col = index.row(), index.column()
        if not 0 <= row < len(self.items):
            return None
        name = self.columns[col]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(self.items[row], row, name)
        if role == Qt.ItemDataRole.BackgroundRole:
            markers = self._markers.get(row)
            if markers:
                return ERROR_BG if any(m.severity == ERROR for m in markers) else WARNING_BG
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            markers = self._markers.get(row)
            if markers:
                return plain_tip(
                    "\n".join(f"{'✖' if m.severity == ERROR else '⚠'} {m.message}" for m in markers)
                )
            return None
        if role == Qt.ItemDataRole.ForegroundRole and name == "Source":
            return QColor("#555555")
        if role == Qt.ItemDataRole.TextAlignmentRole and name in ("#", "Start", "End", "Duration", "CPS"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, item: Item, row: int, name: str):
        if name == "#":
            markers = self._markers.get(row)
            flag = ""
            if markers:
                flag = "✖ " if any(m.severity == ERROR for m in markers) else "⚠ "
            return f"{flag}{row + 1}"
        if name == "Start":
            return clock(item.start_ms)
        if name == "End":
            return clock(item.end_ms)  # type: ignore[union-attr]
        if name == "Duration":
            return f"{(item.end_ms - item.start_ms) / 1000:.3f}"  # type: ignore[union-attr]
        if name == "CPS":  # counted on the delivered form, as the validator does (speaker label included)
            shown = item.text  # type: ignore[union-attr]
            if self.speaker_style != "none" and isinstance(item, Cue) and item.speaker:
                prev = self.items[row - 1] if row > 0 else None
                shown = render_text(item, getattr(prev, "speaker", None), self.speaker_style, row == 0)
            chars = len(shown.replace("\n", ""))
            seconds = max(0.001, (item.end_ms - item.start_ms) / 1000)  # type: ignore[union-attr]
            return f"{chars / seconds:.1f}"
        if name == "Speaker":
            return item.speaker or ""  # type: ignore[union-attr]
        if name in ("Text", "Translation", "Description"):
            if isinstance(item, Chapter):
                return item.description.replace("\n", " ⏎ ")
            return item.text.replace("\n", " ⏎ ")
        if name == "Title":
            return item.title  # type: ignore[union-attr]
        if name == "Source":
            return self.source[row].text.replace("\n", " ⏎ ") if row < len(self.source) else ""
        return None
