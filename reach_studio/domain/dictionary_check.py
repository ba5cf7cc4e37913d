"""The customer's dictionary (REACH profile dictionaries and the task's `dictionary`): every term must be
spelled exactly as given. Occurrences that differ only in case, and near-misses ("Kalturra" for
"Kaltura"), are reported with the replacement.

Near-misses use rapidfuzz's normalised Levenshtein ratio; short terms (under 4 characters) are only checked
for case, since one letter off in a 3-letter word is usually another word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

_WORD = re.compile(r"\w+(?:['’\-]\w+)*")
NEAR_MISS_SCORE = 85.0  # rapidfuzz ratio (0-100); 85 is one wrong letter in a 7-letter word
MIN_FUZZY_LENGTH = 4


@dataclass(frozen=True)
class DictionaryHit:
    start: int
    end: int
    found: str
    term: str
    kind: str  # "case" or "near"


class DictionaryChecker:
    """Checks text against a fixed set of terms; build once per task, call `check` per cue."""

    def __init__(self, terms: Iterable[str], score_cutoff: float = NEAR_MISS_SCORE) -> None:
        self.terms = [t.strip() for t in terms if t and t.strip()]
        self.score_cutoff = score_cutoff
        self._exact = set(self.terms)
        self._by_lower: dict[str, str] = {}
        self._by_words: dict[int, list[str]] = {}
        for term in self.terms:
            self._by_lower.setdefault(term.lower(), term)
            n = len(_WORD.findall(term)) or 1
            self._by_words.setdefault(n, []).append(term)
        # A ratio of 85 needs lengths within about 0.74x..1.35x of a term: cheaper to rule out by length
        # than to ask rapidfuzz for every word of every cue.
        self._length_range: dict[int, tuple[float, float]] = {
            n: (min(len(t) for t in ts) * 0.7, max(len(t) for t in ts) * 1.45 + 2)
            for n, ts in self._by_words.items()
        }

    def check(self, text: str) -> list[DictionaryHit]:
        if not self.terms or not text:
            return []
        tokens = [(m.start(), m.end()) for m in _WORD.finditer(text)]
        hits: list[DictionaryHit] = []
        taken = [False] * len(tokens)
        for n in sorted(self._by_words, reverse=True):  # longer phrases first
            candidates = self._by_words[n]
            shortest, longest = self._length_range[n]
            for i in range(len(tokens) - n + 1):
                start, end = tokens[i][0], tokens[i + n - 1][1]
                if end - start < shortest or (n == 1 and end - start > longest):
                    continue
                if True in taken[i : i + n]:
                    continue
                found = text[start:end]
                if n > 1:
                    found_norm = " ".join(found.split())
                else:
                    found_norm = found
                if found_norm[-2:] in ("'s", "’s") and len(found_norm) > 3:  # possessive: check the noun
                    found_norm = found = found_norm[:-2]
                    end -= 2
                if len(found_norm) > longest:
                    continue
                if found_norm in self._exact:
                    taken[i : i + n] = [True] * n
                    continue
                term = self._by_lower.get(found_norm.lower())
                kind = "case"
                if term is None:
                    if len(found_norm) < MIN_FUZZY_LENGTH:
                        continue
                    best = process.extractOne(
                        found_norm,
                        candidates,
                        scorer=fuzz.ratio,
                        processor=str.lower,
                        score_cutoff=self.score_cutoff,
                    )
                    if best is None or len(best[0]) < MIN_FUZZY_LENGTH:
                        continue
                    term, kind = best[0], "near"
                    if found_norm.lower() in self._by_lower:  # it is another term, spelled right
                        continue
                hits.append(DictionaryHit(start, end, found, term, kind))
                taken[i : i + n] = [True] * n
        hits.sort(key=lambda h: h.start)
        return hits

    def correct(self, text: str) -> str:
        """The text with every hit replaced by the term as spelled in the dictionary."""
        out: list[str] = []
        pos = 0
        for hit in self.check(text):
            out.append(text[pos : hit.start])
            out.append(hit.term)
            pos = hit.end
        out.append(text[pos:])
        return "".join(out)


@lru_cache(maxsize=32)
def checker_for(terms: tuple[str, ...]) -> DictionaryChecker:
    """A cached checker, so per-keystroke validation does not rebuild it."""
    return DictionaryChecker(terms)
