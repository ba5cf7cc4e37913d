"""domain/spell_check.py: the user's dictionary, ignore-all and the whole-document walk (Qt-free)."""

from __future__ import annotations

from typing import ClassVar

from reach_studio.domain import edit_ops
from reach_studio.domain.captions import Chapter, Cue
from reach_studio.domain.spell_check import (
    DocumentSpelling,
    UserDictionary,
    change_all,
    keeps_letters,
    match_case,
)


class Words:
    """A tiny word list standing in for pyspellchecker."""

    known: ClassVar[set[str]] = {"hello", "world", "the", "is", "big", "again", "here", "there"}

    def is_known(self, word: str) -> bool:
        return word.lower() in self.known

    def suggestions(self, word: str, limit: int = 6) -> list[str]:
        return [w for w in sorted(self.known) if w[0] == word[0].lower()][:limit]


def test_walk_finds_each_unknown_word_in_order_and_ends_at_the_last_item():
    spelling = DocumentSpelling(Words())
    texts = ["Helo wrld", "The wrld is big", "Zorblax again"]
    found = []
    row, pos = 0, 0
    while (m := spelling.next_misspelling(texts, row, pos)) is not None:
        found.append((m.row, m.word, texts[m.row][m.start : m.end]))
        row, pos = m.row, m.end
    assert found == [(0, "Helo", "Helo"), (0, "wrld", "wrld"), (1, "wrld", "wrld"), (2, "Zorblax", "Zorblax")]


def test_ignore_all_and_the_user_dictionary_count_as_known(tmp_path):
    path = tmp_path / "dictionaries" / "en.txt"
    user = UserDictionary.load(path)
    assert len(user) == 0
    spelling = DocumentSpelling(Words(), user)
    spelling.ignore_all("wrld")
    assert spelling.misspelled("Helo wrld, WRLD") == [(0, 4, "Helo")]
    assert spelling.add_to_dictionary("Zorblax") and not spelling.add_to_dictionary("zorblax")
    user.save()
    assert path.read_text(encoding="utf-8") == "Zorblax\n"
    again = DocumentSpelling(Words(), UserDictionary.load(path))  # another task, same language
    assert again.misspelled("ZORBLAX wrld") == [(8, 4, "wrld")]  # the ignore was for that document only


def test_change_all_is_one_batch_of_whole_words():
    items = [Cue(0, 1000, "wrld wrlds wrld"), Cue(2000, 3000, "a wrld"), Chapter(0, "wrld tour")]
    op = change_all(items, "wrld", "world")
    assert isinstance(op, edit_ops.Batch) and len(op.ops) == 3
    after = edit_ops.replay(items, [op])
    assert [getattr(i, "text", None) or i.title for i in after] == [
        "world wrlds world",
        "a world",
        "world tour",
    ]
    assert change_all(items, "nothing", "x") is None


def test_suggestions_take_the_case_of_the_word():
    assert match_case("Helo", "hello") == "Hello"
    assert match_case("HELO", "hello") == "HELLO"
    assert match_case("helo", "hello") == "hello"


def test_a_dropped_letter_is_recognised():
    assert keeps_letters("helo", "hello") and keeps_letters("wrld", "world")
    assert not keeps_letters("helo", "help") and not keeps_letters("teh", "the")
