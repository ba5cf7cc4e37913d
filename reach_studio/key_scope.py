"""Which hosts may receive a Kaltura access key (KS): the account's service host and the playback/CDN hosts
Kaltura itself names for the entry — nobody else.

Why it exists: the media fetchers used to attach `X-Kaltura-Ks` to every request, including to a host a
playlist named or a redirect pointed at, handing the customer's key to a stranger. Every place that sends a
key (headers or a `ks` in a URL) asks `KeyScope.allows(url)` first; redirects are followed by hand so the
question is asked again for each hop. Hosts are compared as origins (scheme, host, port), so another port
on the same machine is another host. Qt-free and dependency-free, usable from every layer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}

Origin = tuple[str, str, int]


def origin(url: str) -> Origin | None:
    """(scheme, lower-case host, port) of an http(s) URL, or None for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower().rstrip("."), port or _DEFAULT_PORTS[scheme]


@dataclass(frozen=True)
class KeyScope:
    """The origins a key may be sent to. An empty scope allows nothing."""

    origins: frozenset[Origin] = frozenset()

    @classmethod
    def of(cls, urls: Iterable[str | None]) -> KeyScope:
        return cls(frozenset(o for o in (origin(u) for u in urls if u) if o is not None))

    @classmethod
    def for_playback(cls, service_url: str, *playback_contexts: dict | None) -> KeyScope:
        """The service host plus every host Kaltura named in the entry's getPlaybackContext sources."""
        urls: list[str | None] = [service_url]
        for ctx in playback_contexts:
            for src in (ctx or {}).get("sources") or []:
                if isinstance(src, dict) and isinstance(src.get("url"), str):
                    urls.append(src["url"])
        return cls.of(urls)

    def allows(self, url: str) -> bool:
        """True when `url` goes to one of the scope's origins (same scheme, host and port)."""
        found = origin(url)
        return found is not None and found in self.origins

    def headers_for(self, url: str, secret_headers: dict[str, str] | None) -> dict[str, str]:
        """`secret_headers` (e.g. X-Kaltura-Ks) when `url` is in scope, else nothing."""
        return dict(secret_headers or {}) if secret_headers and self.allows(url) else {}


def safe_transport(url: str) -> bool:
    """True when a key in `url` would travel encrypted: HTTPS, or plain HTTP to this machine (loopback)."""
    import ipaddress

    found = origin(url)
    if found is None:
        return False
    scheme, host, _port = found
    if scheme == "https":
        return True
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
