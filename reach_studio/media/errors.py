"""The media layer's own exception, and scrubbing of secrets from text that came from ffmpeg or a URL.

Kaltura URLs carry the KS (session key) in the path (`/ks/<key>/`) or the query (`?ks=`), and ffmpeg
repeats input URLs in its error output; every message we raise passes through `redact` first.
"""

from __future__ import annotations

from reach_studio.redaction import redact


class MediaError(Exception):
    """A media operation failed: ffmpeg error, unreadable file, bad playlist, download failure."""

    def __init__(self, message: str) -> None:
        super().__init__(redact(message))


class AccessRefused(MediaError):
    """The server refused the request's key (HTTP 401/403): typically an expired KS, which a fresh key
    (extendAccessKey) cures; what was downloaded so far stays for the next attempt."""


__all__ = ["AccessRefused", "MediaError", "redact"]
