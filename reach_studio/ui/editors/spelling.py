"""Spell checking in the task's language, with the REACH profile's dictionary terms accepted.

pyspellchecker is pure Python and ships word lists for en, es, fr, pt, de, it, ru, ar, eu, lv, nl and fa,
so it works offline from a pip install. Loading a list takes a moment, so `SpellService` loads it in the
background and the highlighter starts underlining when it is ready; other languages get no underlining
(and the editor says so) rather than a wrong one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QColor, QInputMethodEvent, QSyntaxHighlighter, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import QLineEdit

from reach_studio.domain.enums import language_code
from reach_studio.domain.spell_check import (
    WORD_RE,
    DocumentSpelling,
    UserDictionary,
    keeps_letters,
    unknown_words,
)
from reach_studio.workers.background import run_in_background

log = logging.getLogger(__name__)

SUPPORTED = {"en", "es", "fr", "pt", "de", "it", "ru", "ar", "eu", "lv", "nl", "fa"}


class Speller:
    """Qt-free: which words are unknown, and suggestions. Dictionary terms always count as known."""

    def __init__(self, code: str, terms: Iterable[str] = ()) -> None:
        from spellchecker import SpellChecker

        self.code = code
        self._checker = SpellChecker(language=code)
        self._known_terms: set[str] = set()
        self.add_terms(terms)
        self._cache: dict[str, bool] = {}

    def add_terms(self, terms: Iterable[str]) -> None:
        words = []
        for term in terms:
            for word in WORD_RE.findall(term):
                self._known_terms.add(word.lower())
                words.append(word.lower())
        if words:
            self._checker.word_frequency.load_words(words)
        self._cache = {}

    def is_known(self, word: str) -> bool:
        key = word.lower().replace("’", "'")
        hit = self._cache.get(key)
        if hit is None:
            hit = (
                key in self._known_terms
                or (word.isupper() and len(word) <= 5)
                or not self._checker.unknown([key])
            )
            if not hit and "'" in key:  # elisions and clitics: l'image, aujourd'hui, John's
                parts = [p for p in key.split("'") if len(p) > 2]
                hit = bool(parts) and not self._checker.unknown(parts)
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache[key] = hit
        return hit

    def misspelled(self, text: str) -> list[tuple[int, int, str]]:
        return unknown_words(text, self.is_known)

    def suggestions(self, word: str, limit: int = 6) -> list[str]:
        lower = word.lower()
        found = self._checker.candidates(lower) or set()
        # A dropped letter is the commonest slip ("Helo", "wrld"): words that only add letters to what was
        # typed come first, then the more frequent ("Hello" before "Help" for "Helo").
        ranked = sorted(
            found, key=lambda w: (not keeps_letters(lower, w), -self._checker.word_frequency[w], w)
        )[:limit]
        if word[:1].isupper():
            ranked = [w[:1].upper() + w[1:] for w in ranked]
        return ranked


_shared: dict[tuple[str, tuple[str, ...]], Speller] = {}
_shared_lock = threading.Lock()


def shared_speller(code: str, terms: tuple[str, ...] = ()) -> Speller:
    """One Speller per language and term list per process: reopening a task does not reload the list."""
    with _shared_lock:
        speller = _shared.get((code, terms))
        if speller is None:
            speller = _shared[(code, terms)] = Speller(code, terms)
        return speller


_user_dicts: dict[str, UserDictionary] = {}


def user_dictionary_path(code: str) -> Path:
    """Where the linguist's own words for a language live: kept with the settings, across tasks."""
    from reach_studio.paths import config_dir

    return config_dir() / "dictionaries" / f"{code}.txt"


def shared_user_dictionary(code: str) -> UserDictionary:
    """One UserDictionary per language per process, so a word added in one editor counts in every other."""
    with _shared_lock:
        found = _user_dicts.get(code)
        if found is None or found.path != user_dictionary_path(code):
            found = _user_dicts[code] = UserDictionary.load(user_dictionary_path(code))
        return found


def save_user_dictionary_async(user: UserDictionary, on_error=None):
    """Write the user's dictionary off the GUI thread (the GUI never waits on the disk)."""

    def failed(exc: BaseException) -> None:
        log.warning("could not save the spelling dictionary %s: %s", user.path, exc)
        if on_error is not None:
            on_error(exc)

    from reach_studio.workers.background import document_executor

    return run_in_background(
        lambda token, progress: user.save(), lambda _r: None, failed, executor=document_executor()
    )


def code_for(language: str | None) -> str | None:
    """pyspellchecker code for a KalturaCatalogItemLanguage name, or None when there is no word list."""
    code = language_code(language)
    if not code:
        return None
    base = code.split("-")[0].lower()
    return base if base in SUPPORTED else None


class SpellService(QObject):
    """Loads the word list and the user's dictionary in the background; `ready` fires with the document's
    `DocumentSpelling` (the word list, the user's words and the words ignored in this document)."""

    ready = Signal(object)

    def __init__(
        self, language: str | None, terms: Iterable[str] = (), parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.language = language
        self.speller: DocumentSpelling | None = None
        self.code = code_for(language)
        terms = list(terms)
        if self.code is None:
            self.status = f"No spell check for {language or 'this language'}"
            return
        self.status = "Loading the spelling dictionary…"
        code = self.code
        self._job = run_in_background(
            lambda token, progress: DocumentSpelling(
                shared_speller(code, tuple(terms)), shared_user_dictionary(code)
            ),
            self._loaded,
            self._failed,
        )

    def _loaded(self, speller: DocumentSpelling) -> None:
        if not shiboken6.isValid(self):  # the editor closed while the list was loading
            return
        self.speller = speller
        self.status = f"Spell check: {self.language}"
        self.ready.emit(speller)

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self.status = f"Spell check unavailable: {exc}"
        log.warning("spell check for %s: %s", self.language, exc)


def _underline() -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SpellCheckUnderline)
    fmt.setUnderlineColor(QColor("#e0201b"))
    return fmt


class SpellHighlighter(QSyntaxHighlighter):
    """Red wavy underline under unknown words of the document being edited."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.speller: DocumentSpelling | Speller | None = None
        self._format = _underline()

    def set_speller(self, speller: DocumentSpelling | Speller | None) -> None:
        self.speller = speller
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        if self.speller is None:
            return
        for start, length, _ in self.speller.misspelled(text):
            self.setFormat(start, length, self._format)


class LineSpellUnderline(QObject):
    """The same underline in a one-line field (a chapter's title: what viewers read in the player's chapter
    list). QLineEdit has no highlighter; its input-method formats are the documented way to style part of
    its text, so the spans are handed over as such after every change of the text."""

    def __init__(self, edit: QLineEdit) -> None:
        super().__init__(edit)
        self.edit = edit
        self.speller: DocumentSpelling | Speller | None = None
        self._format = _underline()
        edit.textChanged.connect(self.refresh)

    def set_speller(self, speller: DocumentSpelling | Speller | None) -> None:
        self.speller = speller
        self.refresh()

    def refresh(self, *_args) -> None:
        spans = self.speller.misspelled(self.edit.text()) if self.speller is not None else []
        at = self.edit.cursorPosition()  # the formats' starts are relative to the cursor
        kind = QInputMethodEvent.AttributeType.TextFormat
        attributes = [
            QInputMethodEvent.Attribute(kind, start - at, length, self._format) for start, length, _ in spans
        ]
        QCoreApplication.sendEvent(self.edit, QInputMethodEvent("", attributes))
