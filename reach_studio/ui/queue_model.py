"""The task queue as a Qt table model: fair order, live countdown, and updates that keep selection.

The order of rows is the order the engine's fair queue gives; the model never sorts by itself.
`set_tasks` merges a new poll into the rows with row moves/inserts/removes rather than a reset, so the
linguist's selection and scroll position survive every poll. A proxy filters by service, language,
customer, account and processing region without changing that order.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from reach_studio.domain.enums import ProcessingRegion, ServiceType, TurnAroundTime
from reach_studio.domain.task import Task
from reach_studio.ui.style import plain_tip

TaskKey = tuple[str, int]

TASK_ROLE = Qt.ItemDataRole.UserRole + 1
KEY_ROLE = Qt.ItemDataRole.UserRole + 2
SECONDS_LEFT_ROLE = Qt.ItemDataRole.UserRole + 3

COLUMNS = ("#", "Customer", "Entry", "Service", "Type", "Languages", "TAT", "Time left", "Notes", "Account")
(
    COL_ORDER,
    COL_CUSTOMER,
    COL_ENTRY,
    COL_SERVICE,
    COL_TYPE,
    COL_LANG,
    COL_TAT,
    COL_LEFT,
    COL_MARKS,
    COL_ACCOUNT,
) = range(len(COLUMNS))

_ROOT = QModelIndex()  # the invisible root of a table model

OVERDUE_COLOUR = QColor("#c62828")
SOON_COLOUR = QColor("#ef6c00")


def task_key(task: Task) -> TaskKey:
    """Task ids are only unique per account (service URL + vendor partner)."""
    return (task.account, task.id)


def format_duration(seconds: float) -> str:
    """ "2d 03:04", "03:04:05" or "-00:12:00" for overdue."""
    sign = "-" if seconds < 0 else ""
    s = int(abs(seconds))
    days, s = divmod(s, 86400)
    hours, s = divmod(s, 3600)
    minutes, s = divmod(s, 60)
    if days:
        return f"{sign}{days}d {hours:02d}:{minutes:02d}"
    return f"{sign}{hours:02d}:{minutes:02d}:{s:02d}"


def tat_label(tat: TurnAroundTime | None) -> str:
    if tat is None:
        return ""
    if tat == TurnAroundTime.BEST_EFFORT:
        return "Best effort"
    if tat == TurnAroundTime.IMMEDIATE:
        return "Immediate"
    if 1 <= tat.value <= 10:
        return f"{tat.value} business day{'s' if tat.value > 1 else ''}"
    hours = tat.value / 3600
    if hours < 1:
        return f"{tat.value // 60} min"
    if hours < 72:
        return f"{hours:g} h"
    return f"{hours / 24:g} days"


def service_type_label(st: ServiceType | None) -> str:
    return {ServiceType.HUMAN: "Human", ServiceType.MACHINE: "Machine", ServiceType.HYBRID: "Hybrid"}.get(
        st, "" if st is None else st.name.title()
    )


def languages_label(task: Task) -> str:
    src, tgt = task.source_language, task.target_language
    if src and tgt and src != tgt:
        return f"{src} → {tgt}"
    return src or tgt or ""


def customer_label(task: Task, names: dict[int, str]) -> str:
    name = names.get(task.partner_id) or task.extra.get("partner_name") or task.extra.get("partnerName")
    return str(name) if name else f"Partner {task.partner_id}"


def entry_label(task: Task) -> str:
    return str(task.extra.get("entry_name") or task.extra.get("entryName") or task.entry_id)


def service_label(task: Task) -> str:
    feature = task.feature
    return feature.label if feature is not None else "Unknown service"


class TaskQueueModel(QAbstractTableModel):
    """Rows = tasks in the order given to `set_tasks` (the fair order)."""

    def __init__(self, parent=None, *, now: Callable[[], float] = time.time) -> None:
        super().__init__(parent)
        self._tasks: list[Task] = []
        self._rows: dict[TaskKey, int] = {}
        self._now = now
        self.customer_names: dict[int, str] = {}
        self.account_names: dict[str, str] = {}
        self.warn_seconds = 2 * 3600
        self.explanations: dict[TaskKey, str] = {}
        self.warnings: dict[TaskKey, str] = {}  # why a task cannot be worked (checked before a claim)

    # -- Qt model API ------------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._tasks)

    def columnCount(self, parent: QModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._tasks):
            return None
        task = self._tasks[index.row()]
        col = index.column()
        if role == TASK_ROLE:
            return task
        if role == KEY_ROLE:
            return task_key(task)
        if role == SECONDS_LEFT_ROLE:
            return task.seconds_left(self._now())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(task, index.row(), col)
        if role == Qt.ItemDataRole.ToolTipRole:
            warning = self.warnings.get(task_key(task))
            if warning and col == COL_SERVICE:
                return plain_tip(f"Cannot be worked: {warning}")
            if col == COL_MARKS:
                parts = []
                if task.notes:
                    parts.append(f"Notes: {task.notes}")
                if task.dictionary_terms:
                    parts.append(f"Dictionary: {', '.join(task.dictionary_terms[:20])}")
                return plain_tip("\n".join(parts)) or None
            if col == COL_ORDER:
                return self.explanations.get(task_key(task))
            if col == COL_LEFT and task.expected_finish_time:
                return "Expected finish " + time.strftime(
                    "%Y-%m-%d %H:%M", time.localtime(task.expected_finish_time)
                )
            return None
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_SERVICE and task_key(task) in self.warnings:
            return QBrush(OVERDUE_COLOUR)
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_LEFT:
            left = task.seconds_left(self._now())
            if left is not None and left < 0:
                return QBrush(OVERDUE_COLOUR)
            if left is not None and left < self.warn_seconds:
                return QBrush(SOON_COLOUR)
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_ORDER, COL_LEFT):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, task: Task, row: int, col: int) -> str:
        if col == COL_ORDER:
            return str(row + 1)
        if col == COL_CUSTOMER:
            return customer_label(task, self.customer_names)
        if col == COL_ENTRY:
            return entry_label(task)
        if col == COL_SERVICE:
            return ("⚠ " if task_key(task) in self.warnings else "") + service_label(task)
        if col == COL_TYPE:
            return service_type_label(
                task.service_type or (task.catalog_item.service_type if task.catalog_item else None)
            )
        if col == COL_LANG:
            return languages_label(task)
        if col == COL_TAT:
            return tat_label(
                task.turn_around_time or (task.catalog_item.turn_around_time if task.catalog_item else None)
            )
        if col == COL_LEFT:
            left = task.seconds_left(self._now())
            if left is None:
                return ""
            return f"overdue {format_duration(-left)}" if left < 0 else format_duration(left)
        if col == COL_MARKS:
            marks = []
            if task.notes:
                marks.append("✎ notes")
            if task.dictionary_terms:
                marks.append("▤ dict")
            return "  ".join(marks)
        if col == COL_ACCOUNT:
            return self.account_names.get(task.account, task.account)
        return ""

    # -- contents ----------------------------------------------------------------------------------

    def tasks(self) -> list[Task]:
        return list(self._tasks)

    def task_at(self, row: int) -> Task | None:
        return self._tasks[row] if 0 <= row < len(self._tasks) else None

    def row_of(self, key: TaskKey) -> int | None:
        return self._rows.get(key)

    def set_tasks(self, tasks: Sequence[Task]) -> None:
        """Show `tasks` in the given order; rows move rather than reset, so selection and scroll stay."""
        new_keys = [task_key(t) for t in tasks]
        wanted = set(new_keys)
        by_key = {task_key(t): t for t in tasks}

        # 1. drop rows that left the queue (claimed by someone else, aborted, ...)
        for row in range(len(self._tasks) - 1, -1, -1):
            if task_key(self._tasks[row]) not in wanted:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._tasks[row]
                self.endRemoveRows()
        # 2. append arrivals at the end, then 3. move everything into the new order in one layout change
        present = {task_key(t) for t in self._tasks}
        arrivals = [by_key[k] for k in new_keys if k not in present]
        if arrivals:
            first = len(self._tasks)
            self.beginInsertRows(QModelIndex(), first, first + len(arrivals) - 1)
            self._tasks.extend(arrivals)
            self.endInsertRows()
        current_keys = [task_key(t) for t in self._tasks]
        if current_keys != new_keys:
            self.layoutAboutToBeChanged.emit()
            new_row = {k: i for i, k in enumerate(new_keys)}
            old_persistent = self.persistentIndexList()
            new_persistent = []
            for idx in old_persistent:
                key = current_keys[idx.row()]
                new_persistent.append(self.index(new_row[key], idx.column()))
            self._tasks = [by_key[k] for k in new_keys]
            self.changePersistentIndexList(old_persistent, new_persistent)
            self._rows = new_row
            self.layoutChanged.emit()
        else:
            self._tasks = [by_key[k] for k in new_keys]
        self._rows = {k: i for i, k in enumerate(new_keys)}
        if self._tasks:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._tasks) - 1, len(COLUMNS) - 1))

    def upsert(self, task: Task) -> None:
        """Replace one task in place (e.g. after a claim or key extension) or append it."""
        row = self._rows.get(task_key(task))
        if row is None:
            self.set_tasks([*self._tasks, task])
            return
        self._tasks[row] = task
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def remove(self, key: TaskKey) -> None:
        self.set_tasks([t for t in self._tasks if task_key(t) != key])

    def set_warnings(self, warnings: dict[TaskKey, str]) -> None:
        self.warnings = dict(warnings)
        if self._tasks:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._tasks) - 1, len(COLUMNS) - 1))

    def tick(self) -> None:
        """Refresh the countdown column (called every second by the window's timer)."""
        if self._tasks:
            self.dataChanged.emit(
                self.index(0, COL_LEFT),
                self.index(len(self._tasks) - 1, COL_LEFT),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole],
            )


class TaskFilterProxy(QSortFilterProxyModel):
    """Filters by service, language, customer, account and allowed processing regions; keeps the fair order."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.feature: int | None = None
        self.language: str | None = None
        self.customer: int | None = None
        self.account: str | None = None
        self.regions: frozenset[ProcessingRegion] | None = None  # None = all

    def set_filters(self, **filters) -> None:
        self.beginFilterChange()
        for name, value in filters.items():
            if not hasattr(self, name):
                raise AttributeError(f"unknown filter {name}")
            setattr(self, name, value)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:
        model = self.sourceModel()
        task: Task | None = model.task_at(source_row) if isinstance(model, TaskQueueModel) else None
        if task is None:
            return True
        return accepts(task, self.feature, self.language, self.customer, self.account, self.regions)


def accepts(
    task: Task,
    feature: int | None = None,
    language: str | None = None,
    customer: int | None = None,
    account: str | None = None,
    regions: frozenset[ProcessingRegion] | None = None,
) -> bool:
    """Whether a task passes the queue filters (also used headless by tests)."""
    if feature is not None and (task.feature is None or int(task.feature) != int(feature)):
        return False
    if language and language not in (task.source_language, task.target_language):
        return False
    if customer is not None and task.partner_id != customer:
        return False
    if account and task.account != account:
        return False
    if regions is not None:
        region = task.reach_profile.processing_region if task.reach_profile else None
        if region is not None and region not in regions:
            return False
    return True
