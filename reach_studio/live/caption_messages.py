"""The one builder (and reader) of live-caption websocket messages, per
docs/kaltura-contract.md#live-messages.

Why it exists: Kaltura's caption puller reads what the vendor's websocket sends in the schema of the
solutions-engineering notes — `{"response": {id, type, start, end, start_pts, start_epoch, is_final,
is_end_of_stream, speakers, alternatives: [{transcript, start, end, start_pts, start_epoch, items}]}}`.
Everything that sends captions builds them here; everything that reads them (the emulator's puller,
tests) parses and checks them here. We always send `start_epoch`; the notes' own example spells it
`start_epoque`, so the reader accepts both.

Times: `start`/`end` are stream time in seconds — the media's own position as our RTMP ingest decoded
it (live/ingest), or seconds since Kaltura connected when no ingest runs; `start_pts` is the same
clock (the presentation time of the audio the captioner heard); `start_epoch` is the wall clock (Unix
seconds) at `start`.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from dataclasses import dataclass
from typing import Any

MESSAGE_TYPES = ("captions", "transcript")
ITEM_KINDS = ("text", "punct")
MAX_MESSAGE_BYTES = 256 * 1024
_SPEAKER_NAMESPACE = uuid.UUID("5a155a51-b181-4451-84f2-5f9e141aea52")
_TOKENS = re.compile(r"[^\W_](?:[\w'’\-]*[^\W_])?|[^\w\s]", re.UNICODE)


class CaptionMessageError(ValueError):
    """A live-caption message that is not in the §8 schema (or not JSON at all)."""


@dataclass(frozen=True)
class Item:
    start: float
    end: float
    kind: str  # "text" or "punct"
    value: str
    speaker_id: str | None = None


@dataclass(frozen=True)
class Speaker:
    id: str
    label: str | None


@dataclass(frozen=True)
class CaptionMessage:
    """One message as read back: the first alternative's text and words, plus the response fields."""

    id: str
    type: str
    start: float
    end: float
    start_pts: float | None
    start_epoch: float | None
    is_final: bool
    is_end_of_stream: bool
    transcript: str
    speakers: tuple[Speaker, ...]
    items: tuple[Item, ...]


def speaker_id_for(label: str | None) -> str:
    """A stable UUID per speaker label (the same person keeps one id for the whole stream)."""
    return str(uuid.uuid5(_SPEAKER_NAMESPACE, label or ""))


def items_for(transcript: str, start: float, end: float, speaker_id: str | None) -> list[dict[str, Any]]:
    """Word and punctuation items spread over [start, end] in proportion to their length.

    A human captioner gives no word timings; spreading them keeps every item inside its message and in
    order, which is what a player needs to show words progressively.
    """
    tokens = _TOKENS.findall(transcript)
    if not tokens:
        return []
    span = max(0.0, end - start)
    weights = [max(1, len(t)) for t in tokens]
    total = float(sum(weights))
    items = []
    at = start
    for token, weight in zip(tokens, weights, strict=True):
        length = span * weight / total
        kind = "text" if re.match(r"\w", token) else "punct"
        items.append(
            {
                "start": round(at, 3),
                "end": round(at + length, 3),
                "kind": kind,
                "value": token,
                "speaker_id": speaker_id,
            }
        )
        at += length
    return items


def build_message(
    transcript: str,
    start: float,
    end: float,
    *,
    is_final: bool,
    stream_epoch: float,
    is_end_of_stream: bool = False,
    message_id: str | None = None,
    message_type: str = "captions",
    speaker_label: str | None = None,
) -> dict[str, Any]:
    """One §8 message. `stream_epoch` is the wall clock (Unix seconds) of the stream's start.

    `message_id` ties interim results to the final that replaces them: give the same id to every
    message of one utterance (a new UUID when omitted).
    """
    if message_type not in MESSAGE_TYPES:
        raise CaptionMessageError(
            f"message type must be one of {', '.join(MESSAGE_TYPES)}, not {message_type!r}"
        )
    for name, value in (("start", start), ("end", end), ("stream_epoch", stream_epoch)):
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            raise CaptionMessageError(f"{name} must be a number of seconds, not {value!r}")
    if start < 0 or end < start:
        raise CaptionMessageError(f"caption times must satisfy 0 <= start <= end (got {start}..{end})")
    if not isinstance(transcript, str):
        raise CaptionMessageError("transcript must be text")
    start, end = round(float(start), 3), round(float(end), 3)
    epoch = round(float(stream_epoch) + start, 3)
    speaker = speaker_id_for(speaker_label)
    alternative = {
        "transcript": transcript,
        "start": start,
        "end": end,
        "start_pts": start,
        "start_epoch": epoch,
        "items": items_for(transcript, start, end, speaker),
    }
    return {
        "response": {
            "id": message_id or str(uuid.uuid4()),
            "type": message_type,
            "start": start,
            "end": end,
            "start_pts": start,
            "start_epoch": epoch,
            "is_final": bool(is_final),
            "is_end_of_stream": bool(is_end_of_stream),
            "speakers": [{"id": speaker, "label": speaker_label}],
            "alternatives": [alternative],
        }
    }


def encode(message: dict[str, Any]) -> str:
    """The JSON text sent over the websocket (UTF-8, no ASCII escaping of the captions)."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


# ---- reading and checking ------------------------------------------------------------------------
def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and math.isfinite(value):
        return float(value)
    return None


def _epoch(obj: dict[str, Any]) -> Any:
    return obj["start_epoch"] if "start_epoch" in obj else obj.get("start_epoque")


def _load(data: str | bytes | dict[str, Any]) -> dict[str, Any]:
    if isinstance(data, dict):
        return data
    if isinstance(data, (bytes, bytearray)):
        if len(data) > MAX_MESSAGE_BYTES:
            raise CaptionMessageError(f"message larger than {MAX_MESSAGE_BYTES // 1024} KB")
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            raise CaptionMessageError("message is not UTF-8 text") from None
    if not isinstance(data, str):
        raise CaptionMessageError(f"message must be JSON text, not {type(data).__name__}")
    if len(data) > MAX_MESSAGE_BYTES:
        raise CaptionMessageError(f"message larger than {MAX_MESSAGE_BYTES // 1024} KB")
    try:
        obj = json.loads(data)
    except ValueError as exc:
        raise CaptionMessageError(f"message is not JSON: {exc.msg} at character {exc.pos}") from None
    if not isinstance(obj, dict):
        raise CaptionMessageError("message must be a JSON object")
    return obj


def schema_problems(data: str | bytes | dict[str, Any], *, strict: bool = True) -> list[str]:
    """Everything in a message that departs from the §8 schema ([] = a valid message).

    strict=False tolerates what the notes' own example leaves out (response-level start/end/pts/epoch,
    which it only gives per alternative, and a placeholder text instead of an epoch number).
    """
    try:
        obj = _load(data)
    except CaptionMessageError as exc:
        return [str(exc)]
    problems: list[str] = []
    response = obj.get("response")
    if not isinstance(response, dict):
        return ['no "response" object']
    if set(obj) != {"response"}:
        problems.append(f"unexpected top-level keys: {', '.join(sorted(set(obj) - {'response'}))}")
    if not isinstance(response.get("id"), str) or not response.get("id"):
        problems.append("response.id must be a non-empty string (a UUID)")
    else:
        try:
            uuid.UUID(response["id"])
        except ValueError:
            problems.append("response.id is not a UUID")
    if response.get("type") not in MESSAGE_TYPES:
        problems.append(f'response.type must be "transcript" or "captions", not {response.get("type")!r}')
    for flag in ("is_final", "is_end_of_stream"):
        if not isinstance(response.get(flag), bool):
            problems.append(f"response.{flag} must be true or false")
    _times(response, "response", problems, strict)
    speakers = response.get("speakers")
    speaker_ids: set[str] = set()
    if not isinstance(speakers, list):
        problems.append("response.speakers must be a list")
    else:
        for i, sp in enumerate(speakers):
            if not isinstance(sp, dict) or not isinstance(sp.get("id"), str):
                problems.append(f"response.speakers[{i}] needs a string id")
                continue
            speaker_ids.add(sp["id"])
            if sp.get("label") is not None and not isinstance(sp.get("label"), str):
                problems.append(f"response.speakers[{i}].label must be a string or null")
    alternatives = response.get("alternatives")
    if not isinstance(alternatives, list) or (not alternatives and not response.get("is_end_of_stream")):
        problems.append("response.alternatives must be a non-empty list")
        return problems
    for a, alt in enumerate(alternatives):
        where = f"response.alternatives[{a}]"
        if not isinstance(alt, dict):
            problems.append(f"{where} must be an object")
            continue
        if not isinstance(alt.get("transcript"), str):
            problems.append(f"{where}.transcript must be a string")
        _times(alt, where, problems, strict)
        items = alt.get("items")
        if not isinstance(items, list):
            problems.append(f"{where}.items must be a list")
            continue
        for i, item in enumerate(items):
            at = f"{where}.items[{i}]"
            if not isinstance(item, dict):
                problems.append(f"{at} must be an object")
                continue
            start, end = _number(item.get("start")), _number(item.get("end"))
            if start is None or end is None:
                problems.append(f"{at} needs numeric start and end")
            elif end < start:
                problems.append(f"{at} ends before it starts")
            if item.get("kind") not in ITEM_KINDS:
                problems.append(f'{at}.kind must be "text" or "punct"')
            if not isinstance(item.get("value"), str) or not item.get("value"):
                problems.append(f"{at}.value must be a non-empty string")
            sid = item.get("speaker_id")
            if sid is not None and not isinstance(sid, str):
                problems.append(f"{at}.speaker_id must be a string")
            elif strict and sid is not None and speaker_ids and sid not in speaker_ids:
                problems.append(f"{at}.speaker_id is not one of response.speakers")
    return problems


def _times(obj: dict[str, Any], where: str, problems: list[str], strict: bool) -> None:
    present = [k for k in ("start", "end", "start_pts") if k in obj]
    if not strict and where == "response" and not present:
        return
    for key in ("start", "end", "start_pts"):
        if _number(obj.get(key)) is None:
            problems.append(f"{where}.{key} must be a number of seconds")
    start, end = _number(obj.get("start")), _number(obj.get("end"))
    if start is not None and end is not None and end < start:
        problems.append(f"{where} ends before it starts")
    epoch = _epoch(obj)
    # not strict: the notes' example carries a placeholder text ("wallclock_now()") or no epoch
    if _number(epoch) is None and (strict or not (epoch is None or isinstance(epoch, str))):
        problems.append(f"{where}.start_epoch must be a number (Unix seconds)")
    if strict and "start_epoch" not in obj:
        problems.append(f"{where} sends start_epoque; the schema field is start_epoch")


def parse_message(data: str | bytes | dict[str, Any]) -> CaptionMessage:
    """Read one message (tolerant of the example's gaps); raises CaptionMessageError when unusable."""
    obj = _load(data)
    problems = schema_problems(obj, strict=False)
    if problems:
        raise CaptionMessageError("; ".join(problems[:3]))
    response = obj["response"]
    alternatives = response.get("alternatives") or [{}]
    alt = alternatives[0]
    start = _number(response.get("start"))
    end = _number(response.get("end"))
    start = _number(alt.get("start")) if start is None else start
    end = _number(alt.get("end")) if end is None else end
    pts = _number(response.get("start_pts"))
    pts = _number(alt.get("start_pts")) if pts is None else pts
    epoch = _number(_epoch(response))
    epoch = _number(_epoch(alt)) if epoch is None else epoch
    return CaptionMessage(
        id=response["id"],
        type=response["type"],
        start=start or 0.0,
        end=end if end is not None else (start or 0.0),
        start_pts=pts,
        start_epoch=epoch,
        is_final=response["is_final"],
        is_end_of_stream=response["is_end_of_stream"],
        transcript=alt.get("transcript", ""),
        speakers=tuple(Speaker(sp["id"], sp.get("label")) for sp in response.get("speakers") or []),
        items=tuple(
            Item(float(it["start"]), float(it["end"]), it["kind"], it["value"], it.get("speaker_id"))
            for it in alt.get("items") or []
        ),
    )
