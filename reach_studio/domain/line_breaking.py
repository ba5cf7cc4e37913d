"""Balanced line breaks for caption text, shared by the JSON transcript reader and the reflow fix.

Guidelines (BBC Subtitle Guidelines "Line breaks"; Netflix Timed Text Style Guide "Line Treatment") ask
for lines of similar length, broken at natural points: after punctuation, not after an article or a
preposition. The cost below encodes exactly that and nothing cleverer.
"""

from __future__ import annotations

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
        if stripped and stripped[-1] in ",.;:!?…":
            cost -= 20
        elif stripped.lower().strip("\"'“”‘’()[]") in _WEAK_LINE_ENDS:
            cost += 25
    if next_first.lower() in _GOOD_LINE_STARTS:
        cost -= 10
    return cost


def lines_needed(text: str, max_chars: int) -> int:
    """How many lines a greedy fill needs (the minimum for a word-level break)."""
    count, current = 1, -1
    for word in text.split():
        if current >= 0 and current + 1 + len(word) > max_chars:
            count += 1
            current = len(word)
        else:
            current = len(word) if current < 0 else current + 1 + len(word)
    return count


def balanced_lines(text: str, max_chars: int, lines: int | None = None) -> list[str]:
    """Break `text` (its own line breaks ignored) into `lines` lines (default: as few as fit) of balanced
    length, preferring breaks after punctuation and avoiding breaks after function words."""
    words = text.split()
    if not words:
        return [""]
    joined = " ".join(words)
    k = lines or lines_needed(joined, max_chars)
    k = max(1, min(k, len(words)))
    if k == 1:
        return [joined]
    total = len(joined)
    target = (total - (k - 1)) / k
    n = len(words)
    prefix = [0]
    for w in words:
        prefix.append(prefix[-1] + len(w))

    def seg_len(i: int, j: int) -> int:  # words[i:j] joined with spaces
        return prefix[j] - prefix[i] + (j - i - 1)

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
        out.append(" ".join(words[i:j]))
        j = i
    return out[::-1]
