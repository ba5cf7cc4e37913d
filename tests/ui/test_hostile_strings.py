"""Server strings that look like HTML (entry name, notes, customer name, a Kaltura error) show as typed.

Qt's labels guess their format by default: `<b>` would show bold, `<a href>` a link, `<img>` a picture.
The shell is built on the demo emulator with such strings in its data, a task is claimed and opened, and
errors are reported; no label may render the markup.
"""

from __future__ import annotations

import av  # noqa: F401
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel

# Loaded before the emulator's threads start: in one run the GUI thread importing QtMultimedia while an
# emulator thread imported PyAV (probing the HLS stream) hung in both imports.
import reach_studio.ui.player.qt_backend  # noqa: F401
from reach_studio.domain.enums import ServiceFeature
from reach_studio.ui.queue_model import COL_MARKS, TASK_ROLE
from reach_studio.ui.task_workspace import TaskWorkspace

from .shell_helpers import demo_account
from .test_shell_e2e import human_pending, sign_in_with_demo

ENTRY = "<b>Bold entry</b> <img src='x.png'>"
NOTES = "Please <a href='https://evil.example/'>click here</a> first"
PARTNER = "<i>Acme</i> <a href='https://evil.example/'>Corp</a>"
KALTURA_ERROR = "Entry <b>not found</b>: <a href='https://evil.example/'>details</a> <img src='x.png'>"
MARKUP = ("<b>Bold", "<b>not", "<i>Acme", "<a href", "<img")  # the hostile tags, unescaped


class _Demo:
    """The demo launcher's two faces the shell uses: an account to sign in with, and customer names."""

    def __init__(self, emulator) -> None:
        self.emulator = emulator

    def __call__(self):
        return demo_account(self.emulator)

    def customer_names(self) -> dict[int, str]:
        return {int(c["partnerId"]): c["name"] for c in self.emulator.info["customers"]}


def rendered(html: str) -> str:
    """What a rich-text label shows for `html` (tags interpreted, entities decoded)."""
    doc = QTextDocument()
    doc.setHtml(html)
    return doc.toPlainText()


def markup_rendering_labels(root) -> list[tuple[str, int]]:
    """Labels whose text holds a hostile tag and that Qt would render (not plain text)."""
    return [
        (label.text(), label.textFormat())
        for label in root.findChildren(QLabel)
        if any(tag in label.text() for tag in MARKUP) and label.textFormat() != Qt.TextFormat.PlainText
    ]


def open_hostile_task(qtbot, window, emulator) -> TaskWorkspace:
    items = {i["id"]: i for i in emulator.inspect.objects("catalog_item")}
    task = next(
        t
        for t in human_pending(emulator)
        if items[t["catalogItemId"]]["serviceFeature"] == int(ServiceFeature.CAPTIONS)
    )  # captions: the timed editor
    emulator.store.update("task", task["id"], {"notes": NOTES})
    emulator.store.update("entry", task["entryId"], {"name": ENTRY})
    emulator.store.update("partner", task["partnerId"], {"name": PARTNER})
    window.demo = _Demo(emulator)
    sign_in_with_demo(qtbot, window)
    shown = next(t for t in window.queue.visible_tasks() if t.id == task["id"])
    assert shown.notes == NOTES and shown.extra.get("entry_name") == ENTRY
    assert window.queue.select_task(shown.account, shown.id)  # the details pane shows it
    with qtbot.waitSignal(window.service.download_finished, timeout=60000):
        window.claim(shown)
    ws = window.open_task(window.mine.selected_task() or shown)
    assert isinstance(ws, TaskWorkspace) and ws.editor is not None
    return ws


def test_server_strings_with_markup_are_shown_literally(qtbot, window, emulator):
    ws = open_hostile_task(qtbot, window, emulator)
    key = ws.key
    window.service.error.emit(KALTURA_ERROR)  # a failed poll, as the status line reports it
    window.service.claim_failed.emit(key, KALTURA_ERROR)  # and in a message box
    ws.editor.show_status(KALTURA_ERROR, error=True)  # an editor's failed delivery step
    qtbot.waitUntil(lambda: window.claim_message is not None and window.claim_message.isVisible())

    assert markup_rendering_labels(window) == []
    # the strings did reach the screen, literally
    assert window.activity.text() == KALTURA_ERROR
    assert window.claim_message.textFormat() == Qt.TextFormat.PlainText
    assert ws.editor.status.text() == KALTURA_ERROR
    title = next(lb for lb in ws.findChildren(QLabel) if "Bold entry" in lb.text())
    assert ENTRY in rendered(title.text())  # the entry name with its tags as characters
    # the queue's notes tooltip shows the notes as written, not a link
    model = window.mine.model
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data(TASK_ROLE).id == ws.task.id)
    tip = model.index(row, COL_MARKS).data(Qt.ItemDataRole.ToolTipRole)
    assert f"Notes: {NOTES}" in rendered(tip)
    assert PARTNER in [window.queue.customer.itemText(i) for i in range(window.queue.customer.count())]


def test_deliberately_rich_labels_still_show_their_bold_titles(qtbot, window, emulator):
    ws = open_hostile_task(qtbot, window, emulator)
    problems = ws.editor.problems_panel.title
    assert problems.textFormat() == Qt.TextFormat.RichText
    assert problems.text().startswith("<b>Problems</b>")
    assert rendered(problems.text()).startswith("Problems:")  # bold, not "<b>Problems</b>" in letters
    title = next(lb for lb in ws.findChildren(QLabel) if "Bold entry" in lb.text())
    assert title.textFormat() == Qt.TextFormat.RichText
    assert title.text().startswith("<b>&lt;b&gt;Bold entry")  # the name bold, its own tags escaped
