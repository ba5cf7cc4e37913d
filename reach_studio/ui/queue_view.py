"""The queue table with its filter bar (service, language, customer, account).

Filters are offered from what is in the queue right now, and changing them never reorders the rows:
the fair order stays the order.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from reach_studio.domain.enums import ProcessingRegion
from reach_studio.domain.task import Task
from reach_studio.ui.queue_model import (
    TASK_ROLE,
    TaskFilterProxy,
    TaskQueueModel,
    customer_label,
    service_label,
    task_key,
)
from reach_studio.ui.style import plain

ALL = "__all__"


class QueueView(QWidget):
    current_task_changed = Signal(object)  # Task | None
    task_activated = Signal(object)  # Task (double click / Return)

    def __init__(self, parent: QWidget | None = None, *, empty_text: str = "No tasks") -> None:
        super().__init__(parent)
        self.model = TaskQueueModel(self)
        # the selected task leaving the list (claimed, taken, aborted) leaves nothing selected: Qt would select
        # its neighbour, and the next Claim would take a task nobody chose. Connected before the proxy is, so
        # the selection is read before the view moves it.
        self._selected_leaving = False
        self.model.rowsAboutToBeRemoved.connect(self._rows_leaving)
        self.proxy = TaskFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.setSortingEnabled(False)  # the fair order is the order
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        # Interactive, sized to contents when rows arrive: ResizeToContents would measure every row on each
        # countdown tick and poll.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self._sized_for = -1
        self.table.doubleClicked.connect(self._activated)
        self.table.activated.connect(self._activated)
        # A mouse click moves the current index before it selects the row, so currentRowChanged alone
        # would report "nothing selected" for a click (arrow keys do both at once): listen to both.
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.selectionModel().selectionChanged.connect(self._current_changed)
        self.model.rowsRemoved.connect(self._rows_left)  # after the view moved its selection: undo that

        self.feature = QComboBox()
        self.language = QComboBox()
        self.customer = QComboBox()
        self.account = QComboBox()
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for label, combo in (
            ("Service", self.feature),
            ("Language", self.language),
            ("Customer", self.customer),
            ("Account", self.account),
        ):
            bar.addWidget(QLabel(label))
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.addItem("All", ALL)
            combo.currentIndexChanged.connect(self._filters_changed)
            bar.addWidget(combo)
        bar.addStretch(1)
        self.count = plain(QLabel())
        bar.addWidget(self.count)
        self._bar = bar
        self.empty_text = empty_text
        self.loaded = False  # before the first list arrives, an empty table means "not asked yet", not "none"

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        self._update_count()

    # -- contents ------------------------------------------------------------------------------------

    def set_tasks(self, tasks: Sequence[Task]) -> None:
        self.loaded = True
        self.model.set_tasks(tasks)
        if self.model.rowCount() != self._sized_for:
            self._sized_for = self.model.rowCount()
            self.table.resizeColumnsToContents()
        self._refresh_filter_choices(tasks)
        self._update_count()
        self._current_changed()

    def _rows_leaving(self, _parent, first: int, last: int) -> None:
        chosen = self.selected_task()
        leaving = {task_key(t) for r in range(first, last + 1) if (t := self.model.task_at(r)) is not None}
        self._selected_leaving = chosen is not None and task_key(chosen) in leaving

    def _rows_left(self, *_args) -> None:
        if self._selected_leaving:
            self._selected_leaving = False
            self.table.selectionModel().clear()
            self._current_changed()

    def set_regions(self, regions: frozenset[ProcessingRegion] | None) -> None:
        self.proxy.set_filters(regions=regions)
        self._update_count()

    def visible_tasks(self) -> list[Task]:
        return [self.proxy.data(self.proxy.index(r, 0), TASK_ROLE) for r in range(self.proxy.rowCount())]

    def selected_task(self) -> Task | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row(), index.parent()):
            return None
        return self.proxy.data(self.proxy.index(index.row(), 0), TASK_ROLE)

    def select_task(self, account: str, task_id: int) -> bool:
        row = self.model.row_of((account, task_id))
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.scrollTo(index)
        return True

    # -- internals -----------------------------------------------------------------------------------

    def _refresh_filter_choices(self, tasks: Sequence[Task]) -> None:
        features = {int(t.feature): service_label(t) for t in tasks if t.feature is not None}
        languages = sorted({lang for t in tasks for lang in (t.source_language, t.target_language) if lang})
        customers = {t.partner_id: customer_label(t, self.model.customer_names) for t in tasks}
        accounts = {t.account: self.model.account_names.get(t.account, t.account) for t in tasks}
        self._fill(self.feature, sorted(features.items(), key=lambda kv: kv[1]))
        self._fill(self.language, [(lang, lang) for lang in languages])
        self._fill(self.customer, sorted(customers.items(), key=lambda kv: kv[1]))
        self._fill(self.account, sorted(accounts.items(), key=lambda kv: kv[1]))

    @staticmethod
    def _fill(combo: QComboBox, items: list[tuple[object, str]]) -> None:
        current = combo.currentData()
        wanted = [(ALL, "All"), *items]
        if [(combo.itemData(i), combo.itemText(i)) for i in range(combo.count())] == wanted:
            return
        combo.blockSignals(True)
        combo.clear()
        for data, text in wanted:
            combo.addItem(text, data)
        index = combo.findData(current)
        if index < 0 and current is not None and current != ALL:
            combo.addItem(
                f"{current} (none now)", current
            )  # keep the linguist's filter while the queue changes
            index = combo.count() - 1
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def _filters_changed(self) -> None:
        def value(combo):
            data = combo.currentData()
            return None if data in (ALL, None) else data

        self.proxy.set_filters(
            feature=value(self.feature),
            language=value(self.language),
            customer=value(self.customer),
            account=value(self.account),
        )
        self._update_count()
        self._current_changed()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        if total == 0:
            self.count.setText(self.empty_text if self.loaded else "Loading…")
        elif shown == total:
            self.count.setText(f"{total} task{'s' if total != 1 else ''}")
        else:
            self.count.setText(f"{shown} of {total} tasks shown")

    def _current_changed(self, *args) -> None:
        self.current_task_changed.emit(self.selected_task())

    def _activated(self, index) -> None:
        task = self.proxy.data(self.proxy.index(index.row(), 0), TASK_ROLE)
        if task is not None:
            self.task_activated.emit(task)

    def add_button(self, action) -> QToolButton:
        """A button for an action (Claim, Open, …) at the right end of the filter bar."""
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._bar.addWidget(button)
        return button

    def tick(self) -> None:
        self.model.tick()
