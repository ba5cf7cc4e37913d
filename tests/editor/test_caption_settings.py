"""Issue 15, settings: the linguist's reading speed, durations, gap and characters per line drive the
checks and the timing guards; the REACH profile's characters per line wins where it sets one."""

from __future__ import annotations

from PySide6.QtCore import Qt

from reach_studio.domain.captions import Cue
from reach_studio.settings import Settings

from .test_editor_widget import open_editor


def test_settings_dialog_sets_the_caption_limits_and_the_profile_wins(qtbot):
    from reach_studio.ui.settings_dialog import SettingsDialog

    settings = Settings()
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    box = dialog.caption_limits["caption_max_cps"]
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "12")
    gap = dialog.caption_limits["caption_min_gap_ms"]
    gap.lineEdit().selectAll()
    qtbot.keyClicks(gap.lineEdit(), "200")
    chars = dialog.caption_limits["caption_max_chars_per_line"]
    chars.lineEdit().selectAll()
    qtbot.keyClicks(chars.lineEdit(), "20")
    from PySide6.QtWidgets import QDialogButtonBox

    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert Settings().get("caption_max_cps") == 12 and Settings().get("caption_min_gap_ms") == 200

    # the profile says 42 characters per line: that wins over the linguist's 20; the reading speed is theirs
    ed = open_editor(qtbot, max_chars=42)
    rules = ed.caption_rules()
    assert (rules.max_chars_per_second, rules.min_gap_ms, rules.max_chars_per_line) == (12, 200, 42)
    ed.load_items([Cue(1000, 3000, "Thirty characters of text here"), Cue(3500, 5000, "next")])
    qtbot.waitUntil(
        lambda: any("characters per second" in m.message for _r, m in ed.problems_panel.problems.rows),
        timeout=3000,
    )  # 15 chars/s > 12
    assert not any("line of" in m.message for _r, m in ed.problems_panel.problems.rows)  # 30 < 42
    # the minimum gap from the settings bounds the nudge
    ed.select(0, seek=False)
    ed.table.setFocus()
    for _ in range(5):
        qtbot.keyClick(ed.table, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert ed.items()[1].start_ms - ed.items()[0].end_ms == 200

    # without a profile limit, the linguist's 20 characters apply
    ed2 = open_editor(qtbot, max_chars=None, task_id=102)
    assert ed2.caption_rules().max_chars_per_line == 20


def test_settings_dialog_sets_the_shortest_and_longest_cue(qtbot):
    from PySide6.QtWidgets import QDialogButtonBox

    from reach_studio.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.show()
    for key, value in (("caption_min_duration_ms", "1500"), ("caption_max_duration_ms", "4000")):
        box = dialog.caption_limits[key]
        box.lineEdit().selectAll()
        qtbot.keyClicks(box.lineEdit(), value)
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    ed = open_editor(qtbot)
    assert (ed.caption_rules().min_duration_ms, ed.caption_rules().max_duration_ms) == (1500, 4000)
    ed.load_items([Cue(1000, 2200, "Short."), Cue(3000, 8000, "Long enough to read.")])
    qtbot.waitUntil(lambda: len(ed.problems_panel.problems.rows) >= 2, timeout=3000)
    rows = [(r, m.message) for r, m in ed.problems_panel.problems.rows]
    assert (0, "is shown for 1200 ms (guideline: at least 1500 ms)") in rows
    assert (1, "is shown for 5.00 s (guideline: at most 4.00 s)") in rows
