"""Profanity removal for profiles with `enableProfanityRemoval`: find and mask words from a maintained list.

The word list is better-profanity's (PyPI `better-profanity`, ~900 English entries including leetspeak
spellings). Its own `censor()` takes about 10 ms per sentence, far too slow to run on every keystroke over a
5,000-cue document, so the list is loaded once into a set and matched per token here.

Masking is the same everywhere: the first letter stays, every other letter or digit becomes "*"
("damn" -> "d***"), so a masked file still reads naturally and masking twice changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

MASK_CHAR = "*"
WORDLIST_LANGUAGE = "en"  # better-profanity's list is English: "tard" is a slur there, "late" in French


def has_wordlist(language: str | None) -> bool:
    """Whether the list can judge text in `language` (a KalturaCatalogItemLanguage name; unknown: yes, as
    before). Other languages get no profanity check rather than a wrong one."""
    from reach_studio.domain.enums import language_code

    code = language_code(language)
    return code is None or code.split("-")[0].lower() == WORDLIST_LANGUAGE


_TOKEN = re.compile(r"[\w@$+]+(?:[.\-'’][\w@$+]+)*")
_LEET = str.maketrans(
    {"@": "a", "4": "a", "$": "s", "5": "s", "0": "o", "1": "i", "3": "e", "7": "t", "+": "t"}
)


@dataclass(frozen=True)
class ProfanityHit:
    start: int
    end: int
    word: str


@lru_cache(maxsize=1)
def _wordlist() -> tuple[frozenset[str], re.Pattern[str] | None]:
    text = (resources.files("better_profanity") / "profanity_wordlist.txt").read_text(encoding="utf-8")
    words = [w.strip().lower() for w in text.splitlines() if w.strip()]
    singles = frozenset(w for w in words if " " not in w)
    phrases = sorted((w for w in words if " " in w), key=len, reverse=True)
    pattern = (
        re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in phrases) + r")(?!\w)", re.IGNORECASE)
        if phrases
        else None
    )
    return singles, pattern


def _is_profane(token: str, words: frozenset[str]) -> bool:
    low = token.lower()
    return low in words or low.translate(_LEET) in words


def find_profanity(text: str) -> list[ProfanityHit]:
    """Spans of profane words or phrases in `text` (whole words only: "Scunthorpe" is not a hit)."""
    words, phrases = _wordlist()
    hits: list[ProfanityHit] = []
    for m in _TOKEN.finditer(text):
        token = m.group(0)
        if _is_profane(token, words):
            hits.append(ProfanityHit(m.start(), m.end(), token))
            continue
        if "-" in token or "." in token:
            offset = m.start()
            for part in re.split(r"([.\-])", token):
                if part not in (".", "-") and part and _is_profane(part, words):
                    hits.append(ProfanityHit(offset, offset + len(part), part))
                offset += len(part)
    if phrases is not None and " " in text:
        covered = {(h.start, h.end) for h in hits}
        for m in phrases.finditer(text):
            if (m.start(), m.end()) not in covered:
                hits.append(ProfanityHit(m.start(), m.end(), m.group(0)))
    hits.sort(key=lambda h: h.start)
    return hits


def contains_profanity(text: str) -> bool:
    return bool(find_profanity(text))


def mask_word(word: str) -> str:
    """ "damn" -> "d***": the first character stays, other letters and digits become "*"."""
    if not word:
        return word
    return word[0] + "".join(MASK_CHAR if (ch.isalnum() or ch in "@$+") else ch for ch in word[1:])


def mask_profanity(text: str) -> str:
    """The text with every profane word masked the same way (see `mask_word`)."""
    hits = find_profanity(text)
    if not hits:
        return text
    out: list[str] = []
    pos = 0
    for hit in hits:
        if hit.start < pos:  # overlapping phrase and word: the first one already masked it
            continue
        out.append(text[pos : hit.start])
        out.append(mask_word(text[hit.start : hit.end]))
        pos = hit.end
    out.append(text[pos:])
    return "".join(out)
