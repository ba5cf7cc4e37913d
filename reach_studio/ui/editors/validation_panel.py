"""The problems panel: every finding of the document in one live list, each with its fix, and "fix all of
this kind" (as Subtitle Edit's "Fix common errors", but live and undoable).

The list is a model over the markers the cue model already keeps (validated incrementally per edit), so
typing costs nothing here beyond a coalesced refresh. Fixes come from the caption core
(`domain/validation.py`, `Finding.fix`), computed when asked, and land as one undoable step.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reach_studio.domain import edit_ops
from reach_studio.domain.captions import CaptionDocument
from reach_studio.ui.editors.cue_model import ERROR, CueListModel, Marker
from reach_studio.ui.style import esc, plain_tip, rich

REFRESH_MS = 120  # coalesce bursts of edits (typing) into one list refresh
FIX_TEXT_PX = 200  # the Fix button's text is shortened to this; the tool-tip has it whole


class ProblemsModel(QAbstractTableModel):
    """Rows: (cue row, marker), errors first, then by cue. Kept as two lists sorted by cue row, patched
    per changed cue (bisect), so a keystroke in a 5,000-problem document does not rebuild the list."""

    def __init__(self, parent=None, item_word: str = "Cue") -> None:
        super().__init__(parent)
        self.headers = ("", item_word, "Problem")  # "Chapter" in a chapters task
        self._errors: list[tuple[int, Marker]] = []
        self._warnings: list[tuple[int, Marker]] = []
        self._error_keys: list[int] = []  # cue rows of _errors (for bisect)
        self._warning_keys: list[int] = []

    @property
    def error_count(self) -> int:
        return len(self._errors)

    @property
    def rows(self) -> list[tuple[int, Marker]]:
        return self._errors + self._warnings

    def row_at(self, i: int) -> tuple[int, Marker]:
        n = len(self._errors)
        return self._errors[i] if i < n else self._warnings[i - n]

    def __len__(self) -> int:
        return len(self._errors) + len(self._warnings)

    def set_markers(self, marked: dict[int, list[Marker]]) -> None:
        self.beginResetModel()
        self._errors, self._warnings = [], []
        for r in sorted(marked):  # ints sort in C; one pass splits errors from warnings
            for m in marked[r]:
                (self._errors if m.severity == ERROR else self._warnings).append((r, m))
        self._error_keys = [r for r, _m in self._errors]
        self._warning_keys = [r for r, _m in self._warnings]
        self.endResetModel()

    def update_rows(self, rows: set[int], markers_of: Callable[[int], list[Marker]]) -> None:
        """Replace the entries of the given cue rows only, telling the view exactly which list rows were
        removed, inserted or changed (a model reset would make it re-read every visible row and drop the
        linguist's selection, which then had to be searched for again: milliseconds per keystroke)."""
        for row in sorted(rows):
            new = markers_of(row)
            for entries, keys, severe in (
                (self._errors, self._error_keys, True),
                (self._warnings, self._warning_keys, False),
            ):
                base = 0 if severe else len(self._errors)
                lo, hi = bisect_left(keys, row), bisect_right(keys, row)
                fresh = [(row, m) for m in new if (m.severity == ERROR) == severe]
                n_old, n_new = hi - lo, len(fresh)
                if n_old > n_new:
                    self.beginRemoveRows(QModelIndex(), base + lo + n_new, base + hi - 1)
                    del entries[lo + n_new : hi]
                    del keys[lo + n_new : hi]
                    self.endRemoveRows()
                elif n_new > n_old:
                    self.beginInsertRows(QModelIndex(), base + hi, base + lo + n_new - 1)
                    entries[hi:hi] = fresh[n_old:]
                    keys[hi:hi] = [row] * (n_new - n_old)
                    self.endInsertRows()
                common = min(n_old, n_new)
                if common and entries[lo : lo + common] != fresh[:common]:
                    entries[lo : lo + common] = fresh[:common]
                    self.dataChanged.emit(self.index(base + lo, 0), self.index(base + lo + common - 1, 2))

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        return 0 if parent.isValid() else len(self)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self):
            return None
        row, marker = self.row_at(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            return ("✖" if marker.severity == ERROR else "⚠", str(row + 1), marker.message)[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 0:
            return QColor("#b00020") if marker.severity == ERROR else QColor("#9a6700")
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tip(marker.message)
        return None


class ValidationPanel(QWidget):
    """Lists the editor's problems; Fix / Fix all of this kind push one undoable step each."""

    cueActivated = Signal(int)

    def __init__(
        self,
        model: CueListModel,
        findings: Callable | None,
        push: Callable[[object], bool],
        parent: QWidget | None = None,
        report: Callable[[str], None] | None = None,
        item_word: str = "Cue",
    ) -> None:
        super().__init__(parent)
        self.cues = model
        self.findings = findings  # (items, row) -> [Finding] with fixes, or None (no fixes in this mode)
        self.push = push  # the editor's _push(op): one undo step, journaled
        self.report = report  # the editor's status line: why a fix could not be made, in full
        self.problems = ProblemsModel(self, item_word)
        self.view = QTableView(self)
        self.view.setModel(self.problems)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 4)
        self.view.setWordWrap(False)
        self.view.setColumnWidth(0, 24)
        # wide enough for its header ("Description", "Chapter"): a cut "escriptio" named nothing
        header = self.view.horizontalHeader()
        self.view.setColumnWidth(1, max(54, header.fontMetrics().horizontalAdvance(item_word) + 20))
        header.setStretchLastSection(True)
        self.title = rich(QLabel(self))  # "<b>Problems</b>: …"
        # the counts (or why a fix failed) may be cut short, never widen the editor
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.fix_button = QPushButton("Fix", self)
        self.fix_all_button = QPushButton("Fix all of this kind", self)
        self.fix_button.clicked.connect(self.fix_selected)
        self.fix_all_button.clicked.connect(self.fix_all_selected_kind)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        self.view.doubleClicked.connect(
            lambda index: self.cueActivated.emit(self.problems.row_at(index.row())[0])
        )
        self.view.clicked.connect(lambda index: self.cueActivated.emit(self.problems.row_at(index.row())[0]))
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.title, 1)
        bar.addWidget(self.fix_button)
        bar.addWidget(self.fix_all_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self._timer = QTimer(self, singleShot=True, interval=REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._pending: set[int] | None = None  # cue rows to patch; None = rebuild
        self._stale = False
        model.markerRowsChanged.connect(self._schedule)
        model.modelReset.connect(lambda: self._schedule(None))
        self.refresh()

    def _schedule(self, rows: set[int] | None) -> None:
        if not self.isVisible():  # closed panel: nothing to keep up to date until it is shown again
            self._stale = True
            return
        if not self._timer.isActive():
            self._pending = set() if rows is not None else None
            self._timer.start()
        if rows is None:
            self._pending = None
        elif self._pending is not None:
            self._pending |= rows

    def showEvent(self, event) -> None:
        if self._stale:
            self._stale = False
            self._pending = None
            self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        current = self.selected()
        pending, self._pending = self._pending, None
        if pending is not None:
            if not pending:
                return
            self.problems.update_rows(pending, self.cues.markers)
        else:
            self.problems.set_markers(self.cues.marked_rows())
        errors = self.problems.error_count
        warnings = len(self.problems) - errors
        self.title.setText(
            f"<b>Problems</b>: {errors} error(s), {warnings} warning(s)"
            if len(self.problems)
            else "<b>Problems</b>: none"
        )
        self.title.setToolTip("")
        if current is not None:  # keep the linguist's place in the list
            self._reselect(current)
        now = self.selected()
        # the fix buttons ask the caption core for the finding's fix: only when the choice or its cue changed
        if pending is None or now != current or (now is not None and now[0] in pending):
            self._update_buttons()

    def _reselect(self, current: tuple[int, Marker]) -> None:
        index = self.view.currentIndex()
        if index.isValid() and index.row() < len(self.problems):
            row, marker = self.problems.row_at(index.row())
            if (row, marker.code) == (current[0], current[1].code):
                return
        for i in range(len(self.problems)):
            row, marker = self.problems.row_at(i)
            if (row, marker.code) == (current[0], current[1].code):
                self.view.selectRow(i)
                return

    def selected(self) -> tuple[int, Marker] | None:
        index = self.view.currentIndex()
        if not index.isValid() or index.row() >= len(self.problems):
            return None
        return self.problems.row_at(index.row())

    def _current_changed(self, *_args) -> None:
        self._update_buttons()

    def _finding(self, row: int, code: str, items=None):
        if self.findings is None:
            return None
        items = self.cues.items if items is None else items
        if not 0 <= row < len(items):
            return None
        return next((f for f in self.findings(items, row) if str(f.rule) == code and f.fix is not None), None)

    def _update_buttons(self) -> None:
        chosen = self.selected()
        finding = self._finding(chosen[0], chosen[1].code) if chosen else None
        self.fix_button.setEnabled(finding is not None)
        full = f"Fix: {finding.fix.description}" if finding else "Fix"
        # a fix's name can be long: shown shortened, whole in the tool-tip, so choosing a problem never
        # widens the column (the layout jumped and the button moved away from under the mouse)
        metrics = self.fix_button.fontMetrics()
        self.fix_button.setText(metrics.elidedText(full, Qt.TextElideMode.ElideRight, FIX_TEXT_PX))
        self.fix_button.setToolTip(plain_tip(full) if finding else "")  # names a speaker or term as typed
        self.fix_all_button.setEnabled(finding is not None)

    # -------------------------------------------------------------------------------------- fixes

    def fix_selected(self) -> bool:
        chosen = self.selected()
        if chosen is None:
            return False
        finding = self._finding(chosen[0], chosen[1].code)
        if finding is None:
            return False
        try:
            fixed = finding.fix.apply(CaptionDocument(cues=list(self.cues.items)))
        except ValueError as exc:  # the caption core refused (e.g. no room to lengthen): say why
            why = f"Cannot fix cue {chosen[0] + 1} automatically: {exc}"
            self.title.setText(f"<b>Problems</b>: {esc(why)}")
            self.title.setToolTip(plain_tip(why))
            if self.report is not None:  # the title is cut to the panel's width; the status line has room
                self.report(why)
            return False
        return self._replace(list(fixed.cues), finding.fix.description)

    def fix_all_selected_kind(self) -> int:
        chosen = self.selected()
        return self.fix_all(chosen[1].code) if chosen else 0

    def fix_all(self, code: str) -> int:
        """Apply the fix of every problem of kind `code`, last cue first (earlier rows keep their index);
        the whole run is one undo step. Returns how many were fixed."""
        items = list(self.cues.items)
        rows = sorted(
            {r for r, ms in self.cues.marked_rows().items() for m in ms if m.code == code}, reverse=True
        )
        done = 0
        label = "Fix all"
        refused: list[tuple[int, ValueError]] = []
        for row in rows:
            finding = self._finding(row, code, items)
            if finding is None:
                continue
            try:
                items = list(finding.fix.apply(CaptionDocument(cues=items)).cues)
            except ValueError as exc:
                refused.append((row, exc))  # that one cannot be fixed automatically; the others still are
                continue
            done += 1
            label = f"Fix all: {finding.fix.description}"
        if done:
            self._replace(items, label)
        if refused and self.report is not None:  # never a silent "some of them": say which and why
            row, exc = refused[-1]  # the first cue (rows ran last first)
            others = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
            self.report(
                f"Fixed {done} of {done + len(refused)}: cue {row + 1}{others} cannot be fixed automatically: {exc}"
            )
        return done

    def _replace(self, new_items: list, label: str) -> bool:
        """The smallest splice that turns the document into `new_items` (one undo step)."""
        old = self.cues.items
        first = 0
        while first < min(len(old), len(new_items)) and old[first] == new_items[first]:
            first += 1
        end_old, end_new = len(old), len(new_items)
        while end_old > first and end_new > first and old[end_old - 1] == new_items[end_new - 1]:
            end_old -= 1
            end_new -= 1
        if first == end_old and first == end_new:
            return False
        return self.push(edit_ops.replace_range(old, first, end_old - first, new_items[first:end_new], label))
