"""Check a caption document against the REACH profile, the catalog item and captioning guidelines.

Used live in the editor (one cue at a time, on every keystroke, for 5,000-cue documents) and as the gate
before upload (the whole document). Build a `Validator` once per task; `validator.cue(doc, i)` checks one
cue against its neighbours and returns the findings that belong to that cue (pair rules such as overlap and
gap belong to the later cue, so after editing cue i the editor re-checks i-1, i and i+1).

The per-cue rules are a table, `CUE_RULES`: one function per rule, each building its finding's message and
fix, with what it checks and the fix in words, and whether this task's profile asks for it (decided once,
when the Validator is built). A new rule is one function and one row.

Severities: "error" for what the profile or the formats require (line limit from the profile, speaker
marks, profanity, overlaps, empty cues, cues past the media); "warning" for guideline thresholds
(`caption_rules.py`), dictionary near-misses and audio tags in a profile without `enableAudioTags` (the
profile cannot tell "off" from "not set", so the linguist decides).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Literal

from reach_studio.domain import caption_fixes as fixes
from reach_studio.domain.caption_rules import CaptionRules, contains_audio_tag
from reach_studio.domain.captions import CaptionDocument
from reach_studio.domain.dictionary_check import checker_for
from reach_studio.domain.formats import (
    CaptionWriteError,
    normalize_format,
    output_format_for,
    speaker_style_for,
    write_captions,
)
from reach_studio.domain.formats._common import CHANGE_MARK, render_text
from reach_studio.domain.profanity import find_profanity, has_wordlist
from reach_studio.domain.speaking_time import DEFAULT_WPM, estimate_ms, fit_note

Severity = Literal["error", "warning"]
Kind = Literal["captions", "translation", "ead"]

_TAG = re.compile(r"</?[a-zA-Z][^<>\n]*>")


class Rule(StrEnum):
    LINE_LENGTH = "line_length"
    LINE_COUNT = "line_count"
    EMPTY = "empty"
    TIMING = "timing"  # end not after start
    ORDER = "order"
    OVERLAP = "overlap"
    MIN_GAP = "min_gap"
    MIN_DURATION = "min_duration"
    MAX_DURATION = "max_duration"
    READING_SPEED = "reading_speed"
    PAST_MEDIA_END = "past_media_end"
    SPEAKER_ID = "speaker_id"
    SPEAKER_CHANGE = "speaker_change"
    PROFANITY = "profanity"
    DICTIONARY = "dictionary"
    AUDIO_TAGS = "audio_tags"
    OUTPUT_FORMAT = "output_format"
    UNTRANSLATED = "untranslated"  # translation: cue text identical to the source cue at the same index
    SOURCE_ALIGNMENT = "source_alignment"  # translation: cue count differs from the source captions
    # What Kaltura's caption parsers (plugins/content/caption) would lose from the delivered file:
    SRT_MARKUP = "srt_markup"  # "<" or ">" in SRT text: read as a tag by ffmpeg and other SRT readers
    KALTURA_ENTITIES = "kaltura_entities"  # a literal "&amp;"/"&lt;"... switches off Kaltura's escaping
    LEADING_SPACE = "leading_space"  # trimmed by Kaltura's player
    FILE_SIZE = "file_size"  # over Kaltura's player (1,048,576 bytes) or search (900,000 bytes) limits
    SPEAKING_TIME = "speaking_time"  # EAD: the description takes longer to speak than its time


@dataclass(frozen=True)
class Fix:
    """A suggested fix: `apply(doc)` returns the fixed document (the input is not changed)."""

    description: str
    apply: Callable[[CaptionDocument], CaptionDocument]


@dataclass(frozen=True)
class Finding:
    rule: str
    cue_index: int | None  # None for findings about the whole document
    severity: Severity
    message: str
    fix: Fix | None = None


def _visible(text: str) -> str:
    return _TAG.sub("", text) if "<" in text else text


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.2f} s"


class Validator:
    """Validation settings for one task, built once (dictionary and word lists are prepared here)."""

    def __init__(
        self,
        profile: object | None = None,
        catalog_item: object | None = None,
        *,
        media_duration_ms: int | None = None,
        kind: Kind = "captions",
        output_format: str | None = None,
        rules: CaptionRules | None = None,
        dictionary_terms: list[str] | None = None,
        source: CaptionDocument | None = None,
        description_wpm: int = DEFAULT_WPM,
    ) -> None:
        self.profile = profile
        self.description_wpm = description_wpm  # EAD: the describer's speaking rate (settings)
        self.catalog_item = catalog_item
        self.kind = kind
        self.media_duration_ms = media_duration_ms
        self.output_format = output_format
        language = getattr(
            catalog_item, "target_language" if kind == "translation" else "source_language", None
        )
        self.rules = rules or CaptionRules.from_profile(profile, language)
        self.profile_line_limit = getattr(profile, "max_characters_per_caption_line", None)
        self.speaker_style = speaker_style_for(profile, catalog_item)
        self.require_speaker_id = bool(getattr(catalog_item, "enable_speaker_id", False))
        self.require_change_marks = bool(getattr(profile, "enable_speaker_change_indication", False))
        self.remove_profanity = bool(getattr(profile, "enable_profanity_removal", False)) and has_wordlist(
            language
        )
        self.audio_tags = getattr(profile, "enable_audio_tags", None)
        if dictionary_terms is None:
            dictionary_terms = []
            for d in getattr(profile, "dictionaries", None) or []:
                dictionary_terms += [t for t in d.terms if t not in dictionary_terms]
        self.dictionary = checker_for(tuple(dictionary_terms)) if dictionary_terms else None
        # Translations are paired with the source captions by index (as Gaupol pairs MAIN and TRAN).
        self.source = source if kind == "translation" else None
        self.deliverable = _deliverable_format(output_format, profile, catalog_item)
        self._cue_rules = tuple(entry for entry in CUE_RULES if entry.applies(self))  # what this task asks

    def set_source(self, source: CaptionDocument | None) -> None:
        """A translation's source captions, when they arrive after the validator was built (the editor
        opens before their download ends)."""
        if self.kind == "translation":
            self.source = source
            self._cue_rules = tuple(entry for entry in CUE_RULES if entry.applies(self))

    # -- one cue --------------------------------------------------------------------------------------

    def cue(self, doc: CaptionDocument, index: int) -> list[Finding]:
        """Findings for cue `index`, including those about it and the cue before it (`CUE_RULES`, in order;
        an EAD cue or an empty one gets the timing rules only)."""
        c = _CueView(self, doc.cues, index)
        out: list[Finding] = []
        text_too = not (c.empty or self.kind == "ead")
        for entry in self._cue_rules:
            if text_too or entry.every_cue:
                entry.check(c, out.append)
        return out

    # -- whole document -------------------------------------------------------------------------------

    def document(self, doc: CaptionDocument) -> list[Finding]:
        """Every cue's findings followed by the findings about the document as a whole."""
        out: list[Finding] = []
        for i in range(len(doc.cues)):
            out.extend(self.cue(doc, i))
        out.extend(self.document_level(doc))
        return out

    def document_level(self, doc: CaptionDocument) -> list[Finding]:
        out: list[Finding] = []
        if not doc.cues:
            out.append(Finding(Rule.EMPTY, None, "error", "the document has no cues"))
            return out
        if self.kind == "ead":
            return out
        out.extend(file_size_findings(doc, self.deliverable, self.speaker_style))
        if self.source is not None and len(self.source.cues) != len(doc.cues):
            out.append(
                Finding(
                    Rule.SOURCE_ALIGNMENT,
                    None,
                    "warning",
                    f"the translation has {len(doc.cues)} cues, the source captions {len(self.source.cues)}",
                )
            )
        if self.output_format is not None:
            wanted = output_format_for(self.profile, self.catalog_item)
            if self.output_format.lower().lstrip(".") != wanted:
                out.append(
                    Finding(
                        Rule.OUTPUT_FORMAT,
                        None,
                        "error",
                        f"the task asks for {wanted.upper()}, not {self.output_format.upper()}",
                    )
                )
        if (
            self.require_change_marks
            and not any(c.speaker for c in doc.cues)
            and not any(c.text.startswith(CHANGE_MARK) for c in doc.cues)
        ):
            out.append(
                Finding(
                    Rule.SPEAKER_CHANGE,
                    None,
                    "warning",
                    "the profile asks for >> at each speaker change, but no cue has a speaker",
                )
            )
        if self.audio_tags is True and not any(contains_audio_tag(c.text) for c in doc.cues):
            out.append(
                Finding(
                    Rule.AUDIO_TAGS,
                    None,
                    "warning",
                    "the profile asks for audio tags ([MUSIC], [APPLAUSE]…), but there are none",
                )
            )
        return out


# -- what Kaltura's caption parsers would lose from the delivered file -----------------------------------
# Read from kaltura/server: plugins/content/caption/base/lib/captionManagers/*CaptionsContentManager.php,
# kWebVTTGenerator.php, services/CaptionAssetService.php and search/CaptionSearchPlugin.php.

KALTURA_MAX_SERVED_BYTES = (
    1_048_576  # CaptionAssetService::MAX_SERVE_WEBVTT_FILE_SIZE (serveWebVTT, serveAsJson)
)
KALTURA_MAX_INDEXED_BYTES = 900_000  # CaptionSearchPlugin::MAX_CAPTION_FILE_SIZE_FOR_INDEXING

_SRT_TAGS = re.compile(r"</?(?:i|b|u)>|<font(?:\s[^<>\n]*)?>|</font>", re.IGNORECASE)
# kWebVTTGenerator::WEBVTT_CUE_PAYLOAD_ENCODED_CHARS: any of these and escapeSpecialChars escapes nothing
_KALTURA_ENCODED = re.compile(r"&(amp|gt|lt|lrm|rlm|nbsp);")
_ENTITY_CHARS = {"amp": "&", "gt": ">", "lt": "<", "lrm": "\u200e", "rlm": "\u200f", "nbsp": "\u00a0"}
_LOOK_ALIKE = str.maketrans({"<": "\u2039", ">": "\u203a"})  # ‹ ›


def _deliverable_format(
    output_format: str | None, profile: object | None, catalog_item: object | None
) -> str:
    try:
        return normalize_format(output_format) if output_format else output_format_for(profile, catalog_item)
    except CaptionWriteError:
        return output_format_for(profile, catalog_item)


def _outside_srt_tags(text: str) -> str:
    body = text.removeprefix(CHANGE_MARK)  # the ">>" change mark
    return _SRT_TAGS.sub("", body) if "<" in body else body


def _with_look_alikes(text: str) -> str:
    mark = CHANGE_MARK if text.startswith(CHANGE_MARK) else ""
    body = text[len(mark) :]
    out, pos = [], 0
    for m in _SRT_TAGS.finditer(body):
        out.append(body[pos : m.start()].translate(_LOOK_ALIKE))
        out.append(m.group(0))
        pos = m.end()
    out.append(body[pos:].translate(_LOOK_ALIKE))
    return mark + "".join(out)


def srt_markup_finding(text: str, index: int, fmt: str) -> Finding | None:
    """SRT cannot escape "<": ffmpeg and other SRT readers take "a < b" for the start of a tag."""
    if fmt != "srt" or ("<" not in text and ">" not in text):
        return None
    rest = _outside_srt_tags(text)
    if "<" not in rest and ">" not in rest:
        return None
    return Finding(
        Rule.SRT_MARKUP,
        index,
        "warning",
        "holds “<” or “>”, which SRT readers such as ffmpeg take for a tag (reword, e.g. “less than”, "
        "or use look-alike characters)",
        Fix(
            "Write ‹ › instead of < >",
            lambda d, i=index: fixes.replace_text(d, i, _with_look_alikes(d.cues[i].text)),
        ),
    )


def kaltura_entities_finding(text: str, index: int, fmt: str) -> Finding | None:
    """Kaltura's kWebVTTGenerator escapes &, < and > of an SRT or DFXP cue for its player, unless the text
    already holds "&amp;", "&lt;", "&gt;", "&lrm;", "&rlm;" or "&nbsp;": then it escapes nothing."""
    if fmt not in ("srt", "dfxp") or "&" not in text:
        return None
    found = sorted({m.group(0) for m in _KALTURA_ENCODED.finditer(text)})
    if not found:
        return None
    shown = ", ".join(f"“{f}”" for f in found)
    return Finding(
        Rule.KALTURA_ENTITIES,
        index,
        "warning",
        f"holds {shown} as text: Kaltura's player shows the character instead, and escapes nothing else "
        "in this cue (a “<” or “&” there can break it)",
        Fix(
            "Write the characters instead",
            lambda d, i=index: fixes.replace_text(
                d, i, _KALTURA_ENCODED.sub(lambda m: _ENTITY_CHARS[m.group(1)], d.cues[i].text)
            ),
        ),
    )


def leading_space_finding(text: str, index: int, fmt: str) -> Finding | None:
    """Kaltura trims each cue line (webVttCaptionsContentManager::handleTextLines, kWebVTTGenerator's trim)."""
    if text[:1] not in (" ", "\t") and "\n " not in text and "\n\t" not in text:
        return None
    return Finding(
        Rule.LEADING_SPACE,
        index,
        "warning",
        "has a line starting with spaces, which Kaltura's player trims",
        Fix(
            "Remove the leading spaces",
            lambda d, i=index: fixes.replace_text(
                d, i, "\n".join(line.lstrip(" \t") for line in d.cues[i].text.split("\n"))
            ),
        ),
    )


# -- the cue rules: one function per rule, each building its finding's message and fix -------------------


class _CueView:
    """One cue as the rules see it; what several rules share (the delivered text, its lines) is worked
    out once, on first use."""

    def __init__(self, v: Validator, cues: list, index: int) -> None:
        self.v = v
        self.r = v.rules
        self.index = index
        self.cue = cues[index]
        self.prev = cues[index - 1] if index > 0 else None
        self.next = cues[index + 1] if index + 1 < len(cues) else None
        self.visible = _visible(self.cue.text)
        self.empty = not self.visible.strip()
        self.duration = self.cue.end_ms - self.cue.start_ms

    @cached_property
    def shown(self) -> str:
        """The text as delivered (speaker label and ">>" included): the viewer reads the label too, and the
        editor shows the same figures."""
        prev = self.prev
        return render_text(self.cue, prev.speaker if prev else None, self.v.speaker_style, self.index == 0)

    @cached_property
    def prefix_len(self) -> int:
        return max(0, len(self.shown) - len(self.cue.text) - 1)  # the speaker label / ">>" before the text

    @cached_property
    def later_prefix_len(self) -> int:
        """The label a part of this cue would carry if a fix splits it (see `continued_prefix`)."""
        return len(fixes.continued_prefix(self.cue, self.v.speaker_style))

    @cached_property
    def lines(self) -> list[str]:
        return [line for line in _visible(self.shown).split("\n") if line.strip()] or [""]  # as written

    @cached_property
    def needs_speaker(self) -> bool:
        return not self.cue.speaker and not contains_audio_tag_only(self.visible)


def _timing(c: _CueView, add: Callable[[Finding], None]) -> None:
    cue, r = c.cue, c.r
    if cue.end_ms <= cue.start_ms:
        add(
            Finding(
                Rule.TIMING,
                c.index,
                "error",
                f"ends ({_seconds(cue.end_ms)}) before or when it starts ({_seconds(cue.start_ms)})"
                + (": Kaltura's player leaves a zero-length cue out" if cue.end_ms == cue.start_ms else ""),
                Fix(
                    "Set the end to the minimum duration",
                    lambda d, i=c.index: fixes.set_end(d, i, d.cues[i].start_ms + r.min_duration_ms),
                ),
            )
        )


def _empty(c: _CueView, add: Callable[[Finding], None]) -> None:
    if not c.empty:
        return
    if c.v.kind != "translation":
        add(
            Finding(
                Rule.EMPTY,
                c.index,
                "error",
                "has no text",
                Fix("Delete the cue", lambda d, i=c.index: fixes.remove_cue(d, i)),
            )
        )
        return
    # A translation's cue stands for its source cue: deleting it would drop that line from the translated
    # captions. The translator's start is the source text (then flagged "the same as the source").
    source = c.v.source
    original = source.cues[c.index].text if source is not None and c.index < len(source.cues) else ""
    add(
        Finding(
            Rule.EMPTY,
            c.index,
            "error",
            "is not translated yet",
            Fix(
                "Copy the source text to translate over",
                lambda d, i=c.index: fixes.replace_text(d, i, original),
            )
            if _visible(original).strip()
            else None,
        )
    )


def _order(c: _CueView, add: Callable[[Finding], None]) -> None:
    cue, prev = c.cue, c.prev
    if prev is not None and cue.start_ms < prev.start_ms:
        add(
            Finding(
                Rule.ORDER,
                c.index,
                "error",
                f"starts before the cue before it ({_seconds(cue.start_ms)} < {_seconds(prev.start_ms)})",
                Fix("Sort the cues by time", fixes.sort_cues),
            )
        )


def _overlap(c: _CueView, add: Callable[[Finding], None]) -> None:
    cue, prev = c.cue, c.prev
    if prev is not None and prev.start_ms <= cue.start_ms < prev.end_ms:
        add(
            Finding(
                Rule.OVERLAP,
                c.index,
                "error",
                f"overlaps the cue before it by {prev.end_ms - cue.start_ms} ms",
                Fix(
                    "End the previous cue before this one starts",
                    lambda d, i=c.index, gap=c.r.min_gap_ms: fixes.trim_overlap(d, i, gap),
                ),
            )
        )


def _min_gap(c: _CueView, add: Callable[[Finding], None]) -> None:
    cue, prev, gap = c.cue, c.prev, c.r.min_gap_ms
    if (
        prev is not None
        and c.v.kind != "ead"
        and cue.start_ms >= prev.start_ms
        and prev.end_ms < cue.start_ms < prev.end_ms + gap
    ):
        add(
            Finding(
                Rule.MIN_GAP,
                c.index,
                "warning",
                f"follows the cue before it after {cue.start_ms - prev.end_ms} ms (guideline: {gap} ms or none at all)",
                Fix("Close the gap", lambda d, i=c.index: fixes.trim_overlap(d, i, 0)),
            )
        )


def _past_media_end(c: _CueView, add: Callable[[Finding], None]) -> None:
    end = c.v.media_duration_ms
    if end is not None and c.cue.end_ms > end:
        add(
            Finding(
                Rule.PAST_MEDIA_END,
                c.index,
                "error",
                f"ends at {_seconds(c.cue.end_ms)}, after the media ends ({_seconds(end)})",
                Fix("End the cue with the media", lambda d, m=end: fixes.clamp_to_media(d, m)),
            )
        )


def _srt_markup(c: _CueView, add: Callable[[Finding], None]) -> None:
    found = srt_markup_finding(c.cue.text, c.index, c.v.deliverable)
    if found is not None:
        add(found)


def _kaltura_entities(c: _CueView, add: Callable[[Finding], None]) -> None:
    found = kaltura_entities_finding(c.cue.text, c.index, c.v.deliverable)
    if found is not None:
        add(found)


def _leading_space(c: _CueView, add: Callable[[Finding], None]) -> None:
    found = leading_space_finding(c.cue.text, c.index, c.v.deliverable)
    if found is not None:
        add(found)


def _min_duration(c: _CueView, add: Callable[[Finding], None]) -> None:
    r = c.r
    if 0 < c.duration < r.min_duration_ms:
        add(
            Finding(
                Rule.MIN_DURATION,
                c.index,
                "warning",
                f"is shown for {c.duration} ms (guideline: at least {r.min_duration_ms} ms)",
                Fix(
                    "Lengthen the cue",
                    lambda d, i=c.index: fixes.extend_duration(d, i, r.min_duration_ms, r.min_gap_ms),
                ),
            )
        )


def _max_duration(c: _CueView, add: Callable[[Finding], None]) -> None:
    r = c.r
    if c.duration > r.max_duration_ms and not 0 < c.duration < r.min_duration_ms:
        add(
            Finding(
                Rule.MAX_DURATION,
                c.index,
                "warning",
                f"is shown for {_seconds(c.duration)} (guideline: at most {_seconds(r.max_duration_ms)})",
                Fix("Split the cue in two", lambda d, i=c.index: fixes.split_keeping_gap(d, i, rules=r)),
            )
        )


def _reading_speed(c: _CueView, add: Callable[[Finding], None]) -> None:
    r = c.r
    if c.duration <= 0:
        return
    chars = len(_visible(c.shown).replace("\n", ""))
    cps = chars * 1000 / c.duration
    if cps > r.max_chars_per_second:
        needed = round(chars * 1000 / r.max_chars_per_second)
        add(
            Finding(
                Rule.READING_SPEED,
                c.index,
                "warning",
                f"needs {cps:.1f} characters per second (guideline: {r.max_chars_per_second:g})",
                Fix(
                    "Lengthen the cue as far as the next one allows",
                    lambda d, i=c.index, n=needed: fixes.extend_duration(d, i, n, r.min_gap_ms),
                ),
            )
        )


def _speaking_time(c: _CueView, add: Callable[[Finding], None]) -> None:
    """EAD: the player pauses the video for the description's time; text that takes longer to speak at the
    describer's rate is cut off or rushed. A warning (the rate is the describer's, not the profile's)."""
    if c.empty or c.duration <= 0:
        return
    note, fits = fit_note(c.cue.text, c.duration, c.v.description_wpm, within="of this description")
    if fits:
        return
    needed = estimate_ms(c.cue.text, c.v.description_wpm)
    fix = None
    if c.next is None or c.next.start_ms > c.cue.end_ms:  # room to lengthen it (EAD keeps no gap)
        fix = Fix(
            "Lengthen the description as far as the next one allows",
            lambda d, i=c.index, n=needed: fixes.extend_duration(d, i, n, 0),
        )
    add(Finding(Rule.SPEAKING_TIME, c.index, "warning", note.replace("⚠ ", ""), fix))


def _reflow(c: _CueView) -> Fix:
    return Fix(
        "Re-break the lines (split the cue if needed)",
        lambda d, i=c.index, r=c.r, n=c.prefix_len, m=c.later_prefix_len: fixes.reflow_readable(
            d, i, r, prefix_len=n, later_prefix_len=m
        ),
    )


def _line_length(c: _CueView, add: Callable[[Finding], None]) -> None:
    limit = c.r.max_chars_per_line
    longest = max(len(line) for line in c.lines)
    if longest > limit:
        ours = bool(c.v.profile_line_limit)
        source = "the profile's" if ours else "the recommended"
        add(
            Finding(
                Rule.LINE_LENGTH,
                c.index,
                "error" if ours else "warning",
                f"has a line of {longest} characters ({source} limit is {limit})",
                _reflow(c),
            )
        )


def _line_count(c: _CueView, add: Callable[[Finding], None]) -> None:
    if len(c.lines) > c.r.max_lines:
        add(
            Finding(
                Rule.LINE_COUNT,
                c.index,
                "error",
                f"has {len(c.lines)} lines (at most {c.r.max_lines})",
                _reflow(c),
            )
        )


def _speaker_id(c: _CueView, add: Callable[[Finding], None]) -> None:
    if c.v.require_speaker_id and c.needs_speaker:
        prev_speaker = c.prev.speaker if c.prev else None
        fix = (
            Fix(f"Label as {prev_speaker}", lambda d, i=c.index, s=prev_speaker: fixes.set_speaker(d, [i], s))
            if prev_speaker
            else None
        )
        add(
            Finding(
                Rule.SPEAKER_ID,
                c.index,
                "error",
                "has no speaker label (the catalog item asks for speaker identification, e.g. [Speaker 1])",
                fix,
            )
        )


def _speaker_change(c: _CueView, add: Callable[[Finding], None]) -> None:
    v, prev = c.v, c.prev
    if (
        v.require_change_marks
        and not v.require_speaker_id
        and prev is not None
        and prev.speaker
        and not c.cue.text.startswith(CHANGE_MARK)
        and c.needs_speaker
    ):
        add(
            Finding(
                Rule.SPEAKER_CHANGE,
                c.index,
                "warning",
                "has no speaker, so a speaker change here cannot get its >> mark",
                Fix(
                    f"Same speaker as before ({prev.speaker})",
                    lambda d, i=c.index, s=prev.speaker: fixes.set_speaker(d, [i], s),
                ),
            )
        )


def _profanity(c: _CueView, add: Callable[[Finding], None]) -> None:
    if not c.v.remove_profanity:
        return
    hits = find_profanity(c.visible)
    if hits:
        words = ", ".join(sorted({h.word.lower() for h in hits}))
        add(
            Finding(
                Rule.PROFANITY,
                c.index,
                "error",
                f"contains profanity ({words}); the profile asks for profanity removal",
                Fix("Mask the words", lambda d, i=c.index: fixes.mask_profanity_in(d, [i])),
            )
        )


def _dictionary(c: _CueView, add: Callable[[Finding], None]) -> None:
    if c.v.dictionary is None:
        return
    for hit in c.v.dictionary.check(c.cue.text):
        what = "capitalised differently from" if hit.kind == "case" else "looks like a misspelling of"
        add(
            Finding(
                Rule.DICTIONARY,
                c.index,
                "warning",
                f"“{hit.found}” {what} the dictionary term “{hit.term}”",
                Fix(
                    f"Write “{hit.term}”",
                    lambda d, i=c.index, h=hit: (
                        fixes.replace_text(d, i, d.cues[i].text[: h.start] + h.term + d.cues[i].text[h.end :])
                        if d.cues[i].text[h.start : h.end] == h.found
                        else d
                    ),
                ),
            )
        )


def _audio_tags(c: _CueView, add: Callable[[Finding], None]) -> None:
    if c.v.audio_tags is False and contains_audio_tag(c.visible):
        add(
            Finding(
                Rule.AUDIO_TAGS,
                c.index,
                "warning",
                "has an audio tag, but the profile does not ask for audio tags",
                Fix(
                    "Remove the audio tags",
                    lambda d, i=c.index: fixes.replace_text(d, i, fixes.remove_audio_tags(d.cues[i].text)),
                ),
            )
        )


def _untranslated(c: _CueView, add: Callable[[Finding], None]) -> None:
    source = c.v.source
    if source is None or c.index >= len(source.cues):
        return
    original = source.cues[c.index].text
    shown = _visible(original)
    if (
        original.strip() == c.cue.text.strip()
        and any(ch.isalpha() for ch in shown)
        and not contains_audio_tag_only(shown)
    ):
        add(
            Finding(
                Rule.UNTRANSLATED, c.index, "warning", "is the same as the source cue: not translated yet?"
            )
        )


@dataclass(frozen=True)
class CueRule:
    """One rule of `Validator.cue`: what it checks (for people), the fix it offers, and its check."""

    rule: Rule
    checks: str
    fix: str | None  # the suggested fix, in words (None: the linguist decides)
    check: Callable[[_CueView, Callable[[Finding], None]], None]  # adds the cue's findings of this rule
    every_cue: bool = False  # also for EAD cues and empty cues (timing); else text rules, skipped for those
    applies: Callable[[Validator], bool] = lambda v: True  # the profile/task asks for it (decided once)


# In the order the findings are listed. Pair rules (order, overlap, gap) belong to the later cue.
CUE_RULES: tuple[CueRule, ...] = (
    CueRule(
        Rule.TIMING,
        "the cue ends after it starts",
        "end it after the minimum duration",
        _timing,
        every_cue=True,
    ),
    CueRule(
        Rule.EMPTY,
        "the cue has text",
        "delete the cue (a translation: copy the source text to translate over)",
        _empty,
        every_cue=True,
    ),
    CueRule(
        Rule.ORDER, "the cue starts no earlier than the one before", "sort the cues", _order, every_cue=True
    ),
    CueRule(
        Rule.OVERLAP,
        "the cue starts after the one before ends",
        "end the one before earlier",
        _overlap,
        every_cue=True,
    ),
    CueRule(
        Rule.MIN_GAP,
        "a gap between two cues is none or at least the guideline's (not for EAD)",
        "close the gap",
        _min_gap,
        every_cue=True,
        applies=lambda v: v.kind != "ead",
    ),
    CueRule(
        Rule.PAST_MEDIA_END,
        "the cue ends with the media at the latest",
        "end it with the media",
        _past_media_end,
        every_cue=True,
        applies=lambda v: v.media_duration_ms is not None,
    ),
    CueRule(
        Rule.SPEAKING_TIME,
        "an EAD description can be spoken in its time at the describer's rate (`speaking_time`)",
        "lengthen it as far as the next description allows",
        _speaking_time,
        every_cue=True,
        applies=lambda v: v.kind == "ead",
    ),
    CueRule(
        Rule.SRT_MARKUP,
        "no “<” or “>” in an SRT deliverable's text",
        "write ‹ › instead",
        _srt_markup,
        applies=lambda v: v.deliverable == "srt",
    ),
    CueRule(
        Rule.KALTURA_ENTITIES,
        "no literal “&amp;”-style entities that switch off Kaltura's escaping",
        "write the characters",
        _kaltura_entities,
        applies=lambda v: v.deliverable in ("srt", "dfxp"),
    ),
    CueRule(
        Rule.LEADING_SPACE,
        "no line starts with spaces (Kaltura trims them)",
        "remove the spaces",
        _leading_space,
    ),
    CueRule(
        Rule.MIN_DURATION, "the cue is shown at least the guideline's time", "lengthen it", _min_duration
    ),
    CueRule(
        Rule.MAX_DURATION, "the cue is shown at most the guideline's time", "split it in two", _max_duration
    ),
    CueRule(
        Rule.READING_SPEED,
        "characters per second (as delivered, speaker label included) within the guideline",
        "lengthen it as far as the next cue allows",
        _reading_speed,
    ),
    CueRule(
        Rule.LINE_LENGTH,
        "lines within the profile's limit (error) or the recommended one (warning)",
        "re-break the lines",
        _line_length,
    ),
    CueRule(Rule.LINE_COUNT, "no more lines than the guideline allows", "re-break the lines", _line_count),
    CueRule(
        Rule.SPEAKER_ID,
        "a speaker label on every spoken cue when the catalog item asks for speaker identification",
        "label it as the speaker before",
        _speaker_id,
        applies=lambda v: v.require_speaker_id,
    ),
    CueRule(
        Rule.SPEAKER_CHANGE,
        "a speaker after a labelled cue when the profile asks for >> at changes",
        "same speaker as before",
        _speaker_change,
        applies=lambda v: v.require_change_marks and not v.require_speaker_id,
    ),
    CueRule(
        Rule.PROFANITY,
        "no profanity when the profile asks for its removal",
        "mask the words",
        _profanity,
        applies=lambda v: v.remove_profanity,
    ),
    CueRule(
        Rule.DICTIONARY,
        "the dictionary's terms spelled as written there",
        "write the term",
        _dictionary,
        applies=lambda v: v.dictionary is not None,
    ),
    CueRule(
        Rule.AUDIO_TAGS,
        "no audio tags when the profile does not ask for them",
        "remove the audio tags",
        _audio_tags,
        applies=lambda v: v.audio_tags is False,
    ),
    CueRule(
        Rule.UNTRANSLATED,
        "a translation's cue differs from its source cue",
        None,
        _untranslated,
        applies=lambda v: v.source is not None,
    ),
)


def file_size_findings(doc: CaptionDocument, fmt: str, speaker_style: str) -> list[Finding]:
    """Kaltura serves no caption file over 1,048,576 bytes to its player and indexes none over 900,000
    bytes for search (kFileSyncUtils::file_get_contents returns nothing past the limit)."""
    try:
        size = len(write_captions(doc, fmt, speaker_style=speaker_style))
    except CaptionWriteError:
        return []  # negative times: reported as timing errors
    out = []
    if size > KALTURA_MAX_SERVED_BYTES:
        out.append(
            Finding(
                Rule.FILE_SIZE,
                None,
                "warning",
                f"the {fmt.upper()} file is {size:,} bytes: Kaltura's player gets no caption file over "
                f"{KALTURA_MAX_SERVED_BYTES:,} bytes (captionAsset serveWebVTT/serveAsJson)",
            )
        )
    if size > KALTURA_MAX_INDEXED_BYTES:
        out.append(
            Finding(
                Rule.FILE_SIZE,
                None,
                "warning",
                f"the {fmt.upper()} file is {size:,} bytes: Kaltura's search leaves out caption files over "
                f"{KALTURA_MAX_INDEXED_BYTES:,} bytes",
            )
        )
    return out


def contains_audio_tag_only(visible: str) -> bool:
    """A cue that is only a sound description ("[MUSIC]") needs no speaker."""
    stripped = re.sub(r"\[[^\]]*\]|\([^)]*\)|♪", "", visible).strip()
    return not stripped and contains_audio_tag(visible)


def validate(
    doc: CaptionDocument,
    profile: object | None = None,
    catalog_item: object | None = None,
    *,
    media_duration_ms: int | None = None,
    kind: Kind = "captions",
    output_format: str | None = None,
    rules: CaptionRules | None = None,
    source: CaptionDocument | None = None,
    dictionary_terms: list[str] | None = None,
) -> list[Finding]:
    """All findings for the document (the gate before upload); `source` pairs a translation with its
    source captions by index; `dictionary_terms` defaults to the profile's dictionaries (pass
    `task.dictionary_terms` to include the task's own dictionary)."""
    return Validator(
        profile,
        catalog_item,
        media_duration_ms=media_duration_ms,
        kind=kind,
        output_format=output_format,
        rules=rules,
        source=source,
        dictionary_terms=dictionary_terms,
    ).document(doc)


def validate_cue(
    doc: CaptionDocument,
    index: int,
    profile: object | None = None,
    catalog_item: object | None = None,
    *,
    media_duration_ms: int | None = None,
    kind: Kind = "captions",
    validator: Validator | None = None,
) -> list[Finding]:
    """Findings of one cue (with its neighbour before); pass a prepared `validator` when calling often."""
    v = validator or Validator(profile, catalog_item, media_duration_ms=media_duration_ms, kind=kind)
    return v.cue(doc, index)


def errors(findings: list[Finding]) -> list[Finding]:
    """Only the findings that block delivery."""
    return [f for f in findings if f.severity == "error"]
