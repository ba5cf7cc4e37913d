"""The Kaltura API v3 wire format: reading requests as clients send them, writing XML/JSON answers.

Requests come three ways (docs/kaltura-contract.md#wire): a JSON body (the official client), multipart with
a `json` part
plus file parts (uploads), or form/query fields (curl, `a[b][c]=v` or `a:b:c=v`). All end up as one
nested dict of strings. Answers come from one representation — dicts with "objectType" for objects,
lists for arrays, dicts without "objectType" for maps, ApiError for errors — written either as the
XML the Python client insists on (format=2) or as JSON (format=1).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reach_studio.emulator.errors import ApiError
from reach_studio.emulator.schema import public_view

FORMAT_JSON = 1
FORMAT_XML = 2


@dataclass
class UploadedFile:
    """A file part of a multipart request."""

    data: bytes
    filename: str
    content_type: str = "application/octet-stream"

    def __repr__(self) -> str:  # keep request dumps short
        return f"UploadedFile({self.filename!r}, {len(self.data)} bytes)"


class WireError(Exception):
    """The request body cannot be read at all (bad JSON, broken multipart)."""


_KEY_SPLIT = re.compile(r"\]\[|\[|\]|:")


def _key_path(key: str) -> list[str]:
    return [part for part in _KEY_SPLIT.split(key) if part != ""] or [key]


def set_nested(target: dict[str, Any], key: str, value: Any) -> None:
    """Place `value` at "a[b][c]" / "a:b:c" inside target (form-style nesting)."""
    path = _key_path(key)
    node = target
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    last = path[-1]
    if isinstance(node.get(last), dict) and isinstance(value, dict):
        _deep_merge(node[last], value)
    else:
        node[last] = value


def _deep_merge(target: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_merge(target[key], value)
        else:
            target[key] = value


def parse_request(
    content_type: str,
    body: bytes,
    form: list[tuple[str, str]],
    files: list[tuple[str, UploadedFile]],
    query: list[tuple[str, str]],
) -> dict[str, Any]:
    """Merge query fields, then the body (JSON / multipart `json` part / form fields), then files."""
    params: dict[str, Any] = {}
    for key, value in query:
        set_nested(params, key, value)
    mime = (content_type or "").split(";")[0].strip().lower()
    if mime == "application/json":
        text = body.decode("utf-8", "replace").strip()
        if text.startswith("{"):
            try:
                payload = json.loads(text)
            except ValueError as exc:
                raise WireError(f"request body is not valid JSON: {exc}") from None
            if not isinstance(payload, dict):
                raise WireError("request body must be a JSON object")
            _deep_merge(params, payload)
    for key, value in form:
        if key == "json" and mime == "multipart/form-data":
            try:
                payload = json.loads(value)
            except ValueError as exc:
                raise WireError(f"multipart json part is not valid JSON: {exc}") from None
            if isinstance(payload, dict):
                _deep_merge(params, payload)
            continue
        set_nested(params, key, value)
    for key, upload in files:
        set_nested(params, key, upload)
    return params


def response_format(params: dict[str, Any]) -> int:
    try:
        return FORMAT_JSON if int(str(params.get("format", FORMAT_XML))) == FORMAT_JSON else FORMAT_XML
    except ValueError:
        return FORMAT_XML


# ---- serialisation -------------------------------------------------------------------------------
def error_object(err: ApiError) -> dict[str, Any]:
    return {
        "code": err.code,
        "message": err.message,
        "objectType": "KalturaAPIException",
        "args": dict(err.args_map),
    }


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _scalar_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    # Characters XML 1.0 cannot carry are dropped, as Kaltura's serializer does, so the client can parse.
    return _XML_INVALID.sub("", str(value))


def _xml_value(value: Any, out: list[str]) -> None:
    if isinstance(value, ApiError):
        out.append("<error>")
        out.append(f"<code>{escape(value.code)}</code><message>{escape(value.message)}</message>")
        out.append("<objectType>KalturaAPIException</objectType><args>")
        for name, arg in value.args_map.items():
            out.append(
                f"<item><objectType>KalturaApiExceptionArg</objectType><name>{escape(name)}</name>"
                f"<value>{escape(arg)}</value></item>"
            )
        out.append("</args></error>")
    elif isinstance(value, dict):
        if "objectType" in value:
            out.append(f"<objectType>{escape(str(value['objectType']))}</objectType>")
            for key, item in value.items():
                if key == "objectType":
                    continue
                out.append(f"<{key}>")
                _xml_value(item, out)
                out.append(f"</{key}>")
        else:  # a map
            for key, item in value.items():
                out.append(f"<item><itemKey>{escape(str(key))}</itemKey>")
                _xml_value(item, out)
                out.append("</item>")
    elif isinstance(value, (list, tuple)):
        for item in value:
            out.append("<item>")
            _xml_value(item, out)
            out.append("</item>")
    else:
        out.append(escape(_scalar_text(value)))


def to_xml(result: Any, execution_time: float = 0.0) -> bytes:
    """`<xml><result>…</result><executionTime>…</executionTime></xml>` as api_v3 writes it."""
    out = ['<?xml version="1.0" encoding="utf-8"?><xml><result>']
    _xml_value(public_view(result), out)
    out.append(f"</result><executionTime>{execution_time:.4f}</executionTime></xml>")
    return "".join(out).encode("utf-8")


def _json_value(value: Any) -> Any:
    if isinstance(value, ApiError):
        return error_object(value)
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    return value


def to_json(result: Any) -> bytes:
    """The format=1 answer: the bare result (null fields left out), errors as KalturaAPIException."""
    return json.dumps(_json_value(public_view(result)), ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


def serialize(result: Any, fmt: int, execution_time: float = 0.0) -> tuple[bytes, str]:
    """Body and content type for `result` in the requested format."""
    if fmt == FORMAT_JSON:
        return to_json(result), "application/json"
    return to_xml(result, execution_time), "text/xml; charset=utf-8"
