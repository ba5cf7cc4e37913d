"""The media layer's own exception, and scrubbing of secrets from text that came from ffmpeg or a URL.

Kaltura URLs carry the KS (session key) in the path (`/ks/<key>/`) or the query (`?ks=`), and ffmpeg
repeats input URLs in its error output; every message we raise passes through `redact` first.
"""

from __future__ import annotations

import re

_KS_PATH = re.compile(r"(/ks/)[^/?#\s\"']+", re.IGNORECASE)
_KS_QUERY = re.compile(r"([?&](?:ks|token|hdnts|signature|policy|key-pair-id)=)[^&#\s\"']+", re.IGNORECASE)
_KS_HEADER = re.compile(r"(X-Kaltura-Ks:\s*)\S+", re.IGNORECASE)


class MediaError(Exception):
    """A media operation failed: ffmpeg error, unreadable file, bad playlist, download failure."""

    def __init__(self, message: str) -> None:
        super().__init__(redact(message))


def redact(text: str) -> str:
    """Replace session keys and signed-URL tokens in `text` with `***`."""
    text = _KS_PATH.sub(r"\1***", text)
    text = _KS_QUERY.sub(r"\1***", text)
    return _KS_HEADER.sub(r"\1***", text)
