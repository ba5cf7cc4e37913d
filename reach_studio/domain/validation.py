"""Check a caption document against the REACH profile, the catalog item and captioning guidelines.

Used live in the editor (one cue at a time, on every keystroke, for 5,000-cue documents) and as the gate
before upload (the whole document). Build a `Validator` once per task; `validator.cue(doc, i)` checks one
cue against its neighbours and returns the findings that belong to that cue (pair rules such as overlap and
gap belong to the later cue, so after editing cue i the editor re-checks i-1, i and i+1).

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
from reach_studio.domain.profanity import find_profanity

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
    ) -> None:
        self.profile = profile
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
        self.remove_profanity = bool(getattr(profile, "enable_profanity_removal", False))
        self.audio_tags = getattr(profile, "enable_audio_tags", None)
        if dictionary_terms is None:
            dictionary_terms = []
            for d in getattr(profile, "dictionaries", None) or []:
                dictionary_terms += [t for t in d.terms if t not in dictionary_terms]
        self.dictionary = checker_for(tuple(dictionary_terms)) if dictionary_terms else None
        # Translations are paired with the source captions by index (as Gaupol pairs MAIN and TRAN).
        self.source = source if kind == "translation" else None
        self.deliverable = _deliverable_format(output_format, profile, catalog_item)

    # -- one cue --------------------------------------------------------------------------------------

    def cue(self, doc: CaptionDocument, index: int) -> list[Finding]:
        """Findings for cue `index`, including those about it and the cue before it."""
        cues = doc.cues
        cue = cues[index]
        prev = cues[index - 1] if index > 0 else None
        out: list[Finding] = []
        add = out.append
        r = self.rules
        visible = _visible(cue.text)
        empty = not visible.strip()
        ead = self.kind == "ead"

        # Timing and order.
        if cue.end_ms <= cue.start_ms:
            add(
                Finding(
                    Rule.TIMING,
                    index,
                    "error",
                    f"ends ({_seconds(cue.end_ms)}) before or when it starts ({_seconds(cue.start_ms)})"
                    + (
                        ": Kaltura's player leaves a zero-length cue out"
                        if cue.end_ms == cue.start_ms
                        else ""
                    ),
                    Fix(
                        "Set the end to the minimum duration",
                        lambda d, i=index: fixes.set_end(d, i, d.cues[i].start_ms + r.min_duration_ms),
                    ),
                )
            )
        if empty:
            add(
                Finding(
                    Rule.EMPTY,
                    index,
                    "error",
                    "has no text",
                    Fix("Delete the cue", lambda d, i=index: fixes.remove_cue(d, i)),
                )
            )
        if prev is not None:
            if cue.start_ms < prev.start_ms:
                add(
                    Finding(
                        Rule.ORDER,
                        index,
                        "error",
                        f"starts before the cue before it ({_seconds(cue.start_ms)} < {_seconds(prev.start_ms)})",
                        Fix("Sort the cues by time", fixes.sort_cues),
                    )
                )
            elif cue.start_ms < prev.end_ms:
                add(
                    Finding(
                        Rule.OVERLAP,
                        index,
                        "error",
                        f"overlaps the cue before it by {prev.end_ms - cue.start_ms} ms",
                        Fix(
                            "End the previous cue before this one starts",
                            lambda d, i=index: fixes.trim_overlap(d, i, r.min_gap_ms),
                        ),
                    )
                )
            elif not ead and cue.start_ms - prev.end_ms < r.min_gap_ms and cue.start_ms != prev.end_ms:
                add(
                    Finding(
                        Rule.MIN_GAP,
                        index,
                        "warning",
                        f"follows the cue before it after {cue.start_ms - prev.end_ms} ms "
                        f"(guideline: {r.min_gap_ms} ms or none at all)",
                        Fix("Close the gap", lambda d, i=index: fixes.trim_overlap(d, i, 0)),
                    )
                )
        if self.media_duration_ms is not None and cue.end_ms > self.media_duration_ms:
            add(
                Finding(
                    Rule.PAST_MEDIA_END,
                    index,
                    "error",
                    f"ends at {_seconds(cue.end_ms)}, after the media ends ({_seconds(self.media_duration_ms)})",
                    Fix(
                        "End the cue with the media",
                        lambda d, m=self.media_duration_ms: fixes.clamp_to_media(d, m),
                    ),
                )
            )
        if ead or empty:
            return out
        for rule in _DELIVERY_RULES:
            finding = rule(cue.text, index, self.deliverable)
            if finding is not None:
                add(finding)

        duration = cue.end_ms - cue.start_ms
        if 0 < duration < r.min_duration_ms:
            add(
                Finding(
                    Rule.MIN_DURATION,
                    index,
                    "warning",
                    f"is shown for {duration} ms (guideline: at least {r.min_duration_ms} ms)",
                    Fix(
                        "Lengthen the cue", lambda d, i=index: fixes.extend_duration(d, i, r.min_duration_ms)
                    ),
                )
            )
        elif duration > r.max_duration_ms:
            add(
                Finding(
                    Rule.MAX_DURATION,
                    index,
                    "warning",
                    f"is shown for {_seconds(duration)} (guideline: at most {_seconds(r.max_duration_ms)})",
                    Fix("Split the cue in two", lambda d, i=index: fixes.split_cue(d, i, rules=r)),
                )
            )
        # Reading speed and lines as they will be delivered (speaker label and ">>" included): the viewer
        # reads the label too, and the editor shows the same figures.
        shown = render_text(cue, prev.speaker if prev else None, self.speaker_style, index == 0)
        chars = len(_visible(shown).replace("\n", ""))
        prefix_len = max(0, len(shown) - len(cue.text) - 1)  # the speaker label / ">>" before the text
        if duration > 0:
            cps = chars * 1000 / duration
            if cps > r.max_chars_per_second:
                needed = round(chars * 1000 / r.max_chars_per_second)
                add(
                    Finding(
                        Rule.READING_SPEED,
                        index,
                        "warning",
                        f"needs {cps:.1f} characters per second (guideline: {r.max_chars_per_second:g})",
                        Fix(
                            "Lengthen the cue as far as the next one allows",
                            lambda d, i=index, n=needed: fixes.extend_duration(d, i, n),
                        ),
                    )
                )

        lines = [line for line in _visible(shown).split("\n") if line.strip()] or [""]  # as written
        limit = r.max_chars_per_line
        source = "the profile's" if self.profile_line_limit else "the recommended"
        too_long = [k + 1 for k, line in enumerate(lines) if len(line) > limit]
        if too_long:
            longest = max(len(line) for line in lines)
            add(
                Finding(
                    Rule.LINE_LENGTH,
                    index,
                    "error" if self.profile_line_limit else "warning",
                    f"has a line of {longest} characters ({source} limit is {limit})",
                    Fix(
                        "Re-break the lines (split the cue if needed)",
                        lambda d, i=index, n=prefix_len: fixes.reflow_cue(d, i, r, prefix_len=n),
                    ),
                )
            )
        if len(lines) > r.max_lines:
            add(
                Finding(
                    Rule.LINE_COUNT,
                    index,
                    "error",
                    f"has {len(lines)} lines (at most {r.max_lines})",
                    Fix(
                        "Re-break the lines (split the cue if needed)",
                        lambda d, i=index, n=prefix_len: fixes.reflow_cue(d, i, r, prefix_len=n),
                    ),
                )
            )

        # Speakers.
        if self.require_speaker_id and not cue.speaker and not contains_audio_tag_only(visible):
            prev_speaker = prev.speaker if prev else None
            fix = (
                Fix(
                    f"Label as {prev_speaker}",
                    lambda d, i=index, s=prev_speaker: fixes.set_speaker(d, [i], s),
                )
                if prev_speaker
                else None
            )
            add(
                Finding(
                    Rule.SPEAKER_ID,
                    index,
                    "error",
                    "has no speaker label (the catalog item asks for speaker identification, e.g. [Speaker 1])",
                    fix,
                )
            )
        elif (
            self.require_change_marks
            and not self.require_speaker_id
            and not cue.speaker
            and not cue.text.startswith(CHANGE_MARK)
            and prev is not None
            and prev.speaker
            and not contains_audio_tag_only(visible)
        ):
            add(
                Finding(
                    Rule.SPEAKER_CHANGE,
                    index,
                    "warning",
                    "has no speaker, so a speaker change here cannot get its >> mark",
                    Fix(
                        f"Same speaker as before ({prev.speaker})",
                        lambda d, i=index, s=prev.speaker: fixes.set_speaker(d, [i], s),
                    ),
                )
            )

        # Words.
        if self.remove_profanity:
            hits = find_profanity(visible)
            if hits:
                words = ", ".join(sorted({h.word.lower() for h in hits}))
                add(
                    Finding(
                        Rule.PROFANITY,
                        index,
                        "error",
                        f"contains profanity ({words}); the profile asks for profanity removal",
                        Fix("Mask the words", lambda d, i=index: fixes.mask_profanity_in(d, [i])),
                    )
                )
        if self.dictionary is not None:
            for hit in self.dictionary.check(cue.text):
                what = "capitalised differently from" if hit.kind == "case" else "looks like a misspelling of"
                add(
                    Finding(
                        Rule.DICTIONARY,
                        index,
                        "warning",
                        f"“{hit.found}” {what} the dictionary term “{hit.term}”",
                        Fix(
                            f"Write “{hit.term}”",
                            lambda d, i=index, h=hit: (
                                fixes.replace_text(
                                    d, i, d.cues[i].text[: h.start] + h.term + d.cues[i].text[h.end :]
                                )
                                if d.cues[i].text[h.start : h.end] == h.found
                                else d
                            ),
                        ),
                    )
                )
        if self.audio_tags is False and contains_audio_tag(visible):
            add(
                Finding(
                    Rule.AUDIO_TAGS,
                    index,
                    "warning",
                    "has an audio tag, but the profile does not ask for audio tags",
                    Fix(
                        "Remove the audio tags",
                        lambda d, i=index: fixes.replace_text(d, i, fixes.remove_audio_tags(d.cues[i].text)),
                    ),
                )
            )
        if self.source is not None and index < len(self.source.cues):
            original = self.source.cues[index].text
            shown = _visible(original)
            if (
                original.strip() == cue.text.strip()
                and any(ch.isalpha() for ch in shown)
                and not contains_audio_tag_only(shown)
            ):
                add(
                    Finding(
                        Rule.UNTRANSLATED,
                        index,
                        "warning",
                        "is the same as the source cue: not translated yet?",
                    )
                )
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


_DELIVERY_RULES = (srt_markup_finding, kaltura_entities_finding, leading_space_finding)


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
