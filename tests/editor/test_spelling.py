"""Spell check in the task's language, with the task's dictionary terms accepted."""

from __future__ import annotations

from reach_studio.ui.editors.spelling import Speller, code_for


def test_unknown_words_are_found_and_dictionary_terms_are_not():
    speller = Speller("en", ["Kaltura", "REACH vendor"])
    found = [w for _, _, w in speller.misspelled("Helo from Kaltura, the REACH vendor wrld")]
    assert found == ["Helo", "wrld"]
    assert (
        speller.suggestions("Helo")[0] == "Hello"
    )  # a dropped letter first, before the more frequent "Help"
    assert speller.suggestions("wrld")[0] == "world"


def test_french_elisions_and_language_mapping():
    speller = Speller("fr")
    assert speller.misspelled("Aujourd'hui nous voyons l'image") == []
    assert code_for("French (Canada)") == "fr" and code_for("Japanese") is None


def test_editor_underlines_misspelled_words(qtbot):
    from reach_studio.domain.captions import Cue
    from reach_studio.ui.editors.registry import TaskContext
    from reach_studio.ui.editors.timed_editor import TimedEditor
    from tests.factories import make_task

    ed = TimedEditor(TaskContext(make_task(dictionary="Zorblax"), None, None), player=None)
    qtbot.addWidget(ed)
    ed.load_items([Cue(0, 2000, "Zorblax sayz hello")])
    ed.select(0)
    qtbot.waitUntil(lambda: ed.highlighter.speller is not None, timeout=10_000)
    layout = ed.text_edit.document().firstBlock().layout()
    underlined = {
        r.start for r in layout.formats() if r.format.fontUnderline() or r.format.underlineStyle() != 0
    }
    assert underlined == {8}  # "sayz", not the dictionary term "Zorblax"
