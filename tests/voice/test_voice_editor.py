"""The voice editor as a linguist uses it, without a server: lines, takes, drafts, the work product."""

from __future__ import annotations

import pytest

from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.enums import ServiceFeature
from reach_studio.media.audio_delivery import check_aac_lc
from reach_studio.store.drafts import DraftStore
from reach_studio.ui.editors import recorder as rec
from reach_studio.ui.editors.registry import TaskContext, editor_for
from reach_studio.ui.editors.voice_editor import VoiceEditor
from tests.factories import make_task

from .conftest import decode_pcm, record_take, tone_level


def open_voice(
    qtbot, tmp_path, feature=ServiceFeature.AUDIO_DESCRIPTION, media=None, source=None, store=None, **kw
):
    task = make_task(
        feature, source="English", target="French" if feature == ServiceFeature.DUBBING else None
    )
    ctx = TaskContext(
        task, None, store or DraftStore(tmp_path / "drafts.sqlite3"), media_path=media, source_captions=source
    )
    kw.setdefault("recorder_reason", "")
    editor = VoiceEditor(ctx, player=None, take_player=None, **kw)
    qtbot.addWidget(editor)
    editor.resize(1100, 700)
    return editor


def test_registered_for_dubbing_and_audio_description(qtbot, tmp_path):
    from reach_studio.ui.editors.sign_language_editor import SignLanguageEditor

    for feature in (ServiceFeature.DUBBING, ServiceFeature.AUDIO_DESCRIPTION):
        factory = editor_for(feature)
        assert factory is not None
        task = make_task(feature, target="French")
        widget = factory(TaskContext(task, None, DraftStore(tmp_path / f"{int(feature)}.sqlite3")))
        qtbot.addWidget(widget)
        assert isinstance(widget, VoiceEditor)
        assert widget.kind == ("dubbing" if feature == ServiceFeature.DUBBING else "audio_description")
    widget = editor_for(ServiceFeature.SIGN_LANGUAGE)(
        TaskContext(make_task(ServiceFeature.SIGN_LANGUAGE, target="English (ASL)"), None, None)
    )
    qtbot.addWidget(widget)
    assert isinstance(widget, SignLanguageEditor)


def test_description_written_at_the_playhead_and_recorded_builds_the_work_product(
    qtbot, tmp_path, voice_media
):
    ed = open_voice(qtbot, tmp_path, media=voice_media["clip"])
    ed.seek(2000)
    ed.add_line_at_playhead()
    qtbot.keyClicks(ed.text_edit, "She smiles.")
    assert [(ln.start_ms, ln.text) for ln in ed.script.lines] == [(2000, "She smiles.")]
    assert ed.table.item(0, 2).text() == "She smiles." and ed.table.item(0, 3).text() == "— none"
    record_take(qtbot, ed, 0, seconds=1.0)  # 0.7 s kept
    # (the clip is one long tone, so the take may also be flagged as running over "dialogue")
    assert ed.table.item(0, 3).text().startswith("✔ 0.7 s")
    assert ed.timeline.canvas._items[0].end_ms == 2700  # the take's block on the timeline
    product = ed.build_work_product()
    assert product.dub_captions is None and product.captions is None
    assert check_aac_lc(product.main_audio) == [] and check_aac_lc(product.clear_audio) == []
    pcm = decode_pcm(product.main_audio, 16000)
    assert tone_level(pcm, 16000, 1000, 2.1, 2.6) > 0.1 and tone_level(pcm, 16000, 1000, 0.5, 1.8) < 0.01


def test_dubbing_lines_come_from_the_captions_and_the_dub_caption_is_optional(qtbot, tmp_path, voice_media):
    source = CaptionDocument([Cue(0, 900, "Bonjour"), Cue(1500, 2500, "Au revoir")], language="French")
    ed = open_voice(qtbot, tmp_path, ServiceFeature.DUBBING, media=voice_media["clip"], source=source)
    assert [(ln.start_ms, ln.end_ms, ln.text) for ln in ed.script.lines] == [
        (0, 900, "Bonjour"),
        (1500, 2500, "Au revoir"),
    ]
    for row in (0, 1):
        record_take(qtbot, ed, row, seconds=0.8)
    assert ed.build_work_product().dub_captions is None
    ed.dub_caption_box.setChecked(True)
    ed.accuracy_box.setValue(92)
    doc = ed.build_work_product().dub_captions
    assert doc.accuracy == 92 and doc.language == "French"
    assert [(c.start_ms, c.end_ms, c.text) for c in doc.cues] == [
        (0, 500, "Bonjour"),
        (1500, 2000, "Au revoir"),
    ]


def test_import_script_replaces_the_lines(qtbot, tmp_path):
    srt = tmp_path / "dub.srt"
    srt.write_text(
        "1\n00:00:01,000 --> 00:00:02,000\nSalut\n\n2\n00:00:03,000 --> 00:00:04,000\nÀ plus\n",
        encoding="utf-8",
    )
    ed = open_voice(qtbot, tmp_path, ServiceFeature.DUBBING)
    ed.import_script_path(srt)  # read in the background: the GUI thread never waits on the disk
    qtbot.waitUntil(lambda: "Imported 2 lines from dub.srt" in ed.status.text(), timeout=5000)
    assert [ln.text for ln in ed.script.lines] == ["Salut", "À plus"]
    bad = tmp_path / "bad.srt"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    ed.import_script_path(bad)
    qtbot.waitUntil(lambda: "Cannot import bad.srt" in ed.status.text(), timeout=5000)
    assert len(ed.script.lines) == 2


def test_import_script_lists_what_was_repaired_as_the_timed_editor_does(qtbot, tmp_path):
    srt = tmp_path / "mixed.srt"
    srt.write_text("1\n00:00:01.500 --> 00:00:02,000\nSalut\n", encoding="utf-8")
    ed = open_voice(qtbot, tmp_path, ServiceFeature.DUBBING)
    ed.import_script_path(srt)
    qtbot.waitUntil(lambda: "Imported 1 line from mixed.srt" in ed.status.text(), timeout=5000)
    assert [(ln.start_ms, ln.text) for ln in ed.script.lines] == [(1500, "Salut")]
    assert "Repaired on import, please check: line 2: '.' read as" in ed.status.text()
    assert "line 2" in ed.status.toolTip()


def test_delivery_is_blocked_on_a_line_without_a_take(qtbot, tmp_path, voice_media):
    ed = open_voice(qtbot, tmp_path, media=voice_media["clip"])
    ed.seek(500)
    ed.add_line_at_playhead("One")
    record_take(qtbot, ed, 0, seconds=0.8)
    ed.seek(3000)
    ed.add_line_at_playhead("Two")
    ed.select(0, seek=False)
    assert not ed.deliver()
    assert "line 2: no take recorded" in ed.status.text()
    assert ed.current == 1  # jumped to the line that needs a take


def test_without_a_microphone_the_editor_offers_import(qtbot, tmp_path, monkeypatch, voice_media):
    monkeypatch.setattr(rec, "input_devices", list)
    ed = open_voice(qtbot, tmp_path, media=voice_media["clip"], recorder_reason=None)
    ed.show()
    ed.add_line_at_playhead("A bird.")
    panel = ed.recorder_panel
    assert not panel.record_button.isEnabled() and panel.import_button.isEnabled()
    assert panel.note.isVisible() and "No microphone" in panel.note.text()
    assert not ed.start_recording()
    assert "No microphone" in ed.status.text()
    ed.import_take_path(0, voice_media["take"])
    qtbot.waitUntil(lambda: ed.script.lines[0].has_take, timeout=20_000)
    assert ed.script.lines[0].take_ms == 1000


def test_draft_restores_lines_and_takes(qtbot, tmp_path, voice_media):
    store = DraftStore(tmp_path / "drafts.sqlite3")
    ed = open_voice(qtbot, tmp_path, media=voice_media["clip"], store=store)
    ed.seek(1000)
    ed.add_line_at_playhead("Rain.")
    record_take(qtbot, ed, 0, seconds=0.9)
    take = ed.script.lines[0].take
    ed.flush_draft()
    ed.close()
    again = open_voice(qtbot, tmp_path, media=voice_media["clip"], store=store)
    assert [(ln.start_ms, ln.text, ln.take, ln.take_ms) for ln in again.script.lines] == [
        (1000, "Rain.", take, 600)
    ]
    assert "Restored your draft (1 lines, 1 takes)" in again.status.text()


@pytest.mark.parametrize(
    "snapshot", [{"script": {"kind": "dubbing", "lines": [{"start_ms": -1}]}}, {"script": "nonsense"}]
)
def test_a_damaged_draft_starts_afresh_with_a_message(qtbot, tmp_path, snapshot):
    from reach_studio.store.drafts import draft_key

    store = DraftStore(tmp_path / "drafts.sqlite3")
    task = make_task(ServiceFeature.AUDIO_DESCRIPTION)
    store.save_snapshot(draft_key(task.account, task.id), "audio_description", snapshot)
    ed = open_voice(qtbot, tmp_path, store=store)
    assert ed.script.lines == []
    assert "could not be restored" in ed.status.text()


def test_rendering_again_reuses_the_files_until_a_take_changes(qtbot, tmp_path, voice_media):
    ed = open_voice(qtbot, tmp_path, media=voice_media["clip"])
    ed.add_line_at_playhead("One")
    record_take(qtbot, ed, 0, seconds=0.8)
    first = ed.build_work_product()
    stamp = first.main_audio.stat().st_mtime_ns, first.clear_audio.stat().st_mtime_ns
    qtbot.keyClicks(ed.text_edit, " more")  # the words are not in the audio: same files
    again = ed.build_work_product()
    assert (again.main_audio.stat().st_mtime_ns, again.clear_audio.stat().st_mtime_ns) == stamp
    ed.move_line(0, 1500)  # a take moved: mixed again
    moved = ed.build_work_product()
    assert moved.main_audio.stat().st_mtime_ns != stamp[0]
    pcm = decode_pcm(moved.main_audio, 16000)
    assert tone_level(pcm, 16000, 1000, 1.6, 1.9) > 0.1 and tone_level(pcm, 16000, 1000, 0.1, 0.4) < 0.01


def test_the_shell_workspace_opens_the_voice_editor_and_hands_it_the_media(qtbot, tmp_path, voice_media):
    from reach_studio.ui.task_workspace import TaskWorkspace

    task = make_task(ServiceFeature.AUDIO_DESCRIPTION, task_id=77)
    ws = TaskWorkspace(TaskContext(task, None, DraftStore(tmp_path / "d.sqlite3")))
    qtbot.addWidget(ws)
    assert isinstance(ws.editor, VoiceEditor)
    assert getattr(ws, "missing_label", None) is None
    ws.media_ready(voice_media["clip"])
    assert ws.editor.ctx.media_path == voice_media["clip"]
    qtbot.waitUntil(lambda: ws.editor.timeline.canvas._peaks is not None, timeout=20_000)


def test_lines_cannot_be_added_or_deleted_while_a_take_is_recorded(qtbot, tmp_path):
    from .conftest import pcm_buffer

    ed = open_voice(qtbot, tmp_path)
    ed.add_line_at_playhead("One")
    buf = pcm_buffer(0.8)
    assert ed.start_recording(device=buf)
    assert (
        not ed.delete_action.isEnabled()
        and not ed.add_action.isEnabled()
        and not ed.deliver_action.isEnabled()
    )
    qtbot.waitUntil(buf.atEnd, timeout=5000)
    ed.stop_recording()
    qtbot.waitUntil(lambda: ed.script.lines[0].has_take, timeout=10_000)
    assert ed.delete_action.isEnabled() and ed.add_action.isEnabled()


class FakePlayer:
    """Stands in for the take player: remembers what it was asked to play."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def load(self, path):
        self.calls.append(("load", path))

    def seek(self, ms):
        self.calls.append(("seek", ms))

    def play(self):
        self.calls.append(("play",))

    def close(self):
        pass


def test_mix_preview_plays_the_takes_over_the_original_from_the_playhead(qtbot, tmp_path, voice_media):
    player = FakePlayer()
    ed = open_voice(qtbot, tmp_path, media=voice_media["clip"])
    ed.take_player = player
    assert ed.preview_mix() is None and "Record at least one take" in ed.status.text()
    ed.seek(1000)
    ed.add_line_at_playhead("Bells.")
    record_take(qtbot, ed, 0, seconds=0.9)
    ed.seek(800)
    ed.preview_mix()
    qtbot.waitUntil(lambda: ("play",) in player.calls, timeout=20_000)
    (_, path), seek = player.calls[0], player.calls[1]
    assert seek == ("seek", 800)
    pcm = decode_pcm(path, 16000)
    assert tone_level(pcm, 16000, 1000, 1.1, 1.5) > 0.1 and tone_level(pcm, 16000, 1000, 2.0, 3.0) < 0.01
    assert "Preview mixed (1 take)" in ed.status.text()
    ed.play_take()  # the take alone
    assert str(player.calls[-3][1]) == ed.script.lines[0].take


def test_a_take_with_pauses_around_the_voice_is_heard_at_the_lines_time(qtbot, tmp_path, voice_media):
    """The describer waits a moment before speaking and after: the pauses are trimmed before the mix, so
    the description starts at its line's time instead of 0.6 s late, and the status says so."""
    import numpy as np
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    rate = 48000
    t = np.arange(int(0.7 * rate)) / rate
    voice = np.sin(2 * np.pi * 1000 * t) * 0.05  # a quiet speaker (-29 dBFS)
    silence = np.zeros(int(0.9 * rate))  # the recorder drops the first 0.3 s: 0.6 s of pause remain
    pcm = (np.concatenate([silence, voice, np.zeros(int(0.5 * rate))]) * 32767).astype("<i2").tobytes()
    buf = QBuffer()
    buf.setData(QByteArray(pcm))
    buf.open(QIODevice.OpenModeFlag.ReadOnly)

    ed = open_voice(qtbot, tmp_path, media=voice_media["clip"])
    ed.seek(2000)
    ed.add_line_at_playhead("The door opens.")
    assert ed.start_recording(device=buf)
    qtbot.waitUntil(buf.atEnd, timeout=5000)
    ed.stop_recording()
    qtbot.waitUntil(lambda: ed.script.lines[0].has_take, timeout=10_000)
    assert 900 <= ed.script.lines[0].take_ms <= 1000  # 0.7 s of voice + a short breath either side
    assert "s of silence trimmed" in ed.status.text()
    pcm_out = decode_pcm(ed.build_work_product().main_audio, 16000)
    assert tone_level(pcm_out, 16000, 1000, 2.15, 2.65) > 0.1  # heard from 2.1 s, and loud enough
    assert tone_level(pcm_out, 16000, 1000, 2.8, 3.5) < 0.01  # over by 2.8 s (it ended at 3.3 s before)


def test_the_voice_editor_is_worked_from_the_keyboard_as_the_timed_editor(qtbot, tmp_path):
    """Claiming an audio description task opens this editor with the focus in it; the timed editor's keys
    (Insert, F11, Alt+Up/Down, Ctrl+Delete, Ctrl+Space) do the same here, not nothing."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from reach_studio.ui.task_workspace import TaskWorkspace

    task = make_task(ServiceFeature.AUDIO_DESCRIPTION, task_id=78)
    ws = TaskWorkspace(TaskContext(task, None, DraftStore(tmp_path / "d.sqlite3")))
    qtbot.addWidget(ws)
    ws.resize(1100, 700)
    ws.show()
    qtbot.waitExposed(ws)
    ws.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is ws, timeout=3000)
    ws.setFocus()  # as the main window does after the claim
    ed = ws.editor
    assert ed.isAncestorOf(QApplication.focusWidget())

    def press(key, mod=Qt.KeyboardModifier.NoModifier):
        qtbot.keyClick(QApplication.focusWidget(), key, mod)

    ed.seek(1500)
    press(Qt.Key.Key_Insert)
    assert [line.start_ms for line in ed.script.lines] == [1500]
    assert ed.text_edit.hasFocus()
    qtbot.keyClicks(ed.text_edit, "A door opens.")
    ed.seek(6000)
    press(Qt.Key.Key_Insert)
    qtbot.keyClicks(ed.text_edit, "She waves.")
    assert [(line.start_ms, line.text) for line in ed.script.lines] == [
        (1500, "A door opens."),
        (6000, "She waves."),
    ]
    press(Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)  # back to the first line
    assert ed.current == 0
    ed.seek(2000)
    press(Qt.Key.Key_F11)  # its start at the playhead
    assert ed.script.lines[0].start_ms == 2000
    press(Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    assert [line.text for line in ed.script.lines] == ["She waves."]
    toggled = []
    ed.toggle_play = lambda: toggled.append(True)  # no player in this test: the key must reach the editor
    press(Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    assert toggled == [True]
    # Space alone plays/pauses too, as in the timed editor, except while typing the description
    ed.table.setFocus()
    press(Qt.Key.Key_Space)
    assert toggled == [True, True]
    ed.text_edit.setFocus()
    ed.text_edit.moveCursor(ed.text_edit.textCursor().MoveOperation.End)
    press(Qt.Key.Key_Space)
    assert toggled == [True, True] and ed.text_edit.toPlainText() == "She waves. "


def test_each_import_dialog_opens_where_the_last_file_came_from(qtbot, tmp_path, monkeypatch, voice_media):
    """Without a microphone every line's take is imported: each dialog opened in the app's own folder, so the
    describer walked to the recordings folder line after line."""
    from PySide6.QtWidgets import QFileDialog

    asked: list[str] = []

    def dialog(_parent, _title, start, _filters):
        asked.append(start)
        return str(voice_media["take"]), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(dialog))
    ed = open_voice(qtbot, tmp_path, media=voice_media["clip"])
    ed.add_line_at_playhead("A bird.")
    ed.recorder_panel.import_button.click()
    qtbot.waitUntil(lambda: ed.script.lines[0].has_take, timeout=20_000)
    ed.seek(2500)
    ed.add_line_at_playhead("It flies off.")
    ed.recorder_panel.import_button.click()
    qtbot.waitUntil(lambda: ed.script.lines[1].has_take, timeout=20_000)
    assert asked[1] == str(voice_media["take"].parent)


def test_ctrl_z_brings_back_a_deleted_line_with_its_take_and_undoes_typing_as_one_step(qtbot, tmp_path):
    """The voice editor had no undo: Ctrl+Delete on a described and recorded line lost both for good."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    ed = open_voice(qtbot, tmp_path)
    ed.show()
    qtbot.waitExposed(ed)
    ed.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is ed, timeout=3000)
    ed.seek(1000)
    ed.add_line_at_playhead()
    qtbot.keyClicks(ed.text_edit, "A door opens.")
    record_take(qtbot, ed, 0, seconds=1.0)
    take = ed.script.lines[0].take
    ed.seek(4000)
    ed.add_line_at_playhead()
    qtbot.keyClicks(ed.text_edit, "She waves.")
    ed.select(0, seek=False)
    ed.table.setFocus()
    qtbot.keyClick(ed.table, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    assert [ln.text for ln in ed.script.lines] == ["She waves."]
    assert ed.undo_action.toolTip() == "Undo Delete line (Ctrl+Z)", "the Undo button names the step"
    qtbot.keyClick(ed.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [ln.text for ln in ed.script.lines] == ["A door opens.", "She waves."]
    assert ed.script.lines[0].take == take and ed.current == 0
    assert ed.table.item(0, 3).text().startswith("✔")
    # in the text box, Ctrl+Z undoes the same history: the second line's typing, as one step
    ed.select(1, seek=False)
    ed.text_edit.setFocus()
    qtbot.keyClick(ed.text_edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [ln.text for ln in ed.script.lines] == ["A door opens.", ""]
    qtbot.keyClick(ed.text_edit, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert [ln.text for ln in ed.script.lines] == ["A door opens.", "She waves."]
    assert ed.text_edit.toPlainText() == "She waves."
