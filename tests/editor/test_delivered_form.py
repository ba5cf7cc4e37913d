"""Issue 15, bug 2: what the linguist sees (text box preview, video overlay, CPS, line length, Reflow) is what
the delivered file holds, speaker label and ">>" included."""

from __future__ import annotations

from PySide6.QtCore import Qt

from reach_studio.domain.formats import read_captions, write_captions

from .test_editor_widget import open_editor

ALT = Qt.KeyboardModifier.AltModifier
TEXT = "Today we look at the muscles of the upper arm and how they work together"


def _speaker_task_editor(qtbot):
    ed = open_editor(qtbot, max_chars=32)
    ed.task.catalog_item.enable_speaker_id = True
    ed.task.reach_profile.enable_speaker_change_indication = True
    # the editor reads the profile when it opens: open it again with these flags
    from reach_studio.ui.editors.registry import TaskContext
    from reach_studio.ui.editors.timed_editor import TimedEditor

    ed2 = TimedEditor(TaskContext(ed.task, None, None), player=None)
    qtbot.addWidget(ed2)
    ed2.resize(1280, 800)
    ed2.show()
    qtbot.waitExposed(ed2)
    ed2.activateWindow()
    qtbot.waitUntil(lambda: ed2.isActiveWindow(), timeout=3000)
    return ed2


def _delivered_lines(ed) -> list[str]:
    data = write_captions(ed.document(), "srt", speaker_style=ed.speaker_style)
    return [line for line in data.decode().splitlines() if line and "-->" not in line and not line.isdigit()]


def test_preview_overlay_cps_and_reflow_use_the_delivered_speaker_form(qtbot):
    ed = _speaker_task_editor(qtbot)
    assert ed.speaker_style == "both"
    ed.table.setFocus()
    ed.seek(1000)
    qtbot.keyClick(ed.focusWidget(), Qt.Key.Key_Insert)
    qtbot.mouseClick(ed.speaker_edit, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(ed.speaker_edit, "Student")
    qtbot.keyClick(ed.speaker_edit, Qt.Key.Key_Tab)  # leaving the field commits the speaker
    qtbot.mouseClick(ed.text_edit.viewport(), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(ed.text_edit, TEXT)
    ed.seek(7000)
    qtbot.keyClick(ed.text_edit, Qt.Key.Key_F12)  # end at 7 s
    assert ed.items()[0].speaker == "Student"

    # the preview under the text box is the delivered line, with its length
    shown = ed.delivered_view.text().splitlines()[0]
    assert shown.endswith(f">> [Student] {TEXT}")
    assert shown.startswith(f"{len('>> [Student] ' + TEXT)}/32 ✖")  # the figures first: never cut off
    # the video overlay shows what the file will show
    ed.seek(2000)
    assert ed.video.caption_text == f">> [Student] {TEXT}"
    assert _delivered_lines(ed) == [f">> [Student] {TEXT}"]
    # CPS counts the delivered characters
    chars = len(">> [Student] " + TEXT)
    assert ed.model.index(0, ed.model.columns.index("CPS")).data() == f"{chars / 6:.1f}"

    qtbot.keyClick(ed.text_edit, Qt.Key.Key_R, ALT)  # Reflow
    lines = _delivered_lines(ed)
    assert lines[0].startswith(">> [Student] ")
    assert all(len(line) <= 32 for line in lines), lines
    assert " ".join(lines).replace(">> [Student] ", "").replace("[Student] ", "") == TEXT
    # the file read back gives the same words and speaker
    back = read_captions(write_captions(ed.document(), "srt", speaker_style=ed.speaker_style))
    assert all(c.speaker == "Student" for c in back.cues)
    # and the validator finds no over-long line any more
    assert not [m for r in range(len(ed.items())) for m in ed.model.markers(r) if "line of" in m.message]
    # the preview of each cue matches the delivered file line for line
    delivered = []
    for row in range(len(ed.items())):
        ed.select(row, seek=False)
        delivered += ed.delivered_view.delivered_lines
    assert delivered == lines
