"""Auto-fixes and timing tools for caption documents, usable headless and as undoable editor commands.

Every function is pure: it takes a document and returns a new one (the cue list is copied, untouched
cues are shared), so the editor can keep the old document for undo and the draft journal can record the
operation by name and arguments.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

from reach_studio.domain.caption_errors import CaptionError
from reach_studio.domain.caption_rules import AUDIO_TAG_RE, DEFAULT_RULES, CaptionRules, is_audio_tag_label
from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.formats._common import CHANGE_MARK, render_text, split_speaker
from reach_studio.domain.line_breaking import _join, _tokens, balanced_lines, lines_needed
from reach_studio.domain.profanity import mask_profanity

_TAG = re.compile(r"</?[a-zA-Z][^<>\n]*>")


class CaptionFixError(CaptionError):
    """A fix that cannot be applied as asked (bad index, times that would go negative, ...)."""


def _with(doc: CaptionDocument, cues: list[Cue]) -> CaptionDocument:
    return replace(doc, cues=cues)


def _check_index(doc: CaptionDocument, index: int) -> None:
    if not 0 <= index < len(doc.cues):
        raise CaptionFixError(f"there is no cue {index + 1} (the document has {len(doc.cues)})")


def visible_text(text: str) -> str:
    """Text as the viewer reads it: tags removed."""
    return _TAG.sub("", text) if "<" in text else text


# --- text --------------------------------------------------------------------------------------------


def reflow_text(text: str, max_chars: int, max_lines: int | None = None) -> str:
    """Re-break the text into as few balanced lines as fit `max_chars` (inline tags such as <i> are kept
    and counted as characters; they are rare in REACH deliveries)."""
    lines = balanced_lines(text, max_chars, max_lines)
    return "\n".join(lines)


_PREFIX_MARK = "\x00"  # stands for the delivered speaker prefix while breaking lines (never in text)


def speaker_prefix(cue: Cue, previous_speaker: str | None, style: str, first: bool) -> str:
    """What the delivered file puts before the cue's text (">> [Ann]", "[Ann]", ">>" or "")."""
    shown = render_text(cue.copy(text="x"), previous_speaker, style, first)
    return shown[:-1].rstrip()


def continued_prefix(cue: Cue, style: str) -> str:
    """What the delivered file puts before a cue that continues the same speaker's words (a part of a
    split cue): "[Ann]" where every cue is labelled, nothing where only a change is marked."""
    return speaker_prefix(cue, cue.speaker, style, False) if cue.speaker else ""


def reflow_cue(
    doc: CaptionDocument,
    index: int,
    rules: CaptionRules = DEFAULT_RULES,
    prefix_len: int = 0,
    later_prefix_len: int = 0,
) -> CaptionDocument:
    """Balance the cue's lines to the line limit; if the text needs more than `max_lines`, split the cue
    into consecutive cues (time shared by length), each fitting the limit.

    `prefix_len` is the length of what the delivered file puts before the text on its first line (the
    speaker label and/or ">>", see `speaker_prefix`): it counts toward that line as the viewer sees it.
    `later_prefix_len` is the same for the cues a split makes after the first (`continued_prefix`: a
    labelled style repeats the label on each), so none of them comes out too long either."""
    _check_index(doc, index)
    cue = doc.cues[index]
    flat = " ".join(cue.text.split())
    if prefix_len > 0 and flat:
        mark = _PREFIX_MARK * prefix_len
        marked = f"{mark} {flat}"
        if lines_needed(marked, rules.max_chars_per_line) <= rules.max_lines:
            new = cue.copy(text=_reflow_after_prefix(flat, prefix_len, rules))
            return _with(doc, doc.cues[:index] + [new] + doc.cues[index + 1 :])
        parts = _chunks(
            marked,
            rules.max_chars_per_line * rules.max_lines,
            rules.max_chars_per_line,
            rules.max_lines,
            later_prefix_len,
        )
        parts[0] = parts[0][len(mark) :].lstrip(" ")
        if not parts[0]:
            parts = parts[1:] or [""]
        new_cues = _share_time(cue, parts, rules)
        first = new_cues[0]
        new_cues[0] = first.copy(text=_reflow_after_prefix(first.text, prefix_len, rules))
        if later_prefix_len > 0:
            new_cues[1:] = [
                c.copy(text=_reflow_after_prefix(c.text, later_prefix_len, rules)) for c in new_cues[1:]
            ]
        return _with(doc, doc.cues[:index] + new_cues + doc.cues[index + 1 :])
    needed = lines_needed(flat, rules.max_chars_per_line)
    if needed <= rules.max_lines:
        new = cue.copy(text=reflow_text(flat, rules.max_chars_per_line))
        return _with(doc, doc.cues[:index] + [new] + doc.cues[index + 1 :])
    parts = _chunks(
        flat, rules.max_chars_per_line * rules.max_lines, rules.max_chars_per_line, rules.max_lines
    )
    new_cues = _share_time(cue, parts, rules)
    return _with(doc, doc.cues[:index] + new_cues + doc.cues[index + 1 :])


def open_gaps(cues: list[Cue], gap_ms: int, shortest_ms: int = 100) -> list[Cue]:
    """Consecutive cues made from one keep the minimum gap between them (a 0 ms gap reads as one
    flickering cue): each but the last ends `gap_ms` before the next starts, unless that would leave it
    shorter than `shortest_ms`."""
    out = list(cues)
    for k in range(len(out) - 1):
        end = out[k + 1].start_ms - gap_ms
        if end - out[k].start_ms >= shortest_ms and end < out[k].end_ms:
            out[k] = out[k].copy(end_ms=end)
    return out


def split_keeping_gap(
    doc: CaptionDocument, index: int, at_char: int | None = None, rules: CaptionRules = DEFAULT_RULES
) -> CaptionDocument:
    """`split_cue` with the minimum gap opened between the two halves (Alt+S, the panel's "Split the cue in
    two")."""
    out = split_cue(doc, index, at_char, rules)
    halves = open_gaps(out.cues[index : index + 2], rules.min_gap_ms)
    return _with(doc, out.cues[:index] + halves + out.cues[index + 2 :])


def reflow_readable(
    doc: CaptionDocument,
    index: int,
    rules: CaptionRules = DEFAULT_RULES,
    prefix_len: int = 0,
    later_prefix_len: int = 0,
) -> CaptionDocument:
    """`reflow_cue` as a linguist asks for it (Alt+R, the problems panel's Re-break). When the text needs
    several cues, each gets at least the minimum duration and the time its text needs at the reading speed,
    the rest shared by length, with the minimum gap between them; when the cue's time cannot give that, it
    refuses (CaptionFixError, saying how long the cue needs): a 0.5 s cue at 36 characters a second is worse
    than a long line."""
    out = reflow_cue(doc, index, rules, prefix_len, later_prefix_len)
    made = len(out.cues) - len(doc.cues) + 1
    if made <= 1:
        return out
    cue, parts = doc.cues[index], out.cues[index : index + made]
    chars = [
        len(p.text.replace("\n", "")) + (prefix_len if k == 0 else later_prefix_len)
        for k, p in enumerate(parts)
    ]
    need = [max(rules.min_duration_ms, math.ceil(n * 1000 / rules.max_chars_per_second)) for n in chars]
    gaps = rules.min_gap_ms * (made - 1)
    spare = cue.end_ms - cue.start_ms - gaps - sum(need)
    if spare < 0:
        raise CaptionFixError(
            f"Re-breaking needs {made} cues, but {(cue.end_ms - cue.start_ms) / 1000:.1f} s is too short "
            f"for this text at {rules.max_chars_per_second:g} characters per second (it needs about "
            f"{(sum(need) + gaps) / 1000:.1f} s): lengthen the cue or shorten the text first"
        )
    timed, start, total = [], cue.start_ms, sum(chars) or 1
    for k, part in enumerate(parts):
        end = cue.end_ms if k == made - 1 else start + need[k] + spare * chars[k] // total
        timed.append(part.copy(start_ms=start, end_ms=end))
        start = end + rules.min_gap_ms
    return _with(doc, out.cues[:index] + timed + out.cues[index + made :])


def _reflow_after_prefix(text: str, prefix_len: int, rules: CaptionRules) -> str:
    mark = _PREFIX_MARK * prefix_len
    flat = " ".join(text.split())
    broken = reflow_text(f"{mark} {flat}", rules.max_chars_per_line)
    if broken.startswith(mark + "\n"):
        # the break fell right after the label, but the delivered file puts the label on the text's first
        # line again: as many words as fit go beside it instead, the rest below
        room = rules.max_chars_per_line - prefix_len - 1
        words = flat.split(" ")
        first: list[str] = []
        while words and len(" ".join([*first, words[0]])) <= room:
            first.append(words.pop(0))
        if first and words:
            rest = reflow_text(" ".join(words), rules.max_chars_per_line)
            if 1 + len(rest.split("\n")) <= rules.max_lines:
                return " ".join(first) + "\n" + rest
    return broken[len(mark) :].lstrip(" ").lstrip("\n")


def _chunks(text: str, limit: int, max_chars: int, max_lines: int, later_prefix_len: int = 0) -> list[str]:
    """Consecutive pieces of the text that each fit `max_lines` lines, cut at a sentence end, else a
    clause end, else between words (or characters, for Chinese and Japanese). Pieces after the first
    fit with `later_prefix_len` characters before them (a repeated speaker label)."""
    tokens, glue = _tokens(text)
    n = len(tokens)
    pieces: list[str] = []
    start = 0
    later = _PREFIX_MARK * later_prefix_len + " " if later_prefix_len > 0 else ""

    def fits(first: int, end: int) -> bool:
        lead = later if first > 0 else ""
        return lines_needed(lead + _join(tokens, glue, first, end), max_chars) <= max_lines

    while start < n:
        end = start + 1
        while end < n and fits(start, end + 1):
            end += 1
        if end < n:
            for marks in (".!?…。！？", ",;:、，；："):
                cuts = [u + 1 for u in range(start, end) if tokens[u][-1] in marks]
                if cuts and cuts[-1] - start >= (end - start) // 2:
                    end = cuts[-1]
                    break
        pieces.append(_join(tokens, glue, start, end))
        start = end
    return pieces or [""]


def _share_time(cue: Cue, parts: list[str], rules: CaptionRules) -> list[Cue]:
    total = sum(len(p) for p in parts) or 1
    duration = max(0, cue.end_ms - cue.start_ms)
    out: list[Cue] = []
    done = 0
    for k, part in enumerate(parts):
        start = cue.start_ms + duration * done // total
        done += len(part)
        end = cue.start_ms + duration * done // total if k < len(parts) - 1 else cue.end_ms
        out.append(Cue(start, end, reflow_text(part, rules.max_chars_per_line), cue.speaker))
    return out


def split_cue(
    doc: CaptionDocument, index: int, at_char: int | None = None, rules: CaptionRules = DEFAULT_RULES
) -> CaptionDocument:
    """Split a cue in two at a character offset of its text (default: the word boundary nearest the
    middle); the time is shared in proportion to the text on each side."""
    _check_index(doc, index)
    cue = doc.cues[index]
    flat = " ".join(cue.text.split())
    if at_char is None:
        spaces = [m.start() for m in re.finditer(" ", flat)]
        if not spaces:
            raise CaptionFixError(f"cue {index + 1} has a single word and cannot be split")
        # Prefer a sentence or clause end near the middle, else the nearest space.
        middle = len(flat) / 2

        def score(pos: int) -> float:
            bonus = 0.35 if flat[pos - 1] in ".!?…" else 0.2 if flat[pos - 1] in ",;:" else 0.0
            return abs(pos - middle) / max(1, len(flat)) - bonus

        at = min(spaces, key=score)
        first, second = flat[:at], flat[at + 1 :]
    else:
        if not 0 < at_char < len(cue.text):
            raise CaptionFixError(f"cannot split cue {index + 1} at character {at_char}")
        first, second = cue.text[:at_char].strip(), cue.text[at_char:].strip()
        first, second = " ".join(first.split()), " ".join(second.split())
    new = _share_time(cue, [first, second], rules)
    return _with(doc, doc.cues[:index] + new + doc.cues[index + 1 :])


def merge_cues(doc: CaptionDocument, index: int, rules: CaptionRules = DEFAULT_RULES) -> CaptionDocument:
    """Merge cue `index` with the next one: from the first start to the last end, text reflowed."""
    _check_index(doc, index)
    _check_index(doc, index + 1)
    a, b = doc.cues[index], doc.cues[index + 1]
    if a.speaker != b.speaker and a.speaker and b.speaker:
        raise CaptionFixError(
            f"cues {index + 1} and {index + 2} have different speakers; merging would lose one"
        )
    text = " ".join((a.text + " " + b.text).split())
    merged = Cue(
        min(a.start_ms, b.start_ms),
        max(a.end_ms, b.end_ms),
        reflow_text(text, rules.max_chars_per_line),
        a.speaker or b.speaker,
    )
    return _with(doc, doc.cues[:index] + [merged] + doc.cues[index + 2 :])


def remove_audio_tags(text: str) -> str:
    """Remove sound tags ("[MUSIC]", "(applause)", "♪") but keep speaker labels and other text."""

    def drop(m: re.Match[str]) -> str:
        if m.group(0) == "♪":
            return ""
        label = m.group(1) or m.group(2)
        return "" if label and is_audio_tag_label(label) else m.group(0)

    lines = [" ".join(AUDIO_TAG_RE.sub(drop, line).split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def mask_profanity_in(doc: CaptionDocument, indices: list[int] | None = None) -> CaptionDocument:
    """Mask profanity in every cue (or the given ones), the same way everywhere (see profanity.mask_word)."""
    targets = range(len(doc.cues)) if indices is None else indices
    cues = list(doc.cues)
    for i in targets:
        _check_index(doc, i)
        masked = mask_profanity(cues[i].text)
        if masked != cues[i].text:
            cues[i] = cues[i].copy(text=masked)
    return _with(doc, cues)


def replace_text(doc: CaptionDocument, index: int, text: str) -> CaptionDocument:
    _check_index(doc, index)
    return _with(doc, doc.cues[:index] + [doc.cues[index].copy(text=text)] + doc.cues[index + 1 :])


# --- speakers ----------------------------------------------------------------------------------------


def set_speaker(doc: CaptionDocument, indices: list[int], speaker: str | None) -> CaptionDocument:
    cues = list(doc.cues)
    for i in indices:
        _check_index(doc, i)
        cues[i] = cues[i].copy(speaker=(speaker or None))
    return _with(doc, cues)


def carry_speakers_forward(doc: CaptionDocument) -> CaptionDocument:
    """Give each cue without a speaker the speaker of the cue before it (a continuing turn)."""
    cues = list(doc.cues)
    previous = None
    for i, cue in enumerate(cues):
        if cue.speaker is None and previous is not None:
            cues[i] = cue.copy(speaker=previous)
        previous = cues[i].speaker
    return _with(doc, cues)


def extract_inline_speakers(doc: CaptionDocument) -> CaptionDocument:
    """Move "[Name]" labels typed into the text into `Cue.speaker`; a bare ">>" marks a change to an
    unnamed speaker and is dropped (the writer puts it back where the profile asks for it)."""
    cues = list(doc.cues)
    for i, cue in enumerate(cues):
        speaker, text = split_speaker(cue.text)
        if speaker is not None:
            cues[i] = cue.copy(speaker=speaker, text=text)
        elif cue.text.startswith(CHANGE_MARK):
            cues[i] = cue.copy(text=cue.text[len(CHANGE_MARK) :].lstrip())
    return _with(doc, cues)


def bake_speaker_marks(doc: CaptionDocument, style: str) -> CaptionDocument:
    """Write the speaker marks into the text itself (labels and/or ">>"), clearing `Cue.speaker`."""
    cues = []
    previous = None
    for k, cue in enumerate(doc.cues):
        cues.append(Cue(cue.start_ms, cue.end_ms, render_text(cue, previous, style, k == 0), None))
        previous = cue.speaker
    return _with(doc, cues)


# --- timing ------------------------------------------------------------------------------------------


def shift(doc: CaptionDocument, delta_ms: int, first: int = 0, last: int | None = None) -> CaptionDocument:
    """Move cues `first..last` (inclusive; default all) by `delta_ms`."""
    last = len(doc.cues) - 1 if last is None else last
    cues = list(doc.cues)
    for i in range(first, last + 1):
        _check_index(doc, i)
        c = cues[i]
        if c.start_ms + delta_ms < 0:
            raise CaptionFixError(
                f"shifting by {delta_ms} ms would move cue {i + 1} before the start of the media"
            )
        cues[i] = c.copy(start_ms=c.start_ms + delta_ms, end_ms=c.end_ms + delta_ms)
    return _with(doc, cues)


def stretch(doc: CaptionDocument, factor: float, origin_ms: int = 0) -> CaptionDocument:
    """Scale every time around `origin_ms` (e.g. 25/23.976 for a frame-rate mismatch)."""
    if not factor > 0:
        raise CaptionFixError(f"stretch factor must be positive, not {factor}")

    def t(ms: int) -> int:
        return round(origin_ms + (ms - origin_ms) * factor)

    cues = [c.copy(start_ms=t(c.start_ms), end_ms=t(c.end_ms)) for c in doc.cues]
    if any(c.start_ms < 0 for c in cues):
        raise CaptionFixError("stretching would move cues before the start of the media")
    return _with(doc, cues)


def retime(doc: CaptionDocument, a: tuple[int, int], b: tuple[int, int]) -> CaptionDocument:
    """Linear re-timing from two sync points (old_ms, new_ms): the classic "two-point sync"."""
    (a_old, a_new), (b_old, b_new) = a, b
    if a_old == b_old:
        raise CaptionFixError("the two sync points must be at different times")
    factor = (b_new - a_new) / (b_old - a_old)
    if not factor > 0:
        raise CaptionFixError("the sync points would reverse the order of the cues")

    def t(ms: int) -> int:
        return round(a_new + (ms - a_old) * factor)

    cues = [c.copy(start_ms=t(c.start_ms), end_ms=t(c.end_ms)) for c in doc.cues]
    if any(c.start_ms < 0 for c in cues):
        raise CaptionFixError("the sync points would move cues before the start of the media")
    return _with(doc, cues)


def enforce_min_gap(
    doc: CaptionDocument, gap_ms: int | None = None, rules: CaptionRules = DEFAULT_RULES
) -> CaptionDocument:
    """Shorten each cue that ends too close to (or after) the start of the next, so there is at least
    `gap_ms` between them. Cues are never shortened below 1 ms; such cases stay for the linguist."""
    gap = rules.min_gap_ms if gap_ms is None else gap_ms
    cues = list(doc.cues)
    for i in range(len(cues) - 1):
        a, b = cues[i], cues[i + 1]
        if b.start_ms < a.start_ms:
            continue  # out of order: sorting is a separate, explicit fix
        limit = b.start_ms - gap
        if a.end_ms > limit > a.start_ms:
            cues[i] = a.copy(end_ms=limit)
    return _with(doc, cues)


def trim_overlap(doc: CaptionDocument, index: int, gap_ms: int = 0) -> CaptionDocument:
    """End the cue before `index` where cue `index` starts (minus `gap_ms`)."""
    _check_index(doc, index)
    if index == 0:
        return doc
    prev, cue = doc.cues[index - 1], doc.cues[index]
    end = max(prev.start_ms + 1, cue.start_ms - gap_ms)
    return _with(doc, doc.cues[: index - 1] + [prev.copy(end_ms=end)] + doc.cues[index:])


def extend_duration(
    doc: CaptionDocument, index: int, target_ms: int, gap_ms: int = DEFAULT_RULES.min_gap_ms
) -> CaptionDocument:
    """Lengthen cue `index` towards `target_ms` without running into the next cue (keeping `gap_ms`)."""
    _check_index(doc, index)
    cue = doc.cues[index]
    end = cue.start_ms + target_ms
    if index + 1 < len(doc.cues):
        end = min(end, doc.cues[index + 1].start_ms - gap_ms)
    end = max(end, cue.end_ms)
    return _with(doc, doc.cues[:index] + [cue.copy(end_ms=end)] + doc.cues[index + 1 :])


def set_end(doc: CaptionDocument, index: int, end_ms: int) -> CaptionDocument:
    _check_index(doc, index)
    return _with(doc, doc.cues[:index] + [doc.cues[index].copy(end_ms=end_ms)] + doc.cues[index + 1 :])


def clamp_to_media(doc: CaptionDocument, media_duration_ms: int) -> CaptionDocument:
    """Drop cues starting after the media ends and end the others at the media's end."""
    cues = []
    for c in doc.cues:
        if c.start_ms >= media_duration_ms:
            continue
        cues.append(c if c.end_ms <= media_duration_ms else c.copy(end_ms=media_duration_ms))
    return _with(doc, cues)


def remove_cue(doc: CaptionDocument, index: int) -> CaptionDocument:
    _check_index(doc, index)
    return _with(doc, doc.cues[:index] + doc.cues[index + 1 :])


def remove_empty(doc: CaptionDocument) -> CaptionDocument:
    return _with(doc, [c for c in doc.cues if visible_text(c.text).strip()])


def sort_cues(doc: CaptionDocument) -> CaptionDocument:
    return doc.sorted()
