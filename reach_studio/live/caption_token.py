"""The one check of a live event's `captionToken` on the caption websocket.

Why it exists: the vendor guide leaves the websocket handshake to the vendor — a per-event token set
on the live feature, given "as a query parameter or first message" (docs/kaltura-contract.md#live-messages).
We mint a fresh random
token per task, accept it as `?token=` (or `?captionToken=`), an `Authorization: Bearer` header, or a
first message `{"token": "..."}` / `{"captionToken": "..."}` / the bare token, and compare in constant
time. A refusal never repeats the token it was given or the one expected.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Mapping
from urllib.parse import parse_qs, urlsplit

TOKEN_QUERY_NAMES = ("token", "captionToken")
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 512


class CaptionTokenError(Exception):
    """The caption websocket was opened without the event's token, or with a wrong one (text is safe to log)."""


def new_caption_token() -> str:
    """A fresh, URL-safe random token for one live task (256 bits)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison; an empty expected or given token never matches."""
    if not expected or not given or not isinstance(given, str) or len(given) > MAX_TOKEN_LENGTH:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def token_from_request(path: str, headers: Mapping[str, str] | None = None) -> str | None:
    """The token carried by the websocket request itself: query parameter or Bearer header."""
    query = parse_qs(urlsplit(path).query, keep_blank_values=True)
    for name in TOKEN_QUERY_NAMES:
        values = query.get(name)
        if values:
            return values[0]
    if headers is not None:
        auth = headers.get("Authorization") or ""
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return None


def token_from_first_message(message: str | bytes) -> str | None:
    """The token in a first message: {"token": ...}, {"captionToken": ...} or the bare token text."""
    if isinstance(message, (bytes, bytearray)):
        try:
            message = bytes(message).decode("utf-8")
        except UnicodeDecodeError:
            return None
    text = message.strip()
    if not text or len(text) > 4 * MAX_TOKEN_LENGTH:
        return None
    if text.startswith("{"):
        try:
            obj = json.loads(text)
        except ValueError:
            return None
        if isinstance(obj, dict):
            for name in TOKEN_QUERY_NAMES:
                if isinstance(obj.get(name), str):
                    return obj[name]
        return None
    return text


def check_token(expected: str, given: str | None) -> None:
    """Raise CaptionTokenError unless `given` is the event's token."""
    if not given:
        raise CaptionTokenError("no caption token given")
    if not token_matches(expected, given):
        raise CaptionTokenError("caption token refused")
