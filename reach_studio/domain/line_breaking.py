"""Balanced line breaks for caption text, shared by the JSON transcript reader and the reflow fix.

Guidelines (BBC Subtitle Guidelines "Line breaks"; Netflix Timed Text Style Guide "Line Treatment") ask
for lines of similar length, broken at natural points: after punctuation, not after an article or a
preposition. The cost below encodes exactly that and nothing cleverer.
"""

from __future__ import annotations

import re

# Breaking right after these words leaves a dangling function word at a line end (BBC, Netflix).
_WEAK_LINE_ENDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "and",
        "or",
        "but",
        "nor",
        "as",
        "that",
        "this",
        "these",
        "those",
        "my",
        "your",
        "his",
        "her",
        "its",
        "our",
        "their",
        "le",
        "la",
        "les",
        "un",
        "une",
        "des",
        "de",
        "du",
        "et",
        "à",
        "au",
        "aux",
        "el",
        "los",
        "las",
        "del",
        "y",
        "en",
        "con",
        "der",
        "die",
        "das",
        "ein",
        "eine",
        "und",
        "zu",
        "mit",
        "von",
    ]
)

# Starting the next line with a conjunction is a natural break (BBC: "break before conjunctions").
_GOOD_LINE_STARTS = frozenset(
    [
        "and",
        "but",
        "or",
        "because",
        "so",
        "which",
        "who",
        "when",
        "while",
        "if",
        "then",
        "et",
        "mais",
        "ou",
        "y",
        "pero",
        "und",
        "aber",
    ]
)


def _cost(
    line_lengths: list[int], last_words: list[str], max_chars: int, target: float, next_first: str = ""
) -> float:
    # Linear in the imbalance, so a break after punctuation wins over a slightly more even one.
    cost = 0.0
    for length in line_lengths:
        if length > max_chars:
            cost += 10_000 * (length - max_chars)
        cost += 2 * abs(length - target)
    for word in last_words:
        stripped = word.rstrip()
        if stripped and stripped[-1] in ",.;:!?…、。，！？":
            cost -= 20
        elif stripped.lower().strip("\"'“”‘’()[]") in _WEAK_LINE_ENDS:
            cost += 25
    if next_first.lower() in _GOOD_LINE_STARTS:
        cost -= 10
    elif next_first[:1] in _NO_LINE_START:
        cost += 200
    return cost


_CJK_CHAR = r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"
_CJK = re.compile(_CJK_CHAR)
_CJK_SPLIT = re.compile(rf"{_CJK_CHAR}|(?:(?!{_CJK_CHAR}).)+")
# Japanese/Chinese line-breaking rules (kinsoku): these never start a line.
_NO_LINE_START = frozenset("、。，．！？」』）〕】ー…・：；,.!?)")


def _tokens(text: str) -> tuple[list[str], list[str]]:
    """Break units and the glue before each: words for spaced scripts, single characters for Chinese and
    Japanese (which have no spaces), so both can be balanced the same way."""
    tokens: list[str] = []
    glue: list[str] = []
    for word in text.split():
        parts = _CJK_SPLIT.findall(word) if _CJK.search(word) else [word]
        for k, part in enumerate(parts):
            glue.append(" " if tokens and k == 0 else "")
            tokens.append(part)
    return tokens, glue


def _join(tokens: list[str], glue: list[str], i: int, j: int) -> str:
    return "".join((glue[u] if u > i else "") + tokens[u] for u in range(i, j))


def lines_needed(text: str, max_chars: int) -> int:
    """How many lines a greedy fill needs (the minimum for a break between words, or characters in CJK)."""
    tokens, glue = _tokens(text)
    count, current = 1, -1
    for token, g in zip(tokens, glue):
        if current >= 0 and current + len(g) + len(token) > max_chars:
            count += 1
            current = len(token)
        else:
            current = len(token) if current < 0 else current + len(g) + len(token)
    return count


def balanced_lines(text: str, max_chars: int, lines: int | None = None) -> list[str]:
    """Break `text` (its own line breaks ignored) into `lines` lines (default: as few as fit) of balanced
    length, preferring breaks after punctuation and avoiding breaks after function words."""
    words, glue = _tokens(text)
    if not words:
        return [""]
    n = len(words)
    joined = _join(words, glue, 0, n)
    k = lines or lines_needed(joined, max_chars)
    k = max(1, min(k, n))
    if k == 1:
        return [joined]
    total = len(joined)
    target = total / k
    prefix = [0]
    spaces = [0]
    for w, g in zip(words, glue):
        prefix.append(prefix[-1] + len(w))
        spaces.append(spaces[-1] + (1 if g else 0))

    def seg_len(i: int, j: int) -> int:  # words[i:j] with the glue between them
        return prefix[j] - prefix[i] + spaces[j] - spaces[i + 1]

    # best[j][m]: cost of the first j words in m lines; n is small (one cue), so O(k n^2) is fine.
    inf = float("inf")
    best = [[inf] * (k + 1) for _ in range(n + 1)]
    back = [[0] * (k + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    for m in range(1, k + 1):
        for j in range(m, n - (k - m) + 1):
            for i in range(m - 1, j):
                if best[i][m - 1] == inf:
                    continue
                last = [words[j - 1]] if m < k else []
                following = words[j] if m < k else ""
                c = best[i][m - 1] + _cost([seg_len(i, j)], last, max_chars, target, following)
                if c < best[j][m]:
                    best[j][m] = c
                    back[j][m] = i
    out: list[str] = []
    j = n
    for m in range(k, 0, -1):
        i = back[j][m]
        out.append(_join(words, glue, i, j))
        j = i
    return out[::-1]
