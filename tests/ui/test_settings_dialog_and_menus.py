"""Settings edited in the dialog persist and take effect; menus carry the configured shortcuts; About shows the version."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence

from reach_studio import __version__
from reach_studio.domain.enums import ProcessingRegion
from reach_studio.secret_store import SecretStore
from reach_studio.settings import Settings
from reach_studio.store.drafts import DraftStore
from reach_studio.ui.about import about_text
from reach_studio.ui.main_window import MainWindow
from reach_studio.ui.settings_dialog import SettingsDialog


def test_dialog_saves_valid_values_and_refuses_conflicts(qtbot):
    settings = Settings()
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.poll.setValue(90)
    dialog.regions["CA"].setChecked(False)
    dialog.hotkeys["claim"].setKeySequence(QKeySequence("F5"))  # already "refresh"
    dialog.apply()
    assert "F5 is used for both" in dialog.error.text()
    assert Settings().get("poll_interval_s") == 30  # nothing saved yet
    dialog.hotkeys["claim"].setKeySequence(QKeySequence("Ctrl+K"))
    dialog.apply()
    again = Settings()
    assert again.get("poll_interval_s") == 90
    assert again.get("processing_regions") == ["US", "EU"]
    assert again.get("hotkeys")["claim"] == "Ctrl+K"


def test_no_region_at_all_is_refused(qtbot):
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    for box in dialog.regions.values():
        box.setChecked(False)
    dialog.apply()
    assert "at least one processing region" in dialog.error.text()


def test_window_uses_settings_for_shortcuts_and_regions(qtbot):
    settings = Settings()
    settings.set("hotkeys", {"claim": "Ctrl+K"})
    settings.set("processing_regions", ["EU"])
    win = MainWindow(settings, SecretStore(), DraftStore())
    qtbot.addWidget(win)
    assert win.actions["claim"].shortcut().toString() == "Ctrl+K"
    assert win.actions["refresh"].shortcut().toString() == "F5"
    assert win.service.regions == frozenset({ProcessingRegion.EU})
    menus = [a.text() for a in win.menuBar().actions()]
    assert menus == ["&File", "&Task", "&View", "&Help"]
    assert __version__ in about_text()


def test_queue_order_is_deadline_first_unless_a_supervisor_chooses_round_robin(qtbot):
    from reach_studio.domain.fair_queue import QueueOrder

    settings = Settings()
    assert settings.get("queue_order") == "deadline"
    win = MainWindow(settings, SecretStore(), DraftStore())
    qtbot.addWidget(win)
    assert win.service.queue_order is QueueOrder.DEADLINE
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.queue_order.setCurrentIndex(dialog.queue_order.findData("customer_round_robin"))
    dialog.apply()
    assert Settings().get("queue_order") == "customer_round_robin"


def test_claim_is_explicit_button_or_ctrl_return_never_a_double_click(qtbot, task_factory):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    win = MainWindow(Settings(), SecretStore(), DraftStore())
    qtbot.addWidget(win)
    win.show()
    win.activateWindow()
    qtbot.waitActive(win)
    claims = []
    win.service.claim = lambda task: claims.append(task.id)
    win.queue.set_tasks([task_factory(1, 1001), task_factory(2, 1002)])
    win.queue.select_task("acc", 2)
    index = win.queue.table.currentIndex()
    rect = win.queue.table.visualRect(index)
    QTest.mouseDClick(win.queue.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert claims == []
    win.queue.table.setFocus()
    qtbot.waitUntil(lambda: win.queue.table.hasFocus(), timeout=2000)
    QTest.keyClick(win.queue.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert claims == [2]
    from PySide6.QtWidgets import QToolButton

    claim_button = next(
        b for b in win.queue.findChildren(QToolButton) if b.defaultAction() is win.actions["claim"]
    )
    claim_button.click()
    assert claims == [2, 2]


def test_the_details_pane_hides_with_its_key_and_stays_hidden_next_time(qtbot):
    """At 1200 px the pane took a quarter of the width from the cue list: Ctrl+Shift+I gives it back."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    win = MainWindow(Settings(), SecretStore(), DraftStore())
    qtbot.addWidget(win)
    win.show()
    win.activateWindow()
    qtbot.waitActive(win)
    assert win.details.isVisible()
    win.queue.table.setFocus()
    qtbot.waitUntil(lambda: win.queue.table.hasFocus(), timeout=2000)
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    QTest.keyClick(win.queue.table, Qt.Key.Key_I, ctrl_shift)
    assert not win.details.isVisible()
    again = MainWindow(Settings(), SecretStore(), DraftStore())
    qtbot.addWidget(again)
    again.show()
    assert not again.details.isVisible() and not again.actions["toggle_details"].isChecked()
    QTest.keyClick(win.queue.table, Qt.Key.Key_I, ctrl_shift)
    assert win.details.isVisible()
