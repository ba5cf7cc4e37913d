"""Import of a draft file, late source captions, speech preview and draft compaction."""

from __future__ import annotations

from reach_studio.domain import edit_ops
from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.enums import ServiceFeature
from reach_studio.store.drafts import DraftStore, draft_key
from reach_studio.ui.editors import journal as journal_module
from reach_studio.ui.editors.registry import TaskContext
from reach_studio.ui.editors.timed_editor import TimedEditor
from tests.factories import make_task

SRT = "1\n00:00:01,000 --> 00:00:02,500\nFirst line\n\n2\n00:00:03,000 --> 00:00:04,000\nSecond\n"


def editor_for(qtbot, feature=ServiceFeature.CAPTIONS, drafts=None, source=None):
    ed = TimedEditor(TaskContext(make_task(feature), None, drafts, source_captions=source), player=None)
    qtbot.addWidget(ed)
    return ed


def test_import_an_srt_draft_as_one_undo_step(qtbot, tmp_path):
    path = tmp_path / "draft.srt"
    path.write_text(SRT, encoding="utf-8")
    ed = editor_for(qtbot)
    ed.import_path(path)
    qtbot.waitUntil(lambda: len(ed.items()) == 2, timeout=5000)
    assert [(c.start_ms, c.end_ms, c.text) for c in ed.items()] == [
        (1000, 2500, "First line"),
        (3000, 4000, "Second"),
    ]
    assert "Imported 2 cues" in ed.status.text()
    ed.undo_action.trigger()
    assert ed.items() == []


def test_import_of_a_broken_file_is_a_message(qtbot, tmp_path):
    path = tmp_path / "broken.srt"
    path.write_bytes(b"\x00\x01 not captions at all \xff")
    ed = editor_for(qtbot)
    ed.import_path(path)
    qtbot.waitUntil(lambda: "Cannot import" in ed.status.text(), timeout=5000)
    assert "broken.srt" in ed.status.text() and ed.items() == []


def test_translation_source_arriving_late_fills_the_targets(qtbot):
    ed = editor_for(qtbot, ServiceFeature.TRANSLATION)
    assert ed.items() == [] and "source captions" in ed.status.text()
    ed.set_source_captions(CaptionDocument([Cue(0, 1000, "One"), Cue(1500, 2500, "Two")], language="English"))
    assert [(c.start_ms, c.end_ms, c.text) for c in ed.items()] == [(0, 1000, ""), (1500, 2500, "")]
    ed.select(1)
    assert ed.source_view.toPlainText() == "Two"
    # the note that they were still on their way goes with them
    assert "not loaded yet" not in ed.status.text() and "2 source cues" in ed.status.text()


def test_speech_preview_uses_an_engine_when_there_is_one(qtbot):
    from reach_studio.ui.editors.tts import Speaker

    mock = Speaker(engine="mock")  # Qt's test engine stands in for a real one
    assert mock.available and mock.say("A door opens.")
    assert not mock.say("   ")
    none = Speaker(engine="no-such-engine")
    assert not none.available and "text-to-speech" in none.reason


def test_many_edits_are_compacted_into_a_snapshot(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(journal_module, "SNAPSHOT_EVERY", 50)
    store = DraftStore(tmp_path / "d.sqlite3")
    ed = editor_for(qtbot, drafts=store)
    ed.seek(0)
    ed.insert_at_playhead()
    for i in range(120):
        ed.text_edit.insertPlainText("x")
    ed.flush_draft()
    draft = store.load(draft_key(ed.task.account, ed.task.id))
    assert len(draft.ops_after_snapshot) < 50  # older ops were folded into the snapshot
    items = edit_ops.replay(
        [edit_ops.item_from_dict(d) for d in draft.snapshot["items"]], draft.ops_after_snapshot
    )
    assert items[0].text == "x" * 120


def test_speaker_and_change_mark(qtbot):
    ed = editor_for(qtbot)
    ed.load_items([Cue(0, 2000, "Hello")])
    ed.select(0)
    ed.speaker_edit.setText("ANNA")
    ed.speaker_edit.editingFinished.emit()
    assert ed.items()[0].speaker == "ANNA"
    assert ed.model.index(0, 5).data() == "ANNA"
    cursor = ed.text_edit.textCursor()
    cursor.setPosition(0)
    ed.text_edit.setTextCursor(cursor)
    ed.insert_speaker_change()
    assert ed.items()[0].text == ">> Hello"


def test_profile_rules_reach_the_markers(qtbot):
    """Profanity (profile asks for removal) and dictionary near-misses come from the caption core."""
    from reach_studio.domain.task import Dictionary

    task = make_task()
    task.reach_profile.enable_profanity_removal = True
    task.reach_profile.dictionaries = [Dictionary("English", "Kaltura\nMediaSpace")]
    ed = TimedEditor(TaskContext(task, None, None), player=None)
    qtbot.addWidget(ed)
    ed.load_items([Cue(0, 3000, "Welcome to Kaltura"), Cue(3500, 6000, "Open MediaSpase now")])
    assert ed.model.markers(0) == []
    near = [m for m in ed.model.markers(1) if m.code == "dictionary"]
    assert near and "MediaSpace" in near[0].message
    ed.select(0)
    ed.text_edit.setPlainText("Welcome to this shit")
    assert any(m.code == "profanity" and m.severity == "error" for m in ed.model.markers(0))


def test_reflow_balances_lines_and_refused_merge_is_a_message(qtbot):
    ed = editor_for(qtbot)
    ed.load_items(
        [
            Cue(0, 4000, "one two three four five six seven eight nine ten eleven twelve", "A"),
            Cue(4000, 6000, "next", "B"),
        ]
    )
    ed.select(0)
    ed.reflow_current()
    lines = ed.items()[0].text.split("\n")
    assert len(lines) == 2 and all(len(line) <= 42 for line in lines)
    assert abs(len(lines[0]) - len(lines[1])) < 12  # balanced, not greedy
    ed.merge_with_next()  # different speakers: the caption core refuses, the user is told why
    assert len(ed.items()) == 2 and "speakers" in ed.status.text()


def test_import_lists_every_repair_with_its_line(qtbot, tmp_path):
    path = tmp_path / "sloppy.srt"
    path.write_bytes(
        b"\xef\xbb\xbf1\r\n00:00:01.000 --> 00:00:02,500\r\nFirst\r\n3\r\n00:00:03,000 --> 00:00:04,000\r\n"
        b"Second\r\n\r\nnot a cue\r\n"
    )
    ed = editor_for(qtbot)
    ed.import_path(path)
    qtbot.waitUntil(lambda: len(ed.items()) == 2, timeout=5000)
    shown = ed.status.text() + "\n" + ed.status.toolTip()
    assert "Imported 2 cues" in shown
    for expected in ("line 2:", "line 4:", "line 8:", "byte order mark", "left out"):
        assert expected in shown, expected


def test_translation_list_shows_source_and_translation_side_by_side(qtbot):
    """At the editor's usual width the Source column (260 px fixed) pushed the Translation column out of the
    list: a translator saw the source and had to scroll sideways for their own text."""
    ed = editor_for(qtbot, ServiceFeature.TRANSLATION)
    ed.set_source_captions(CaptionDocument([Cue(0, 1000, "One"), Cue(1500, 2500, "Two")], language="English"))
    ed.resize(1100, 700)
    ed.show()
    qtbot.waitExposed(ed)
    columns = ed.model.columns
    translation = len(columns) - 1
    view = ed.table.viewport().width()
    assert ed.table.columnViewportPosition(translation) + 60 <= view  # at least its first words are seen
    assert ed.table.columnViewportPosition(columns.index("Source")) >= 0
