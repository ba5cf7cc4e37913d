"""The voice editor's side panel in the main window at the sizes linguists' laptops give it (1200×800 and
1024×700): every control shows whole, none squeezed below what it needs, and the warnings a describer
must read (over dialogue, speaking time, no microphone) are readable in full."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from reach_studio.domain.enums import ServiceFeature
from reach_studio.ui.editors import recorder as rec
from tests.factories import make_task

from .conftest import record_take


def _open_in_window(qtbot, size, feature):
    from reach_studio.secret_store import SecretStore
    from reach_studio.settings import Settings
    from reach_studio.store.drafts import DraftStore
    from reach_studio.ui.main_window import MainWindow

    win = MainWindow(Settings(), SecretStore(), DraftStore())
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.resize(*size)
    qtbot.waitUntil(lambda: (win.width(), win.height()) == size, timeout=3000)
    ws = win.open_task(make_task(feature, target="Spanish" if feature == ServiceFeature.DUBBING else None))
    qtbot.waitUntil(lambda: ws.editor is not None and ws.editor.isVisible(), timeout=5000)
    return win, ws.editor


def _squeezed(panel: QWidget) -> list[str]:
    """The panel's visible controls that got less room than they need, with what they got and needed."""
    bad = []
    kinds = (QLabel, QAbstractButton, QAbstractSpinBox, QLineEdit, QPlainTextEdit, QCheckBox)
    for w in panel.findChildren(QWidget):
        if not isinstance(w, kinds) or not w.isVisibleTo(panel) or isinstance(w.parent(), QAbstractSpinBox):
            continue
        if isinstance(w, QLabel) and not w.text():
            continue
        if isinstance(w, QLabel) and w.wordWrap():
            need = w.heightForWidth(w.width())
            if w.height() < need:
                bad.append(f"{type(w).__name__} {w.text()[:40]!r}: {w.height()} px high, needs {need}")
            continue
        hint = w.minimumSizeHint()
        if w.height() < hint.height() or w.width() < hint.width():
            what = getattr(w, "text", lambda: "")() if not isinstance(w, QPlainTextEdit) else ""
            bad.append(f"{type(w).__name__} {what[:40]!r}: {w.width()}×{w.height()}, needs {hint.toTuple()}")
    return bad


def _wait_unsqueezed(qtbot, panel: QWidget) -> None:
    """Wait for the layout to settle, then name every control still squeezed."""
    from pytestqt.exceptions import TimeoutError as WaitTimeout

    try:
        qtbot.waitUntil(lambda: not _squeezed(panel), timeout=3000)
    except WaitTimeout:
        pass
    assert _squeezed(panel) == []


def _outside_view(ed) -> list[str]:
    """Controls of the panel the linguist cannot see without scrolling."""
    view = ed.panel_scroll.viewport()
    rect = view.rect()
    out = []
    for w in ed.panel.findChildren(QWidget):
        if isinstance(w, (QLabel, QAbstractButton, QAbstractSpinBox, QPlainTextEdit)) and w.isVisibleTo(
            ed.panel
        ):
            if isinstance(w, QLabel) and not w.text():
                continue
            top_left = w.mapTo(view, w.rect().topLeft())
            bottom_right = w.mapTo(view, w.rect().bottomRight())
            if not (rect.contains(top_left) and rect.contains(bottom_right)):
                out.append(f"{type(w).__name__} {getattr(w, 'text', lambda: '')()[:30]!r}")
    return out


def _describe_over_dialogue(qtbot, ed):
    """A description whose take runs over dialogue and whose text is too long for its pause: the longest
    warnings the panel shows."""
    ed.dialogue = [(0, 400), (1500, 3000)]  # as found in the sound track
    ed.seek(200)
    ed.add_line_at_playhead()
    qtbot.keyClicks(
        ed.text_edit, "A tall man in a grey coat opens the heavy oak door and looks around the hall."
    )
    record_take(qtbot, ed, 0, seconds=1.8)
    assert "runs over dialogue" in ed.slot_label.text()
    assert "too long" in ed.speak_label.text()


@pytest.mark.parametrize("size", [(1200, 800), (1024, 700)])
def test_audio_description_panel_shows_every_control_whole(qtbot, monkeypatch, size):
    monkeypatch.setattr(rec, "input_devices", list)  # no microphone, as on this machine
    _win, ed = _open_in_window(qtbot, size, ServiceFeature.AUDIO_DESCRIPTION)
    _describe_over_dialogue(qtbot, ed)
    _wait_unsqueezed(qtbot, ed.panel)
    assert ed.panel.width() <= ed.panel_scroll.viewport().width(), "nothing cut off at the right"
    note = ed.recorder_panel.note
    assert note.isVisible() and "No microphone" in note.text()
    record = ed.recorder_panel.record_button
    assert not record.isEnabled() and "No microphone" in record.toolTip()
    if size == (1200, 800):
        assert not _outside_view(ed), "at 1200×800 the whole panel shows without scrolling"
    else:  # smaller: the panel scrolls rather than squeezing its controls
        ed.panel_scroll.ensureWidgetVisible(note)
        assert note.visibleRegion().boundingRect().height() >= note.heightForWidth(note.width())
    # the line list keeps room for a few lines above the panel
    assert ed.table.viewport().height() >= 2 * ed.table.verticalHeader().defaultSectionSize()


@pytest.mark.parametrize("size", [(1200, 800), (1024, 700)])
def test_dubbing_panel_shows_every_control_whole(qtbot, monkeypatch, size):
    from reach_studio.domain.captions import CaptionDocument, Cue

    monkeypatch.setattr(rec, "input_devices", list)
    _win, ed = _open_in_window(qtbot, size, ServiceFeature.DUBBING)
    ed.load_script(
        CaptionDocument(
            [Cue(500, 4000, "Bienvenidos al lanzamiento de nuestro nuevo producto, más rápido y más ligero.")]
        )
    )
    ed.select(0, seek=False)
    _wait_unsqueezed(qtbot, ed.panel)
    assert ed.panel.width() <= ed.panel_scroll.viewport().width(), "nothing cut off at the right"
    assert ed.dub_caption_box.isVisible() and ed.accuracy_box.isVisible()
    if size == (1200, 800):
        assert not _outside_view(ed)
