"""The JSON timed transcript (docs/kaltura-contract.md#timed-json): items with `i` index, `s`/`e` start/end
ms, `t` "word" or
"punc", `w` the text and `a` accuracy 0-100.

Reading groups the words into caption cues (sentence ends, pauses, the line limit); writing spreads each
cue's duration over its words in proportion to their length. A JSON round trip keeps every word and its
timing; a cue document round trip through JSON keeps the words, not the cue boundaries.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

from reach_studio.domain.caption_errors import CaptionParseError
from reach_studio.domain.caption_rules import DEFAULT_RULES, CaptionRules
from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.line_breaking import balanced_lines

_TOKEN = re.compile(r"\w+(?:['’\-]\w+)*|[^\w\s]")
_TAG = re.compile(r"</?[a-zA-Z][^<>\n]*>")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_OPENING = frozenset("([{¿¡“‘«„")
_CLOSING = frozenset(".,;:!?…)]}”’»%'\"。，、？！")
_SENTENCE_END = frozenset(".?!…。？！")
PAUSE_MS = 1500  # a silence this long ends a cue


@dataclass
class TimedWord:
    start_ms: int
    end_ms: int
    text: str
    kind: str = "word"  # "word" or "punc"
    accuracy: int | None = None


def _line_of_item(text: str, index: int) -> int | None:
    pos = -1
    for _ in range(index + 1):
        pos = text.find("{", pos + 1)
        if pos < 0:
            return None
    return text.count("\n", 0, pos) + 1


def _items(data: object) -> list | None:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in ("items", "words", "transcript", "results"):
            if isinstance(data.get(key), list):
                return data[key]
    return None


def _int_ms(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return round(value)


def read_words(text: str, name: str = "<input>") -> list[TimedWord]:
    """The items of a JSON timed transcript; raises `CaptionParseError` naming the line of a bad item."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CaptionParseError(name, exc.lineno, f"not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise CaptionParseError(name, None, "JSON is nested too deeply") from None
    items = _items(data)
    if items is None:
        raise CaptionParseError(name, 1, "a timed transcript is a list of items with s, e and w")
    words: list[TimedWord] = []
    for k, item in enumerate(items):
        if not isinstance(item, dict):
            raise CaptionParseError(name, _line_of_item(text, k), f"item {k} is not an object")
        start, end = _int_ms(item.get("s")), _int_ms(item.get("e"))
        word = item.get("w")
        if start is None or end is None or start < 0 or end < 0:
            raise CaptionParseError(
                name, _line_of_item(text, k), f"item {k} needs non-negative numbers 's' and 'e' (ms)"
            )
        if not isinstance(word, str):
            raise CaptionParseError(name, _line_of_item(text, k), f"item {k} needs a text 'w'")
        kind = item.get("t", "word")
        if kind not in ("word", "punc"):
            raise CaptionParseError(
                name, _line_of_item(text, k), f"item {k} has type {kind!r}, not 'word' or 'punc'"
            )
        acc = item.get("a")
        accuracy = None
        if acc is not None:
            if isinstance(acc, bool) or not isinstance(acc, (int, float)) or not 0 <= acc <= 100:
                raise CaptionParseError(
                    name, _line_of_item(text, k), f"item {k} has accuracy {acc!r} outside 0-100"
                )
            accuracy = round(acc)
        words.append(TimedWord(start, end, word, kind, accuracy))
    return words


def write_words(words: list[TimedWord]) -> str:
    lines = []
    for k, w in enumerate(words):
        item = {"i": k, "s": w.start_ms, "e": w.end_ms, "t": w.kind, "w": w.text}
        if w.accuracy is not None:
            item["a"] = w.accuracy
        lines.append(json.dumps(item, ensure_ascii=False))
    return "[\n" + ",\n".join(lines) + "\n]\n" if lines else "[]\n"


def _join(parts: list[TimedWord]) -> str:
    out: list[str] = []
    glue = True
    for w in parts:
        token = w.text.strip()
        if not token:
            continue
        if w.kind == "punc" and token[0] not in _OPENING:
            out.append(token)
            glue = False
            continue
        if out and not glue and not (_CJK.match(token) and _CJK.match(out[-1][-1])):
            out.append(" ")  # Chinese and Japanese words are written without spaces
        out.append(token)
        glue = w.kind == "punc"  # an opening mark sticks to the next word
    return "".join(out)


def cues_from_words(words: list[TimedWord], rules: CaptionRules = DEFAULT_RULES) -> list[Cue]:
    """Group timed words into cues that respect the line limit, breaking at sentence ends and pauses."""
    limit = rules.max_chars_per_line * rules.max_lines
    cues: list[Cue] = []
    current: list[TimedWord] = []

    def flush() -> None:
        if current:
            text = _join(current)
            lines = balanced_lines(text, rules.max_chars_per_line)
            cues.append(Cue(current[0].start_ms, max(w.end_ms for w in current), "\n".join(lines)))
            current.clear()

    for w in words:
        starts_something = w.kind == "word" or w.text.strip()[:1] in _OPENING
        if current and starts_something:
            text_len = len(_join(current))
            gap = w.start_ms - current[-1].end_ms
            sentence_done = current[-1].kind == "punc" and current[-1].text.strip()[-1:] in _SENTENCE_END
            if (
                gap >= PAUSE_MS
                or text_len + 1 + len(w.text) > limit
                or w.end_ms - current[0].start_ms > rules.max_duration_ms
                or (sentence_done and text_len >= rules.max_chars_per_line)
            ):
                flush()
        current.append(w)
    flush()
    return cues


def words_from_cues(doc: CaptionDocument) -> list[TimedWord]:
    """Words of every cue, the cue's time shared out by word length; punctuation takes no time."""
    out: list[TimedWord] = []
    for cue in doc.cues:
        tokens = _TOKEN.findall(_TAG.sub("", cue.text))
        kinds = ["punc" if t in _OPENING or t in _CLOSING else "word" for t in tokens]
        lengths = [len(t) if k == "word" else 0 for t, k in zip(tokens, kinds)]
        total = sum(lengths) or 1
        duration = max(0, cue.end_ms - cue.start_ms)
        done = 0
        for token, length, kind in zip(tokens, lengths, kinds):
            start = cue.start_ms + duration * done // total
            done += length
            end = cue.start_ms + duration * done // total
            if kind == "punc":
                start = end
            out.append(TimedWord(start, end, token, kind, doc.accuracy))
    return out


def read_timed_json(text: str, name: str = "<input>", rules: CaptionRules = DEFAULT_RULES) -> CaptionDocument:
    words = read_words(text, name)
    accuracies = [w.accuracy for w in words if w.accuracy is not None]
    accuracy = round(sum(accuracies) / len(accuracies)) if accuracies else None
    return CaptionDocument(cues=cues_from_words(words, rules), accuracy=accuracy, source_format="json")


def write_timed_json(doc: CaptionDocument) -> str:
    return write_words(words_from_cues(doc))
