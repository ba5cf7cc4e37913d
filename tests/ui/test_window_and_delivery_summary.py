"""Issue 15, bug 9: the main window comes back at the size and place it was left, and Deliver first shows a
summary of what will be uploaded (Cancel sends nothing)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from reach_studio.domain.captions import Cue


def _window(qtbot):
    from reach_studio.secret_store import SecretStore
    from reach_studio.settings import Settings
    from reach_studio.store.drafts import DraftStore
    from reach_studio.ui.main_window import MainWindow

    win = MainWindow(Settings(), SecretStore(), DraftStore())
    qtbot.addWidget(win)
    return win


def test_window_size_and_position_are_remembered(qtbot):
    # The offscreen screen is 800 px wide and the window's minimum width depends on the style sheet, so the
    # height and the vertical position carry the check; the width is whatever the window can have.
    win = _window(qtbot)
    win.show()
    qtbot.waitExposed(win)
    win.resize(win.minimumSizeHint().width(), 583)
    win.move(0, 41)
    qtbot.waitUntil(lambda: win.height() == 583, timeout=3000)
    width = win.width()
    win.close()  # as the linguist closes the app
    again = _window(qtbot)
    again.show()
    qtbot.waitExposed(again)
    assert again.height() == 583 and again.y() == 41
    assert again.width() in (width, again.screen().availableGeometry().width()) or again.width() <= width
    assert (again.width(), again.height()) != (1200, 720)  # not the default size


def test_window_size_is_remembered_even_when_the_app_is_killed(qtbot):
    """It was kept only at a clean close: after a crash or kill -9 the window came back at 1200×720."""
    from reach_studio.settings import Settings

    win = _window(qtbot)
    win.show()
    qtbot.waitExposed(win)
    win.resize(win.minimumSizeHint().width(), 611)
    win.move(0, 37)
    qtbot.waitUntil(lambda: win.height() == 611, timeout=3000)
    before = Settings().get("window_geometry")
    qtbot.waitUntil(lambda: Settings().get("window_geometry") != before, timeout=5000)
    # no close: the process dies here; the next start reads what was kept
    again = _window(qtbot)
    again.show()
    qtbot.waitExposed(again)
    assert again.height() == 611 and again.y() == 37


class _NoNetwork:
    """Stands in for a connection: the summary comes before anything is sent, and Cancel sends nothing."""

    def __getattr__(self, name):
        raise AssertionError(f"nothing may be sent before the linguist confirms ({name})")


def test_deliver_shows_what_will_be_uploaded_and_cancel_sends_nothing(qtbot):
    from reach_studio.ui.editors.registry import TaskContext
    from reach_studio.ui.editors.timed_editor import TimedEditor
    from tests.factories import make_task

    ed = TimedEditor(TaskContext(make_task(), _NoNetwork(), None), player=None)
    qtbot.addWidget(ed)
    ed.show()
    qtbot.waitExposed(ed)
    ed.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is ed, timeout=3000)
    ed.load_items([Cue(1000, 3500, "Welcome to the course."), Cue(4000, 6500, "Today: the upper arm.")])
    ed.table.setFocus()
    qtbot.keyClick(
        ed.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    qtbot.waitUntil(lambda: ed.deliver_confirm is not None and ed.deliver_confirm.isVisible(), timeout=3000)
    text = ed.deliver_confirm.text()
    assert "2 caption(s) in English as SRT" in text
    assert "0_entry" in text and "00:00:01,000 → 00:00:06,500" in text
    assert "READY" in text
    cancel = next(b for b in ed.deliver_confirm.buttons() if b.text() != "Deliver")
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ed.deliver_confirm is None, timeout=3000)
    assert "nothing was sent" in ed.status.text()
    assert ed._delivery_job is None and not ed.locked


def test_deliver_summary_warns_when_kaltura_would_not_serve_the_file(qtbot):
    """Over 1,048,576 bytes Kaltura's player gets no captions and its search skips the file: no cue shows
    that, so the summary says it before anything is sent."""
    from reach_studio.ui.editors.registry import TaskContext
    from reach_studio.ui.editors.timed_editor import TimedEditor
    from tests.factories import make_task

    cues = 16_000  # a dense 9-hour event
    task = make_task()
    task.entry_duration_ms = cues * 2000
    ed = TimedEditor(TaskContext(task, _NoNetwork(), None), player=None)
    qtbot.addWidget(ed)
    line = "A long enough line of text\nfor two lines on screen"
    ed.load_items([Cue(i * 2000, i * 2000 + 1800, line) for i in range(cues)])
    ed.deliver()
    qtbot.waitUntil(lambda: ed.deliver_confirm is not None and ed.deliver_confirm.isVisible(), timeout=10000)
    text = ed.deliver_confirm.text()
    assert "Kaltura's player gets no caption file over 1,048,576 bytes" in text
    assert "search leaves out caption files over 900,000 bytes" in text
