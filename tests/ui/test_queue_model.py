"""The queue table keeps fair order, keeps the linguist's selection across polls, and shows deadlines."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QTableView

from reach_studio.domain.enums import ProcessingRegion, ServiceFeature
from reach_studio.ui.queue_model import (
    COL_CUSTOMER,
    COL_LANG,
    COL_LEFT,
    COL_MARKS,
    COL_ORDER,
    OVERDUE_COLOUR,
    SOON_COLOUR,
    TaskFilterProxy,
    TaskQueueModel,
    format_duration,
)


def _texts(model, col):
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


def test_rows_follow_given_order_and_selection_survives_a_poll_that_reorders(qtbot, task_factory):
    model = TaskQueueModel()
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    a, b, c = task_factory(1, 1001), task_factory(2, 1002), task_factory(3, 1003)
    model.set_tasks([a, b, c])
    assert [t.id for t in model.tasks()] == [1, 2, 3]
    view.selectionModel().setCurrentIndex(
        model.index(1, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    scroll_before = view.verticalScrollBar().value()

    d = task_factory(4, 1001)
    model.set_tasks([d, c, b])  # task 1 was taken by someone else; 4 arrived first in fair order
    assert [t.id for t in model.tasks()] == [4, 3, 2]
    selected = view.selectionModel().selectedRows()
    assert [model.task_at(i.row()).id for i in selected] == [2]  # still the same task
    assert view.currentIndex().row() == 2
    assert _texts(model, COL_ORDER) == ["1", "2", "3"]
    assert view.verticalScrollBar().value() == scroll_before


def test_countdown_colours_and_markers(task_factory):
    model = TaskQueueModel()
    model.warn_seconds = 3600
    model.set_tasks(
        [
            task_factory(1, left_s=-600),
            task_factory(2, left_s=1200, notes="Speaker names: Ana, Bo"),
            task_factory(
                3, left_s=5 * 86400, dictionary="Kaltura", target="French", feature=ServiceFeature.TRANSLATION
            ),
        ]
    )
    left = _texts(model, COL_LEFT)
    assert left[0].startswith("overdue 00:10") or left[0].startswith("overdue 00:09")
    assert left[1].startswith("00:19") or left[1].startswith("00:20")
    assert left[2].startswith("4d") or left[2].startswith("5d")
    colours = [model.data(model.index(r, COL_LEFT), Qt.ItemDataRole.ForegroundRole) for r in range(3)]
    assert colours[0].color() == OVERDUE_COLOUR
    assert colours[1].color() == SOON_COLOUR
    assert colours[2] is None
    marks = _texts(model, COL_MARKS)
    assert "notes" in marks[1] and "dict" not in marks[1]
    assert "dict" in marks[2]
    assert "Speaker names" in model.data(model.index(1, COL_MARKS), Qt.ItemDataRole.ToolTipRole)
    assert _texts(model, COL_LANG)[2] == "English → French"
    model.customer_names[1001] = "Acme University"
    assert _texts(model, COL_CUSTOMER)[0] == "Acme University"
    assert format_duration(90061) == "1d 01:01"


def test_filters_keep_fair_order_and_hide_tasks_outside_my_regions(task_factory):
    model = TaskQueueModel()
    proxy = TaskFilterProxy()
    proxy.setSourceModel(model)
    model.set_tasks(
        [
            task_factory(1, 1001, region=ProcessingRegion.EU),
            task_factory(2, 1002, feature=ServiceFeature.TRANSLATION, target="German"),
            task_factory(3, 1001, account="other"),
            task_factory(4, 1003),
        ]
    )

    def ids():
        return [
            proxy.data(proxy.index(r, 0), Qt.ItemDataRole.UserRole + 1).id for r in range(proxy.rowCount())
        ]

    assert ids() == [1, 2, 3, 4]
    proxy.set_filters(regions=frozenset({ProcessingRegion.US}))
    assert ids() == [2, 3, 4]
    proxy.set_filters(regions=None, customer=1001)
    assert ids() == [1, 3]
    proxy.set_filters(customer=None, language="German")
    assert ids() == [2]
    proxy.set_filters(language=None, feature=int(ServiceFeature.CAPTIONS), account="other")
    assert ids() == [3]


def test_the_queue_says_loading_until_its_first_list_arrives(qtbot, task_factory):
    """Right after sign-in it read "No tasks waiting" while the first poll was still on its way."""
    from reach_studio.ui.queue_view import QueueView

    queue = QueueView(empty_text="No tasks waiting")
    qtbot.addWidget(queue)
    assert queue.count.text() == "Loading…"
    queue.set_tasks([])
    assert queue.count.text() == "No tasks waiting"
    queue.set_tasks([task_factory(1, 1001)])
    assert queue.count.text() == "1 task"
