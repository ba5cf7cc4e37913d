"""The XML that cuePoint.addFromBulk reads, parsed into plain cue point dicts.

Kaltura's ingest format (the cue point plugins' `scenes` schema) is one `<scenes>` root holding
`<scene-thumb-cue-point>`, `<scene-code-cue-point>`, `<scene-annotation>` or `<scene-ad-cue-point>`
elements, each with an `entryId` attribute (and optional `systemName`), a `<sceneStartTime>` written
"HH:MM:SS.mmm", `<tags><tag>…</tag></tags>` and the fields of its type. Parsing is kept apart from the
service so that a broken file is reported per scene with a clear message and nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

# element name -> (objectType, cuePointType, required child elements)
SCENE_TYPES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "scene-thumb-cue-point": ("KalturaThumbCuePoint", "thumbCuePoint.Thumb", ("title",)),
    "scene-code-cue-point": ("KalturaCodeCuePoint", "codeCuePoint.Code", ("code",)),
    "scene-annotation": ("KalturaAnnotation", "annotation.Annotation", ()),
    "scene-ad-cue-point": ("KalturaAdCuePoint", "adCuePoint.Ad", ()),
}

MAX_SCENES = 5000


class BulkXmlError(ValueError):
    """The bulk file is not the cue point XML Kaltura accepts; `problems` lists each bad scene."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass
class ParsedScene:
    index: int  # 1-based position in the file, for messages
    fields: dict[str, object] = field(default_factory=dict)


def time_to_ms(text: str | None) -> int:
    """Kaltura's sceneStartTime "HH:MM:SS(.fff)" (also "MM:SS" or "SS") to milliseconds."""
    if text is None or not text.strip():
        raise ValueError("empty time")
    parts = text.strip().split(":")
    if len(parts) > 3:
        raise ValueError(f"bad time {text!r}")
    seconds = 0.0
    for part in parts:
        try:
            value = float(part)
        except ValueError:
            raise ValueError(f"bad time {text!r}") from None
        if value < 0:
            raise ValueError(f"negative time {text!r}")
        seconds = seconds * 60 + value
    return round(seconds * 1000)


def ms_to_time(ms: int) -> str:
    """The inverse, as Kaltura writes sceneStartTime: "HH:MM:SS.mmm"."""
    hours, rest = divmod(int(ms), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _text(scene: Element, name: str) -> str | None:
    child = scene.find(name)
    if child is None:
        return None
    return (child.text or "").strip()


def parse_bulk_xml(data: bytes) -> list[ParsedScene]:
    """Parse the whole file; raise BulkXmlError naming every bad scene, so nothing is half-added."""
    if not data or not data.strip():
        raise BulkXmlError(["the file is empty"])
    try:
        root = SafeET.fromstring(data)
    except (ParseError, DefusedXmlException) as exc:
        raise BulkXmlError([f"not well-formed XML: {exc}"]) from None
    if root.tag != "scenes":
        raise BulkXmlError([f"the root element must be <scenes>, not <{root.tag}>"])
    scenes = list(root)
    if not scenes:
        raise BulkXmlError(["<scenes> holds no cue point"])
    if len(scenes) > MAX_SCENES:
        raise BulkXmlError([f"too many cue points ({len(scenes)} > {MAX_SCENES})"])
    parsed: list[ParsedScene] = []
    problems: list[str] = []
    for index, scene in enumerate(scenes, start=1):
        where = f"scene {index} <{scene.tag}>"
        kind = SCENE_TYPES.get(scene.tag)
        if kind is None:
            problems.append(f"{where}: unknown cue point element")
            continue
        object_type, cue_point_type, required = kind
        entry_id = (scene.get("entryId") or "").strip()
        if not entry_id:
            problems.append(f"{where}: missing entryId attribute")
            continue
        try:
            start_ms = time_to_ms(_text(scene, "sceneStartTime"))
        except ValueError as exc:
            problems.append(f"{where}: sceneStartTime: {exc}")
            continue
        fields: dict[str, object] = {
            "objectType": object_type,
            "cuePointType": cue_point_type,
            "entryId": entry_id,
            "startTime": start_ms,
        }
        if scene.get("systemName"):
            fields["systemName"] = scene.get("systemName")
        tags_el = scene.find("tags")
        if tags_el is not None:
            tags = [(t.text or "").strip() for t in tags_el if (t.text or "").strip()]
            fields["tags"] = ",".join(tags)
        missing = [name for name in required if not _text(scene, name)]
        if missing:
            problems.append(f"{where}: missing <{'>, <'.join(missing)}>")
            continue
        end_text = _text(scene, "sceneEndTime")
        try:
            end_ms = time_to_ms(end_text) if end_text else None
        except ValueError as exc:
            problems.append(f"{where}: sceneEndTime: {exc}")
            continue
        if end_ms is not None and end_ms < start_ms:
            problems.append(f"{where}: sceneEndTime is before sceneStartTime")
            continue
        if scene.tag == "scene-thumb-cue-point":
            fields["title"] = _text(scene, "title")
            fields["description"] = _text(scene, "description") or ""
            sub_type = _text(scene, "subType")
            if sub_type:
                if sub_type not in ("1", "2"):
                    problems.append(f"{where}: subType must be 1 (slide) or 2 (chapter), not {sub_type!r}")
                    continue
                fields["subType"] = int(sub_type)
        elif scene.tag == "scene-code-cue-point":
            fields["code"] = _text(scene, "code")
            fields["description"] = _text(scene, "description") or ""
            if end_ms is not None:
                fields["endTime"] = end_ms
                fields["duration"] = end_ms - start_ms
        elif scene.tag == "scene-annotation":
            fields["text"] = _text(scene, "sceneText") or ""
            if end_ms is not None:
                fields["endTime"] = end_ms
        elif scene.tag == "scene-ad-cue-point":
            fields["title"] = _text(scene, "title") or ""
            fields["sourceUrl"] = _text(scene, "sourceUrl") or ""
            if end_ms is not None:
                fields["endTime"] = end_ms
                fields["duration"] = end_ms - start_ms
        parsed.append(ParsedScene(index=index, fields=fields))
    if problems:
        raise BulkXmlError(problems)
    return parsed
