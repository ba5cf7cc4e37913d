"""Found working the timed-editor tasks in the demo as a subtitler coming from Subtitle Edit / Aegisub would
(Xvfb, xdotool, screenshots): each test drives keys and mouse the way that person did. (Restoring drafts
and the keyboard: tests/desktop/test_restore_keys_under_x.py, which needs a real X server.)"""

from __future__ import annotations

from PySide6.QtCore import Qt

from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.enums import ServiceFeature

from .test_editor_widget import open_editor
from .test_validation_panel import _click_problem


def _translation(qtbot, **kw):
    source = CaptionDocument(
        cues=[
            Cue(500, 3200, "Welcome to the first lecture."),
            Cue(3400, 7000, "Today we look at muscles."),
        ],
        language="English",
    )
    return open_editor(qtbot, ServiceFeature.TRANSLATION, source=source, target="French", **kw)


def test_an_untranslated_cue_is_never_fixed_by_deleting_it(qtbot):
    ed = _translation(qtbot)
    panel = ed.problems_panel
    qtbot.waitUntil(lambda: len(panel.problems.rows) == 2, timeout=3000)
    _click_problem(qtbot, panel, "not translated")
    assert ed.current == 0
    assert "Delete" not in panel.fix_button.text() and "Delete" not in panel.fix_button.toolTip()
    assert "source" in panel.fix_button.toolTip()
    qtbot.mouseClick(panel.fix_all_button, Qt.MouseButton.LeftButton)
    # both source lines are still there to translate, over the source text, flagged as not translated
    assert [c.text for c in ed.items()] == ["Welcome to the first lecture.", "Today we look at muscles."]
    qtbot.waitUntil(
        lambda: sum("same as the source" in m.message for _r, m in panel.problems.rows) == 2, timeout=3000
    )
    ed.undo_action.trigger()
    assert [c.text for c in ed.items()] == ["", ""]


def test_source_arriving_late_gives_the_translation_checks_their_source(qtbot):
    ed = open_editor(qtbot, ServiceFeature.TRANSLATION, target="French")
    ed.load_items([Cue(500, 3200, "Welcome to the first lecture.")])  # e.g. a restored draft
    ed.set_source_captions(CaptionDocument(cues=[Cue(500, 3200, "Welcome to the first lecture.")]))
    panel = ed.problems_panel
    qtbot.waitUntil(
        lambda: any("same as the source" in m.message for _r, m in panel.problems.rows), timeout=3000
    )
