"""The timed editor's modes say, each once, what differs between captions, translation, EAD and chapters."""

from __future__ import annotations

import pytest

from reach_studio.domain import edit_ops
from reach_studio.domain.captions import Chapter, Cue, DescriptionCue
from reach_studio.domain.enums import ServiceFeature
from reach_studio.store.drafts import DraftStore
from reach_studio.ui.editors.registry import TaskContext
from reach_studio.ui.editors.timed_editor import TimedEditor
from reach_studio.ui.editors.timed_modes import MODES, mode_for
from tests.factories import make_task


def test_every_timed_feature_has_a_mode_and_an_unknown_one_is_refused():
    for feature, kind in [
        (ServiceFeature.CAPTIONS, "captions"),
        (ServiceFeature.TRANSLATION, "translation"),
        (ServiceFeature.EXTENDED_AUDIO_DESCRIPTION, "ead"),
        (ServiceFeature.CHAPTERING, "chapters"),
    ]:
        assert mode_for(edit_ops.kind_for_feature(feature)).kind == kind
    with pytest.raises(edit_ops.EditError, match="unknown editor mode"):
        mode_for("karaoke")


def test_each_mode_delivers_its_own_work_product():
    cue, desc, chapter = Cue(0, 1000, "Hi"), DescriptionCue(0, 1000, "A door"), Chapter(0, "Intro")
    captions = MODES["captions"].work_product([cue], "English")
    assert captions.captions.cues == [cue] and captions.captions.language == "English"
    assert captions.captions.accuracy == 100
    assert MODES["translation"].work_product([cue], "French").captions.language == "French"
    ead = MODES["ead"].work_product([desc], "English")
    assert ead.descriptions == (desc,) and ead.captions is None
    assert MODES["ead"].document([], "English").source_format == "vtt"  # EAD is always WebVTT
    chapters = MODES["chapters"].work_product([chapter], None)
    assert chapters.chapters == (chapter,) and chapters.captions is None


def test_translation_writes_in_the_target_language_on_its_sources_timing():
    mode = MODES["translation"]
    task = make_task(ServiceFeature.TRANSLATION, source="English", target="French")
    assert mode.language(task) == "French" and MODES["captions"].language(task) == "English"
    assert mode.field_label(task) == "Translation (French)"
    start = mode.starting_items([Cue(500, 1500, "Hello", "Ann")])
    assert start == [Cue(500, 1500, "", "Ann")]
    assert MODES["captions"].starting_items([Cue(500, 1500, "Hello")]) == []


def test_drawing_on_the_waveform_makes_the_modes_item_and_chapters_have_no_end():
    assert MODES["ead"].new_item(0, 900) == DescriptionCue(0, 900, "")
    assert MODES["captions"].new_item(0, 900) == Cue(0, 900, "")
    with pytest.raises(edit_ops.EditError):
        MODES["chapters"].new_item(0, 900)


@pytest.mark.parametrize(
    ("feature", "columns", "shown", "hidden"),
    [
        (ServiceFeature.CAPTIONS, "Speaker", {"speaker_edit"}, {"source_view", "title_edit"}),
        (ServiceFeature.TRANSLATION, "Source", {"source_view"}, {"speaker_edit", "title_edit"}),
        (ServiceFeature.EXTENDED_AUDIO_DESCRIPTION, "Description", set(), {"speaker_edit", "title_edit"}),
        (ServiceFeature.CHAPTERING, "Title", {"title_edit"}, {"speaker_edit", "source_view", "end_edit"}),
    ],
)
def test_the_editor_shows_the_fields_and_columns_its_mode_names(
    qtbot, tmp_path, feature, columns, shown, hidden
):
    task = make_task(feature, target="French" if feature == ServiceFeature.TRANSLATION else None)
    ed = TimedEditor(TaskContext(task, None, DraftStore(tmp_path / "d.sqlite3")), player=None)
    qtbot.addWidget(ed)
    ed.show()
    assert columns in ed.model.columns and list(ed.model.columns) == list(ed.mode.columns)
    for name in shown:
        assert getattr(ed, name).isVisibleTo(ed), name
    for name in hidden:
        assert not getattr(ed, name).isVisibleTo(ed), name
    actions = {a.text() for a in ed.toolbar.actions()}
    assert ("Split" in actions) == ed.mode.text_lines
    assert ("Import…" in actions) == ed.mode.imports_files
