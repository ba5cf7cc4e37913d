"""Tags for profiles with `enableMetadataExtraction`: keywords extracted from the transcript with YAKE
(PyPI `yake`, unsupervised, with stop-word lists for ~35 languages), appended to the entry's tags.

For translations the vendor guide asks for `multiLingual_tags` (KalturaMultiLingualString: language code
such as "FR" and the comma-separated value); `multilingual_tags` builds those from each language's text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from reach_studio.domain.captions import CaptionDocument
from reach_studio.domain.enums import language_code

_TAG = re.compile(r"</?[a-zA-Z][^<>\n]*>|\[[^\]\n]*\]|\([^)\n]*\)|♪|>>")
_YAKE_CODES = {"cs": "cz"}  # YAKE names its Czech stop-word list "cz"
MAX_TAG_CHARS = 50


@dataclass(frozen=True)
class MultiLingualTags:
    language: str  # upper-case code as in the vendor guide's example ("FR")
    value: str  # comma-separated tags


def transcript_text(doc: CaptionDocument) -> str:
    """The spoken words only: no markup, speaker labels or sound tags; each cue ends a phrase."""
    parts = []
    for cue in doc.cues:
        text = " ".join(_TAG.sub(" ", cue.text).split())
        if text:
            parts.append(text if text[-1] in ".!?…;:," else text + ".")
    return " ".join(parts)


def _yake_language(language: str | None) -> str:
    code = (language_code(language) or language or "en").split("-")[0].lower()
    if len(code) != 2:
        code = "en" if code in ("ase", "bfi") else code[:2]
    return _YAKE_CODES.get(code, code)


def extract_tags(
    text_or_doc: str | CaptionDocument, language: str | None = None, limit: int = 10
) -> list[str]:
    """Up to `limit` keywords (1-2 words) for the text, most relevant first, without near-duplicates."""
    import yake  # imported here: it pulls in numpy and networkx, which a caption read should not pay for

    if isinstance(text_or_doc, CaptionDocument):
        language = language or text_or_doc.language
        text = transcript_text(text_or_doc)
    else:
        text = " ".join(_TAG.sub(" ", text_or_doc).split())
    if not text.strip():
        return []
    extractor = yake.KeywordExtractor(lan=_yake_language(language), n=2, top=limit * 3, dedupLim=0.7)
    tags: list[str] = []
    seen: set[str] = set()
    for keyword, _score in extractor.extract_keywords(text):
        tag = " ".join(keyword.replace(",", " ").split()).strip(" .;:!?'\"-")
        key = tag.lower()
        if not tag or len(tag) > MAX_TAG_CHARS or key in seen or tag.replace(" ", "").isdigit():
            continue
        if any(ch in tag for ch in ".!?;"):
            continue  # spans a sentence boundary
        if any(key in s.split() or s in key.split() for s in seen if " " in key or " " in s):
            continue  # "machine" next to "machine learning"
        seen.add(key)
        tags.append(tag)
        if len(tags) >= limit:
            break
    return tags


def merge_tags(existing: str | None, new: Iterable[str]) -> str:
    """The entry's tags with the new ones appended (vendor guide: keep the existing tags), no duplicates."""
    current = [t.strip() for t in (existing or "").split(",") if t.strip()]
    lower = {t.lower() for t in current}
    for tag in new:
        tag = tag.replace(",", " ").strip()
        if tag and tag.lower() not in lower:
            current.append(tag)
            lower.add(tag.lower())
    return ",".join(current)


def multilingual_tags(docs: Mapping[str, CaptionDocument], limit: int = 10) -> list[MultiLingualTags]:
    """Tags per language for a translation task: {"French": doc, ...} -> [MultiLingualTags("FR", "...")]."""
    out = []
    for language, doc in docs.items():
        tags = extract_tags(doc, language, limit)
        if tags:
            code = (language_code(language) or language).split("-")[0].upper()
            out.append(MultiLingualTags(code, ",".join(tags)))
    return out
