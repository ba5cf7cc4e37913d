"""Spell checking a document as Subtitle Edit does: the language's word list, the linguist's own dictionary
(words added once, kept for every later task in that language), words ignored for this document, and a
whole-document pass that walks each unknown word in order.

Qt-free: the editor's underline, its context menu and the spell-check dialog all ask `DocumentSpelling`, so
"Ignore all" or "Add to dictionary" in one place is honoured by the others at once. The word list itself
(pyspellchecker) is anything with `is_known(word)` and `suggestions(word, limit)`.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


class WordList(Protocol):
    def is_known(self, word: str) -> bool: ...

    def suggestions(self, word: str, limit: int = 6) -> list[str]: ...


def unknown_words(text: str, is_known) -> list[tuple[int, int, str]]:
    """(start, length, word) of each word of `text` that `is_known` refuses (what the underline shows)."""
    return [(m.start(), len(m.group()), m.group()) for m in WORD_RE.finditer(text) if not is_known(m.group())]


def _key(word: str) -> str:
    return word.lower().replace("’", "'")


class UserDictionary:
    """The linguist's own words for one language: a UTF-8 text file, one word a line.

    Read once (`load`), written whole on each addition (`add` returns; `save` writes, off the GUI thread),
    through a temporary file and a rename so a crash never leaves half a list. Matching ignores case, as a
    name added as "Okonkwo" must also be accepted at the start of a sentence in capitals.
    """

    def __init__(self, path: Path | None = None, words: Iterable[str] = ()) -> None:
        self.path = path
        self._words: dict[str, str] = {}  # key -> the word as added
        self._lock = threading.Lock()
        self._save_lock = threading.Lock()  # two quick additions: the later write must hold both words
        for word in words:
            self._words.setdefault(_key(word), word)

    @classmethod
    def load(cls, path: Path) -> UserDictionary:
        """The dictionary stored at `path` (empty when there is none yet; unreadable lines are skipped)."""
        words: list[str] = []
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            text = ""
        for line in text.splitlines():
            word = line.strip()
            if word and not word.startswith("#") and len(word) <= 100:
                words.append(word)
        return cls(path, words)

    def __contains__(self, word: str) -> bool:
        return _key(word) in self._words

    def __len__(self) -> int:
        return len(self._words)

    def words(self) -> list[str]:
        with self._lock:
            return sorted(self._words.values(), key=str.lower)

    def add(self, word: str) -> bool:
        """Add `word` (False when it was there already). Call `save` to keep it."""
        word = word.strip()
        if not word:
            return False
        with self._lock:
            if _key(word) in self._words:
                return False
            self._words[_key(word)] = word
            return True

    def save(self) -> None:
        """Write the whole list to `path` atomically (a no-op for a dictionary without a file)."""
        if self.path is None:
            return
        path = Path(self.path)
        with self._save_lock:
            path.parent.mkdir(parents=True, exist_ok=True)
            body = "".join(f"{w}\n" for w in self.words())
            fd, tmp = tempfile.mkstemp(prefix=".dict-", dir=path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(body)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise


@dataclass(frozen=True)
class Misspelling:
    """An unknown word of the document: item `row`, characters start..end of its text."""

    row: int
    start: int
    end: int
    word: str


class DocumentSpelling:
    """What counts as spelled right in one document: the word list, the user's dictionary, and the words
    ignored for this document ("Ignore all", forgotten when the task closes)."""

    def __init__(self, words: WordList, user: UserDictionary | None = None) -> None:
        self.word_list = words
        self.user = user if user is not None else UserDictionary()
        self.ignored: set[str] = set()

    def is_known(self, word: str) -> bool:
        key = _key(word)
        return key in self.ignored or word in self.user or self.word_list.is_known(word)

    def misspelled(self, text: str) -> list[tuple[int, int, str]]:
        return unknown_words(text, self.is_known)

    def suggestions(self, word: str, limit: int = 6) -> list[str]:
        return self.word_list.suggestions(word, limit)

    def ignore_all(self, word: str) -> None:
        self.ignored.add(_key(word))

    def add_to_dictionary(self, word: str) -> bool:
        """Add to the user's dictionary (True when new; the caller saves it off the GUI thread)."""
        return self.user.add(word)

    def next_misspelling(self, texts: Sequence[str], row: int = 0, pos: int = 0) -> Misspelling | None:
        """The first unknown word at or after character `pos` of item `row`, reading on to the end of the
        document (no wrap-around: a pass ends at the last item)."""
        for r in range(max(0, row), len(texts)):
            text = texts[r]
            for m in WORD_RE.finditer(text, pos if r == row else 0):
                if not self.is_known(m.group()):
                    return Misspelling(r, m.start(), m.end(), m.group())
        return None

    def count(self, texts: Iterable[str]) -> int:
        """How many unknown words the document has (for the pass's summary)."""
        return sum(len(self.misspelled(t)) for t in texts)


def keeps_letters(typed: str, candidate: str) -> bool:
    """True when `candidate` is `typed` with letters added only ("helo" -> "hello"), the usual slip."""
    rest = iter(candidate)
    return all(ch in rest for ch in typed)


def replace_span(text: str, start: int, end: int, replacement: str) -> str:
    return text[:start] + replacement + text[end:]


def match_case(word: str, suggestion: str) -> str:
    """A suggestion in the case of the word it replaces: "Helo" -> "Hello", "HELO" -> "HELLO"."""
    if word.isupper() and len(word) > 1:
        return suggestion.upper()
    if word[:1].isupper():
        return suggestion[:1].upper() + suggestion[1:]
    return suggestion


def spelled_field(item: object) -> str:
    """The field a spell check reads: a chapter's title (what viewers see), any other item's text."""
    from reach_studio.domain.captions import Chapter

    return "title" if isinstance(item, Chapter) else "text"


def change_all(items: Sequence[object], word: str, replacement: str):
    """One undoable `edit_ops.Batch` replacing every occurrence of `word` as a whole word (exactly as
    spelled) in every item, or None when there is none."""
    from reach_studio.domain.edit_ops import Batch, Change

    ops = []
    for i, item in enumerate(items):
        field = spelled_field(item)
        old = getattr(item, field)
        parts: list[str] = []
        pos = 0
        for m in WORD_RE.finditer(old):
            if m.group() == word:
                parts += [old[pos : m.start()], replacement]
                pos = m.end()
        if parts:
            new = "".join(parts) + old[pos:]
            ops.append(Change(i, {field: old}, {field: new}, "Spelling"))
    return Batch(tuple(ops), f"Change all “{word}”") if ops else None
